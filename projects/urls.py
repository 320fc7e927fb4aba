from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    path("", views.ProjectListView.as_view(), name="list"),
    path("<id:pk>/", views.ProjectDetailView.as_view(), name="detail"),
    path("<id:pk>/preview/", views.ProjectPreviewView.as_view(), name="preview"),
]

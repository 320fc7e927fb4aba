from django.urls import path

from aidportal.kernel.views import read_only
from projects import views

app_name = "projects"

urlpatterns = [
    path("", read_only(views.ProjectListView.as_view()), name="list"),
    path("<id:pk>/", read_only(views.ProjectDetailView.as_view()), name="detail"),
    path(
        "<id:pk>/preview/",
        read_only(views.ProjectPreviewView.as_view()),
        name="preview",
    ),
]

from django.urls import path

from articles import views

app_name = "articles"

urlpatterns = [
    path("articles/", views.ArticleListView.as_view(), name="list"),
    path("articles/<id:pk>/", views.ArticleDetailView.as_view(), name="detail"),
    path(
        "articles/<id:pk>/preview/",
        views.ArticlePreviewView.as_view(),
        name="preview",
    ),
    path("channels/<slug:slug>/", views.ChannelDetailView.as_view(), name="channel"),
]

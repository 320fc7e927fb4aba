from django.urls import path

from aidportal.kernel.views import read_only
from articles import views

app_name = "articles"

urlpatterns = [
    path("articles/", read_only(views.ArticleListView.as_view()), name="list"),
    path(
        "articles/<id:pk>/", read_only(views.ArticleDetailView.as_view()), name="detail"
    ),
    path(
        "articles/<id:pk>/preview/",
        read_only(views.ArticlePreviewView.as_view()),
        name="preview",
    ),
    path(
        "channels/<slug:slug>/",
        read_only(views.ChannelDetailView.as_view()),
        name="channel",
    ),
]

"""A URLconf with one view that fails, to test the 500 page."""

from django.urls import include, path


def failing_view(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("boom/", failing_view),
    path("", include("aidportal.urls")),
]

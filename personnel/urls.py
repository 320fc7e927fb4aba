from django.urls import path

from aidportal.kernel.views import read_only
from personnel import views

app_name = "personnel"

urlpatterns = [
    path("", read_only(views.RosterView.as_view()), name="list"),
    path(
        "export.csv",
        read_only(views.RosterExportView.as_view(format="csv")),
        name="export-csv",
    ),
    path(
        "export.xlsx",
        read_only(views.RosterExportView.as_view(format="xlsx")),
        name="export-xlsx",
    ),
    path("<id:pk>/", read_only(views.PersonDetailView.as_view()), name="detail"),
]

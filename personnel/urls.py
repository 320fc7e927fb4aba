from django.urls import path

from personnel import views

app_name = "personnel"

urlpatterns = [
    path("", views.RosterView.as_view(), name="list"),
    path("export.csv", views.RosterCsvView.as_view(), name="export-csv"),
    path("export.xlsx", views.RosterXlsxView.as_view(), name="export-xlsx"),
    path("<id:pk>/", views.PersonDetailView.as_view(), name="detail"),
]

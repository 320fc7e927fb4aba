from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView

from aidportal.kernel.pagination import CappedPaginator
from aidportal.kernel.views import FilteredListMixin, PreviewMixin, PublishedDetailView
from projects.filters import ProjectFilter
from projects.models import Project

PROJECTS_PER_PAGE = 20


def chart_rows(rows, key):
    """Rows with ``percent``: their share of the largest ``key``, for bar charts."""
    largest = max((row[key] or 0 for row in rows), default=0)
    return [
        {**row, "percent": round(100 * (row[key] or 0) / largest, 1) if largest else 0}
        for row in rows
    ]


def year_label(year):
    """A bar's name: "2020年", or 年份未注明 for projects without dates, which
    still count towards the total the chart adds up to."""
    return _("年份未注明") if year is None else f"{year}年"


class ProjectListView(FilteredListMixin, ListView):
    filterset_class = ProjectFilter
    paginate_by = PROJECTS_PER_PAGE
    paginator_class = CappedPaginator
    template_name = "projects/project_list.html"

    def get_base_queryset(self):
        return Project.objects.published().for_listing()

    def get_context_data(self, **kwargs):
        statistics = self.filterset.qs.statistics()
        return super().get_context_data(
            statistics=statistics,
            overall=statistics["overall"],
            facets=statistics["facets"],
            by_year=chart_rows(
                [
                    {**row, "label": year_label(row["year"])}
                    for row in statistics["by_year"]
                ],
                "investment",
            ),
            by_category=chart_rows(statistics["by_category"], "investment"),
            **kwargs,
        )


class ProjectDetailView(PublishedDetailView):
    model = Project
    template_name = "projects/project_detail.html"

    def get_context_data(self, **kwargs):
        project = self.object
        return super().get_context_data(
            related_articles=list(project.articles.published().for_listing()[:10]),
            people=list(project.people.published()),
            **kwargs,
        )


class ProjectPreviewView(PreviewMixin, ProjectDetailView):
    """A draft project as it will look, for staff."""

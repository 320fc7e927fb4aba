from urllib.parse import quote

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.generic import DetailView, ListView, View

from aidportal.mixins import FilteredListMixin
from aidportal.pagination import CappedPaginator
from personnel.exports import roster_csv_lines, roster_xlsx
from personnel.filters import DEFAULT_SORT, SORT_ORDERS, RosterFilter, sorted_matches
from personnel.models import Assignment, Category, Person


class RosterMixin(FilteredListMixin):
    filterset_class = RosterFilter

    def get_base_queryset(self):
        return (
            Assignment.objects.published()
            .for_listing()
            .order_by(*SORT_ORDERS[DEFAULT_SORT])
        )


class RosterExportMixin(RosterMixin):
    def get_queryset(self):
        # An export holds every match: sorting them beats walking the index.
        rows = super().get_queryset()
        return sorted_matches(rows) if self.filterset.searching else rows


class RosterView(RosterMixin, ListView):
    """The roster: search, facets with counts, grouped by receiving unit."""

    paginate_by = settings.ROSTER_PER_PAGE
    paginator_class = CappedPaginator
    template_name = "personnel/roster.html"
    # A name or a day has no end of values: such pages are not kept.
    page_search_params = ("q", "on")

    def get_paginator(self, queryset, *args, **kwargs):
        paginator = super().get_paginator(queryset, *args, **kwargs)
        if self.filterset.searching and not paginator.capped:
            # At most LIST_COUNT_CAP matches (counted first, from the grams
            # index): sort them rather than walk the index of the order.
            paginator.object_list = sorted_matches(queryset)
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        selected = self.filterset.form.cleaned_data
        # Past the count cap, facets count a bounded sample of the rows.
        sampled = context["paginator"].capped
        return {
            **context,
            "facets": self.filterset.qs.facets(
                sample=settings.LIST_COUNT_CAP if sampled else None
            ),
            "facets_sampled": sampled,
            "sort": self.filterset.sort_key,
            "selected": selected,
            "category_label": Category(selected["category"]).label
            if selected.get("category")
            else "",
            "today_iso": timezone.localdate().isoformat(),
        }


def _attachment(response, filename):
    response["Content-Disposition"] = (
        f'attachment; filename="roster.{filename.rsplit(".", 1)[1]}"; '
        f"filename*=UTF-8''{quote(filename)}"
    )
    return response


class RosterCsvView(RosterExportMixin, View):
    def get(self, request, *args, **kwargs):
        rows = self.get_queryset().iterator(chunk_size=2000)
        response = StreamingHttpResponse(
            roster_csv_lines(rows), content_type="text/csv; charset=utf-8"
        )
        return _attachment(response, "援疆人员名单.csv")


class RosterXlsxView(RosterExportMixin, View):
    def get(self, request, *args, **kwargs):
        limit = settings.ROSTER_XLSX_MAX_ROWS
        rows = list(self.get_queryset()[: limit + 1])
        if len(rows) > limit:
            return render(
                request,
                "400.html",
                {"message": f"所选名单超过 {limit} 行;请缩小筛选范围,或下载 CSV。"},
                status=400,
            )
        response = HttpResponse(
            roster_xlsx(rows),
            content_type=(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            ),
        )
        return _attachment(response, "援疆人员名单.xlsx")


class PersonDetailView(DetailView):
    template_name = "personnel/person_detail.html"

    def get_context_data(self, **kwargs):
        person = self.object
        return super().get_context_data(
            related_articles=list(person.articles.published().for_listing()[:10]),
            related_projects=list(person.projects.published()),
            **kwargs,
        )

    def get_queryset(self):
        return Person.objects.published().prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related(
                    "batch", "sending_unit", "receiving_unit"
                ).order_by("-batch__number", "id"),
            )
        )

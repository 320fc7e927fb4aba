import hashlib

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.views.generic import DetailView, ListView, View

from aidportal.kernel import downloads
from aidportal.kernel.audit import AuditAction, record
from aidportal.kernel.caching import cached_block
from aidportal.kernel.clients import client_address
from aidportal.kernel.downloads import Later, file_response, retry_later
from aidportal.kernel.pagination import CappedPaginator, SeekPageMixin
from aidportal.kernel.search import sorted_matches
from aidportal.kernel.views import FilteredListMixin
from personnel.filters import SORT_ORDERS, RosterFilter, roster_rows
from personnel.models import Assignment, Category, Person
from personnel.services import EXPORT_FORMATS, ExportTooLarge, roster_export


class RosterMixin(FilteredListMixin):
    filterset_class = RosterFilter

    def get_base_queryset(self):
        return roster_rows()


class RosterExportMixin(RosterMixin):
    def get_queryset(self):
        # An export holds every match: sorting them beats walking the index.
        rows = super().get_queryset()
        return sorted_matches(rows) if self.filterset.searching else rows


class RosterView(RosterMixin, SeekPageMixin, ListView):
    """The roster: search, facets with counts, grouped by receiving unit."""

    paginate_by = settings.ROSTER_PER_PAGE
    paginator_class = CappedPaginator
    template_name = "personnel/roster.html"
    # A name, a day or a row has no end of values: such pages are not kept.
    page_search_params = ("q", "on", *SeekPageMixin.seek_params)

    def seek_order(self):
        return SORT_ORDERS[self.filterset.sort_key]

    def seeking(self):
        # The whole roster's pages are plain index ranges, kept in the cache.
        return self.filterset.searching

    def get_paginator(self, queryset, *args, **kwargs):
        searching = self.filterset.searching
        paginator = super().get_paginator(
            queryset.for_count(searching=searching), *args, **kwargs
        )
        paginator.object_list = queryset.for_page(
            count=paginator.count, searching=searching
        )
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        selected = context["selected"]
        # Past the count cap, facets count a bounded sample of the rows.
        sampled = context["paginator"].capped
        return {
            **context,
            "facets": self.facets(sampled),
            "facets_sampled": sampled,
            "sort": self.filterset.sort_key,
            "category_label": Category(selected["category"]).label
            if selected.get("category")
            else "",
            # A roster narrowed to a unit is that unit's page: it says what
            # else the unit is called.
            "selected_units": [
                unit
                for unit in (
                    selected.get("receiving_unit"),
                    selected.get("sending_unit"),
                )
                if unit
            ],
        }

    def facets(self, sampled):
        """The facets' counts. Those of a sample (a long list: a common term)
        are kept until content changes, per selection (in any order: the
        sample is the first rows found) and day: paging through a common
        term's results, or sorting them, counts them once."""
        filterset = self.filterset

        def count():
            return filterset.qs.facets(
                units=settings.ROSTER_FACET_UNITS,
                sample=settings.LIST_COUNT_CAP if sampled else None,
                day=filterset.day,
                post_rows=filterset.rows_any_day,
            )

        if not sampled:
            return count()
        selection = f"{filterset.selection}|{filterset.day.isoformat()}"
        return cached_block(
            "roster-facets:" + hashlib.sha256(selection.encode()).hexdigest(),
            count,
            timeout=settings.ROSTER_FACET_CACHE_SECONDS,
        )


class RosterExportView(RosterExportMixin, View):
    """The current selection of the roster as a file (``format``), built once
    per site version; a whole-roster download is the file ``build_exports``
    prebuilds."""

    format = None

    def get(self, request, *args, **kwargs):
        spec = EXPORT_FORMATS[self.format]
        try:
            name = roster_export(
                assignments=self.get_queryset(),
                params=self.filterset.canonical,
                fmt=self.format,
                client=client_address(request),
            )
        except ExportTooLarge as error:
            return render(
                request,
                "400.html",
                {
                    "message": (
                        f"所选名单超过单次导出上限 {error.limit} 行；"
                        "请缩小筛选范围，或下载完整名单。"
                    ),
                    "more_url": reverse(f"personnel:export-{self.format}"),
                    "more_label": f"下载完整名单（{spec.suffix.upper()}）",
                },
                status=400,
            )
        except Later as later:
            return retry_later(request, later)
        if request.user.is_staff:
            self.record_staff_export(name)
        return file_response(
            request,
            name,
            filename=f"援疆人员名单.{spec.suffix}",
            content_type=spec.content_type,
        )

    def record_staff_export(self, name):
        """A staff member's download is a staff export (the newsroom's roster
        leaving the building): an entry of the audit log, with what it held."""
        queryset = self.get_queryset().order_by()
        # The count the export made, kept per file; counted now if it is gone.
        rows = downloads.row_count(name, queryset.count)
        record(
            AuditAction.EXPORT,
            request=self.request,
            obj=Assignment,
            detail={
                "format": self.format,
                "rows": rows,
                "filter": self.filterset.canonical,
            },
        )


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
        return Person.objects.published().for_detail()

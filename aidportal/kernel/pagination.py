from math import ceil

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import IntegerField, QuerySet, Subquery
from django.utils.functional import cached_property


def display_count(count: int) -> str:
    """A count as shown: "1000+" past the cap."""
    cap = settings.LIST_COUNT_CAP
    return f"{cap}+" if count > cap else str(count)


class CappedCount(Subquery):
    """The rows of a queryset counted to at most ``LIST_COUNT_CAP`` + 1, as a
    column: a list's first rows and its count come in one query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) capped)"
    output_field = IntegerField()

    def __init__(self, queryset):
        cap = settings.LIST_COUNT_CAP
        super().__init__(queryset.order_by().values("pk")[: cap + 1])


def first_rows(queryset: QuerySet, size: int) -> tuple[list, int]:
    """The first ``size`` rows of ``queryset`` and its capped count, in one
    query."""
    rows = list(queryset.annotate(capped_count=CappedCount(queryset))[:size])
    return rows, rows[0].capped_count if rows else 0


class CappedPaginator(Paginator):
    """Counts at most ``LIST_COUNT_CAP`` + 1 rows, so a list of a million rows
    costs a bounded COUNT and its deepest page a bounded OFFSET; the count is
    shown as "1000+" past the cap."""

    @cached_property
    def cap(self):
        return settings.LIST_COUNT_CAP

    @cached_property
    def count(self):
        object_list = self.object_list
        if hasattr(object_list, "count") and hasattr(object_list, "query"):
            return object_list.order_by()[: self.cap + 1].count()
        return min(len(object_list), self.cap + 1)

    @cached_property
    def num_pages(self):
        # Pages hold the counted rows only; the extra one that told us the
        # list goes on is not given a page of its own.
        if self.count == 0 and not self.allow_empty_first_page:
            return 0
        hits = max(1, min(self.count, self.cap) - self.orphans)
        return ceil(hits / self.per_page)

    @property
    def capped(self):
        return self.count > self.cap

    @property
    def display_count(self):
        return display_count(self.count)

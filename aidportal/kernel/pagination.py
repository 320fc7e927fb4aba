import json
from base64 import urlsafe_b64decode, urlsafe_b64encode
from datetime import date, datetime
from math import ceil

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, IntegerField, Q, QuerySet, Subquery
from django.db.models.fields.tuple_lookups import (
    Tuple,
    TupleGreaterThan,
    TupleLessThan,
)
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


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


def order_field(model, name: str):
    """The column of ``name`` in a keyset order ("-published_at" is
    published_at, descending)."""
    attname = name.removeprefix("-")
    return next(f for f in model._meta.concrete_fields if f.attname == attname)


def keyset_order(model, order: list[str]) -> list:
    """``order`` as ``order_by()`` takes it for ``seek``: a column that may be
    empty sorts its empty values last in either direction, on every database
    (PostgreSQL and SQLite disagree on where NULL goes)."""
    keys = []
    for name in order:
        if not order_field(model, name).null:
            keys.append(name)
        elif name.startswith("-"):
            keys.append(F(name[1:]).desc(nulls_last=True))
        else:
            keys.append(F(name).asc(nulls_last=True))
    return keys


class SeekForm(forms.Form):
    """Where a page reached by 下一页 or 上一页 starts: after (or before) the
    row a cursor names, as that row's values of the list's order."""

    after = forms.CharField(required=False)
    before = forms.CharField(required=False)

    error = _("翻页位置无法识别，请从第一页重新翻页。")

    def __init__(self, data, *, model, order):
        super().__init__(data)
        self.fields_of_order = [order_field(model, name) for name in order]

    def clean_after(self):
        return self.position("after")

    def clean_before(self):
        return self.position("before")

    def clean(self):
        data = super().clean()
        if data.get("after") and data.get("before"):
            self.add_error("before", self.error)
        return data

    def position(self, name):
        text = self.cleaned_data[name]
        if not text:
            return None
        try:
            if len(text) > 2000:
                raise ValueError
            values = json.loads(urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            if not isinstance(values, list) or len(values) != len(self.fields_of_order):
                raise ValueError
            return [
                clean_value(field, value)
                for field, value in zip(self.fields_of_order, values, strict=True)
            ]
        except (ValueError, TypeError, ValidationError):
            raise ValidationError(self.error) from None

    @property
    def seek(self) -> tuple[bool, list] | None:
        """(backward, the cursor's values), or None for a page by number."""
        if after := self.cleaned_data.get("after"):
            return False, after
        if before := self.cleaned_data.get("before"):
            return True, before
        return None


def clean_value(field, value):
    """``value`` as a cursor may hold it for ``field``: a whole number in the
    column's range (a foreign key's: its target's), a text a database can
    store (a date, a moment with its offset), or nothing for a column that
    may be empty; anything else is a ValueError."""
    if value is None and field.null:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError
    if isinstance(value, str):
        # NUL, or a lone surrogate JSON can spell: no database stores them.
        if "\x00" in value:
            raise ValueError
        value.encode()
    column = getattr(field, "target_field", field)
    value = column.to_python(value)
    if value is None or (isinstance(value, datetime) and timezone.is_naive(value)):
        raise ValueError
    column.run_validators(value)
    return value


def _cursor_value(value):
    # Dates and moments in full (microseconds and offset): a cursor names one
    # row exactly.
    return value.isoformat() if isinstance(value, date) else value


def cursor(row, order: list[str]) -> str:
    """The cursor naming ``row``'s place in a list ordered by ``order``."""
    values = [_cursor_value(getattr(row, name.removeprefix("-"))) for name in order]
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    return urlsafe_b64encode(text.encode()).decode().rstrip("=")


def seek(queryset: QuerySet, order: list[str], values: list, *, backward=False):
    """The rows of ``queryset`` (ordered by ``order``; "-name" descending, a
    column that may be empty as ``keyset_order`` sorts it) after the row
    whose values are ``values``, or before it, nearest first: a condition on
    the order's index, so a deep page costs what the first does (no
    OFFSET)."""
    names = [name.removeprefix("-") for name in order]
    descending = {name.startswith("-") for name in order}
    nullable = any(order_field(queryset.model, name).null for name in order)
    if len(descending) == 1 and not nullable:
        position = Tuple(*(F(name) for name in names))
        later = TupleLessThan if descending.pop() else TupleGreaterThan
        earlier = TupleGreaterThan if later is TupleLessThan else TupleLessThan
        if backward:
            return queryset.filter(earlier(position, values)).reverse()
        return queryset.filter(later(position, values))
    condition, same = Q(pk__in=[]), Q()
    for name, value in zip(order, values, strict=True):
        column = name.removeprefix("-")
        condition |= same & _beyond(queryset.model, name, value, backward)
        same &= Q(**{f"{column}__isnull": True} if value is None else {column: value})
    rows = queryset.filter(condition)
    return rows.reverse() if backward else rows


def _beyond(model, name: str, value, backward: bool) -> Q:
    """Rows whose ``name`` comes after ``value`` in the order (before it when
    ``backward``); empty values come last."""
    column = name.removeprefix("-")
    if value is None:
        return Q(**{f"{column}__isnull": False}) if backward else Q(pk__in=[])
    greater = name.startswith("-") == backward
    beyond = Q(**{f"{column}__{'gt' if greater else 'lt'}": value})
    if not backward and order_field(model, name).null:
        beyond |= Q(**{f"{column}__isnull": True})
    return beyond


class SeekPageMixin:
    """A ListView whose 下一页 and 上一页 links seek from the row next to the
    page (``after``/``before`` cursors, keyset pagination) instead of
    counting OFFSET rows from the start; a page number alone still works.
    ``seek_order()``: the columns of the list's order, all ascending."""

    seek_params = ("after", "before")

    def seek_order(self) -> list[str]:
        raise NotImplementedError

    def seeking(self) -> bool:
        """Whether the pager's links carry cursors: where OFFSET costs
        (a list that tests rows); plain page numbers stay cacheable."""
        return True

    def get(self, request, *args, **kwargs):
        self.seek_form = SeekForm(
            request.GET, model=self.get_queryset().model, order=self.seek_order()
        )
        if not self.seek_form.is_valid():
            return render(
                request, "400.html", {"form_errors": self.seek_form.errors}, status=400
            )
        return super().get(request, *args, **kwargs)

    def paginate_queryset(self, queryset, page_size):
        paginator, page, rows, is_paginated = super().paginate_queryset(
            queryset, page_size
        )
        if where := self.seek_form.seek:
            backward, values = where
            rows = seek(
                paginator.object_list, self.seek_order(), values, backward=backward
            )
            rows = list(rows[:page_size])
            page.object_list = rows[::-1] if backward else rows
        return paginator, page, page.object_list, is_paginated

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = list(context["page_obj"].object_list) if self.seeking() else []
        order = self.seek_order()
        return {
            **context,
            "previous_cursor": cursor(rows[0], order) if rows else "",
            "next_cursor": cursor(rows[-1], order) if rows else "",
        }

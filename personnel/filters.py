from urllib.parse import urlencode

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aidportal.kernel.caching import cached_block
from aidportal.kernel.chinese import search_key
from aidportal.kernel.forms import (
    PublicNumberChoiceField,
    PublicRowChoiceField,
    RowsFetchedOnceForm,
)
from personnel.models import Assignment, Batch, Category, Unit

DEFAULT_SORT = "unit"
SORT_ORDERS = {
    # Receiving units in the order they came onto the roster (as the press
    # release lists them), served by an index: no sort of the whole table.
    "unit": ["receiving_unit_id", "id"],
    # The person's pinyin and the batch's number as the assignment keeps
    # them: each order is an index of the assignment table, so a common term
    # walks it (AssignmentQuerySet.for_page) whatever the order.
    "name": ["name_order", "id"],
    # Within a batch, receiving units in the roster's order, as above.
    "batch": ["batch_order", "receiving_unit_id", "id"],
}


def roster_rows():
    """The public roster's rows as lists show them, in the default order:
    what ``RosterFilter`` narrows, on the page and in the API."""
    return (
        Assignment.objects.published()
        .for_listing()
        .order_by(*SORT_ORDERS[DEFAULT_SORT])
    )


def batch_choices():
    """(number, label) of the batches of the public roster, newest first: a
    cached block, so the roster's form costs no query."""
    return cached_block(
        "batch-choices",
        lambda: list(Batch.objects.published().values_list("number", "label")),
    )


class PublicRowFilter(django_filters.ModelChoiceFilter):
    field_class = PublicRowChoiceField


class PublicNumberFilter(django_filters.ChoiceFilter):
    field_class = PublicNumberChoiceField


class RosterFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("姓名、拼音、单位或其简称、职务、批次"),
        method="filter_query",
        max_length=50,
        # Every example finds people in the demo roster (a test checks it).
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "如：季成、jicheng、浙大附中、第十批",
            }
        ),
    )
    batch = PublicNumberFilter(
        label=_("批次"),
        method="filter_batch",
        choices=batch_choices,
        empty_label=_("全部批次"),
    )
    category = django_filters.ChoiceFilter(
        label=_("类别"),
        field_name="person__category",
        choices=Category.choices,
        empty_label=_("全部类别"),
    )
    sending_unit = PublicRowFilter(
        label=_("派出单位"),
        queryset=Unit.objects.published(),
        widget=forms.HiddenInput,
    )
    receiving_unit = PublicRowFilter(
        label=_("对口支援单位"),
        queryset=Unit.objects.published(),
        widget=forms.HiddenInput,
    )
    on = django_filters.DateFilter(
        label=_("在岗日期"),
        method="filter_in_post",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sort = django_filters.ChoiceFilter(
        label=_("排序"),
        method="filter_sort",
        choices=[
            ("unit", _("按受援单位")),
            ("name", _("按姓名拼音")),
            ("batch", _("按批次")),
        ],
        empty_label=None,
    )

    orderings = ("sort",)

    class Meta:
        form = RowsFetchedOnceForm

    def filter_query(self, queryset, name, value):
        return queryset.search(value)

    def filter_batch(self, queryset, name, value):
        return queryset.of_batch(int(value))

    def filter_in_post(self, queryset, name, value):
        return queryset.in_post_on(value)

    @property
    def day(self):
        """The day the 在岗 facet counts for: the one asked (``on``), or today."""
        return self.form.cleaned_data.get("on") or timezone.localdate()

    @property
    def rows_any_day(self):
        """The rows under every filter but the day's: what the 在岗 facet
        divides into in post, left and unknown (so that it still says why
        nobody is in post on the day asked); None when no day is asked (the
        rows themselves)."""
        if not self.form.cleaned_data.get("on"):
            return None
        rows = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name != "on":
                rows = self.filters[name].filter(rows, value)
        return rows

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORT_ORDERS[value])

    @property
    def batch_label(self):
        number = self.form.cleaned_data.get("batch")
        return dict(batch_choices()).get(int(number), "") if number else ""

    @property
    def searching(self):
        return bool(self.form.cleaned_data.get("q"))

    @property
    def canonical(self):
        """The filters as one string, the same for every spelling of the same
        selection ("" for the whole roster in its default order)."""
        return self._canonical(skip=("sort", DEFAULT_SORT))

    @property
    def selection(self):
        """The filters but the order as one string: which rows, in any order."""
        return self._canonical(skip=("sort", self.form.cleaned_data.get("sort")))

    def _canonical(self, skip):
        parts = []
        for name, value in self.form.cleaned_data.items():
            if value in (None, "") or (name, value) == skip:
                continue
            if isinstance(value, Unit):
                value = value.pk
            elif name == "q":
                value = search_key(value)
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            parts.append((name, str(value)))
        return urlencode(sorted(parts))

    @property
    def sort_key(self):
        return self.form.cleaned_data.get("sort") or DEFAULT_SORT

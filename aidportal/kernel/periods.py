"""Dates known to the day, the month or the year, and periods made of them.

A batch may be known to have arrived "2020年3月" and no more. Such a date is
stored as the first and the last day it may be (2020-03-01, 2020-03-31), its
span: queries compare plain dates, and no day is made up. A period's start
and end are each a span, or unknown.
"""

import calendar
import re
import unicodedata
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aidportal.kernel.chinese import chinese_date, parse_date
from aidportal.kernel.publishing import in_order

# The first and the last day a date may be; one day twice when it is exact.
Span = tuple[date, date]

MONTH = re.compile(r"(\d{4})\s*(?:年|[-/.])\s*(\d{1,2})\s*月?")
YEAR = re.compile(r"(\d{4})\s*年?")
PARTIAL_DATE_HINT = _(
    "可写到日、月或年，如 2021年6月28日、2021-06-28、2020年3月、2020年；不详则留空。"
)


def parse_partial_date(value: object) -> Span | None:
    """The span of a date written to the day (any format ``parse_date``
    reads), to the month ("2020年3月", "2020-03") or to the year ("2020年");
    None for an empty value. Raises ValueError for anything else."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    if not text:
        return None
    try:
        day = parse_date(text)
    except ValueError:
        pass
    else:
        return day, day
    if match := MONTH.fullmatch(text):
        year, month = int(match[1]), int(match[2])
        first = date(year, month, 1)
        return first, first.replace(day=calendar.monthrange(year, month)[1])
    if match := YEAR.fullmatch(text):
        year = int(match[1])
        return date(year, 1, 1), date(year, 12, 31)
    raise ValueError(text)


def partial_date_text(span: Span | None) -> str:
    """ "2021年6月28日", "2020年3月" or "2020年", as precise as the span is
    ("" for an unknown date)."""
    if span is None:
        return ""
    first, last = span
    if first == last:
        return chinese_date(first)
    whole_month = first.day == 1 and last == first.replace(
        day=calendar.monthrange(first.year, first.month)[1]
    )
    if whole_month:
        return f"{first.year}年{first.month}月"
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31) and (
        first.year == last.year
    ):
        return f"{first.year}年"
    return f"{chinese_date(first)}至{chinese_date(last)}之间"


def _span(earliest: date | None, latest: date | None) -> Span | None:
    return (earliest, latest) if earliest and latest else None


class Period(models.Model):
    """A start and an end (a batch's, a term's), each a span or unknown.

    ``start`` and ``end`` read and set the spans; a form edits each as one
    date (``PeriodForm``)."""

    start_earliest = models.DateField(
        _("开始日期（最早）"), null=True, blank=True, editable=False
    )
    start_latest = models.DateField(
        _("开始日期（最晚）"), null=True, blank=True, editable=False
    )
    end_earliest = models.DateField(
        _("结束日期（最早）"), null=True, blank=True, editable=False
    )
    end_latest = models.DateField(
        _("结束日期（最晚）"), null=True, blank=True, editable=False
    )

    class Meta:
        abstract = True

    @property
    def start(self) -> Span | None:
        return _span(self.start_earliest, self.start_latest)

    @start.setter
    def start(self, span: Span | None) -> None:
        self.start_earliest, self.start_latest = span or (None, None)

    @property
    def end(self) -> Span | None:
        return _span(self.end_earliest, self.end_latest)

    @end.setter
    def end(self, span: Span | None) -> None:
        self.end_earliest, self.end_latest = span or (None, None)

    @property
    def start_text(self) -> str:
        return partial_date_text(self.start)

    @property
    def end_text(self) -> str:
        return partial_date_text(self.end)


def _known_together(first: str, then: str, *, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{first}__isnull": True, f"{then}__isnull": True})
        | Q(**{f"{first}__isnull": False, f"{then}__isnull": False}),
        name=name,
    )


def period_constraints(prefix: str) -> list[models.CheckConstraint]:
    """The constraints of a Period model (names start with ``prefix``): each
    span whole and in order, and the end not before the start."""
    return [
        _known_together("start_earliest", "start_latest", name=f"{prefix}_start_whole"),
        _known_together("end_earliest", "end_latest", name=f"{prefix}_end_whole"),
        in_order(
            "start_earliest",
            "start_latest",
            name=f"{prefix}_start_in_order",
            message=_("开始日期有误。"),
        ),
        in_order(
            "end_earliest",
            "end_latest",
            name=f"{prefix}_end_in_order",
            message=_("结束日期有误。"),
        ),
        in_order(
            "start_earliest",
            "end_latest",
            name=f"{prefix}_ends_after_start",
            message=_("结束日期不能早于开始日期。"),
        ),
    ]


class PartialDateField(forms.Field):
    """A date typed to the day, the month or the year; cleaned to its span."""

    widget = forms.TextInput(attrs={"size": 14, "maxlength": 20})
    default_error_messages = {
        "invalid": _("无法识别的日期“%(value)s”：%(hint)s"),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", PARTIAL_DATE_HINT)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return partial_date_text(value) if isinstance(value, tuple) else value

    def to_python(self, value):
        text = str(value or "").strip()
        try:
            if len(text) > 20:
                raise ValueError(text)
            return parse_partial_date(text)
        except ValueError:
            raise ValidationError(
                self.error_messages["invalid"],
                code="invalid",
                params={"value": text[:20], "hint": PARTIAL_DATE_HINT},
            ) from None


class PeriodForm(forms.ModelForm):
    """A Period's start and end, each typed as one date (``PartialDateField``)."""

    start = PartialDateField(label=_("开始日期"), required=False)
    end = PartialDateField(
        label=_("结束日期"),
        required=False,
        help_text=_(
            "可写到日、月或年，如 2021年6月28日、2021年6月、2021年。"
            "未结束或不详的留空；这时未填到岗、离岗日期的任职，开始后计为“日期不详”，"
            "不计为在岗。"
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("start", "end"):
            self.initial.setdefault(name, getattr(self.instance, name))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end[1] < start[0]:
            self.add_error("end", _("结束日期不能早于开始日期。"))
        for name in ("start", "end"):
            if name in cleaned:
                setattr(self.instance, name, cleaned[name])
        return cleaned

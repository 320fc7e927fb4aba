from datetime import date

import pytest
from django.db import IntegrityError, transaction

from aidportal.kernel.periods import (
    PeriodForm,
    parse_partial_date,
    partial_date_text,
)
from personnel.models import Batch

DAY = (date(2021, 6, 28), date(2021, 6, 28))
MARCH = (date(2020, 3, 1), date(2020, 3, 31))
FEBRUARY_LEAP = (date(2020, 2, 1), date(2020, 2, 29))
YEAR = (date(2020, 1, 1), date(2020, 12, 31))


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("2021年6月28日", DAY),
        ("2021-06-28", DAY),
        ("2021/6/28", DAY),
        ("2021.6.28", DAY),
        (" ２０２１－０６－２８ ", DAY),
        ("2020年3月", MARCH),
        ("2020-03", MARCH),
        ("2020/3", MARCH),
        ("2020.3", MARCH),
        ("2020年2月", FEBRUARY_LEAP),
        ("2020年", YEAR),
        ("2020", YEAR),
        ("", None),
        (None, None),
    ],
)
def test_a_date_is_read_to_the_day_the_month_or_the_year(text, span):
    assert parse_partial_date(text) == span


@pytest.mark.parametrize(
    "text", ["2021-02-30", "2020年13月", "去年3月", "3月", "20", "2020年3月上旬"]
)
def test_anything_else_is_refused(text):
    with pytest.raises(ValueError):
        parse_partial_date(text)


@pytest.mark.parametrize(
    ("span", "text"),
    [
        (DAY, "2021年6月28日"),
        (MARCH, "2020年3月"),
        (FEBRUARY_LEAP, "2020年2月"),
        (YEAR, "2020年"),
        (None, ""),
        (
            (date(2020, 3, 1), date(2020, 4, 15)),
            "2020年3月1日至2020年4月15日之间",
        ),
    ],
)
def test_a_span_is_written_as_precisely_as_it_is_known(span, text):
    assert partial_date_text(span) == text


class BatchPeriodForm(PeriodForm):
    class Meta:
        model = Batch
        fields = ["number"]


@pytest.mark.django_db
def test_the_form_saves_each_date_as_its_span():
    form = BatchPeriodForm({"number": 10, "start": "2020年3月", "end": "2021-06-28"})
    assert form.is_valid(), form.errors
    batch = form.save()
    batch.refresh_from_db()
    assert (batch.start, batch.end) == (MARCH, DAY)
    assert (batch.start_text, batch.end_text) == ("2020年3月", "2021年6月28日")
    again = BatchPeriodForm(instance=batch)
    assert again["start"].value() == "2020年3月"
    assert not BatchPeriodForm(
        {"number": 10, "start": "2020-03", "end": "2021年6月28日"}, instance=batch
    ).has_changed()


@pytest.mark.django_db
def test_the_form_clears_a_date_left_blank():
    batch = Batch.objects.create(number=10, start=MARCH, end=DAY)
    form = BatchPeriodForm({"number": 10, "start": "", "end": ""}, instance=batch)
    assert form.is_valid(), form.errors
    form.save()
    batch.refresh_from_db()
    assert (batch.start_earliest, batch.start_latest, batch.end) == (None, None, None)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"start": "2020年3月上旬"}, "start", "无法识别的日期“2020年3月上旬”"),
        ({"start": "9" * 40}, "start", "无法识别的日期"),
        ({"start": "2021年", "end": "2020-12-31"}, "end", "结束日期不能早于开始日期"),
    ],
    ids=["unreadable", "too-long", "end-before-start"],
)
@pytest.mark.django_db
def test_the_form_names_the_field_of_a_bad_date(data, field, message):
    form = BatchPeriodForm({"number": 10, **data})
    assert not form.is_valid()
    assert message in form.errors[field][0]
    assert not Batch.objects.exists()


@pytest.mark.django_db
def test_a_month_overlapping_its_end_is_not_out_of_order():
    # Started in March 2020 and ended on 15 March 2020 is possible.
    form = BatchPeriodForm({"number": 10, "start": "2020年3月", "end": "2020-03-15"})
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    "fields",
    [
        {"start_earliest": date(2020, 3, 1)},  # half a span
        {"start_earliest": date(2020, 3, 31), "start_latest": date(2020, 3, 1)},
        {"start": DAY, "end": MARCH},  # ended before it began
    ],
    ids=["half-span", "span-reversed", "end-before-start"],
)
@pytest.mark.django_db
def test_the_database_refuses_a_period_out_of_order(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Batch.objects.create(number=10, **fields)

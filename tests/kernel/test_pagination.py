"""Capped counts: a list of any length costs a bounded COUNT."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aidportal.kernel.pagination import (
    CappedPaginator,
    SeekForm,
    cursor,
    display_count,
    first_rows,
    keyset_order,
    seek,
)
from articles.models import Article
from projects.models import Project
from tests.builders import make_article, make_channel, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven(settings):
    settings.LIST_COUNT_CAP = 5
    channel = make_channel()
    for _ in range(7):
        make_article(channel=channel)
    return Article.objects.order_by("pk")


def test_a_count_stops_one_past_the_cap(seven):
    paginator = CappedPaginator(seven, 2)
    assert paginator.count == 6
    assert paginator.capped
    assert paginator.display_count == "5+"
    assert paginator.num_pages == 3, "pages hold the counted rows, not the extra one"


def test_a_short_list_is_counted_exactly(seven):
    paginator = CappedPaginator(seven.filter(pk__lte=seven[2].pk), 2)
    assert (paginator.count, paginator.capped, paginator.display_count) == (
        3,
        False,
        "3",
    )


def test_display_count(settings):
    settings.LIST_COUNT_CAP = 1000
    assert [display_count(n) for n in (0, 1000, 1001)] == ["0", "1000", "1000+"]


def test_first_rows_and_their_capped_count_come_in_one_query(seven):
    with CaptureQueriesContext(connection) as queries:
        rows, count = first_rows(seven, 3)
    assert len(queries) == 1
    assert [row.pk for row in rows] == list(seven.values_list("pk", flat=True)[:3])
    assert count == 6


def test_first_rows_of_nothing(seven):
    assert first_rows(seven.none(), 3) == ([], 0)


# Keyset pages over any order


@pytest.fixture
def projects():
    """Projects on three start dates, two on the same day, two with none."""
    starts = [date(2020, 1, 1), date(2021, 1, 1), date(2021, 1, 1), None, None]
    return [make_project(start_date=start) for start in starts]


@pytest.mark.parametrize(
    "order", [["-start_date", "-id"], ["start_date", "id"], ["-start_date", "id"]]
)
def test_seek_steps_through_any_order_empty_values_last(projects, order):
    rows = Project.objects.order_by(*keyset_order(Project, order))
    every = list(rows)
    assert [p.start_date for p in every[-2:]] == [None, None]

    for at, row in enumerate(every):
        values = decoded(cursor(row, order), order)
        assert list(seek(rows, order, values)) == every[at + 1 :]
        assert list(seek(rows, order, values, backward=True)) == every[:at][::-1]


def decoded(position, order):
    form = SeekForm({"after": position}, model=Project, order=order)
    assert form.is_valid()
    return form.seek[1]


def test_a_cursor_holds_dates_and_moments_in_full(seven):
    article = Article.objects.first()
    order = ["-published_at", "-id"]

    form = SeekForm({"after": cursor(article, order)}, model=Article, order=order)

    assert form.is_valid()
    assert form.seek[1] == [article.published_at, article.pk]

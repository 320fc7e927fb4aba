"""Capped counts: a list of any length costs a bounded COUNT."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aidportal.kernel.pagination import CappedPaginator, display_count, first_rows
from articles.models import Article
from tests.builders import make_article, make_channel

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

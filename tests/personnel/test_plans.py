"""The roster page's and the site search's access paths at scale
(PostgreSQL, a seeded table of 50,000 assignments and 3,000 articles):
chosen by the count and the statistics, not by the planner's estimate."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from aidportal.kernel import search
from aidportal.kernel.pagination import seek
from articles.models import Article
from personnel.filters import SORT_ORDERS
from personnel.models import Assignment
from personnel.search import search_people

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="query plans are PostgreSQL's",
    ),
]

ROWS = 50_000
ARTICLES = 3_000


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command(
            "seed_bulk",
            people=ROWS,
            articles=ARTICLES,
            units=3000,
            stdout=io.StringIO(),
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        # The suite's statistics (read up front) come back afterwards: the
        # seeded table's would make other tests' terms common.
        kept = dict(search._gram_shares)
        search.forget_gram_shares()
        yield
        call_command("flush", interactive=False, verbosity=0)
        search.forget_gram_shares()
        search._gram_shares.update(kept)


def page(term, sort="unit"):
    rows = Assignment.objects.published().search(term).for_listing()
    rows = rows.order_by(*SORT_ORDERS[sort])
    count = rows.for_count(searching=True)[: settings.LIST_COUNT_CAP + 1].count()
    return rows.for_page(count=count, searching=True), count


def plan(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("sort", "index"),
    [
        ("unit", "assignment_unit_order_idx"),
        ("name", "assignment_name_order_idx"),
        ("batch", "assignment_batch_order_idx"),
    ],
)
def test_a_common_term_walks_the_index_of_its_order(seeded, sort, index):
    rows, count = page("杭州市", sort)
    assert count > settings.LIST_COUNT_CAP
    shape = plan(rows[:50])
    assert index in shape
    assert "grams_idx" not in shape
    assert "Sort" not in shape
    naive = Assignment.objects.published().filter(search_text__contains="杭州市")
    assert list(rows[:50].values_list("pk", flat=True)) == list(
        naive.order_by(*SORT_ORDERS[sort])[:50].values_list("pk", flat=True)
    )


def test_a_rare_term_fetches_its_matches_and_sorts_them(seeded):
    rows, count = page("wangwei")
    assert count <= settings.LIST_COUNT_CAP
    shape = plan(rows[:50])
    assert "grams_idx" in shape
    assert "Sort" in shape


def count_plan(term):
    rows = Assignment.objects.published().search(term).for_count(searching=True)
    return plan(rows.order_by()[: settings.LIST_COUNT_CAP + 1])


def test_a_common_term_is_counted_without_reading_the_grams_index(seeded):
    """Every key of 杭州市 is in more than SEARCH_COMMON_SHARE of the rows
    (the statistics say so): its count tests rows until the cap, where the
    grams index would read the keys' long lists first."""
    assert "grams_idx" not in count_plan("杭州市")
    assert "grams_idx" in count_plan("wangwei")


def test_a_term_that_is_not_common_sorts_its_matches_however_many(seeded, settings):
    """王 is in fewer than SEARCH_COMMON_SHARE of the rows, and its matches
    are bunched in the order of names: past the cap it is still sorted."""
    settings.LIST_COUNT_CAP = 100
    rows = Assignment.objects.published().search("王").for_listing()
    rows = rows.order_by(*SORT_ORDERS["name"])
    count = rows.for_count(searching=True)[: settings.LIST_COUNT_CAP + 1].count()
    assert count > settings.LIST_COUNT_CAP
    shape = plan(rows.for_page(count=count, searching=True)[:50])
    assert "grams_idx" in shape and "Sort" in shape


def test_a_page_after_a_cursor_starts_its_walk_there(seeded):
    rows, _ = page("杭州市")
    order = SORT_ORDERS["unit"]
    row = rows[500]
    after = seek(rows, order, [getattr(row, name) for name in order])
    shape = plan(after[:50])
    assert "Index Scan using assignment_unit_order_idx" in shape
    assert "Index Cond: (ROW(receiving_unit_id, id) > ROW(" in shape
    assert list(after[:50]) == list(rows[501:551])


def test_site_search_walks_the_newest_articles_for_a_common_word(seeded):
    """援疆 is in most articles: its newest matches are found by testing
    articles in the order of publication (at 100,000 articles the walk of
    article_status_pub_idx; at this size a scan), not by reading the
    term's keys' lists in the grams index; a rare term reads them."""
    common = plan(Article.objects.published().search("援疆")[:5])
    assert "grams_idx" not in common
    assert "strpos(search_text, '援疆'::text)" in common
    assert "grams_idx" in plan(Article.objects.published().search("阿克苏市")[:5])
    naive = Article.objects.published().filter(search_text__contains="援疆")
    newest = naive.order_by("-published_at", "-id")[: settings.SEARCH_RANK_WINDOW]
    assert {article.pk for article in Article.objects.published().search("援疆")} == {
        article.pk for article in newest
    }


def test_site_search_walks_people_in_their_order_for_a_common_term(seeded):
    """杭州市 is in a tenth of the assignments: people are tested in the order
    of names (their own text, then their assignments'), where the UNION of
    the index searches would read every matching assignment first."""
    common = plan(search_people("杭州市")[:5])
    assert "name_key" in common
    assert "grams_idx" not in common
    assert "grams_idx" in plan(search_people("wangwei")[:5])
    naive = Assignment.objects.published().filter(search_text__contains="杭州市")
    people = naive.order_by("person__name_key", "person_id").values_list(
        "person_id", flat=True
    )
    assert (
        list(search_people("杭州市").values_list("pk", flat=True)[:20])
        == list(dict.fromkeys(people))[:20]
    )

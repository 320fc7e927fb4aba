"""The ``__substring`` lookup: its index keys, its equivalence with a plain
substring test on both databases, its plans on PostgreSQL, and the capped
counts of the lists built on it."""

import io
import re
import string
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from aidportal.kernel.chinese import normalize
from aidportal.kernel.search import (
    query_grams,
    search_document,
    sorted_matches,
    text_grams,
)
from aidportal.search import site_search
from articles.models import Article
from articles.views import ArticleListView
from personnel.filters import SORT_ORDERS
from personnel.models import Assignment, Unit
from tests.builders import make_article, make_assignment, make_channel, make_unit

POSTGRES = connection.vendor == "postgresql"
ONLY_POSTGRES = pytest.mark.skipif(
    not POSTGRES,
    reason="PostgreSQL only: SQLite has no grams index, the lookup scans with instr()",
)


# Index keys of a text and of a query


def grams(text):
    return text_grams(text).split(" ")


def test_text_grams_are_every_character_and_every_pair():
    assert grams("援疆医") == ["医", "援", "援疆", "疆", "疆医"]


def test_text_grams_add_trigrams_of_latin_letters_only():
    assert grams("wang") == ["a", "an", "ang", "g", "n", "ng", "w", "wa", "wan"]
    # A run with a Hanzi or a digit in it is no pinyin trigram.
    assert not [g for g in grams("wa王g1ng") if len(g) == 3]


def test_text_grams_never_span_a_part_or_a_word():
    keys = grams("援疆\n医生 ab\nc d")
    assert "疆医" not in keys
    assert "生a" not in keys
    assert "bc" not in keys
    assert "cd" not in keys
    assert not [key for key in keys if " " in key or "\n" in key]
    assert sorted(keys) == [
        "a",
        "ab",
        "b",
        "c",
        "d",
        "医",
        "医生",
        "援",
        "援疆",
        "生",
        "疆",
    ]


def test_text_grams_of_an_empty_text_are_empty():
    assert text_grams("") == ""
    assert text_grams("\n \n") == ""


def test_text_grams_are_sorted_and_unique():
    assert text_grams("王王王") == "王 王王"


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("王", ["王"]),
        ("w", ["w"]),
        ("王伟", ["王伟"]),
        ("wa", ["wa"]),
        ("阿克苏市", ["克苏", "苏市", "阿克"]),
        ("wangwei", ["ang", "gwe", "ngw", "wan", "wei"]),
        # Mixed or with a digit: pairs, whatever the length.
        ("王wei", ["we", "ei", "王w"]),
        ("a1b", ["1b", "a1"]),
        ("abab", ["aba", "bab"]),
    ],
)
def test_query_grams(key, expected):
    assert query_grams(key) == sorted(expected)


@pytest.mark.parametrize("key", ["王", "王伟", "阿克苏市第一", "wangwei", "wa王g1"])
def test_every_query_gram_is_a_gram_of_a_text_that_contains_the_query(key):
    text = f"前缀{key}后缀\nxy {key}"
    assert set(query_grams(key)) <= set(grams(text))


# The lookup equals Python's ``in`` on both databases

HANZI = "援疆杭州阿克苏医生教师中学王伟"
LETTERS = string.ascii_lowercase
WORD_CHARACTERS = HANZI + LETTERS

words = st.text(alphabet=WORD_CHARACTERS, max_size=8)
# A search text: parts ("\n") of words (" "), as search_document joins them
# joins them; the first part may be empty, the others are dropped when empty.
search_parts = st.lists(
    st.lists(words, min_size=1, max_size=3).map(" ".join), min_size=1, max_size=3
)
random_queries = st.text(alphabet=WORD_CHARACTERS, min_size=1, max_size=6)


def substrings_of(texts):
    """Queries of 1–6 characters cut out of one word of the texts, so that
    matches happen (a random query of Latin letters hardly ever matches)."""
    pieces = sorted({w for text in texts for w in re.split("[ \n]", text) if w})
    if not pieces:
        return random_queries
    return st.sampled_from(pieces).flatmap(
        lambda word: st.integers(0, len(word) - 1).flatmap(
            lambda start: st.integers(start + 1, min(len(word), start + 6)).map(
                lambda end: word[start:end]
            )
        )
    )


@st.composite
def texts_and_queries(draw):
    parts = draw(st.lists(search_parts, min_size=1, max_size=8))
    texts = ["\n".join([first, *filter(None, rest)]) for first, *rest in parts]
    queries = draw(
        st.lists(
            st.one_of(random_queries, substrings_of(texts)), min_size=1, max_size=6
        )
    )
    return parts, queries


def create_units(parts_of_each):
    units = []
    for number, parts in enumerate(parts_of_each):
        unit = Unit(name=f"单位{number}", name_key=f"unit-{number}")
        unit.search_text, unit.search_grams = search_document(parts)
        units.append(unit)
    return Unit.objects.bulk_create(units)


@pytest.mark.django_db
@settings(
    max_examples=200,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=texts_and_queries())
@example(
    case=(
        [["援疆", "医生 wangwei"], ["阿克苏", "wang wei"], ["", "ab", "cd"]],
        ["援疆", "疆医", "wangwei", "gwe", "ngw", "wang", "abc", "bc", "王"],
    )
)
def test_substring_lookup_returns_the_rows_whose_text_contains_the_query(case):
    parts, queries = case
    with transaction.atomic():
        if POSTGRES:
            # Make the planner take the grams index even on a handful of rows:
            # the indexed path is what must agree with Python.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
        units = create_units(parts)
        texts = {unit.pk: unit.search_text for unit in units}
        for query in queries:
            rows = Unit.objects.filter(search_text__substring=query)
            expected = {pk for pk, text in texts.items() if query in text}
            assert set(rows.values_list("pk", flat=True)) == expected, query
            if POSTGRES:
                assert "personnel_unit_grams_idx" in rows.explain()
        transaction.set_rollback(True)


# No locale-dependent SQL


def search_querysets(term):
    return {
        "assignments": Assignment.objects.search(term),
        "articles": Article.objects.search(term),
        **site_search(term),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("term", ["王", "杭州市", "wangwei", "ＷＡＮＧ"])
def test_search_sql_uses_no_upper_and_no_like(term):
    for name, queryset in search_querysets(term).items():
        with CaptureQueriesContext(connection) as queries:
            list(queryset)
        sql = " ".join(query["sql"] for query in queries).upper()
        assert "UPPER(" not in sql, name
        assert "LOWER(" not in sql, name
        assert " LIKE " not in sql, name
        assert "ILIKE" not in sql, name
        # The grams index expression on PostgreSQL, a scan elsewhere.
        assert ("STRING_TO_ARRAY(" if POSTGRES else "INSTR(") in sql, name


# The locale guard (PostgreSQL)

NON_ASCII_NAMES = {
    "吉林": "𠮷林",  # a character outside the BMP (CJK extension B)
    "lv": "吕(lǚ)医院",
    "ss": "Straße医院",
    "ı": "Işıklar学校",
    "Ω": "ΩΨ中学",
}


@ONLY_POSTGRES
@pytest.mark.django_db
def test_grams_index_answers_non_ascii_queries_whatever_the_database_locale():
    with connection.cursor() as cursor:
        cursor.execute("SHOW lc_ctype")
        lc_ctype = cursor.fetchone()[0]
        cursor.execute("SHOW server_encoding")
        encoding = cursor.fetchone()[0]
        # Use the index even on these few rows.
        cursor.execute("SET LOCAL enable_seqscan = off")
    # The deployment guide asks for UTF-8; the locale may be anything.
    assert encoding == "UTF8"
    for name in NON_ASCII_NAMES.values():
        make_unit(name)
    cases = {
        "𠮷": ["𠮷林"],
        "𠮷林": ["𠮷林"],
        "lǚ": ["吕(lǚ)医院"],
        "LǙ": ["吕(lǚ)医院"],  # casefolded by normalize, not by the database
        "straße": ["Straße医院"],
        "STRASSE": ["Straße医院"],
        "şık": ["Işıklar学校"],
        "Işık": ["Işıklar学校"],
        "ωψ": ["ΩΨ中学"],
        "医院": ["Straße医院", "吕(lǚ)医院"],
        "ｓｔｒａ": ["Straße医院"],  # full-width letters
        "istanbul": [],
    }
    for query, names in cases.items():
        rows = Unit.objects.filter(search_text__substring=normalize(query))
        assert sorted(rows.values_list("name", flat=True)) == sorted(names), (
            f"{query!r} with lc_ctype={lc_ctype}"
        )
        assert "personnel_unit_grams_idx" in rows.explain()


# Plans at 50,000 rows (PostgreSQL)

PLAN_TERMS = {
    "1 character": "王",
    "2 characters": "王伟",
    "3 characters": "杭州市",
    "9 characters": "阿克苏市依镇中心卫",
    "pinyin": "wangwei",
}


@ONLY_POSTGRES
class TestRosterSearchOnFiftyThousandRows:
    """seed_bulk's roster, seeded once for the class inside a transaction that
    is rolled back afterwards (each test runs in a savepoint within it)."""

    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def roster(cls, django_db_setup, django_db_blocker):
        with django_db_blocker.unblock(), transaction.atomic():
            call_command(
                "seed_bulk",
                people=50_000,
                articles=2_000,
                units=500,
                stdout=io.StringIO(),
            )
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE personnel_assignment")
            yield
            transaction.set_rollback(True)

    @pytest.mark.django_db
    def test_the_roster_is_large(self):
        assert Assignment.objects.count() >= 50_000

    @pytest.mark.django_db
    @pytest.mark.parametrize("term", PLAN_TERMS.values(), ids=PLAN_TERMS.keys())
    def test_search_uses_the_grams_index(self, term):
        plan = Assignment.objects.search(term).explain()
        assert "Bitmap Index Scan on personnel_assignment_grams_idx" in plan, plan
        assert "Seq Scan" not in plan, plan

    @pytest.mark.django_db
    @pytest.mark.parametrize("sort", SORT_ORDERS)
    def test_a_rare_term_in_roster_order_is_found_by_the_index_then_sorted(self, sort):
        rows = Assignment.objects.search("zxm").order_by(*SORT_ORDERS[sort])
        plan = sorted_matches(rows)[:50].explain()
        assert "Bitmap Index Scan on personnel_assignment_grams_idx" in plan, plan
        assert "Index Scan using personnel_assignment_receiving" not in plan, plan

    @pytest.mark.django_db
    def test_search_returns_the_rows_whose_text_contains_the_term(self):
        texts = dict(Assignment.objects.values_list("pk", "search_text"))
        for term in [*PLAN_TERMS.values(), "wq", "zxm", "第二人民医院"]:
            expected = {pk for pk, text in texts.items() if term in text}
            found = set(Assignment.objects.search(term).values_list("pk", flat=True))
            assert found == expected, term
            assert expected or term == "wq", f"{term} should match seeded rows"


# Capped counts


@pytest.fixture
def articles_past_the_cap(settings):
    settings.LIST_COUNT_CAP = 10
    channel = make_channel()
    now = timezone.now()
    return [
        make_article(
            channel=channel,
            title=f"援疆报道第{number:02}篇",
            published_at=now - timedelta(hours=number + 1),
        )
        for number in range(25)
    ]


@pytest.mark.django_db
def test_article_list_shows_the_capped_count_and_bounds_the_count_query(
    client, articles_past_the_cap
):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("articles:list"))
    assert response.status_code == 200
    # The article list shows no total; its paginator carries the capped one.
    assert response.context["paginator"].display_count == "10+"
    assert response.context["paginator"].count == 11
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1
    assert "LIMIT 11" in counts[0].upper()


@pytest.mark.django_db
def test_article_list_pages_past_the_cap_are_404(client, articles_past_the_cap):
    # 25 rows at 20 a page are two pages, but only 10 are counted.
    assert client.get(reverse("articles:list"), {"page": 1}).status_code == 200
    assert client.get(reverse("articles:list"), {"page": 2}).status_code == 404
    assert client.get(reverse("articles:list"), {"page": "last"}).status_code == 200


@pytest.mark.django_db
def test_article_list_pages_within_the_cap_work_and_the_next_one_is_404(
    client, articles_past_the_cap, monkeypatch
):
    # Five a page: pages 1 and 2 hold the ten counted rows; page 3 would
    # start past the cap.
    monkeypatch.setattr(ArticleListView, "paginate_by", 5)
    titles = [a.title for a in articles_past_the_cap]
    for page in (1, 2):
        response = client.get(reverse("articles:list"), {"page": page})
        assert response.status_code == 200
        shown = [a.title for a in response.context["object_list"]]
        assert shown == titles[(page - 1) * 5 : page * 5]
    assert client.get(reverse("articles:list"), {"page": 4}).status_code == 404
    response = client.get(reverse("articles:list"), {"page": 3})
    assert response.status_code == 404, (
        "page 3 holds only the 11th row, the one counted to detect the cap: "
        f"{[a.title for a in response.context['object_list']]}"
    )


@pytest.mark.django_db
def test_roster_count_is_capped_and_its_facets_sampled(client, settings):
    settings.LIST_COUNT_CAP = 10
    unit = make_unit("阿克苏市第一中学")
    for number in range(12):
        make_assignment(name=f"援疆人员{number:02}", receiving_unit=unit)
    response = client.get(reverse("personnel:list"))
    assert response.status_code == 200
    assert response.context["paginator"].display_count == "10+"
    assert "共 <strong>10+</strong> 条任职记录" in response.content.decode()
    assert response.context["facets_sampled"] is True
    receiving = response.context["facets"]["receiving_unit"]
    assert [row["count"] for row in receiving] == [10]


def test_a_text_whose_folded_form_differs_keeps_both():
    """乾 is simplified too (乾坤) but folds to 干 as a traditional form: the
    folded query finds the name either way."""
    text, grams = search_document(["于乾", "杭州"])
    assert text.split("\n") == ["于乾", "杭州", "于干", "杭州"]
    assert "干" in grams.split() and "乾" in grams.split()
    assert search_document(["季成", "杭州"]) == ("季成\n杭州", text_grams("季成\n杭州"))

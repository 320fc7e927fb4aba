"""Bulk downloads (/data/): CSV and JSON files of public rows with their
datapackage.json, built once per site version, and the pages about them."""

import codecs
import csv
import io
import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.storage import storages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aidportal.datasets import DATASETS
from aidportal.kernel import downloads
from articles.models import Article
from personnel.models import Category, Person, Unit
from projects.models import Project
from tests.builders import (
    NOT_PUBLIC,
    make_article,
    make_assignment,
    make_batch,
    make_person,
    make_project,
    make_term,
    make_unit,
)

pytestmark = pytest.mark.django_db

NAMES = ["roster", "units", "batches", "terms", "projects", "articles"]
FORMATS = ["csv", "json"]
TABLE_TYPES = {"string", "integer", "number", "date", "datetime", "boolean"}
CHINESE = re.compile(r"[\u4e00-\u9fff]")
SENTINEL = "哨兵"


def file_url(name, fmt):
    return reverse("data-file", args=[name, name, fmt])


def body(response):
    return b"".join(response.streaming_content)


def csv_table(response):
    raw = body(response)
    assert raw.startswith(codecs.BOM_UTF8)
    header, *rows = csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    return header, rows


def json_rows(response):
    return json.loads(body(response).decode("utf-8"))


def package(client, name):
    response = client.get(reverse("data-package", args=[name]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


@pytest.fixture
def content():
    """One public row of each kind, with what files must write with care: a
    cell Excel would take for a formula, dates, a decimal, a null."""
    batch = make_batch(10)
    term = make_term(batch, "首期")
    make_assignment(
        name="季 成",
        category=Category.MEDICAL,
        batch=batch,
        term=term,
        sending_unit=make_unit(
            "浙江大学医学院附属第一医院", aliases="浙一医院、浙大一院", kind="hospital"
        ),
        receiving_unit=make_unit("阿克苏地区第一人民医院", region="阿克苏市"),
        position="=副院长",
        arrived_on=date(2021, 7, 1),
    )
    make_project(
        name="阿克苏市第一中学新校区",
        investment=Decimal("2791.50"),
        start_date=date(2020, 3, 1),
        jobs_created=120,
    )
    make_article(title="援疆医生在阿克苏开展新技术", source="杭州日报", author="林尧")


@pytest.fixture
def hidden():
    """Rows the public may not see, each with the sentinel in its name: a
    draft person (with the only assignments of two units, of a batch and of
    a term of a public batch), and
    an article and a project in every unpublished state."""
    person = make_person(f"{SENTINEL}甲", is_public=False)
    make_assignment(
        person,
        batch=make_batch(99),
        sending_unit=make_unit(f"{SENTINEL}派出单位"),
        receiving_unit=make_unit(f"{SENTINEL}受援单位"),
        position=f"{SENTINEL}职务",
    )
    # A term of a public batch that only the hidden person served in.
    make_assignment(person, batch=make_batch(10), term=f"{SENTINEL}期")
    for state, fields in NOT_PUBLIC.items():
        make_article(title=f"{SENTINEL}文章{state}", **fields)
        make_project(name=f"{SENTINEL}项目{state}", **fields)


# The pages


def test_the_index_lists_every_dataset_with_its_public_rows_and_files(
    client, content, hidden
):
    response = client.get(reverse("data"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "数据下载" in page
    rows = {row["dataset"].name: row["rows"] for row in response.context["datasets"]}
    assert rows == {
        "roster": 1,
        "units": 2,
        "batches": 1,
        "terms": 1,
        "projects": 1,
        "articles": 1,
    }
    for name in NAMES:
        assert DATASETS[name].title in page
        for url in (
            file_url(name, "csv"),
            file_url(name, "json"),
            reverse("data-package", args=[name]),
            reverse("data-dictionary", args=[name]),
        ):
            assert f'href="{url}"' in page
    assert "数据更新时间" in page


@pytest.mark.parametrize("name", NAMES)
def test_the_data_dictionary_lists_every_field(client, name):
    response = client.get(reverse("data-dictionary", args=[name]))
    assert response.status_code == 200
    page = response.content.decode()
    for field in DATASETS[name].fields():
        assert f"<code>{field['name']}</code>" in page
        assert field["title"] in page
        assert field["description"] in page
    assert f'href="{reverse("data-package", args=[name])}"' in page


def test_the_site_map_and_the_footer_link_to_the_downloads(client):
    page = client.get(reverse("site-map")).content.decode()
    assert page.count(f'href="{reverse("data")}"') == 2, "site map and footer"
    sitemap = client.get(reverse("django.contrib.sitemaps.views.sitemap"))
    assert "/data/</loc>" in sitemap.content.decode()


# The files and their descriptor


@pytest.mark.parametrize("name", NAMES)
def test_the_datapackage_describes_both_files_with_one_table_schema(client, name):
    described = package(client, name)
    assert described["profile"] == "tabular-data-package"
    assert re.fullmatch(r"[a-z0-9._-]+", described["name"])
    assert CHINESE.search(described["title"])
    assert described["homepage"].endswith(reverse("data-dictionary", args=[name]))
    resources = described["resources"]
    assert [r["format"] for r in resources] == FORMATS
    assert len({r["name"] for r in resources}) == len(resources)
    for resource in resources:
        assert resource["profile"] == "tabular-data-resource"
        assert re.fullmatch(r"[a-z0-9._-]+", resource["name"])
        # A path relative to the descriptor, which the site serves.
        assert "/" not in resource["path"]
        url = reverse("data-package", args=[name]).replace(
            "datapackage.json", resource["path"]
        )
        served = client.get(url)
        assert served.status_code == 200
        assert served["Content-Type"].startswith(resource["mediatype"])
        assert resource["encoding"] == "utf-8"
        fields = resource["schema"]["fields"]
        assert fields == DATASETS[name].fields()
        names = [field["name"] for field in fields]
        assert len(set(names)) == len(names)
        for field in fields:
            assert set(field) <= {"name", "type", "title", "description", "constraints"}
            assert field["type"] in TABLE_TYPES
            assert CHINESE.search(field["title"]), field
            assert CHINESE.search(field["description"]), field
            assert field["description"].endswith("。")
        assert set(resource["schema"].get("primaryKey", [])) <= set(names)
    assert resources[0]["dialect"]["header"] is True


def test_the_datapackage_needs_no_query_and_is_revalidated(client, count_queries):
    url = reverse("data-package", args=["roster"])
    first, queries = count_queries(url)
    assert first.status_code == 200
    assert queries == 0
    again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    assert "public" in again["Cache-Control"]


def typed(kind, text):
    """A CSV cell read as its Table Schema type says (None for "")."""
    if text == "":
        return None
    return {
        "integer": int,
        "number": Decimal,
        "date": date.fromisoformat,
        "datetime": lambda t: re.fullmatch(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", t
        ).group(),
        "string": str,
    }[kind](text)


@pytest.mark.parametrize("name", NAMES)
def test_csv_and_json_hold_the_same_rows_under_the_datapackage_fields(
    client, content, name
):
    fields = package(client, name)["resources"][0]["schema"]["fields"]
    names = [field["name"] for field in fields]
    header, rows = csv_table(client.get(file_url(name, "csv")))
    records = json_rows(client.get(file_url(name, "json")))
    assert header == names
    assert rows
    assert len(rows) == len(records)
    for row, record in zip(rows, records, strict=True):
        assert list(record) == names
        for field, cell in zip(fields, row, strict=True):
            value = record[field["name"]]
            kind = field["type"]
            read = typed(kind, cell)
            # An empty text and a null are both missing values ("").
            if value in (None, ""):
                assert read is None, field
                continue
            if kind == "number":
                assert read == Decimal(str(value))
            elif kind == "integer":
                assert read == value and isinstance(value, int)
            elif kind == "string" and cell.startswith("'"):
                assert cell == "'" + value, "a formula is written as text"
            else:
                assert read == (date.fromisoformat(value) if kind == "date" else value)
            if "enum" in field.get("constraints", {}):
                assert value in field["constraints"]["enum"]


def test_the_files_write_what_the_public_pages_show(client, content):
    _, roster = csv_table(client.get(file_url("roster", "csv")))
    (record,) = json_rows(client.get(file_url("roster", "json")))
    assert record["name"] == "季成"
    assert record["category_label"] == "医疗"
    assert record["batch"] == "第十批"
    assert record["term"] == "首期"
    assert record["sending_unit"] == "浙江大学医学院附属第一医院"
    assert record["position"] == "=副院长"
    assert record["arrived_on"] == "2021-07-01"
    assert record["left_on"] is None
    assert roster[0][header_index("roster", "position")] == "'=副院长"
    units = {u["name"]: u for u in json_rows(client.get(file_url("units", "json")))}
    assert units["浙江大学医学院附属第一医院"]["aliases"] == "浙一医院、浙大一院"
    assert units["浙江大学医学院附属第一医院"]["kind_label"] == "医院"
    assert units["阿克苏地区第一人民医院"]["region"] == "阿克苏市"
    (batch,) = json_rows(client.get(file_url("batches", "json")))
    assert (batch["number"], batch["label"]) == (10, "第十批")
    (term,) = json_rows(client.get(file_url("terms", "json")))
    assert (term["batch_id"], term["batch_number"], term["name"]) == (
        batch["id"],
        10,
        "首期",
    )
    (project,) = json_rows(client.get(file_url("projects", "json")))
    assert project["investment"] == 2791.5
    assert project["jobs_created"] == 120
    assert project["url"] == Project.objects.get().get_absolute_url()
    (article,) = json_rows(client.get(file_url("articles", "json")))
    assert article["url"] == Article.objects.get().get_absolute_url()
    assert "body" not in article
    assert article["published_at"].endswith("Z")


def header_index(name, field):
    return DATASETS[name].names.index(field)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", NAMES)
def test_no_file_holds_a_row_the_public_may_not_see(client, content, hidden, name, fmt):
    response = client.get(file_url(name, fmt))
    assert response.status_code == 200
    assert SENTINEL.encode() not in body(response)


def test_units_batches_and_terms_of_hidden_people_only_are_left_out(
    client, content, hidden
):
    units = json_rows(client.get(file_url("units", "json")))
    assert Unit.objects.filter(name__startswith=SENTINEL).count() == 2
    assert not [r for r in units if r["name"].startswith(SENTINEL)]
    batches = json_rows(client.get(file_url("batches", "json")))
    assert [r["number"] for r in batches] == [10]
    terms = json_rows(client.get(file_url("terms", "json")))
    assert [r["name"] for r in terms] == ["首期"]


# Built once per site version


def test_a_file_is_built_once_and_then_served(client, content, builds):
    for _ in range(2):
        assert client.get(file_url("roster", "csv")).status_code == 200
    assert client.get(file_url("roster", "json")).status_code == 200
    assert len(builds) == 2, "one per format"


def test_publishing_and_taking_down_make_new_files(client, content, builds):
    person = make_person("王芳", is_public=False)
    make_assignment(person)
    url = file_url("roster", "json")
    assert "王芳" not in {r["name"] for r in json_rows(client.get(url))}
    person.status = Person.Status.PUBLISHED
    person.save()
    assert "王芳" in {r["name"] for r in json_rows(client.get(url))}
    person.status = Person.Status.DRAFT
    person.save()
    assert "王芳" not in {r["name"] for r in json_rows(client.get(url))}
    article = Article.objects.get()
    article.take_down()
    article.save()
    assert json_rows(client.get(file_url("articles", "json"))) == []
    assert len(builds) == 4


def test_a_scheduled_article_appears_in_a_new_file_when_due(client, content, clock):
    make_article(
        title="定时发布的文章", published_at=timezone.now() + timedelta(hours=1)
    )
    url = file_url("articles", "json")
    assert "定时发布的文章" not in {r["title"] for r in json_rows(client.get(url))}
    clock(timedelta(hours=2))
    assert "定时发布的文章" in {r["title"] for r in json_rows(client.get(url))}


def test_a_file_is_revalidated_by_its_etag_until_content_changes(client, content):
    url = file_url("projects", "csv")
    first = client.get(url)
    assert first.status_code == 200
    assert "public" in first["Cache-Control"]
    assert "attachment" in first["Content-Disposition"]
    again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    make_project(name="新的援建项目")
    changed = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert "新的援建项目" in body(changed).decode("utf-8-sig")


def test_a_current_copy_is_not_built_again_to_be_revalidated(client, content, builds):
    url = file_url("roster", "csv")
    etag = client.get(url)["ETag"]
    for path in storages["private"].listdir(downloads.FOLDER)[1]:
        storages["private"].delete(f"{downloads.FOLDER}/{path}")
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert len(builds) == 1


@pytest.mark.django_db(transaction=True)
def test_a_file_too_big_to_build_in_a_request_is_built_in_the_background(
    client, settings
):
    settings.DATA_BUILD_WAIT_ROWS = 1
    for name in ("季成", "王芳"):
        make_assignment(name=name)
    url = file_url("roster", "csv")
    waiting = client.get(url)
    assert waiting.status_code == 503
    assert waiting["Retry-After"] == str(settings.DOWNLOAD_PREPARING_RETRY_AFTER)
    downloads.wait_for_background(timeout=60)
    ready = client.get(url)
    assert ready.status_code == 200
    assert len(csv_table(ready)[1]) == 2


# Query counts: the same for 1 row and for many


def many(count):
    batch = make_batch(10)
    for number in range(count):
        make_assignment(name=f"人员{number}", batch=batch, term="首期")
        make_project()
        make_article()


@pytest.mark.parametrize("count", [1, 20])
def test_the_index_page_counts_each_dataset_once_per_site_version(count_queries, count):
    many(count)
    response, queries = count_queries(reverse("data"))
    assert response.status_code == 200
    # The next scheduled change (articles, projects), the site registry and
    # the navigation, then one count per dataset.
    assert queries == 4 + len(DATASETS)
    response, queries = count_queries(reverse("data"))
    assert queries == 0, "all kept until content changes"


def reads(client, url):
    """(response, the queries that read rows): PostgreSQL's plan setting of a
    build (a savepoint, SET LOCAL) reads nothing."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    setting = ("SAVEPOINT", "RELEASE SAVEPOINT", "SET LOCAL")
    return response, [q["sql"] for q in queries if not q["sql"].startswith(setting)]


@pytest.mark.parametrize("count", [1, 20])
@pytest.mark.parametrize("name", NAMES)
def test_a_file_costs_a_count_and_a_read_to_build_and_nothing_to_serve(
    client, count, name
):
    many(count)
    built, queries = reads(client, file_url(name, "csv"))
    assert built.status_code == 200
    # The next scheduled change (articles, projects), the count, the rows.
    assert len(queries) == 2 + 2
    assert "COUNT(" in queries[2]
    served, queries = reads(client, file_url(name, "csv"))
    assert served.status_code == 200
    assert queries == []


def test_the_dictionary_page_needs_no_query_of_its_own(count_queries):
    response, queries = count_queries(reverse("data-dictionary", args=["roster"]))
    assert response.status_code == 200
    assert queries == 2, "the site registry and the navigation"


# Bad addresses


@pytest.mark.parametrize(
    "url",
    [
        "/data/nothing/",
        "/data/nothing/datapackage.json",
        "/data/nothing/nothing.csv",
        "/data/roster/roster.xlsx",
        "/data/roster/units.csv",
        "/data/roster/roster.csv.json",
        "/data/roster/datapackage.xml",
    ],
)
def test_an_unknown_dataset_or_format_is_404(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/data/?page=abc&q=%00",
        "/data/roster/?sort=nonsense",
        "/data/roster/roster.csv?page=-1&format=xlsx",
        "/data/roster/datapackage.json?x=%ff",
    ],
)
def test_query_parameters_are_ignored_as_on_other_pages(client, content, url):
    plain = client.get(url.partition("?")[0])
    asked = client.get(url)
    assert asked.status_code == 200
    if asked.streaming:
        assert body(asked) == body(plain)
    elif asked.context is None:
        assert asked.content == plain.content
    else:
        # The page's 简体/繁體 links repeat the query: the rest is the same.
        for key in ("datasets", "fields"):
            assert asked.context.get(key) == plain.context.get(key)


def test_a_post_is_refused(client):
    assert client.post(file_url("roster", "csv")).status_code == 405

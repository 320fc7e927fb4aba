import codecs
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.core.files.storage import storages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aidportal.kernel import caching, downloads
from aidportal.kernel.audit import AuditAction, AuditEntry
from personnel import services
from personnel.models import Assignment, Category, Person
from tests.builders import (
    REPORTER,
    csv_rows,
    export,
    make_assignment,
    make_batch,
    make_staff,
    make_unit,
    rows_of,
    xlsx_rows,
)

pytestmark = pytest.mark.django_db

HEADER = [
    "姓名",
    "类别",
    "批次",
    "期",
    "派出单位",
    "对口支援单位",
    "职务",
    "到岗日期",
    "离岗日期",
]
FORMATS = ["csv", "xlsx"]


@pytest.fixture
def roster():
    """季成 (printed "季 成") in two batches, and 王芳 in batch 10."""
    ji = make_assignment(
        name="季 成",
        category=Category.MEDICAL,
        batch=make_batch(10),
        term="首期",
        sending_unit=make_unit("浙江大学医学院附属第一医院"),
        receiving_unit=make_unit("阿克苏地区第一人民医院"),
        position="副院长",
        arrived_on=date(2021, 7, 1),
    )
    make_assignment(
        ji.person,
        batch=make_batch(9),
        receiving_unit=make_unit("拜城县人民医院"),
        arrived_on=date(2018, 7, 1),
        left_on=date(2020, 1, 15),
    )
    make_assignment(name="王芳", batch=make_batch(10))
    return ji


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("csv", "text/csv; charset=utf-8"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_export_is_an_attachment_with_the_chinese_header(
    client, roster, fmt, content_type
):
    response = export(client, fmt)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment;")
    assert f".{fmt}" in response["Content-Disposition"]
    assert rows_of(response, fmt)[0] == HEADER


def test_csv_starts_with_a_byte_order_mark(client, roster):
    body = b"".join(export(client, "csv").streaming_content)
    assert body.startswith(codecs.BOM_UTF8 + "姓名,类别".encode())


def test_csv_row_holds_the_public_fields_as_text(client, roster):
    rows = csv_rows(export(client, "csv", batch="10", q="季成"))
    assert rows[1:] == [
        [
            "季成",
            "医疗",
            "第十批",
            "首期",
            "浙江大学医学院附属第一医院",
            "阿克苏地区第一人民医院",
            "副院长",
            "2021-07-01",
            "",
        ]
    ]


def test_xlsx_dates_are_real_dates(client, roster):
    rows = xlsx_rows(export(client, "xlsx", batch="9"))
    (row,) = rows[1:]
    assert row[:3] == ["季成", "医疗", "第九批"]
    assert row[7:] == [datetime(2018, 7, 1), datetime(2020, 1, 15)]
    open_row = xlsx_rows(export(client, "xlsx", batch="10", q="jc"))[1]
    assert open_row[7:] == [datetime(2021, 7, 1), None]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [("季成", "第十批"), ("季成", "第九批"), ("王芳", "第十批")]),
        ({"batch": "10"}, [("季成", "第十批"), ("王芳", "第十批")]),
        ({"q": "jicheng"}, [("季成", "第十批"), ("季成", "第九批")]),
        ({"q": "季\u3000成", "batch": "9"}, [("季成", "第九批")]),
        ({"q": "不存在"}, []),
    ],
    ids=["all", "batch", "pinyin", "name-and-batch", "no-match"],
)
def test_export_holds_exactly_the_filtered_rows(client, roster, fmt, params, expected):
    rows = rows_of(export(client, fmt, **params), fmt)
    assert sorted((row[0], row[2]) for row in rows[1:]) == sorted(expected)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("position", "written"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("数学教师", "数学教师"),
        ("主任=组长", "主任=组长"),
    ],
)
def test_export_escapes_cells_excel_would_run_as_formulas(
    client, fmt, position, written
):
    make_assignment(position=position)
    (row,) = rows_of(export(client, fmt), fmt)[1:]
    assert row[6] == written


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_leaves_out_people_who_are_not_public(client, roster, fmt):
    make_assignment(name="隐藏人", is_public=False, batch=make_batch(10))
    for params in ({}, {"q": "隐藏人"}, {"batch": "10"}):
        rows = rows_of(export(client, fmt, **params), fmt)
        assert "隐藏人" not in [row[0] for row in rows]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "params",
    [
        {"batch": "abc"},
        {"receiving_unit": str(10**30)},
        {"on": "notadate"},
        {"q": "季\x00成"},
        {"q": "季" * 51},
        {"sort": "evil"},
    ],
    ids=["batch-abc", "unit-30-digits", "on", "q-nul", "q-long", "sort"],
)
def test_export_with_an_unreadable_filter_is_a_400(client, roster, fmt, params):
    response = export(client, fmt, **params)
    assert response.status_code == 400
    assert "Content-Disposition" not in response


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("param", ["batch", "sending_unit", "receiving_unit"])
def test_export_of_a_batch_or_unit_off_the_roster_is_a_404(client, roster, fmt, param):
    response = export(client, fmt, **{param: "987654"})
    assert response.status_code == 404
    assert "Content-Disposition" not in response


# Exports that cannot take the site down


def download_files():
    root = Path(storages["private"].location) / downloads.FOLDER
    return sorted(path.name for path in root.glob("*")) if root.exists() else []


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_selection_over_the_limit_is_refused_before_any_row_is_read(
    client, roster, fmt, settings, monkeypatch
):
    settings.ROSTER_EXPORT_MAX_ROWS = 1
    monkeypatch.setattr(
        services, "roster_values", lambda rows: pytest.fail("rows were read")
    )
    with CaptureQueriesContext(connection) as queries:
        response = export(client, fmt, category="medical")
    assert response.status_code == 400
    roster_queries = [q["sql"] for q in queries if "personnel_assignment" in q["sql"]]
    assert len(roster_queries) == 1
    assert roster_queries[0].startswith("SELECT COUNT(*)")
    assert "LIMIT 2" in roster_queries[0], "counted to the limit and one more"
    page = response.content.decode()
    assert "超过单次导出上限 1 行" in page
    assert f'href="{reverse(f"personnel:export-{fmt}")}"' in page, "the whole roster"
    assert download_files() == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_rows_are_read_as_values_not_model_instances(client, roster, fmt, monkeypatch):
    from personnel.models import Assignment, Person, Unit

    for model in (Assignment, Person, Unit):
        monkeypatch.setattr(
            model, "from_db", classmethod(lambda *a: pytest.fail("an instance"))
        )
    response = export(client, fmt, batch="10")
    assert response.status_code == 200
    assert len(rows_of(response, fmt)) == 1 + 2


def test_the_same_selection_is_built_once_per_site_version(client, roster, builds):
    first = export(client, "csv", q="季 成")
    again = export(client, "csv", q="季成", sort="unit")
    assert first.status_code == again.status_code == 200
    assert csv_rows(first) == csv_rows(again)
    assert len(builds) == 1, "one spelling of the selection, one file"
    make_assignment(name="季成成", batch=make_batch(10))
    rows = csv_rows(export(client, "csv", q="季成"))
    assert sorted(row[0] for row in rows[1:]) == ["季成", "季成", "季成成"]
    assert len(builds) == 2


def test_a_takedown_is_in_the_next_download(client, roster, builds):
    assert "王芳" in str(csv_rows(export(client, "csv")))
    wang = Person.objects.get(name="王芳")
    wang.status = Person.Status.WITHDRAWN
    wang.save()
    assert "王芳" not in str(csv_rows(export(client, "csv")))


def test_old_files_are_removed_as_new_ones_come(client, roster):
    export(client, "csv", batch="10")
    export(client, "xlsx")
    assert len(download_files()) == 2
    make_assignment(name="周正", batch=make_batch(10))
    export(client, "csv", batch="10")
    (kept,) = download_files()
    assert kept.startswith(f"{caching.site_version()}-")


def busy(response):
    assert response.status_code == 429
    assert response["Retry-After"] == "10"
    assert "文件正在生成" in response.content.decode()
    assert "Content-Disposition" not in response
    return True


def test_one_build_at_a_time_per_client_address(client, roster):
    cache.add("download-client:203.0.113.7", 1, 60)
    assert busy(client.get(reverse("personnel:export-csv"), REMOTE_ADDR="203.0.113.7"))
    other = client.get(reverse("personnel:export-csv"), REMOTE_ADDR="198.51.100.9")
    assert other.status_code == 200


def test_one_build_at_a_time_per_worker(client, roster):
    assert downloads._building.acquire(blocking=False)
    try:
        assert busy(export(client, "xlsx"))
    finally:
        downloads._building.release()
    assert export(client, "xlsx").status_code == 200


def test_a_file_being_built_is_not_built_twice(client, roster, builds):
    name = downloads.current_name(kind="roster", params="batch=10", suffix="csv")
    cache.add(f"download-file:{name}", 1, 60)
    assert busy(export(client, "csv", batch="10"))
    assert builds == []


def test_a_built_file_is_served_while_others_build(client, roster, builds):
    export(client, "csv")
    assert downloads._building.acquire(blocking=False)
    try:
        assert export(client, "csv").status_code == 200
    finally:
        downloads._building.release()
    assert len(builds) == 1


def test_an_export_is_revalidated_by_its_etag(
    client, roster, django_assert_num_queries
):
    first = export(client, "xlsx", batch="9")
    assert "public" in first["Cache-Control"]
    response = client.get(
        reverse("personnel:export-xlsx"),
        {"batch": "9"},
        headers={"If-None-Match": first["ETag"]},
    )
    assert response.status_code == 304


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_whole_roster_too_big_to_build_in_a_request_is_built_in_the_background(
    client, fmt, settings
):
    """Past ROSTER_EXPORT_MAX_ROWS rows a whole-roster file takes longer than a
    worker may (80 s at a million rows): the visitor is told to come back, and
    one background build makes it."""
    settings.ROSTER_EXPORT_MAX_ROWS = 2
    for name in ("季成", "王芳", "周正"):
        make_assignment(name=name)
    waiting = export(client, fmt)
    assert waiting.status_code == 503
    assert waiting["Retry-After"] == "60"
    assert "正在生成" in waiting.content.decode()
    again = export(client, fmt)
    assert again.status_code in (200, 503)
    downloads.wait_for_background(timeout=60)
    assert len(download_files()) == 1, "built once"
    ready = export(client, fmt)
    assert ready.status_code == 200
    assert len(rows_of(ready, fmt)) == 1 + 3
    assert export(client, fmt, batch="10").status_code == 400, "a selection: too big"


def test_a_search_term_cannot_pose_as_other_filters(client, roster):
    """A query holding "&" and "=" is one value, not more filters: it must not
    share its file with the selection it spells out."""
    forged = export(client, "csv", q="季&sort=name")
    assert csv_rows(forged)[1:] == []
    real = export(client, "csv", q="季", sort="name")
    assert [row[0] for row in csv_rows(real)[1:]] == ["季成", "季成"]


@pytest.mark.parametrize(("params", "status"), [({}, 503), ({"batch": "10"}, 429)])
def test_a_file_on_its_way_costs_no_count(client, roster, params, status):
    canonical = urlencode(sorted(params.items()))
    name = downloads.current_name(kind="roster", params=canonical, suffix="xlsx")
    cache.add(f"download-file:{name}", 1, 60)
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            response = export(client, "xlsx", **params)
        assert response.status_code == status
        assert not [q for q in queries if "COUNT" in q["sql"]]


def test_asking_again_for_a_selection_costs_no_second_count(client, roster, settings):
    settings.ROSTER_EXPORT_MAX_ROWS = 1
    counted = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            assert export(client, "csv", category="medical").status_code == 400
        counted += [q for q in queries if "COUNT" in q["sql"]]
    assert len(counted) == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_staff_export_is_an_entry_of_the_audit_log(roster, fmt, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    reporter = make_staff(REPORTER)
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.40")
    client.force_login(reporter)
    # The whole roster, then a selection, the second time from the file kept.
    for params in ({}, {"batch": "10"}, {"batch": "10"}):
        assert export(client, fmt, **params).status_code == 200
    exports = AuditEntry.objects.filter(action=AuditAction.EXPORT).order_by("id")
    assert [(e.user, e.address) for e in exports] == [(reporter, "203.0.113.40")] * 3
    assert exports[0].content_type.model_class() is Assignment
    assert [e.detail for e in exports] == [
        {"format": fmt, "rows": 3, "filter": ""},
        {"format": fmt, "rows": 2, "filter": "batch=10"},
        {"format": fmt, "rows": 2, "filter": "batch=10"},
    ]


def test_a_public_export_is_no_entry(client, roster):
    assert export(client, "csv").status_code == 200
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_traditional_query_exports_what_its_simplified_one_does(client, roster, fmt):
    """Readers of the 繁體 pages export what they searched for: the query is
    folded to simplified characters, the rows are the simplified originals."""
    folded = rows_of(export(client, fmt, q="拜城縣人民醫院"), fmt)
    assert folded == rows_of(export(client, fmt, q="拜城县人民医院"), fmt)
    assert [row[0] for row in folded[1:]] == ["季成"]
    assert folded[1][5] == "拜城县人民医院"

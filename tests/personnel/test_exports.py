import codecs
import csv
import io
from datetime import date, datetime

import openpyxl
import pytest
from django.urls import reverse

from personnel.models import Category
from tests.builders import make_assignment, make_batch, make_unit

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


def export(client, fmt, **params):
    return client.get(reverse(f"personnel:export-{fmt}"), params)


def csv_rows(response):
    body = b"".join(response.streaming_content)
    assert body.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def xlsx_rows(response):
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def rows_of(response, fmt):
    """Header and rows of an export, whichever the format."""
    return csv_rows(response) if fmt == "csv" else xlsx_rows(response)


@pytest.fixture
def roster():
    """季 成 in two batches, and 王芳 in batch 10."""
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
            "季 成",
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
    assert row[:3] == ["季 成", "医疗", "第九批"]
    assert row[7:] == [datetime(2018, 7, 1), datetime(2020, 1, 15)]
    open_row = xlsx_rows(export(client, "xlsx", batch="10", q="jc"))[1]
    assert open_row[7:] == [datetime(2021, 7, 1), None]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [("季 成", "第十批"), ("季 成", "第九批"), ("王芳", "第十批")]),
        ({"batch": "10"}, [("季 成", "第十批"), ("王芳", "第十批")]),
        ({"q": "jicheng"}, [("季 成", "第十批"), ("季 成", "第九批")]),
        ({"q": "季\u3000成", "batch": "9"}, [("季 成", "第九批")]),
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

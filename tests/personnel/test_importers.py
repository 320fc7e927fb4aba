from datetime import date, datetime
from pathlib import Path

import pytest

from personnel.importers import (
    RosterFileError,
    read_csv,
    read_press_release,
    read_roster,
    read_xlsx,
)
from tests.builders import xlsx_bytes

ROOT = Path(__file__).resolve().parents[2]
DEMO_ROSTER = ROOT / "demo" / "roster-batch10-term1.txt"
SEED_ARTICLE = ROOT.parent / "shared" / "reference" / "seed-article.txt"

RECEIVING_UNITS = {
    "阿克苏市人民医院": 6,
    "杭州师范大学附属阿克苏市高级中学": 9,
    "阿克苏市实验中学": 8,
    "阿克苏市教科局教研室": 8,
    "阿克苏市天杭实验学校": 12,
}


def roster_by_name(rows):
    return {row.name: row for row in rows}


def test_the_reference_roster_parses_to_43_assignments_in_five_units():
    rows = read_roster(DEMO_ROSTER)
    assert len(rows) == 43
    counts = {}
    for row in rows:
        counts[row.receiving_unit] = counts.get(row.receiving_unit, 0) + 1
    assert counts == RECEIVING_UNITS
    by_name = roster_by_name(rows)
    assert by_name["季成"].sending_unit == "杭州市第一人民医院"
    assert by_name["季成"].position == "副院长"
    assert by_name["季成"].receiving_unit == "阿克苏市人民医院"
    assert by_name["陈晶"].position == "音乐教师、教研组长"
    assert by_name["陈晶"].sending_unit == "杭州市开元商贸职业学校"
    assert by_name["褚楚"].position == "阿克苏教科局副局长、杭州支教团团长、副校长"
    assert by_name["张坚贞"].receiving_unit == "阿克苏市天杭实验学校"


@pytest.mark.skipif(not SEED_ARTICLE.exists(), reason="shared/ is not beside the clone")
def test_the_whole_press_release_yields_only_its_roster():
    rows = read_roster(SEED_ARTICLE)
    assert [row.name for row in rows] == [row.name for row in read_roster(DEMO_ROSTER)]


QUIRKY_RELEASE = (
    "6月28日,以下人员完成援疆任务返回杭州。\r\n"
    "对口支援单位：阿克苏市人民医院\r\n"  # full-width colon, CRLF
    "姓 名 / 派出单位 / 对口支援单位职务\r\n"  # header on one line
    "  季\u3000成  \r\n"  # U+3000 inside, stray spaces around
    "杭州市第一人民医院 \r\n"
    "\u3000副院长\r\n"
    "张\u00a0林\t杭州市红十字会医院\t超声科副主任\r\n"  # one line, tabs
    "\r\n\r\n"
    "对口支援单位: 阿克苏市实验中学\r\n"  # ASCII colon and a space
    "姓名\r\n派出单位\r\n对口支援单位职务\r\n"
    "方林\r\n建德市寿昌中学\r\n地理教师、教研组副组长\r\n"
    "来源：杭州日报  编辑：高婷婷\r\n"  # the page's footer, full-width
    "这一行是文章的页脚,不是名单。\r\n"
)


def test_press_release_quirks_are_read():
    rows = read_press_release(QUIRKY_RELEASE.encode("utf-8-sig"))
    assert rows == [
        (
            4,
            {
                "name": "季\u3000成",
                "sending_unit": "杭州市第一人民医院",
                "receiving_unit": "阿克苏市人民医院",
                "position": "副院长",
            },
        ),
        (
            7,
            {
                "name": "张\u00a0林",
                "sending_unit": "杭州市红十字会医院",
                "receiving_unit": "阿克苏市人民医院",
                "position": "超声科副主任",
            },
        ),
        (
            14,
            {
                "name": "方林",
                "sending_unit": "建德市寿昌中学",
                "receiving_unit": "阿克苏市实验中学",
                "position": "地理教师、教研组副组长",
            },
        ),
    ]


def test_press_release_with_an_incomplete_entry_names_its_line():
    content = (
        "对口支援单位:阿克苏市人民医院\n季成\n杭州市第一人民医院\n"
        "对口支援单位:阿克苏市实验中学\n方林\n建德市寿昌中学\n数学教师\n"
    )
    with pytest.raises(RosterFileError) as caught:
        read_press_release(content.encode())
    assert [(e.row, e.field) for e in caught.value.errors] == [(2, "position")]


CSV_CHINESE = (
    "姓名,派出单位,对口支援单位,职务,类别,批次,期,到岗日期,离岗日期\n"
    "季 成,杭州市第一人民医院,阿克苏市人民医院,副院长,医疗,10,首期,"
    "2020年3月1日,2021/6/28\n"
    "方林,建德市寿昌中学,阿克苏市实验中学,地理教师,,第十批,,2020.3.1,\n"
)
CSV_ENGLISH = (
    "name,sending_unit,receiving_unit,position,arrived_on\n"
    "季 成,杭州市第一人民医院,阿克苏市人民医院,副院长,2020-03-01\n"
)


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["no-bom", "bom"])
def test_csv_with_chinese_headers_and_every_date_format(bom):
    rows = read_roster_bytes(read_csv, bom + CSV_CHINESE.encode())
    first, second = rows
    assert (first.row, first.name, first.category, first.batch, first.term) == (
        2,
        "季成",
        "medical",
        10,
        "首期",
    )
    assert (first.arrived_on, first.left_on) == (date(2020, 3, 1), date(2021, 6, 28))
    assert (second.batch, second.category, second.arrived_on) == (
        10,
        "",
        date(2020, 3, 1),
    )


def test_csv_with_english_headers():
    (row,) = read_roster_bytes(read_csv, CSV_ENGLISH.encode())
    assert (row.name, row.receiving_unit, row.arrived_on) == (
        "季成",
        "阿克苏市人民医院",
        date(2020, 3, 1),
    )


def test_xlsx_with_date_cells_and_numbers():
    content = xlsx_bytes(
        [
            ["姓名", "派出单位", "对口支援单位", "职务", "批次", "到岗日期"],
            [
                "季 成",
                "杭州市第一人民医院",
                "阿克苏市人民医院",
                "副院长",
                10,
                datetime(2020, 3, 1),
            ],
            [None, None, None, None, None, None],
            [
                "方林",
                "建德市寿昌中学",
                "阿克苏市实验中学",
                "地理教师",
                10.0,
                "2020/3/1",
            ],
        ]
    )
    rows = read_roster_bytes(read_xlsx, content)
    assert [(r.row, r.name, r.batch, r.arrived_on) for r in rows] == [
        (2, "季成", 10, date(2020, 3, 1)),
        (4, "方林", 10, date(2020, 3, 1)),
    ]


def read_roster_bytes(reader, content):
    from personnel.importers import clean_rows

    return clean_rows(reader(content))


def errors_of(reader, content):
    from personnel.importers import clean_rows

    with pytest.raises(RosterFileError) as caught:
        clean_rows(reader(content))
    return [(error.row, error.field) for error in caught.value.errors]


HEADER = "姓名,派出单位,对口支援单位,职务,到岗日期\n"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (HEADER + ",杭州市第一人民医院,阿克苏市人民医院,副院长,\n", [(2, "name")]),
        (HEADER + "季成,,阿克苏市人民医院,副院长,\n", [(2, "sending_unit")]),
        (HEADER + "季成, ,  ,副院长,\n", [(2, "sending_unit"), (2, "receiving_unit")]),
        (
            HEADER + "季成,杭州市第一人民医院,阿克苏市人民医院,副院长,明年\n",
            [(2, "arrived_on")],
        ),
        (
            HEADER + "季成,杭州市第一人民医院,阿克苏市人民医院,副\x00院长,\n",
            [(2, "position")],
        ),
        (
            HEADER + "季成,杭州市第一人民医院,阿克苏市人民医院," + "长" * 201 + ",\n",
            [(2, "position")],
        ),
        ("姓名,派出单位,对口支援单位,电话\n季成,甲,乙,123\n", [(1, "电话")]),
        ("姓名,对口支援单位\n季成,乙\n", [(1, "sending_unit")]),
        ("姓名,姓名,派出单位,对口支援单位\n", [(1, "name")]),
        (HEADER, [(1, "file")]),
        ("", [(1, "file")]),
        ("\n\n", [(1, "file")]),
    ],
    ids=[
        "missing-name",
        "missing-unit",
        "blank-units",
        "bad-date",
        "nul",
        "over-long",
        "unknown-header",
        "missing-column",
        "repeated-header",
        "no-rows",
        "empty",
        "blank-lines",
    ],
)
def test_bad_csv_names_row_and_field(content, expected):
    assert errors_of(read_csv, content.encode()) == expected


def test_every_bad_row_is_reported_not_only_the_first():
    content = HEADER + "".join(
        f"人员{i},{'' if i % 3 == 0 else '甲'},乙,职务,\n" for i in range(1, 10)
    )
    assert errors_of(read_csv, content.encode()) == [
        (4, "sending_unit"),
        (7, "sending_unit"),
        (10, "sending_unit"),
    ]


def test_wrong_encoding_is_named():
    content = (HEADER + "季成,杭州市第一人民医院,阿克苏市人民医院,副院长,\n").encode(
        "gbk"
    )
    assert errors_of(read_csv, content) == [(1, "file")]


def test_not_an_xlsx_file_is_named():
    assert errors_of(read_xlsx, b"PK\x03\x04 not really a zip") == [(1, "file")]


def test_unknown_file_type_is_refused(tmp_path):
    path = tmp_path / "roster.doc"
    path.write_bytes(b"x")
    with pytest.raises(RosterFileError):
        read_roster(path)


def test_error_lines_say_row_field_and_reason():
    with pytest.raises(RosterFileError) as caught:
        read_roster_bytes(read_csv, (HEADER + "季成,,乙,副院长,\n").encode())
    assert str(caught.value) == "第2行 派出单位（sending_unit）：不能为空"


def test_rows_carry_the_canonical_name_of_every_format():
    """The padding of a press release is dropped on reading, whatever the
    file: the dry run, the admin preview and the database see one name."""
    csv_text = (
        "姓名,派出单位,对口支援单位\n"
        "季\u3000成,甲,乙\n"
        "阿依古丽 • 买买提,甲,乙\n"
        "Anna\u00a0Li,甲,乙\n"
    )
    assert [row.name for row in read_roster_bytes(read_csv, csv_text.encode())] == [
        "季成",
        "阿依古丽·买买提",
        "Anna Li",
    ]
    table = [["姓名", "派出单位", "对口支援单位"], ["陈\u00a0晶", "甲", "乙"]]
    (row,) = read_roster_bytes(read_xlsx, xlsx_bytes(table))
    assert row.name == "陈晶"
    rows = read_roster(DEMO_ROSTER)
    assert not [row.name for row in rows if " " in row.name or "\u00a0" in row.name]

"""Bad roster files, through every import path: nothing is written, and the
error names the row and the field.

Paths: the ``import_roster`` command (.txt, .csv, .xlsx) and the admin's
django-import-export import (.csv, .xlsx; preview, then confirm). The roster
tables and their history are compared, row for row, before and after.
"""

import errno
import hashlib
import re
import time
from datetime import date
from pathlib import Path
from unittest import mock

import pytest
from django.contrib import admin
from django.core import signing
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.urls import reverse

from personnel.importers import RowError
from personnel.models import Assignment, Batch, ImportJob, Person, Unit
from personnel.resources import RosterCSV
from tests.builders import PUBLISHER, make_staff, xlsx_bytes

pytestmark = pytest.mark.django_db

DEMO_ROSTER = Path(__file__).resolve().parents[2] / "demo" / "roster-batch10-term1.txt"
IMPORT_URL = "/admin/personnel/assignment/import/"
CONFIRM_URL = "/admin/personnel/assignment/process_import/"
HEADER = ["姓名", "派出单位", "对口支援单位", "职务", "到岗日期"]
# A row of the demo roster with another position: written, it would show.
CHANGED_ROW = ["季 成", "杭州市第一人民医院", "阿克苏市人民医院", "院长", "2021-07-01"]
GOOD_ROW = ["王 芳", "杭州第二中学", "阿克苏市实验中学", "数学教师", "2021-07-01"]
BIG = int(__import__("os").environ.get("ROSTER_BIG", "10000"))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红燕斌"


def roster_checksum():
    """sha256 of every row of the roster tables and their history, by pk."""
    digest = hashlib.sha256()
    for model in (Unit, Batch, Person, Assignment):
        for manager in (model._default_manager, model.history.model._default_manager):
            digest.update(manager.model._meta.label.encode())
            for row in manager.order_by("pk").values_list():
                digest.update(repr(row).encode())
    return digest.hexdigest()


def big_rows(count=BIG):
    """Deterministic rows: unique names, 97 sending and 31 receiving units."""
    rows = []
    for i in range(count):
        name = SURNAMES[i % 30] + GIVEN[i // 30 % 30] + GIVEN[i // 900 % 30]
        rows.append(
            [
                f"{name}{i // 27000 or ''}",
                f"杭州市第{i % 97 + 1}人民医院",
                f"阿克苏市第{i % 31 + 1}中学",
                f"教师{i}",
                f"2021-07-{i % 28 + 1:02d}",
            ]
        )
    return rows


def csv_bytes(rows, header=HEADER, encoding="utf-8-sig"):
    lines = [",".join(header), *(",".join(row) for row in rows)]
    return ("\n".join(lines) + "\n").encode(encoding)


def txt_bytes(units, encoding="utf-8"):
    """A press release: {receiving unit: [(name, sending unit, position)]}."""
    lines = ["杭州援疆干部人才名单", ""]
    for unit, people in units.items():
        lines += [f"对口支援单位:{unit}", "姓名\t派出单位\t对口支援单位职务"]
        lines += ["\t".join(person) for person in people]
    lines += ["来源:杭州日报"]
    return ("\n".join(lines) + "\n").encode(encoding)


GOOD_TXT_PEOPLE = [("王 芳", "杭州第二中学", "数学教师")]
LONG = "长" * 5000
HUGE = "长" * 200_000  # past the csv module's field limit (131072)

# name → (file name, content, [(row, field)] the message must name)
BAD_FILES = {
    "csv-missing-column": (
        "roster.csv",
        csv_bytes(
            [r[:1] + r[2:] for r in (GOOD_ROW, CHANGED_ROW)], HEADER[:1] + HEADER[2:]
        ),
        [(1, "sending_unit")],
    ),
    "csv-bad-date": (
        "roster.csv",
        csv_bytes([GOOD_ROW, [*CHANGED_ROW[:4], "2021-02-30"]]),
        [(3, "arrived_on")],
    ),
    "csv-nul": (
        "roster.csv",
        csv_bytes([GOOD_ROW, ["季\x00成", *CHANGED_ROW[1:]]]),
        [(3, "name")],
    ),
    "csv-long-cell": (
        "roster.csv",
        csv_bytes([GOOD_ROW, [CHANGED_ROW[0], LONG, *CHANGED_ROW[2:]]]),
        [(3, "sending_unit")],
    ),
    "csv-huge-cell": (
        "roster.csv",
        csv_bytes([GOOD_ROW, [CHANGED_ROW[0], HUGE, *CHANGED_ROW[2:]]]),
        [(3, "file")],
    ),
    "csv-duplicate-rows": (
        "roster.csv",
        csv_bytes([GOOD_ROW, CHANGED_ROW, ["季成", *CHANGED_ROW[1:]]]),
        [(4, "name")],
    ),
    "csv-gbk": (
        "roster.csv",
        csv_bytes([GOOD_ROW, CHANGED_ROW], encoding="gbk"),
        [(1, "file")],
    ),
    "csv-utf16": (
        "roster.csv",
        csv_bytes([GOOD_ROW, CHANGED_ROW], encoding="utf-16"),
        [(1, "file")],
    ),
    "csv-binary-junk": (
        "roster.csv",
        bytes(range(256)) * 8,
        [(2, "file")],  # the first byte that is not UTF-8 is on line 2
    ),
    "csv-empty": ("roster.csv", b"", [(1, "file")]),
    "csv-blank": ("roster.csv", b" \r\n\r\n", [(1, "file")]),
    "csv-header-only": ("roster.csv", csv_bytes([]), [(1, "file")]),
    "xlsx-missing-column": (
        "roster.xlsx",
        xlsx_bytes(
            [r[:1] + r[2:] for r in (GOOD_ROW, CHANGED_ROW)], HEADER[:1] + HEADER[2:]
        ),
        [(1, "sending_unit")],
    ),
    "xlsx-bad-date": (
        "roster.xlsx",
        xlsx_bytes([GOOD_ROW, [*CHANGED_ROW[:4], "2021年13月1日"]], HEADER),
        [(3, "arrived_on")],
    ),
    "xlsx-long-cell": (
        "roster.xlsx",
        xlsx_bytes([GOOD_ROW, [*CHANGED_ROW[:3], LONG, CHANGED_ROW[4]]], HEADER),
        [(3, "position")],
    ),
    "xlsx-duplicate-rows": (
        "roster.xlsx",
        xlsx_bytes([GOOD_ROW, CHANGED_ROW, ["季\u3000成", *CHANGED_ROW[1:]]], HEADER),
        [(4, "name")],
    ),
    "xlsx-binary-junk": ("roster.xlsx", bytes(range(256)) * 8, [(1, "file")]),
    "xlsx-csv-inside": ("roster.xlsx", csv_bytes([GOOD_ROW]), [(1, "file")]),
    "xlsx-truncated": (
        "roster.xlsx",
        xlsx_bytes([GOOD_ROW, CHANGED_ROW], HEADER)[:600],
        [(1, "file")],
    ),
    "xlsx-empty": ("roster.xlsx", b"", [(1, "file")]),
    "xlsx-header-only": ("roster.xlsx", xlsx_bytes([], HEADER), [(1, "file")]),
    "txt-incomplete-line": (
        "roster.txt",
        txt_bytes({"阿克苏市人民医院": [("季 成", "杭州市第一人民医院")]}),
        [(5, "sending_unit")],
    ),
    "txt-nul": (
        "roster.txt",
        txt_bytes({"阿克苏市人民医院": [("季\x00成", "杭州市第一人民医院", "院长")]}),
        [(5, "file")],
    ),
    "txt-long-cell": (
        "roster.txt",
        txt_bytes({"阿克苏市人民医院": [("季 成", "杭州市第一人民医院", LONG)]}),
        [(5, "position")],
    ),
    "txt-duplicate-rows": (
        "roster.txt",
        txt_bytes(
            {
                "阿克苏市人民医院": [
                    ("季 成", "杭州市第一人民医院", "院长"),
                    ("季成", "杭州市第一人民医院", "副院长"),
                ]
            }
        ),
        [(6, "name")],
    ),
    "txt-gbk": (
        "roster.txt",
        txt_bytes(
            {"阿克苏市人民医院": [("季 成", "杭州市第一人民医院", "院长")]}, "gbk"
        ),
        [(1, "file")],
    ),
    "txt-utf16": (
        "roster.txt",
        txt_bytes(
            {"阿克苏市人民医院": [("季 成", "杭州市第一人民医院", "院长")]}, "utf-16"
        ),
        [(1, "file")],
    ),
    "txt-binary-junk": ("roster.txt", bytes(range(1, 256)) * 8, [(2, "file")]),
    "txt-empty": ("roster.txt", b"", [(1, "file")]),
    "txt-no-roster": ("roster.txt", "只有一段正文。\n".encode(), [(1, "file")]),
}
ADMIN_FORMATS = {".csv": "csv", ".xlsx": "xlsx"}
# An empty upload is refused by Django's file field, before any reading.
ADMIN_EMPTY = {"csv-empty", "xlsx-empty"}


@pytest.fixture
def roster(db):
    """The demo roster, imported: bad files must leave it exactly as it is."""
    call_command("import_roster", str(DEMO_ROSTER), "--batch", "10", "--term", "首期")
    return roster_checksum()


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def names_row_and_field(text, row, field):
    return re.search(rf"第{row}行[^\n]*（{re.escape(field)}）", text) is not None


# The import_roster command


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_command_refuses_a_bad_file_and_writes_nothing(case, roster, tmp_path, capsys):
    name, content, expected = BAD_FILES[case]
    path = write(tmp_path, name, content)
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_roster", str(path), "--batch", "10", "--term", "首期")
    assert roster_checksum() == roster
    errors = capsys.readouterr().err
    for row, field in expected:
        assert names_row_and_field(errors, row, field), errors[:500]


def test_command_dry_run_of_a_good_file_writes_nothing(roster, tmp_path):
    path = write(tmp_path, "roster.csv", csv_bytes([GOOD_ROW, CHANGED_ROW]))
    call_command("import_roster", str(path), "--batch", "10", "--dry-run")
    assert roster_checksum() == roster


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".txt"])
def test_command_refuses_one_bad_row_among_ten_thousand(
    suffix, roster, tmp_path, capsys
):
    rows = big_rows()
    rows[7345][1] = ""  # line 7347 of a CSV or XLSX: the header is line 1
    if suffix == ".txt":
        rows[7345][1] = "长" * 101
        content = txt_bytes({"阿克苏市实验中学": [tuple(r[:2] + r[3:4]) for r in rows]})
        row = 7345 + 5  # two lines of title, the unit and header lines
    else:
        content = csv_bytes(rows) if suffix == ".csv" else xlsx_bytes(rows, HEADER)
        row = 7347
    path = write(tmp_path, "big" + suffix, content)
    with pytest.raises(CommandError):
        call_command("import_roster", str(path), "--batch", "11")
    assert roster_checksum() == roster
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert names_row_and_field(line, row, "sending_unit"), line


def test_command_imports_ten_thousand_good_rows_completely(roster, tmp_path, capsys):
    rows = big_rows()
    path = write(tmp_path, "big.csv", csv_bytes(rows))
    started = time.monotonic()
    call_command("import_roster", str(path), "--batch", "11", "--term", "首期")
    elapsed = time.monotonic() - started
    assert_imported(rows, batch=11)
    print(f"\nimport_roster: {BIG} rows in {elapsed:.1f} s")


def assert_imported(rows, *, batch):
    imported = set(
        Assignment.objects.filter(batch__number=batch).values_list(
            "person__name",
            "sending_unit__name",
            "receiving_unit__name",
            "position",
            "arrived_on",
        )
    )
    expected = {(*row[:4], date.fromisoformat(row[4])) for row in rows}
    assert imported == expected
    assert Person.objects.filter(assignments__batch__number=batch).count() == len(rows)
    assert Unit.objects.count() == len(set(Unit.objects.values_list("name_key")))


# The admin import (django-import-export): preview, then confirm


def admin_preview(client, name, content, *, batch="11"):
    response = client.get(IMPORT_URL)
    choices = response.context["form"].fields["format"].choices
    wanted = ADMIN_FORMATS[Path(name).suffix]
    format_index = next(v for v, label in choices if str(label).lower() == wanted)
    return client.post(
        IMPORT_URL,
        {
            "import_file": SimpleUploadedFile(name, content),
            "format": format_index,
            "resource": "0",
            "batch": batch,
            "term": "首期",
            "category": "",
        },
    )


def confirm_data(response):
    return {
        name: "" if value is None else value
        for name, value in response.context["confirm_form"].initial.items()
    }


def page_text(response):
    return response.content.decode()


ADMIN_CASES = [
    case for case, (name, *_) in BAD_FILES.items() if not name.endswith(".txt")
]


@pytest.mark.parametrize("case", ADMIN_CASES, ids=ADMIN_CASES)
def test_admin_import_refuses_a_bad_file_and_writes_nothing(case, roster, admin_client):
    name, content, expected = BAD_FILES[case]
    response = admin_preview(admin_client, name, content)
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    assert roster_checksum() == roster
    if case in ADMIN_EMPTY:
        assert "空文件" in str(response.context["form"].errors["import_file"])
        return
    for row, field in expected:
        assert admin_names_row_and_field(response, row, field), admin_errors(response)


def admin_names_row_and_field(response, row, field):
    """The page shows an error of that line of the file and that field, the
    field named in Chinese as the roster's header names it: a file error, a
    header error, or a row of the invalid-rows table."""
    label = RowError(row, field, "").label
    text = page_text(response)
    if label not in text:
        return False
    form = response.context.get("form")
    result = response.context.get("result")
    messages = [str(e) for e in form.errors.get("import_file", [])] if form else []
    if result is not None:
        messages += [str(e.error) for e in result.base_errors]
        for invalid in result.invalid_rows:
            if invalid.number == row and label in invalid.error_dict:
                return f"<td>{row} </td>" in text
    return any(
        re.search(rf"第{row}行 {re.escape(label)}[：（]", message)
        for message in messages
    )


def admin_errors(response):
    """What the import page says went wrong, for assertion messages."""
    form = response.context.get("form")
    result = response.context.get("result")
    parts = [str(form.errors) if form is not None else ""]
    if result is not None:
        parts += [str(e.error) for e in result.base_errors]
        parts += [f"{r.number}: {r.error_dict}" for r in result.invalid_rows[:5]]
    return "\n".join(parts)[:2000]


def test_admin_import_of_a_good_file_writes_on_confirm_only(roster, admin_client):
    response = admin_preview(
        admin_client, "roster.csv", csv_bytes([GOOD_ROW, CHANGED_ROW])
    )
    assert roster_checksum() == roster
    done = admin_client.post(CONFIRM_URL, confirm_data(response))
    assert done.status_code == 302
    assert (
        Assignment.objects.get(person__name="季成", batch__number=11).position == "院长"
    )


@pytest.mark.django_db(transaction=True)
def test_admin_import_previews_and_confirms_with_the_cache_down(
    use_redis, dead_port, admin_client
):
    use_redis(dead_port)
    response = admin_preview(admin_client, "roster.csv", csv_bytes([GOOD_ROW]))
    done = admin_client.post(CONFIRM_URL, confirm_data(response))
    assert done.status_code == 302
    assert Assignment.objects.get(batch__number=11).person.name == "王芳"


def test_admin_import_a_storage_cannot_keep_is_a_form_error(roster, admin_client):
    private = storages["private"]
    read_only = OSError(errno.EROFS, "Read-only file system")
    with mock.patch.object(type(private), "_save", side_effect=read_only):
        response = admin_preview(admin_client, "roster.csv", csv_bytes([GOOD_ROW]))
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    (error,) = response.context["form"].errors["import_file"]
    assert error == "文件未能暂存：服务器存储暂时不可写，请稍后重新上传。"
    assert roster_checksum() == roster


def test_admin_confirm_sent_twice_writes_once_and_does_not_fail(roster, admin_client):
    response = admin_preview(admin_client, "roster.csv", csv_bytes([GOOD_ROW]))
    data = confirm_data(response)
    assert admin_client.post(CONFIRM_URL, data).status_code == 302
    after_first = roster_checksum()
    again = admin_client.post(CONFIRM_URL, data, follow=True)
    assert again.status_code == 200
    assert roster_checksum() == after_first
    assert Assignment.objects.filter(person__name="王芳").count() == 1


@pytest.mark.parametrize(
    "forged",
    ["no-such-upload", "../../manage.py", ""],
    ids=["missing-upload", "path", "empty"],
)
def test_admin_confirm_of_a_forged_form_writes_nothing(forged, roster, admin_client):
    response = admin_preview(admin_client, "roster.csv", csv_bytes([GOOD_ROW]))
    data = {**confirm_data(response), "import_file_name": forged}
    response = admin_client.post(CONFIRM_URL, data)
    assert response.status_code == 302
    assert roster_checksum() == roster


@pytest.mark.parametrize("forged", ["7", "csv", "1"])
def test_a_forged_format_is_ignored(forged, roster, admin_client):
    """The token holds the format the preview read: the forged one changes
    nothing, and the file imports as previewed."""
    response = admin_preview(admin_client, "roster.csv", csv_bytes([GOOD_ROW]))
    data = {**confirm_data(response), "format": forged, "resource": forged}
    assert admin_client.post(CONFIRM_URL, data).status_code == 302
    assert Assignment.objects.get(person__name="王芳").position == "数学教师"


def private_files():
    root = Path(storages["private"].location)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_forged_confirm_naming_another_file_neither_reads_nor_deletes_it(
    roster, admin_client
):
    """The attack of the security review: a confirm naming a file of the
    temporary folder read it and deleted it."""
    victim = admin_preview(admin_client, "victim.csv", csv_bytes([CHANGED_ROW]))
    (victim_file,) = private_files()
    attacker = admin_preview(admin_client, "roster.csv", csv_bytes([GOOD_ROW]))
    data = confirm_data(attacker)
    data["import_file_name"] = victim_file.name
    response = admin_client.post(CONFIRM_URL, data, follow=True)
    assert response.status_code == 200
    assert "请重新选择文件导入" in response.content.decode()
    assert victim_file.exists()
    assert roster_checksum() == roster
    assert victim.status_code == 200


def test_a_confirm_is_bound_to_the_user_who_previewed_it(roster, client):
    first, second = (make_staff(PUBLISHER) for _ in range(2))
    client.force_login(first)
    data = confirm_data(admin_preview(client, "roster.csv", csv_bytes([GOOD_ROW])))
    client.force_login(second)
    response = client.post(CONFIRM_URL, data, follow=True)
    assert "请重新选择文件导入" in response.content.decode()
    assert roster_checksum() == roster
    assert len(private_files()) == 1, "the first user's upload is left alone"


def test_the_confirm_imports_what_was_previewed_whatever_the_form_says(
    roster, admin_client
):
    data = confirm_data(
        admin_preview(admin_client, "roster.csv", csv_bytes([GOOD_ROW]), batch="11")
    )
    forged = {
        **data,
        "batch": "12",
        "term": "二期",
        "category": "cadre",
        "left_on": "2022-01-01",
    }
    assert admin_client.post(CONFIRM_URL, forged).status_code == 302
    imported = Assignment.objects.get(person__name="王芳")
    assert (imported.batch.number, imported.term.name) == (11, "首期")
    assert imported.left_on is None
    assert not Batch.objects.filter(number=12).exists()


def test_an_expired_confirm_writes_nothing(roster, admin_client, monkeypatch):
    data = confirm_data(
        admin_preview(admin_client, "roster.csv", csv_bytes([GOOD_ROW]))
    )
    later = time.time() + 2 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = admin_client.post(CONFIRM_URL, data, follow=True)
    assert "请重新选择文件导入" in response.content.decode()
    assert roster_checksum() == roster


@pytest.mark.parametrize(
    "damage",
    [b"", b"\x00\xff not a roster", "姓名\n".encode()],
    ids=["empty", "binary", "header-only"],
)
def test_an_upload_damaged_before_the_confirm_is_a_message(
    roster, admin_client, damage
):
    data = confirm_data(
        admin_preview(admin_client, "roster.csv", csv_bytes([GOOD_ROW]))
    )
    (stored,) = private_files()
    stored.write_bytes(damage)
    response = admin_client.post(CONFIRM_URL, data, follow=True)
    assert response.status_code == 200
    assert "请重新选择文件导入" in response.content.decode()
    assert roster_checksum() == roster


def test_the_upload_waits_in_private_storage_not_in_the_cache(roster, admin_client):
    from django.core.cache import cache

    cache.clear()
    admin_preview(admin_client, "roster.csv", csv_bytes([GOOD_ROW]))
    assert len(private_files()) == 1
    assert not any("import" in str(key) for key in getattr(cache, "_cache", {}))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_admin_import_refuses_one_bad_row_among_ten_thousand(
    suffix, roster, admin_client, run_worker
):
    rows = big_rows()
    rows[7345][3] = "职" * 201
    content = csv_bytes(rows) if suffix == ".csv" else xlsx_bytes(rows, HEADER)
    response = admin_preview(admin_client, "big" + suffix, content)
    job = ImportJob.objects.get()
    assert response["Location"] == reverse(
        "admin:personnel_assignment_import_job", args=[job.pk]
    )
    run_worker()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REJECTED
    assert roster_checksum() == roster
    assert job.errors == [[7347, "position", "超过 200 个字符"]]
    page = admin_client.get(response["Location"]).content.decode()
    assert "<td>第7347行</td><td>职务</td><td>超过 200 个字符</td>" in page


def test_admin_checks_ten_thousand_good_rows_in_the_background(
    roster, admin_client, run_worker
):
    started = time.monotonic()
    response = admin_preview(admin_client, "big.csv", csv_bytes(big_rows()))
    elapsed = time.monotonic() - started
    assert response.status_code == 302, "the request does not wait for the check"
    started = time.monotonic()
    run_worker()
    checked = time.monotonic() - started
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.CHECKED
    assert job.report.startswith(f"{BIG} 行：新增人员 {BIG}")
    assert roster_checksum() == roster
    print(
        f"\nadmin import of {BIG} rows: the request {elapsed:.1f} s, "
        f"the check in the background {checked:.1f} s"
    )


def test_admin_confirm_imports_ten_thousand_good_rows_completely(
    roster, admin_client, admin_user
):
    """The confirm step alone: the upload stored as the preview stores it."""
    rows = big_rows()
    model_admin = admin.site._registry[Assignment]
    upload = SimpleUploadedFile("big.csv", csv_bytes(rows))
    stored = model_admin.write_to_tmp_storage(upload, RosterCSV())
    formats = [f.__name__ for f in model_admin.get_import_formats()]
    request = RequestFactory().post(CONFIRM_URL)
    request.user = admin_user
    values = {
        "import_file_name": stored.name,
        "original_file_name": "big.csv",
        "format": formats.index("RosterCSV"),
        "resource": "0",
        "batch": "11",
        "term": "首期",
        "category": "",
    }
    data = {"import_file_name": model_admin.upload_token(request, values)}
    started = time.monotonic()
    done = admin_client.post(CONFIRM_URL, data)
    elapsed = time.monotonic() - started
    assert done.status_code == 302
    assert_imported(rows, batch=11)
    print(f"\nadmin import confirm: {BIG} rows in {elapsed:.1f} s")


def test_admin_adding_a_unit_that_exists_is_a_form_error(roster, admin_client):
    """Units are one row per normalised name: a second one is refused by
    the form, not by the database's unique index (a 500)."""
    response = admin_client.post(
        "/admin/personnel/unit/add/",
        {"name": "阿克苏市 人民医院", "kind": "hospital"},
    )
    assert response.status_code == 200
    assert "已有单位“阿克苏市人民医院”" in response.content.decode()
    assert roster_checksum() == roster

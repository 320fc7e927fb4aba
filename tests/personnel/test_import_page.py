"""One admin import page for every roster format: the press-release .txt, CSV
and XLSX, told apart by the file's extension, with the same rules and errors
as import_roster; each format explained, with a sample file to download."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from aidportal.kernel.audit import AuditAction, AuditEntry
from personnel.models import Assignment
from tests.builders import xlsx_bytes

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/personnel/assignment/import/"
DEMO = "demo/roster-batch10-term1.txt"
PRESS_RELEASE = """杭州市援疆医生名单公布

对口支援单位：阿克苏市人民医院
姓名\t派出单位\t对口支援单位职务
季 成\t杭州市第一人民医院\t副院长
田春来
杭州市临安区人民医院
骨科副主任
来源：杭州日报
"""


def upload(client, name, content, **options):
    return client.post(
        IMPORT_URL,
        {
            "import_file": SimpleUploadedFile(name, content),
            "resource": "0",
            "batch": "10",
            "term": "首期",
            "category": "",
            **options,
        },
    )


def confirm(client, response):
    data = {
        name: "" if value is None else value
        for name, value in response.context["confirm_form"].initial.items()
    }
    return client.post("/admin/personnel/assignment/process_import/", data)


def file_errors(response):
    return response.context["form"].errors.get("import_file", [])


def test_a_press_release_is_previewed_then_imported(admin_client):
    with open(DEMO, "rb") as demo:
        response = upload(admin_client, "名单.TXT", demo.read())
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert len(result.valid_rows()) == 43
    assert not Assignment.objects.exists()

    assert confirm(admin_client, response).status_code == 302
    assigned = Assignment.objects.filter(batch__number=10, term__name="首期")
    assert assigned.count() == 43
    assert assigned.filter(person__name="季成").exists()


def test_a_press_release_row_error_names_its_line_in_the_file(admin_client):
    text = PRESS_RELEASE.replace("骨科副主任", "骨科副主任" + "长" * 200)
    response = upload(admin_client, "名单.txt", text.encode())
    (invalid,) = response.context["result"].invalid_rows
    # 田春来 starts on line 6 of the file, not on the dataset's second row.
    assert invalid.number == 6
    assert "职务" in str(invalid.error_dict)
    assert "超过 200 个字符" in str(invalid.error_dict)
    assert "confirm_form" not in response.context
    assert not Assignment.objects.exists()


def test_an_incomplete_press_release_row_is_a_file_error(admin_client):
    text = PRESS_RELEASE.replace("骨科副主任\n", "")
    response = upload(admin_client, "名单.txt", text.encode())
    (error,) = file_errors(response)
    assert error.startswith("第6行 职务：")
    assert "不完整" in error
    assert not Assignment.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("名单.doc", b"anything", "不支持“.doc”文件"),
        ("名单", b"anything", "不支持“无扩展名”文件"),
        ("名单.txt", b"", "空文件"),
        ("名单.csv", b"  \n", "文件是空的"),
        ("名单.xlsx", "姓名,派出单位\n".encode(), "不是有效的 .xlsx 文件"),
        (
            "名单.csv",
            "姓名,派出单位,对口支援单位\n季成,甲,乙\n".encode("gbk"),
            "不是 UTF-8",
        ),
        ("名单.txt", xlsx_bytes([["姓名"]]), "不是 UTF-8"),
    ],
    ids=[
        "other-extension",
        "no-extension",
        "empty",
        "blank",
        "not-xlsx",
        "gbk",
        "xlsx-as-txt",
    ],
)
def test_a_file_that_cannot_be_read_says_why_in_chinese(
    admin_client, name, content, message
):
    response = upload(admin_client, name, content)
    assert response.status_code == 200
    errors = " ".join(file_errors(response))
    assert message in errors
    assert not re.search(
        r"[A-Za-z]{4,}",
        errors.replace("UTF-8", "").replace("Excel", "").replace("xlsx", ""),
    ), errors
    assert "confirm_form" not in response.context
    assert not Assignment.objects.exists()


def test_a_file_too_big_is_refused_before_it_is_read(admin_client, settings):
    settings.ROSTER_IMPORT_MAX_BYTES = 2**20
    response = upload(admin_client, "名单.csv", b"x" * (2**20 + 1))
    assert "文件过大（1.0 MB）：最多 1 MB" in " ".join(file_errors(response))


def test_the_page_explains_each_format_and_links_its_sample(admin_client):
    page = admin_client.get(IMPORT_URL).content.decode()
    for text in ("新闻稿名单（.txt）", "对口支援单位：", "表格（.csv 或 .xlsx）"):
        assert text in page
    for column in ("姓名", "派出单位", "对口支援单位", "到岗日期", "离岗日期"):
        assert column in page
    for extension in ("txt", "csv", "xlsx"):
        url = reverse("admin:personnel_assignment_import_sample", args=[extension])
        assert f'href="{url}"' in page
    # No format to pick: the extension says it.
    assert 'name="format"' in page and 'type="hidden" name="format"' in page


def test_every_input_has_a_label_and_its_help_under_it(admin_client):
    page = admin_client.get(IMPORT_URL).content.decode()
    fields = ("import_file", "batch", "term", "category", "arrived_on", "left_on")
    for name in fields:
        assert f'<label for="id_{name}"' in page, name
    for name in ("import_file", "batch", "term", "arrived_on", "left_on"):
        assert f'aria-describedby="id_{name}_helptext"' in page, name
        # Django's admin layout: the help follows the input's flex container.
        row = page.split(f'class="form-row field-{name}')[1].split('class="form-row')[0]
        assert row.index(f'id="id_{name}"') < row.index('class="help"'), name


@pytest.mark.parametrize("extension", ["txt", "csv", "xlsx"])
def test_each_sample_downloads_and_imports(admin_client, extension):
    url = reverse("admin:personnel_assignment_import_sample", args=[extension])
    sample = admin_client.get(url)
    assert sample.status_code == 200
    assert f"roster-sample.{extension}" in sample["Content-Disposition"]

    response = upload(admin_client, f"roster-sample.{extension}", sample.content)
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert confirm(admin_client, response).status_code == 302
    assert Assignment.objects.filter(batch__number=10, term__name="首期").count() == 43


def test_samples_are_for_those_who_may_import(login):
    url = reverse("admin:personnel_assignment_import_sample", args=["csv"])
    assert login("reporter").get(url).status_code == 404
    assert login("editor").get(url).status_code == 200
    other = reverse("admin:personnel_assignment_import_sample", args=["exe"])
    assert login("editor").get(other).status_code == 404


def test_a_header_error_is_shown_in_chinese_without_a_traceback(admin_client):
    response = upload(
        admin_client, "名单.csv", "姓名,派出单位,手机号\n季成,甲,1\n".encode()
    )
    page = response.content.decode()
    assert "第1行 手机号：无法识别的列名" in page
    assert "第1行 对口支援单位：缺少此列" in page
    assert "Traceback" not in page and "RosterFileError" not in page
    assert not Assignment.objects.exists()


def test_a_press_release_needs_the_batch_on_the_form(admin_client):
    response = upload(admin_client, "名单.txt", PRESS_RELEASE.encode(), batch="")
    assert response.status_code == 200
    (error,) = response.context["form"].errors["batch"]
    assert "批次" in error and "新闻稿名单" in error
    assert "confirm_form" not in response.context and "result" not in response.context
    assert not Assignment.objects.exists()


def test_rows_without_a_batch_are_told_to_fill_in_the_form(admin_client):
    text = "姓名,派出单位,对口支援单位\n季成,甲医院,乙医院\n"
    response = upload(admin_client, "名单.csv", text.encode(), batch="")
    (invalid,) = response.context["result"].invalid_rows
    message = str(invalid.error_dict)
    assert "未指定批次：请在“批次”中填写，或在文件中加“批次”列" in message
    assert "--batch" not in response.content.decode()
    assert not Assignment.objects.exists()


def test_a_confirmed_import_is_an_entry_of_the_audit_log(admin_user):
    client = Client(REMOTE_ADDR="198.51.100.30")
    client.force_login(admin_user)
    preview = upload(client, "名单.txt", PRESS_RELEASE.encode())
    assert not AuditEntry.objects.filter(action=AuditAction.IMPORT).exists(), (
        "the preview imports nothing"
    )
    assert confirm(client, preview).status_code == 302
    # The same file again: the same two assignments, updated.
    again = upload(client, "名单.txt", PRESS_RELEASE.encode())
    assert confirm(client, again).status_code == 302
    first, second = AuditEntry.objects.filter(action=AuditAction.IMPORT).order_by("id")
    assert (first.user, first.address, first.content_type.model_class()) == (
        admin_user,
        "198.51.100.30",
        Assignment,
    )
    assert first.object_repr == "援疆任职"
    detail = {"file": "名单.txt", "format": "txt", "rows": 2}
    assert first.detail == {**detail, "added": 2, "changed": 0}
    assert second.detail == {**detail, "added": 0, "changed": 2}

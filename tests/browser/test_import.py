"""Staff import a roster in the admin: a broken file shows its row errors and
writes nothing; the demo roster as CSV shows a preview, then is imported."""

import csv
import io
import re

from django.contrib.auth.models import User

from aidportal.management.commands.load_demo import ROSTER_FILE
from personnel.importers import read_roster
from personnel.models import Assignment, Person
from tests.browser.conftest import DESKTOP, PHONE

HEADER = ["姓名", "派出单位", "对口支援单位", "职务"]


def roster_csv(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode()


def demo_roster_csv():
    """The demo press release (demo/roster-batch10-term1.txt) as a CSV."""
    return roster_csv(
        [row.name, row.sending_unit, row.receiving_unit, row.position]
        for row in read_roster(ROSTER_FILE)
    )


def upload(page, name, content):
    page.goto("/admin/personnel/assignment/import/")
    page.set_input_files(
        "#id_import_file",
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}],
    )
    format_field = page.locator("select#id_format")
    if format_field.count():
        format_field.select_option(label="csv")
    page.fill("#id_batch", "10")
    page.fill("#id_term", "首期")
    with page.expect_navigation():
        page.get_by_role("button", name="预览").click()


def test_staff_import_a_roster_with_preview_and_row_errors(
    roles, staff, open_page, log_in, screenshot
):
    page = open_page(DESKTOP)
    log_in(page, staff("发布", "fabu"))

    # A broken file: every bad row is reported, nothing is written.
    broken = roster_csv(
        [
            ["季 成", "杭州市第一人民医院", "阿克苏市人民医院", "副院长"],
            ["田春来", "", "阿克苏市人民医院", "骨科副主任"],
            ["", "杭州市中医院", "阿克苏市人民医院", "泌尿外科副主任"],
        ]
    )
    upload(page, "broken.csv", broken)
    errors = page.locator(".validation-error-container, .import-error-list, .errorlist")
    text = page.locator("#content").inner_text()
    assert errors.count() > 0, text
    assert "派出单位" in text and "姓名" in text
    assert page.locator("form input[name=original_file_name]").count() == 0
    screenshot(page, "admin-import-errors-desktop")
    assert Assignment.objects.count() == 0
    assert Person.objects.count() == 0

    # The demo roster: a preview of 43 new rows, then the import on confirm.
    upload(page, "roster-batch10-term1.csv", demo_roster_csv())
    preview = page.locator("table.import-preview")
    assert preview.locator("tbody tr").count() == 43
    assert "季成" in preview.inner_text()
    assert Assignment.objects.count() == 0
    screenshot(page, "admin-import-preview-desktop")
    page.locator("form [name=confirm], form input[type=submit]").last.click()
    page.wait_for_url("**/admin/personnel/assignment/")
    assert page.locator(".messagelist .success").count() == 1
    assert Assignment.objects.filter(batch__number=10, term__name="首期").count() == 43


# Latin words allowed on the import page: the formats' names.
FORMAT_WORDS = {"txt", "csv", "xlsx", "CSV", "UTF", "Excel"}


def english_words(text):
    return sorted(set(re.findall(r"[A-Za-z]{2,}", text)) - FORMAT_WORDS)


def test_staff_import_the_press_release_with_no_english_on_the_way(
    roles, staff, open_page, log_in, screenshot
):
    for viewport, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page = open_page(viewport)
        log_in(page, staff("发布", f"fabu{name}"))
        page.goto("/admin/personnel/assignment/import/")
        # The help text sits under its input, not off to the right of it.
        field = page.locator("#id_batch").bounding_box()
        help_text = page.locator("#id_batch_helptext").bounding_box()
        assert help_text["y"] >= field["y"] + field["height"] - 1
        assert abs(help_text["x"] - field["x"]) < 20, (help_text, field)
        screenshot(page, f"admin-import-page-{name}")

    page.set_input_files("#id_import_file", ROSTER_FILE)
    page.fill("#id_batch", "10")
    page.fill("#id_term", "首期")
    with page.expect_navigation():
        page.get_by_role("button", name="预览").click()
    preview = page.locator("table.import-preview")
    assert preview.locator("tbody tr").count() == 43
    content = page.locator("#content").inner_text()
    assert not english_words(content), english_words(content)
    screenshot(page, "admin-import-txt-preview-desktop")
    assert Assignment.objects.count() == 0

    page.locator("form input[type=submit]").last.click()
    page.wait_for_url("**/admin/personnel/assignment/")
    assert page.locator(".messagelist .success").count() == 1
    assert not english_words(page.locator(".messagelist").inner_text())
    assert Assignment.objects.filter(batch__number=10, term__name="首期").count() == 43


def test_a_long_roster_is_imported_by_a_background_job(
    roles, staff, open_page, log_in, screenshot, settings, run_worker
):
    settings.ROSTER_IMPORT_BACKGROUND_ROWS = 10
    page = open_page(DESKTOP)
    log_in(page, staff("发布", "fabu"))
    page.goto("/admin/personnel/assignment/import/")
    page.set_input_files("#id_import_file", ROSTER_FILE)
    page.fill("#id_batch", "10")
    page.fill("#id_term", "首期")
    with page.expect_navigation():
        page.get_by_role("button", name="预览").click()
    assert page.locator(".job-status").inner_text() == "检查中"
    assert page.locator("progress#job-progress").count() == 1
    screenshot(page, "admin-import-job-running-desktop")

    run_worker()
    page.reload()
    assert "43 行：新增人员 43" in page.locator("#content").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="确认导入").click()
    run_worker()
    page.reload()
    content = page.locator("#content").inner_text()
    assert "已导入：43 行" in content
    # The file's name is the staff member's own.
    content = content.replace(ROSTER_FILE.name, "")
    assert not english_words(content), english_words(content)
    screenshot(page, "admin-import-job-done-desktop")
    assert Assignment.objects.filter(batch__number=10, term__name="首期").count() == 43

    phone = open_page(PHONE)
    log_in(phone, User.objects.get(username="fabu"))
    phone.goto("/admin/personnel/assignment/import/jobs/")
    phone.get_by_role("link", name="roster-batch10-term1.txt").click()
    assert "已导入" in phone.locator(".job-status").inner_text()
    screenshot(phone, "admin-import-job-done-phone")

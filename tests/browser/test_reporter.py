"""A reporter searches the roster the ways people type a name, narrows it with
the facets and downloads what is on the screen."""

import csv

from openpyxl import load_workbook

from tests.browser.conftest import DESKTOP


def search(page, query):
    form = page.locator("form.roster-search")
    form.get_by_role("searchbox").fill(query)
    with page.expect_navigation():
        form.get_by_role("button", name="检索").click()
    return names_on(page)


def names_on(page):
    return page.locator(".roster-table td[data-label='姓名']").all_inner_texts()


def result_count(page):
    return int(page.locator(".result-summary strong").inner_text())


def download(page, link_name, extension):
    with page.expect_download() as info:
        page.locator(".downloads").get_by_role("link", name=link_name).click()
    assert info.value.suggested_filename.endswith(extension)
    return info.value.path()


def test_reporter_finds_people_narrows_and_exports(demo, open_page):
    page = open_page(DESKTOP)
    page.goto("/personnel/")
    assert result_count(page) == 43

    # The name as printed, without the padding space, in pinyin, by unit alias.
    for query in ("季成", "季 成", "jicheng", "杭一医"):
        assert search(page, query) == ["季成"], query
    assert search(page, "jc").count("季成") == 1

    # Facets narrow the whole roster step by step.
    page.goto("/personnel/")
    facets = page.get_by_role("complementary", name="筛选")
    facets.locator(".facet", has_text="类别").get_by_role("link", name="教育").click()
    page.wait_for_url("**category=*")
    education = result_count(page)
    assert 0 < education < 43
    facets.locator(".facet", has_text="对口支援单位").get_by_role(
        "link", name="阿克苏市实验中学"
    ).click()
    page.wait_for_url("**receiving_unit=*")
    shown = names_on(page)
    assert 0 < len(shown) == result_count(page) < education
    assert "褚楚" in shown
    active = page.locator(".active-filters").inner_text()
    assert "教育" in active and "阿克苏市实验中学" in active

    # The downloads hold the filtered rows, and nothing else.
    with open(download(page, "CSV", ".csv"), encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert sorted(row["姓名"] for row in rows) == sorted(shown)
    assert {row["对口支援单位"] for row in rows} == {"阿克苏市实验中学"}

    with open(download(page, "Excel（XLSX）", ".xlsx"), "rb") as f:
        sheet = load_workbook(f, read_only=True).active
        header, *data = sheet.iter_rows(values_only=True)
    name_column = header.index("姓名")
    assert sorted(row[name_column] for row in data) == sorted(shown)

"""Names as the programme writes them, and the words reporters type: the
canonical names (no press-release padding), unit aliases and batch words,
on a desktop and on a phone."""

import csv
import re

from tests.browser.conftest import DESKTOP, PHONE

# Whitespace a padded name would hold (the ASCII space, U+00A0, U+3000 …).
PADDING = re.compile(r"\s")
PEOPLE_LINKS = """
() => Array.from(document.querySelectorAll("main a[href]"))
  .filter((a) => /^\\/personnel\\/\\d+\\/$/.test(a.getAttribute("href")))
  .map((a) => a.textContent.trim())
"""


def search(page, query):
    """The names the roster lists for ``query``, typed into its search box."""
    form = page.locator("form.roster-search")
    form.get_by_role("searchbox").fill(query)
    with page.expect_navigation():
        form.get_by_role("searchbox").press("Enter")
    return people_listed(page)


def people_listed(page):
    return page.evaluate(PEOPLE_LINKS)


def search_examples(page):
    placeholder = page.locator("form.roster-search").get_by_role("searchbox")
    return placeholder.get_attribute("placeholder").removeprefix("如：").split("、")


def test_names_aliases_and_batch_words_on_desktop_and_phone(
    demo, open_page, screenshot
):
    page = open_page(DESKTOP)
    page.goto("/personnel/")
    listed = people_listed(page)
    assert len(listed) == 43
    assert "季成" in listed and "陈晶" in listed
    assert not [name for name in listed if PADDING.search(name)]

    # Every example the search box gives finds people.
    examples = search_examples(page)
    assert "浙大附中" in examples and "第十批" in examples
    for example in examples:
        assert search(page, example), example
    assert search(page, "浙大附中") == ["李鸣"]

    # Every spelling of a name, unit aliases, batch words.
    for query in ("季 成", "季\u3000成", "杭一医"):
        assert search(page, query) == ["季成"], query
    assert "董书琪" in search(page, "一院")
    for query in ("第十批", "十批", "10批"):
        assert len(search(page, query)) == 43, query

    # The download of that search carries the canonical names.
    with page.expect_download() as download:
        page.locator(".downloads").get_by_role("link", name="CSV").click()
    with open(download.value.path(), encoding="utf-8-sig", newline="") as f:
        exported = [row["姓名"] for row in csv.DictReader(f)]
    assert len(exported) == 43 and "季成" in exported
    assert not [name for name in exported if PADDING.search(name)]

    # The unit facet names a unit's aliases; the person page shows them.
    page.goto("/personnel/")
    sender = page.get_by_role("complementary", name="筛选").get_by_role(
        "link", name="杭州市第一人民医院"
    )
    assert sender.get_attribute("title") == "又称：杭州市一医院、市一医院、杭一医"
    search(page, "杭一医")
    page.locator("main").get_by_role("link", name="季成").click()
    page.wait_for_url("**/personnel/*/")
    assert page.locator("h1").inner_text() == "季成"
    assert page.get_by_text("又称：杭州市一医院、市一医院、杭一医").is_visible()
    assert page.get_by_text("又称：阿克苏市医院").is_visible()
    screenshot(page, "roster-names-person-desktop")

    phone = open_page(PHONE, phone=True)
    phone.goto("/personnel/")
    assert search(phone, "浙大附中") == ["李鸣"]
    assert search(phone, "季 成") == ["季成"]
    screenshot(phone, "roster-names-search-phone")
    phone.locator("main").get_by_role("link", name="季成").click()
    phone.wait_for_url("**/personnel/*/")
    aliases = phone.get_by_text("又称：杭州市一医院、市一医院、杭一医")
    assert aliases.is_visible()
    box = aliases.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    screenshot(phone, "roster-names-person-phone")

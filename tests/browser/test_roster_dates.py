"""The roster's 在岗 facet says what it counts, on a desktop and on a phone.

The demo batch is the reference article's: it came to Aksu in March 2020 and
its first term came home on 28 June 2021, so nobody of the 43 is in post
today and all 43 are on a day inside the term.
"""

import re

from tests.browser.conftest import DESKTOP, PHONE
from tests.builders import make_assignment, make_batch

TODAY = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日（今天）在岗情况 ")


def in_post_facet(page):
    """The 在岗 facet's text, spaces collapsed."""
    return " ".join(page.locator("section.facet-in-post").text_content().split())


def test_the_in_post_facet_says_what_it_counts(demo, open_page, screenshot):
    page = open_page(DESKTOP)
    page.goto("/personnel/")
    facet = page.locator("section.facet-in-post")
    assert facet.is_visible()
    text = in_post_facet(page)
    assert TODAY.match(text), text
    assert TODAY.sub("", text).startswith(
        "在岗 0 已离岗 43 日期不详 0 共 43 条任职记录"
    )
    screenshot(page, "roster-dates-desktop-today")

    # Nobody in post today: the list is empty, the facet still says why.
    facet.get_by_role("link", name="在岗").click()
    page.wait_for_url("**on=*")
    assert "0" in page.locator(".result-summary strong").inner_text()
    assert "已离岗 43" in in_post_facet(page)

    # A day inside the term, typed in the date box.
    page.get_by_label("在岗日期").fill("2021-01-01")
    with page.expect_navigation():
        page.locator("form.roster-search").get_by_role("button", name="检索").click()
    assert page.locator(".result-summary strong").inner_text() == "43"
    assert in_post_facet(page).startswith(
        "2021年1月1日在岗情况 在岗 43 已离岗 0 日期不详 0 共 43 条任职记录"
    )
    assert "2021年1月1日在岗" in page.locator(".active-filters").inner_text()
    screenshot(page, "roster-dates-desktop-in-term")

    phone = open_page(PHONE, phone=True)
    phone.goto("/personnel/?on=2021-01-01")
    assert in_post_facet(phone).startswith(
        "2021年1月1日在岗情况 在岗 43 已离岗 0 日期不详 0 共 43 条任职记录"
    )
    phone.locator("section.facet-in-post").scroll_into_view_if_needed()
    assert phone.locator("section.facet-in-post").is_visible()
    width = phone.evaluate(
        "document.querySelector('section.facet-in-post').getBoundingClientRect().right"
    )
    assert width <= PHONE["width"], "the facet fits the phone's width"
    screenshot(phone, "roster-dates-phone-in-term")
    phone.goto("/personnel/")
    assert TODAY.sub("", in_post_facet(phone)).startswith("在岗 0 已离岗 43")

    # A batch without any date: no facet, no date box; beside the dated demo
    # rows, its row is counted as 日期不详.
    make_assignment(name="无日期者", batch=make_batch(9))
    for each in (page, phone):
        each.goto("/personnel/?batch=9")
        assert "无日期者" in each.locator("main").inner_text()
        assert each.locator("section.facet-in-post").count() == 0
        assert each.get_by_label("在岗日期").count() == 0
        each.goto("/personnel/")
        assert "日期不详 1 共 44 条" in in_post_facet(each)
    screenshot(phone, "roster-dates-phone-today")

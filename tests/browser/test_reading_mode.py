"""长者模式 and the public pages' accessibility (issue 19): the reading-mode
toolbar by keyboard, the mode kept from page to page, pages that fit a phone
in the largest mode, print (axe on every kind of public page in every mode:
test_accessibility.py)."""

import json

from articles.models import Article
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_accessibility import public_pages

KEY = "aidportal-reading-mode"
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
BODY_SIZE = "parseFloat(getComputedStyle(document.body).fontSize)"
MODES = {
    "normal": {"size": "normal", "contrast": False, "spacing": False},
    "xlarge": {"size": "xlarge", "contrast": False, "spacing": True},
    "contrast": {"size": "normal", "contrast": True, "spacing": False},
}


def in_mode(page, mode):
    """Every page of this context opens in ``mode``, as a returning reader's
    browser has it stored."""
    page.context.add_init_script(
        f"window.localStorage.setItem({json.dumps(KEY)}, "
        f"{json.dumps(json.dumps(mode))});"
    )


def html_classes(page):
    return set(page.evaluate("document.documentElement.className").split())


def pressed(page, name):
    toolbar = page.get_by_role("group", name="长者模式与无障碍阅读设置")
    return toolbar.get_by_role("button", name=name, exact=True).get_attribute(
        "aria-pressed"
    )


def test_the_toolbar_works_by_keyboard_and_the_mode_stays(
    demo, open_page, screenshot, browser, live_server
):
    page = open_page(DESKTOP)
    page.goto("/")
    standard = page.evaluate(BODY_SIZE)
    assert pressed(page, "标准") == "true"
    # Skip link first, then the toolbar: 标准, 大, 特大.
    page.keyboard.press("Tab")
    for _ in range(3):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "特大"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # 高对比度
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # 行距加宽
    assert {"js", "text-xlarge", "contrast-high", "spacing-wide"} <= html_classes(page)
    assert [pressed(page, name) for name in ("标准", "大", "特大")] == [
        "false",
        "false",
        "true",
    ]
    assert pressed(page, "高对比度") == pressed(page, "行距加宽") == "true"
    assert page.evaluate(BODY_SIZE) >= 1.5 * standard

    # The next page, and the same page reloaded, open in that mode.
    page.get_by_role("navigation", name="栏目导航").get_by_role(
        "link", name="人才名录"
    ).click()
    page.wait_for_url("**/personnel/")
    assert {"text-xlarge", "contrast-high", "spacing-wide"} <= html_classes(page)
    assert pressed(page, "特大") == pressed(page, "高对比度") == "true"
    assert page.evaluate(BODY_SIZE) >= 1.5 * standard
    page.reload()
    assert {"text-xlarge", "contrast-high", "spacing-wide"} <= html_classes(page)
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
    screenshot(page, "roster-xlarge-contrast-desktop")

    # Back to the standard style, also by keyboard.
    page.get_by_role("button", name="标准", exact=True).focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="高对比度", exact=True).press("Enter")
    assert not {"text-xlarge", "contrast-high"} & html_classes(page)
    assert page.evaluate(BODY_SIZE) == standard
    assert pressed(page, "标准") == "true"
    assert pressed(page, "特大") == pressed(page, "高对比度") == "false"

    # Without JavaScript the toolbar's buttons would do nothing: not shown
    # (the bar stays for the 繁體 link, test_traditional.py).
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/")
        assert page.locator("[data-reading-mode]").count() == 1
        assert not page.locator("[data-reading-mode]").is_visible()
        assert page.get_by_role("button", name="特大").count() == 0
    finally:
        context.close()


def test_every_public_page_fits_a_phone_in_the_largest_modes(
    demo, open_page, screenshot
):
    pages = public_pages()
    for contrast in (False, True):
        page = open_page(PHONE, phone=True)
        in_mode(page, {**MODES["xlarge"], "contrast": contrast})
        for name, url in pages.items():
            page.goto(url)
            assert "text-xlarge" in html_classes(page)
            assert page.evaluate(BODY_SIZE) >= 24, name
            overflow = page.evaluate(OVERFLOW)
            assert overflow <= 0, f"{name} ({url}) scrolls sideways by {overflow}px"
            if name in ("home", "article") and not contrast:
                screenshot(page, f"{name}-xlarge-phone")


def test_a_printed_article_has_its_address_and_no_navigation(demo, open_page):
    page = open_page(PHONE, phone=True)
    article = Article.objects.published().order_by("-published_at").first()
    page.goto(article.get_absolute_url())
    qr = page.get_by_role("img", name="本文网址二维码：扫码在手机上阅读")
    assert qr.is_visible()
    assert qr.bounding_box()["width"] >= 100
    line = page.locator(".print-url")
    assert not line.is_visible()
    assert page.locator(".reading-bar").is_visible()

    page.emulate_media(media="print")
    for hidden in (
        ".reading-bar",
        ".channel-nav",
        ".header-search",
        ".breadcrumbs",
        ".site-footer",
        ".prev-next",
    ):
        assert not page.locator(hidden).is_visible(), hidden
    assert line.is_visible()
    assert line.inner_text() == f"本文网址：{page.url}"
    assert page.locator("h1").is_visible()
    # On paper too: a reader scans it to open the article on a phone.
    assert qr.is_visible()

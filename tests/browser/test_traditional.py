"""The 繁體 version on a phone: the header's switch, a search typed in
traditional characters, and the way back to 简体."""

from tests.browser.conftest import PHONE


def test_a_reader_switches_to_traditional_searches_and_switches_back(
    demo, open_page, axe, screenshot
):
    page = open_page(PHONE, phone=True)
    page.goto("/personnel/")
    page.get_by_role("link", name="繁體").click()
    page.wait_for_url("**/zh-hant/personnel/")
    assert page.locator("html").get_attribute("lang") == "zh-Hant-TW"
    assert page.locator("h1").inner_text().startswith("援疆幹部人才名錄")
    nav = page.get_by_role("navigation", name="欄目導航")
    assert (
        nav.get_by_role("link", name="人才名錄").get_attribute("aria-current") == "page"
    )

    # Typed in traditional characters, found in the simplified roster.
    search = page.get_by_role("search", name="檢索名錄")
    search.get_by_role("searchbox").fill("張林")
    search.get_by_role("button").first.click()
    page.wait_for_url("**/zh-hant/personnel/?*")
    rows = page.locator(".roster-table tbody tr", has=page.get_by_role("link"))
    assert rows.count() >= 1
    assert "張林" in rows.first.inner_text()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the 繁體 roster scrolls sideways by {overflow}px"
    screenshot(page, "roster-traditional-phone")
    axe.assert_clean(page)

    # A person's page stays in 繁體; the switch leads to the same page in 简体.
    rows.first.get_by_role("link").first.click()
    page.wait_for_url("**/zh-hant/personnel/*/")
    page.get_by_role("link", name="簡體").click()
    page.wait_for_url("**/personnel/*/")
    assert "/zh-hant/" not in page.url
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert "张林" in page.locator("h1").inner_text()


def test_the_switch_works_without_javascript(demo, browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto("/")
        assert not page.get_by_role("button", name="特大").is_visible()
        page.get_by_role("link", name="繁體").click()
        page.wait_for_url("**/zh-hant/")
        assert page.get_by_role("link", name="簡體").is_visible()
    finally:
        context.close()

"""The site map and the footer's record on a phone."""

from tests.browser.conftest import PHONE


def test_the_site_map_fits_a_phone_and_passes_axe(demo, open_page, axe, screenshot):
    page = open_page(PHONE, phone=True)
    page.goto("/")
    footer = page.locator("footer")
    assert "浙ICP备00000000号-1" in footer.inner_text()
    assert "演示数据" in footer.inner_text()
    footer.get_by_role("link", name="网站地图").click()
    page.wait_for_url("**/site-map/")
    assert page.locator("h1").inner_text() == "网站地图"
    for name in ("援建故事", "全部援建项目", "援疆干部人才名录", "站内检索"):
        assert page.locator("main").get_by_role("link", name=name).first.is_visible()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"/site-map/ scrolls sideways by {overflow}px"
    screenshot(page, "site-map-phone")
    axe.assert_clean(page)

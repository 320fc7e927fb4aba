"""The site map and the footer's record on a phone; the record's admin form."""

from django.contrib.auth.models import User

from aidportal.models import SiteRegistry
from tests.browser.conftest import DESKTOP, PASSWORD, PHONE


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


def test_a_superuser_edits_the_record_in_an_accessible_form(
    demo, open_page, log_in, axe
):
    user = User.objects.create_superuser("root", password=PASSWORD)
    page = open_page(DESKTOP)
    log_in(page, user)
    page.get_by_role("link", name="网站信息").first.click()
    page.wait_for_url("**/admin/aidportal/siteregistry/1/change/")
    axe.assert_clean(page)
    page.get_by_label("ICP备案号").fill("浙ICP备1234号")
    page.get_by_role("button", name="保存", exact=True).click()
    page.locator(".errorlist").first.wait_for()
    errors = page.locator(".errorlist").all_inner_texts()
    assert any(error.startswith("ICP备案号格式不对") for error in errors), errors
    axe.assert_clean(page)
    assert SiteRegistry.objects.get().icp_number == "浙ICP备00000000号-1"

"""A visitor on a desktop and on a phone: home → channel → article → project →
person → roster, by clicking links as a reader does."""

import pytest

from tests.browser.conftest import DESKTOP, PHONE

IMAGES = """() => Array.from(document.images).map((img) => ({
  src: img.currentSrc || img.src,
  alt: img.getAttribute("alt"),
  loaded: img.complete && img.naturalWidth > 0,
  rendition: img.parentElement.tagName === "PICTURE",
}))"""


def check_page(page):
    """What every public page owes its reader: no sideways scrolling, every
    picture loaded, described, and served as a rendition."""
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"
    for img in page.locator("img").all():
        img.scroll_into_view_if_needed()
    page.wait_for_load_state("networkidle")
    images = page.evaluate(IMAGES)
    for image in images:
        assert image["loaded"], f"{page.url}: {image['src']} did not load"
        assert image["alt"], f"{page.url}: {image['src']} has no alt text"
        if image["rendition"]:
            assert "/media/renditions/" in image["src"], image["src"]
    return images


@pytest.mark.parametrize(
    ("device", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)]
)
def test_visitor_reads_from_home_to_the_roster(
    demo, open_page, screenshot, device, viewport
):
    page = open_page(viewport, phone=device == "phone")
    page.goto("/")
    assert page.locator(".site-header").get_by_text("杭州援疆").first.is_visible()
    nav = page.get_by_role("navigation", name="栏目导航")
    for name in ("首页", "援阿概况", "援建故事", "援建项目", "人才名录"):
        assert nav.get_by_role("link", name=name, exact=True).count() == 1
    images = check_page(page)
    assert any(image["rendition"] for image in images)
    assert "本站内容由杭州市援疆指挥部编辑发布" in page.locator("footer").inner_text()
    screenshot(page, f"home-{device}")

    # A channel from the navigation.
    nav.get_by_role("link", name="援建故事", exact=True).click()
    page.wait_for_url("**/channels/stories/")
    assert page.locator("h1").inner_text() == "援建故事"
    assert nav.get_by_role("link", name="援建故事").get_attribute("aria-current")
    breadcrumbs = page.get_by_role("navigation", name="您现在的位置")
    assert breadcrumbs.get_by_role("link", name="首页").get_attribute("href") == "/"
    check_page(page)
    screenshot(page, f"channel-{device}")

    # An article of the channel: cover, captions, credits.
    title = "从一台膝关节置换手术说起：杭州援疆医生的南疆时光"
    page.locator("main .card-title").get_by_role("link", name=title).click()
    page.wait_for_url("**/articles/*/")
    assert page.locator("h1").inner_text() == title
    cover = page.locator("figure.article-cover")
    assert cover.locator("picture img").get_attribute("alt")
    assert cover.locator("figcaption").inner_text()
    assert page.locator(".gallery figcaption").count() >= 1
    credits = page.locator(".article-credits").inner_text()
    for label in ("来源：", "作者：", "编辑："):
        assert label in credits
    assert (
        page.get_by_role("navigation", name="您现在的位置")
        .get_by_role("link", name="援建故事")
        .get_attribute("href")
        == "/channels/stories/"
    )
    check_page(page)
    screenshot(page, f"article-{device}")

    # Its project: the facts table and the people who worked on it.
    page.locator(".related-block").get_by_role(
        "link", name="“组团式”医疗援疆：多院帮科·专科联盟"
    ).click()
    page.wait_for_url("**/projects/*/")
    facts = page.locator("table.project-facts")
    assert facts.locator("caption").inner_text() == "项目概况"
    assert "援助类型" in facts.inner_text()
    check_page(page)
    screenshot(page, f"project-{device}")

    page.get_by_role("region", name="相关援疆人员").get_by_role(
        "link", name="季成"
    ).click()
    page.wait_for_url("**/personnel/*/")
    assert page.locator("h1").inner_text() == "季成"
    assert "阿克苏市人民医院" in page.locator("table").inner_text()
    check_page(page)
    screenshot(page, f"person-{device}")

    # Back up the breadcrumbs to the roster.
    page.get_by_role("navigation", name="您现在的位置").get_by_role(
        "link", name="援疆干部人才名录"
    ).click()
    page.wait_for_url("**/personnel/")
    assert page.locator("h1").inner_text() == "援疆干部人才名录"
    rows = page.locator(".roster-table tbody tr:not(.group-row)")
    assert rows.count() == 43
    header_shown = page.locator(".roster-table thead").is_visible()
    if device == "phone":
        # A table on a desktop, a stack of cards on a phone.
        assert not header_shown
        first = rows.first.bounding_box()
        assert first["width"] <= PHONE["width"]
        assert rows.first.locator("td").nth(1).bounding_box()["y"] > first["y"] + 10
    else:
        assert header_shown
    check_page(page)
    screenshot(page, f"roster-{device}")

    nav.get_by_role("link", name="援建项目").click()
    page.wait_for_url("**/projects/")
    assert page.locator("h1").inner_text() == "援建项目"
    assert page.locator(".project-card").count() == 5
    check_page(page)
    screenshot(page, f"projects-{device}")

    page.get_by_role("search").get_by_role("searchbox").fill("季成")
    page.get_by_role("search").get_by_role("button").click()
    page.wait_for_url("**/search/?q=*")
    assert page.locator(".search-results").get_by_role("link", name="季成").count()
    check_page(page)
    screenshot(page, f"search-{device}")

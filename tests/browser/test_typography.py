"""Figures a reporter can copy, Chinese typography and the first paint, in
Chromium: the demo's projects page on a phone and a desktop, its home and an
article page on a phone."""

import re
from decimal import Decimal

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.builders import make_project

# Every figure with its unit in the text of the main column, and the lines it
# is laid out on: a Range over the figure has one client rect per line box.
FIGURE_LINES = r"""() => {
  const figure = /\d+(?:\.\d+)?(?:万|亿)?(?:元|平方米|人|个项目)/g;
  const walker = document.createTreeWalker(
    document.querySelector("main"), NodeFilter.SHOW_TEXT);
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement.checkVisibility()) continue;
    for (const match of node.data.matchAll(figure)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set(
        Array.from(range.getClientRects(), (rect) => Math.round(rect.top)));
      found.push({text: match[0], lines: tops.size});
    }
  }
  return found;
}"""

# Layout shifts since the page started loading (no user input involved).
LAYOUT_SHIFT = """() => new Promise((resolve) => {
  new PerformanceObserver((list) => {
    resolve(list.getEntries().reduce((sum, entry) => sum + entry.value, 0));
  }).observe({type: "layout-shift", buffered: true});
  setTimeout(() => resolve(0), 500);
})"""


def sideways_scroll(page):
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.mark.parametrize(
    ("device", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)]
)
def test_project_figures_stay_with_their_units_and_the_chart_adds_up(
    demo, open_page, screenshot, device, viewport
):
    # The longest kind of figure: 13.18万平方米 of floor area in all.
    make_project(name="阿克苏市体育中心", floor_area=Decimal("125000"))
    page = open_page(viewport, phone=device == "phone")
    response = page.goto("/projects/")
    assert response.headers.get("content-encoding") == "gzip"
    assert sideways_scroll(page) <= 0

    figures = page.evaluate(FIGURE_LINES)
    texts = {figure["text"] for figure in figures}
    for expected in ("35.58亿元", "35.3亿元", "2791万元", "13.18万平方米", "1029人"):
        assert expected in texts, expected
    broken = [figure["text"] for figure in figures if figure["lines"] != 1]
    assert not broken, f"figures split over two lines: {broken}"

    # The chart: one bar per year and one for the projects of no year, the
    # total beside its title, the widest bar the largest amount.
    chart = page.get_by_role("region", name="按年份的投资")
    labels = chart.locator(".bar-label").all_inner_texts()
    assert labels == ["2020年", "年份未注明"]
    assert "合计 35.58亿元，6个项目" in chart.locator("h2").inner_text()
    values = chart.locator(".bar-value").all_inner_texts()
    assert values == ["2791万元 · 1个项目", "35.3亿元 · 5个项目"]
    widths = [bar.bounding_box()["width"] for bar in chart.locator("rect").all()]
    assert widths[1] > 50 * widths[0]
    screenshot(page, f"typography-projects-{device}")


def test_home_and_article_paint_first_cover_first_and_credit_no_one_empty(
    demo, open_page, screenshot
):
    page = open_page(PHONE, phone=True)
    response = page.goto("/")
    assert response.headers.get("content-encoding") == "gzip"
    assert sideways_scroll(page) <= 0

    # The first cover is fetched at once, the others as they come near.
    images = page.locator("main img")
    assert images.first.get_attribute("loading") == "eager"
    assert images.first.get_attribute("fetchpriority") == "high"
    assert {img.get_attribute("loading") for img in images.all()[1:]} == {"lazy"}
    # Covers keep their box while they load: nothing moves when they arrive.
    for img in images.all():
        img.scroll_into_view_if_needed()
    page.wait_for_load_state("networkidle")
    assert page.evaluate(LAYOUT_SHIFT) < 0.01

    # A cover link is named by the headline; the picture keeps its description.
    cover = page.locator("a.card-cover").first
    card = cover.locator("xpath=..")
    title = card.locator(".card-title a").inner_text()
    assert card.get_by_role("link", name=title, exact=True).count() == 2
    assert cover.locator("img").get_attribute("alt") not in ("", title)
    screenshot(page, "typography-home-phone")

    # The demo's article of 28 June has no author: no "作者" with nothing after.
    page.get_by_role(
        "link", name="第十批首期78名援疆教育医疗人才圆满返杭"
    ).first.click()
    page.wait_for_url("**/articles/*/")
    credits = page.locator(".article-credits").inner_text()
    assert "来源：杭州日报" in credits
    assert "编辑：高婷婷" in credits
    assert "作者" not in page.locator("main").inner_text()
    assert (
        re.search(r"[\u4e00-\u9fff][,:;()]", page.locator("main").inner_text()) is None
    )
    assert sideways_scroll(page) <= 0
    screenshot(page, "typography-article-phone")

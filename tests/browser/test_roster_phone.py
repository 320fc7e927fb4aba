"""The roster on a phone and every facet value within reach: the demo's 43
people fit a few screens, the filters are one tap away, the downloads come
first after the search form, every channel is on screen, and the sending-unit
facet lists all of its units behind 更多."""

from personnel.models import Assignment
from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS

# The roster down to the end of its filters: the site footer below it, the
# same on every page (the registry the inspection asks for), is not counted.
MAX_PHONE_HEIGHT = 4350
HEIGHT = (
    "document.querySelector('main').getBoundingClientRect().bottom + window.scrollY"
)
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
# What the Tab key reaches after the search button, in order, as
# "<class of the nearest element with one>|<text>".
TAB_STEPS = """() => {
  const el = document.activeElement;
  const marked = el.closest("[class]");
  return `${marked ? marked.className : ""}|${el.textContent.trim()}`;
}"""


def sending_units_of_the_public_roster():
    return Assignment.objects.published().values("sending_unit").distinct().count()


def assert_no_sideways_scroll(page):
    overflow = page.evaluate(OVERFLOW)
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def on_screen(box, viewport):
    """Whether the box lies wholly inside the viewport."""
    return (
        0 <= box["x"] <= viewport["width"] - box["width"]
        and 0 <= box["y"] <= viewport["height"] - box["height"]
    )


def tab_stops_after(page, start, count):
    start.focus()
    stops = []
    for _ in range(count):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(TAB_STEPS))
    return stops


def test_the_demo_roster_fits_a_phone(demo, open_page, screenshot):
    page = open_page(PHONE, phone=True)
    page.goto("/personnel/")
    height = page.evaluate(HEIGHT)
    screenshot(page, "roster-phone-compact")
    assert height <= MAX_PHONE_HEIGHT, f"the phone roster is {height}px tall"
    assert_no_sideways_scroll(page)

    # Every channel on screen, in at most two rows.
    nav = page.get_by_role("navigation", name="栏目导航")
    links = nav.get_by_role("link").all()
    assert len(links) == 11
    rows = set()
    for link in links:
        assert link.is_visible(), link.inner_text()
        box = link.bounding_box()
        assert on_screen(box, PHONE), (link.inner_text(), box)
        rows.add(round(box["y"]))
    assert len(rows) <= 2, f"the navigation takes {len(rows)} rows"

    # A compact row: the name and the position on one line, units below.
    first = page.locator(".roster-table tbody tr:not(.group-row)").first
    name = first.locator("td[data-label='姓名']").bounding_box()
    position = first.locator("td[data-label='职务']").bounding_box()
    sending = first.locator("td[data-label='派出单位']").bounding_box()
    assert abs(position["y"] - name["y"]) < name["height"] / 2
    assert sending["y"] >= name["y"] + name["height"] - 1

    # The result count, the downloads and the filter button share the first
    # screen, and the downloads come right after the search form.
    summary = page.locator(".result-summary")
    button = summary.get_by_role("link", name="筛选")
    assert button.is_visible()
    for part in (summary.locator("strong"), summary.locator(".downloads"), button):
        box = part.bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"], box
    stops = tab_stops_after(
        page, page.locator("form.roster-search").get_by_role("button"), 4
    )
    first_row = next(
        (i for i, stop in enumerate(stops) if stop.startswith("roster")), None
    )
    assert first_row is not None, f"no roster row four tabs after the search: {stops}"
    before_rows = stops[:first_row]
    assert sum(stop.startswith("downloads") for stop in before_rows) == 2, stops
    assert not any(stop.startswith("facet") for stop in before_rows), stops

    # The button brings the filters onto the screen.
    button.click()
    page.wait_for_url("**#filters")
    facets = page.get_by_role("complementary", name="筛选")
    top = facets.bounding_box()["y"]
    assert 0 <= top < PHONE["height"] / 2, top
    assert facets.get_by_role("link").first.is_visible()
    # What the phone shows after the tap (the screen, not the whole page).
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "roster-phone-filters.png")

    # 更多 lists every sending unit, without script.
    sending_facet = facets.locator(".facet", has_text="派出单位")
    assert sending_facet.get_by_role("link").count() == 10
    sending_facet.get_by_text("更多").click()
    shown = sending_facet.get_by_role("link").count()
    assert shown == sending_units_of_the_public_roster() == 42
    assert_no_sideways_scroll(page)


def test_every_sending_unit_is_reachable_on_a_desktop(demo, open_page, screenshot):
    page = open_page(DESKTOP)
    page.goto("/personnel/")
    facets = page.get_by_role("complementary", name="筛选")
    results = page.locator(".roster-results")
    # The filters stay a column beside the results; no filter button needed.
    assert (
        facets.bounding_box()["x"] + facets.bounding_box()["width"]
        <= (results.bounding_box()["x"])
    )
    assert not results.get_by_role("link", name="筛选").is_visible()
    assert page.locator(".roster-table thead").is_visible()

    sending_facet = facets.locator(".facet", has_text="派出单位")
    # Hidden links (the closed 更多) are not counted.
    assert sending_facet.get_by_role("link").count() == 10
    more = sending_facet.locator("summary")
    assert "更多" in more.inner_text()
    more.click()
    links = sending_facet.get_by_role("link").all()
    assert len(links) == sending_units_of_the_public_roster() == 42
    assert all(link.is_visible() for link in links)
    screenshot(page, "roster-desktop-more")

    # A unit from the longer list narrows the roster to its people.
    last = links[-1]
    unit = last.inner_text()
    expected = int(last.locator("xpath=..").locator(".count").inner_text())
    with page.expect_navigation():
        last.click()
    assert int(page.locator(".result-summary strong").inner_text()) == expected
    assert unit in page.locator(".active-filters").inner_text()
    assert_no_sideways_scroll(page)

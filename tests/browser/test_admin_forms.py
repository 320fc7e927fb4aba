"""Admin forms that fit: no change form scrolls sideways at 1,280 px or on a
phone, headlines get the form's whole width, list titles show at least 20
characters, the roster lists people by pinyin with a search hint, and a page
does not jump sideways as it opens."""

import pytest

from articles.models import Article, Channel
from personnel.models import Assignment, Batch, Person, Unit
from projects.models import Project
from tests.browser.conftest import DESKTOP, PHONE


def first_pk(model):
    return model.objects.order_by("pk").values_list("pk", flat=True).first()


CHANGE_FORMS = {
    "article": Article,
    "project": Project,
    "person": Person,
    "assignment": Assignment,
    "unit": Unit,
    "batch": Batch,
    "channel": Channel,
}

WIDTHS = """() => ({
  page: document.documentElement.scrollWidth,
  window: window.innerWidth,
  inlines: Math.max(0, ...Array.from(
    document.querySelectorAll(".inline-group .tabular"),
    (box) => box.scrollWidth - box.clientWidth)),
})"""


def change_url(model):
    meta = model._meta
    return f"/admin/{meta.app_label}/{meta.model_name}/{first_pk(model)}/change/"


@pytest.mark.parametrize(
    "viewport,phone", [(DESKTOP, False), (PHONE, True)], ids=["desktop", "phone"]
)
def test_change_forms_do_not_scroll_sideways(
    viewport, phone, demo, staff, open_page, log_in, screenshot
):
    page = open_page(viewport, phone=phone)
    log_in(page, staff("发布", "fabu"))
    too_wide = {}
    for name, model in CHANGE_FORMS.items():
        page.goto(change_url(model))
        page.wait_for_load_state("load")
        screenshot(page, f"admin-{name}-{'phone' if phone else 'desktop'}")
        widths = page.evaluate(WIDTHS)
        if widths["page"] > widths["window"] or widths["inlines"]:
            too_wide[name] = widths
    assert not too_wide, f"change forms or their inlines too wide: {too_wide}"


@pytest.mark.parametrize(
    "viewport,phone,least",
    [(DESKTOP, False, 600), (PHONE, True, 300)],
    ids=["desktop", "phone"],
)
def test_headline_inputs_use_the_whole_form(
    viewport, phone, least, demo, staff, open_page, log_in
):
    page = open_page(viewport, phone=phone)
    log_in(page, staff("发布", "fabu"))
    page.goto(change_url(Article))
    for field in ("#id_title", "#id_subtitle"):
        assert page.locator(field).bounding_box()["width"] >= least, field
    page.goto(change_url(Project))
    assert page.locator("#id_name").bounding_box()["width"] >= least


def test_list_titles_show_twenty_characters(demo, staff, open_page, log_in):
    page = open_page(DESKTOP)
    log_in(page, staff("发布", "fabu"))
    for url, cell in [
        # The title is the row's link: a th, or a td when it is not.
        ("/admin/articles/article/", ".field-title"),
        ("/admin/projects/project/", ".field-name"),
    ]:
        page.goto(url)
        first = page.locator(f"#result_list {cell}").first
        font = first.evaluate("cell => parseFloat(getComputedStyle(cell).fontSize)")
        assert first.bounding_box()["width"] >= 20 * font, url


def test_people_listed_by_pinyin_with_a_search_hint(demo, staff, open_page, log_in):
    page = open_page(DESKTOP)
    log_in(page, staff("发布", "fabu"))
    page.goto("/admin/personnel/person/?all=")
    shown = page.locator("#result_list td.field-name, #result_list th.field-name")
    names = [name.strip() for name in shown.all_inner_texts()]
    by_pinyin = list(
        Person.objects.order_by("pinyin", "name_key", "id").values_list(
            "name", flat=True
        )
    )
    assert names == by_pinyin
    # Code-point order is another order for the demo roster.
    assert names != sorted(names)
    assert "姓名、拼音、首字母" in page.locator("#searchbar_helptext").inner_text()

    page.goto("/admin/personnel/assignment/")
    assert "姓名、拼音、首字母" in page.locator("#searchbar_helptext").inner_text()


# How far the page moved since it began (Chrome's layout shifts, summed: its
# "cumulative layout shift"), and what moved: by now the page has loaded and
# its deferred scripts have run. A glyph settling moves it by 0.0001 or so;
# the sidebar appearing late moved it by 0.19 to 0.65.
LAYOUT_SHIFT = """() => new Promise((resolve) => {
  const shift = {total: 0, moved: []};
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      shift.total += entry.value;
      for (const source of entry.sources) {
        if (source.node && source.node.nodeType === 1) {
          shift.moved.push(source.node.outerHTML.slice(0, 60));
        }
      }
    }
  }).observe({type: "layout-shift", buffered: true});
  setTimeout(() => resolve(shift), 200);
})"""
STILL = 0.01


@pytest.mark.parametrize("model", [Article, Project, Person])
def test_admin_pages_open_with_the_sidebar_already_in_place(
    demo, staff, open_page, log_in, model
):
    """The sidebar is drawn open (or closed, as staff left it) from the first
    paint: the page under it no longer jumps 276 px to the right once the
    scripts run, moving the row staff were about to click."""
    page = open_page(DESKTOP)
    log_in(page, staff("发布", "fabu"))
    meta = model._meta
    page.goto(f"/admin/{meta.app_label}/{meta.model_name}/")
    shift = page.evaluate(LAYOUT_SHIFT)
    assert shift["total"] < STILL, shift
    assert page.locator("#nav-sidebar").is_visible()

    # Closed by staff, it stays closed, again without a jump.
    page.locator("#toggle-nav-sidebar").click()
    page.reload()
    shift = page.evaluate(LAYOUT_SHIFT)
    assert shift["total"] < STILL, shift
    assert not page.locator("#nav-sidebar").is_visible()

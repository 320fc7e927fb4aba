"""axe-core on every kind of public page (issue 19), desktop and phone, in the
standard, 特大 and high-contrast reading modes: no serious or critical
violation anywhere, none at all on the home page, an article and the roster;
in 特大 no page scrolls sideways on a 390 px phone.

A desktop page and a phone page open each address once and go through the
modes with the toolbar's buttons (the page is not reloaded, so axe is loaded
into it once); the two are audited side by side, in parallel. Every violation
found, of any impact, is written to artifacts/axe.json for people to look at.
test_reading_mode.py checks that a stored mode applies from the first paint."""

import json

from django.conf import settings

from articles.models import Article
from personnel.models import Person
from projects.models import Project
from tests.browser.conftest import DESKTOP, PHONE

# Each mode and the classes reading-mode.js sets on <html> for it.
MODES = {
    "normal": ({"size": "normal", "contrast": False, "spacing": False}, set()),
    # 特大 with the wider line spacing: the longest lines a reader can ask for.
    "xlarge": (
        {"size": "xlarge", "contrast": False, "spacing": True},
        {"text-xlarge", "spacing-wide"},
    ),
    "contrast": (
        {"size": "normal", "contrast": True, "spacing": False},
        {"contrast-high"},
    ),
}
MODE_CLASSES = set().union(*(classes for _, classes in MODES.values()))
DEVICES = {"desktop": DESKTOP, "phone": PHONE}
# The pages the issue names: no violation of any impact, in every mode.
STRICT = ("home", "article", "roster", "home-traditional")
STATUS = {"404": 404, "400": 400}
SCROLL_WIDTH = "document.documentElement.scrollWidth"
REPORT = settings.BASE_DIR / "artifacts" / "axe.json"


def public_pages():
    """One address of each kind the public reads, from the demo content."""
    article = Article.objects.published().order_by("-published_at").first()
    person = Person.objects.published().order_by("pk").first()
    project = Project.objects.published().order_by("pk").first()
    return {
        "home": "/",
        "channel": article.channel.get_absolute_url(),
        "articles": "/articles/",
        "article": article.get_absolute_url(),
        "projects": "/projects/",
        "project": project.get_absolute_url(),
        "roster": "/personnel/",
        "roster-search": "/personnel/?q=杭州",
        "roster-facet": "/personnel/?category=medical",
        "person": person.get_absolute_url(),
        "search": "/search/?q=援疆",
        "site-map": "/site-map/",
        "home-traditional": "/zh-hant/",
        "roster-traditional": "/zh-hant/personnel/?q=張林",
        "404": "/no-such-page/",
        "400": "/search/?q=援疆&type=nonsense",
    }


# The toolbar's own buttons, pressed as a reader does (reading-mode.js
# applies and stores the mode).
SET_MODE = """mode => {
  const bar = document.querySelector("[data-reading-mode]");
  bar.querySelector(`[data-text-size="${mode.size}"]`).click();
  for (const button of bar.querySelectorAll("[data-toggle]")) {
    const on = button.getAttribute("aria-pressed") === "true";
    if (on !== mode[button.dataset.toggle]) button.click();
  }
  return document.documentElement.className;
}"""


def by_impact(violations):
    """``{"serious": ["link-in-text-block"], …}``: the rule ids by impact."""
    rules = {}
    for violation in violations:
        rules.setdefault(violation["impact"], []).append(violation["id"])
    return rules


def set_mode(page, mode_name):
    """Switch ``page`` to the mode; what is wrong before any audit (the mode
    not applied, sideways scrolling in 特大 on the phone)."""
    mode, expected = MODES[mode_name]
    problems = []
    classes = set(page.evaluate(SET_MODE, mode).split()) & MODE_CLASSES
    if classes != expected:
        problems.append(f"<html> has {sorted(classes)}, not {sorted(expected)}")
    width = page.viewport_size["width"]
    if mode_name == "xlarge" and width == PHONE["width"]:
        # Against the viewport's width, not innerWidth: a phone browser
        # widens the layout viewport to a page that overflows it.
        overflow = page.evaluate(SCROLL_WIDTH) - width
        if overflow > 0:
            problems.append(f"scrolls sideways by {overflow}px")
    return problems


def test_every_public_page_passes_axe_on_desktop_and_phone_in_every_mode(
    demo, open_page, axe
):
    tabs = {
        device: open_page(viewport, phone=device == "phone")
        for device, viewport in DEVICES.items()
    }
    found, failures = {}, []
    for name, url in public_pages().items():
        for device, tab in tabs.items():
            status = tab.goto(url).status
            if status != STATUS.get(name, 200):
                failures.append(f"{name} ({url}, {device}): answered {status}")
        for mode_name in MODES:
            for device, tab in tabs.items():
                for problem in set_mode(tab, mode_name):
                    failures.append(f"{name} ({url}, {device}, {mode_name}): {problem}")
            audits = axe.side_by_side(list(tabs.values()), axe.ALL_IMPACTS)
            impacts = axe.ALL_IMPACTS if name in STRICT else axe.IMPACTS
            for device, violations in zip(tabs, audits, strict=True):
                found[f"{name} {device} {mode_name}"] = by_impact(violations)
                failing = [v for v in violations if v["impact"] in impacts]
                if failing:
                    failures.append(
                        f"{name} ({url}, {device}, {mode_name}):\n{axe.report(failing)}"
                    )
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(found, ensure_ascii=False, indent=1), "utf-8")
    assert not failures, "\n".join(failures)

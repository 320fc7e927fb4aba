"""Real-browser tests: Playwright drives Debian's Chromium against a live server.

Every test here is marked ``browser`` and skipped, with the reason in the
summary, when there is no Chromium (``AIDPORTAL_CHROMIUM``, default
/usr/bin/chromium) or no Playwright. Pages are opened through ``open_page``,
which fails the test on any console error, uncaught exception or CSP
violation on any page it visited.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.builders import ensure_roles

# Playwright's sync API runs an event loop in this thread, and Django refuses
# ORM calls from a thread with a running loop; the tests' ORM calls are plain
# synchronous code between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - requirements.txt installs it
    sync_playwright = None

CHROMIUM = os.environ.get("AIDPORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
]
HERE = Path(__file__).parent
SCREENSHOTS = Path(
    os.environ.get(
        "AIDPORTAL_SCREENSHOTS", Path(settings.BASE_DIR) / "artifacts" / "screenshots"
    )
)
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PASSWORD = "browser-test-Pa55"


def skip_reason():
    if sync_playwright is None:
        return (
            "browser tests skipped: Playwright is not installed "
            "(pip install -r requirements.txt)"
        )
    if not (os.access(CHROMIUM, os.X_OK) or shutil.which(CHROMIUM)):
        return (
            f"browser tests skipped: no Chromium at {CHROMIUM} "
            "(apt-get install -y chromium, or set AIDPORTAL_CHROMIUM)"
        )
    return ""


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: drives Chromium through Playwright (tests/browser)"
    )


def pytest_collection_modifyitems(config, items):
    reason = skip_reason()
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


def pytest_terminal_summary(terminalreporter):
    browser = [
        report
        for key in ("passed", "failed", "skipped", "error")
        for report in terminalreporter.stats.get(key, [])
        if "tests/browser/" in getattr(report, "nodeid", "")
    ]
    if not browser:
        return
    reason = skip_reason()
    if reason:
        terminalreporter.write_line(reason, yellow=True, bold=True)
    else:
        terminalreporter.write_line(
            f"browser tests ran in Chromium ({CHROMIUM}); screenshots in {SCREENSHOTS}"
        )


# Browser and pages


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


class PageProblems:
    """Console errors, uncaught exceptions and CSP violations of a page."""

    def __init__(self):
        self.problems = []

    def watch(self, page):
        def on_console(message):
            if message.type == "error" and not self.own_status(page, message):
                self.problems.append(f"{page.url}: console error: {message.text}")

        page.on("console", on_console)
        page.on(
            "pageerror",
            lambda error: self.problems.append(f"{page.url}: uncaught: {error}"),
        )
        return page

    @staticmethod
    def own_status(page, message):
        """Chrome's "Failed to load resource" for the page itself: a 404 or 400
        page a test opens on purpose (and checks the status of). A picture or
        script of the page that fails to load is still a problem."""
        return (
            message.text.startswith("Failed to load resource")
            and message.location.get("url") == page.url
        )


# Chrome reports a CSP violation as a console error ("Refused to ..."); the
# event makes sure one that Chrome only reports to the page is caught too.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(
    `CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


@pytest.fixture
def open_page(browser, live_server):
    """``open_page(viewport=DESKTOP)`` → a new page in a fresh context (its own
    cookies). At the end of the test, any console error, uncaught exception
    or CSP violation on any page visited fails the test."""
    problems = PageProblems()
    contexts = []

    def open_page(viewport=DESKTOP, phone=False):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            is_mobile=phone,
            has_touch=phone,
            accept_downloads=True,
        )
        context.set_default_timeout(15_000)
        context.add_init_script(CSP_LISTENER)
        contexts.append(context)
        return problems.watch(context.new_page())

    yield open_page
    for context in contexts:
        context.close()
    assert not problems.problems, "\n".join(problems.problems)


@pytest.fixture
def screenshot():
    """``screenshot(page, "article-phone")`` saves a full-page PNG in
    artifacts/screenshots/ (git-ignored), for people to look at."""

    def save(page, name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    return save


# Data


@pytest.fixture
def roles(transactional_db):
    """The newsroom groups: a migration creates them, and the flush after each
    live-server test removes them."""
    ensure_roles()


@pytest.fixture
def demo(roles):
    call_command("load_demo", verbosity=0)


@pytest.fixture
def staff(roles):
    """``staff("编辑", "bianji")`` → a staff user in that group, with PASSWORD."""
    from django.contrib.auth.models import Group, User

    def make(role, username):
        user = User.objects.create_user(
            username=username, password=PASSWORD, is_staff=True
        )
        user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def log_in():
    """``log_in(page, user)`` through the admin's login form, in Chinese."""

    def log_in(page, user):
        page.goto("/admin/")
        assert "登录" in page.title()
        page.get_by_label("用户名").fill(user.username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url("**/admin/")
        assert "站点管理" in page.title() or "内容管理" in page.inner_text("body")

    return log_in


# Accessibility


# axe-core from npm, at the version package-lock.json pins: make test installs
# it (npm ci) into node_modules/, which is never served to visitors.
AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"


class AxeAudit:
    """axe-core run in a page.

    ``axe.violations(page)`` → axe's violations of the given impacts (critical
    and serious unless told), each a dict as axe reports it;
    ``axe.side_by_side(pages)`` → the same for several pages, audited at once;
    ``axe.report(violations)`` → one readable paragraph per rule: its impact,
    id, help text and the first few offending elements with axe's summary;
    ``axe.assert_clean(page)`` fails the test with that report.

    The script is evaluated through the DevTools protocol, not added as a
    ``<script>``: the pages' CSP refuses inline scripts, and the protocol's
    evaluation is not subject to it, so the audit sees the page as a visitor
    gets it, policy included.
    """

    IMPACTS = ("critical", "serious")
    ALL_IMPACTS = ("critical", "serious", "moderate", "minor")

    def __init__(self, script=AXE_SCRIPT):
        if not script.exists():
            pytest.fail(
                f"axe-core is not installed ({script} is missing): "
                "run make test, which runs npm ci (apt-get install -y nodejs npm)",
                pytrace=False,
            )
        self.source = script.read_text(encoding="utf-8")

    def violations(self, page, impacts=IMPACTS):
        return self.side_by_side([page], impacts)[0]

    def side_by_side(self, pages, impacts=IMPACTS):
        """Each page's violations. axe starts in every page before any result
        is awaited: pages of different browser contexts have renderer
        processes of their own, so their audits run in parallel."""
        for page in pages:
            if not page.evaluate("typeof window.axe === 'object'"):
                page.evaluate(self.source)
            page.evaluate(
                "() => { window.axeResults = axe.run(document,"
                " {resultTypes: ['violations']}); }"
            )
        return [
            [
                violation
                for violation in page.evaluate("window.axeResults")["violations"]
                if violation["impact"] in impacts
            ]
            for page in pages
        ]

    @staticmethod
    def report(violations, nodes_shown=5):
        lines = []
        for violation in violations:
            nodes = violation["nodes"]
            lines.append(
                f"[{violation['impact']}] {violation['id']}: {violation['help']} "
                f"({len(nodes)} elements)"
            )
            for node in nodes[:nodes_shown]:
                target = " ".join(str(part) for part in node["target"])
                summary = " ".join(node.get("failureSummary", "").split())
                lines.append(f"    {target}: {summary}")
            if len(nodes) > nodes_shown:
                lines.append(f"    … and {len(nodes) - nodes_shown} more")
        return "\n".join(lines)

    def assert_clean(self, page, impacts=IMPACTS):
        violations = self.violations(page, impacts)
        assert not violations, f"axe on {page.url}:\n{self.report(violations)}"


@pytest.fixture(scope="session")
def axe():
    """The axe-core audit (AxeAudit): ``axe.assert_clean(page)`` fails on any
    critical or serious violation, listing each rule and element."""
    return AxeAudit()

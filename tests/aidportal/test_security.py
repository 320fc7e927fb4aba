"""Content-Security-Policy and the other security headers, the production
settings, and the throttling of admin logins (django-axes)."""

import json
import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from tests.builders import (
    make_article,
    make_article_image,
    make_assignment,
    make_channel,
    make_project,
    nonce_of,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def content():
    """One of each public thing, so that every page has something to show."""
    channel = make_channel(name="援疆动态", slug="news")
    project = make_project(name="阿克苏市第一人民医院门诊楼")
    assignment = make_assignment(name="季成")
    article = make_article(title="援疆医生完成首台手术", channel=channel)
    article.projects.add(project)
    article.people.add(assignment.person)
    make_article_image(article)
    return {
        "channel": channel,
        "article": article,
        "project": project,
        "person": assignment.person,
    }


PUBLIC_PAGES = {
    "home": lambda c: reverse("home"),
    "channel": lambda c: c["channel"].get_absolute_url(),
    "article-list": lambda c: reverse("articles:list"),
    "article": lambda c: c["article"].get_absolute_url(),
    "project-list": lambda c: reverse("projects:list"),
    "project": lambda c: c["project"].get_absolute_url(),
    "roster": lambda c: reverse("personnel:list"),
    "person": lambda c: c["person"].get_absolute_url(),
    "search": lambda c: reverse("search") + "?q=x",
    "search-hit": lambda c: reverse("search") + "?q=援疆",
    "404": lambda c: "/no-such-page/",
}
PUBLIC_STATUS = {"404": 404}

ADMIN_PAGES = {
    "index": lambda c: reverse("admin:index"),
    "article-changelist": lambda c: reverse("admin:articles_article_changelist"),
    "article-add": lambda c: reverse("admin:articles_article_add"),
    "article-change": lambda c: reverse(
        "admin:articles_article_change", args=[c["article"].pk]
    ),
    "project-change": lambda c: reverse(
        "admin:projects_project_change", args=[c["project"].pk]
    ),
    "person-change": lambda c: reverse(
        "admin:personnel_person_change", args=[c["person"].pk]
    ),
}


def policy(response):
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = {}
    for part in filter(str.strip, header.split(";")):
        name, *sources = part.split()
        directives[name] = sources
    return directives


class ScriptParser(HTMLParser):
    """Every <script> of a page: its attributes and its inline text."""

    def __init__(self):
        super().__init__()
        self.scripts = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append({"attrs": dict(attrs), "text": ""})
            self._in_script = True

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1]["text"] += data


def scripts(response):
    parser = ScriptParser()
    parser.feed(response.content.decode())
    return parser.scripts


def assert_strict_script_policy(response):
    directives = policy(response)
    script_src = directives["script-src"]
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    # Scripts from this site, or inline ones carrying the request's nonce.
    assert "'self'" in script_src
    assert all(s == "'self'" or s.startswith("'nonce-") for s in script_src)
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]


def assert_security_headers(response):
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


# Public pages


@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_public_page_has_a_strict_policy_and_security_headers(client, content, page):
    response = client.get(PUBLIC_PAGES[page](content))
    assert response.status_code == PUBLIC_STATUS.get(page, 200)
    assert_strict_script_policy(response)
    assert_security_headers(response)


@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_public_page_has_no_inline_script(client, content, page):
    response = client.get(PUBLIC_PAGES[page](content))
    for script in scripts(response):
        assert script["attrs"].get("src"), script
        assert not script["text"].strip(), script


# Admin pages


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admin_page_has_a_strict_policy_and_security_headers(
    admin_client, content, page
):
    response = admin_client.get(ADMIN_PAGES[page](content))
    assert response.status_code == 200
    assert_strict_script_policy(response)
    assert_security_headers(response)


def test_admin_login_page_has_a_strict_policy_and_security_headers(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 200
    assert_strict_script_policy(response)
    assert_security_headers(response)


@pytest.mark.parametrize("page", ["article-add", "article-change", "project-change"])
def test_editor_import_map_carries_the_nonce_of_the_policy(admin_client, content, page):
    response = admin_client.get(ADMIN_PAGES[page](content))
    nonce = nonce_of(response)
    import_maps = [
        s for s in scripts(response) if s["attrs"].get("type") == "importmap"
    ]
    assert len(import_maps) == 1
    [import_map] = import_maps
    assert import_map["attrs"].get("nonce") == nonce
    assert "django-prose-editor/editor" in json.loads(import_map["text"])["imports"]


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_every_inline_admin_script_carries_the_nonce(admin_client, content, page):
    response = admin_client.get(ADMIN_PAGES[page](content))
    script_src = policy(response)["script-src"]
    for script in scripts(response):
        if script["attrs"].get("src"):
            continue
        assert f"'nonce-{script['attrs'].get('nonce')}'" in script_src, script


def test_nonce_changes_from_request_to_request(admin_client, content):
    url = ADMIN_PAGES["article-change"](content)
    assert nonce_of(admin_client.get(url)) != nonce_of(admin_client.get(url))


# Production settings


def production_settings(*names):
    """The values of some settings with DJANGO_DEBUG=0, read in a new process."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST"))
    }
    environment.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50)[:50],
        DJANGO_ALLOWED_HOSTS="aid.example.org",
    )
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}, "
        "default=str))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_turns_on_https_only_settings():
    values = production_settings(
        "DEBUG",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "X_FRAME_OPTIONS",
        "CONTENT_SECURITY_POLICY",
    )
    assert values["DEBUG"] is False
    assert values["SECURE_HSTS_SECONDS"] > 0
    assert values["SECURE_HSTS_SECONDS"] >= 180 * 24 * 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    script_src = values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["script-src"]
    assert "'unsafe-inline'" not in script_src


# Login throttling (django-axes)

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def staff():
    """Two staff members who may log in to the admin."""
    users = get_user_model().objects
    return [
        users.create_user(username=name, password=PASSWORD, is_staff=True)
        for name in ("editor", "publisher")
    ]


def log_in(client, username, password, **extra):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        **extra,
    )


def logged_in(client):
    return "_auth_user_id" in client.session


def fail_five_times(client, username="editor", **extra):
    for attempt in range(1, 6):
        response = log_in(client, username, f"wrong-{attempt}", **extra)
        if attempt < 5:
            assert response.status_code == 200  # the form again, with an error
        assert not logged_in(client)


def assert_locked_out(response, client):
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert not logged_in(client)


def test_right_password_logs_in(client, staff):
    response = log_in(client, "editor", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_five_failures_lock_out_even_the_right_password(client, staff):
    fail_five_times(client)
    response = log_in(client, "editor", PASSWORD)
    assert_locked_out(response, client)
    assert client.get(reverse("admin:index")).status_code == 302  # to the login


def test_four_failures_do_not_lock_out(client, staff):
    for attempt in range(4):
        log_in(client, "editor", f"wrong-{attempt}")
    assert log_in(client, "editor", PASSWORD).status_code == 302
    assert logged_in(client)


def test_lockout_is_of_the_username_from_that_address(client, staff):
    fail_five_times(client, "editor", REMOTE_ADDR="203.0.113.7")
    assert_locked_out(
        log_in(client, "editor", PASSWORD, REMOTE_ADDR="203.0.113.7"), client
    )
    response = log_in(client, "publisher", PASSWORD, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302


def test_an_outsider_cannot_lock_a_staff_member_out(client, staff):
    """Five posts with a known username from the outsider's address leave
    the staff member, at their own address, able to log in."""
    fail_five_times(client, "editor", REMOTE_ADDR="203.0.113.7")
    response = log_in(client, "editor", PASSWORD, REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 302
    assert logged_in(client)


# Behind a reverse proxy: the client address from X-Forwarded-For


PROXY = "10.0.0.2"


def through_proxy(client_address, forged=""):
    """What one nginx (proxy_add_x_forwarded_for) passes on: whatever the
    client sent in the header, then the address it saw."""
    hops = f"{forged}, {client_address}" if forged else client_address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": hops}


def test_behind_a_proxy_one_clients_failures_lock_only_that_client(
    client, staff, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    fail_five_times(client, "editor", **through_proxy("203.0.113.7"))
    response = log_in(client, "editor", PASSWORD, **through_proxy("198.51.100.9"))
    assert response.status_code == 302, "staff behind the same proxy log in"
    assert logged_in(client)


def test_behind_a_proxy_forged_hops_do_not_change_the_address(client, staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for attempt in range(5):
        forged = f"192.0.2.{attempt}, 8.8.8.{attempt}"
        log_in(client, "editor", "wrong", **through_proxy("203.0.113.7", forged))
    response = log_in(
        client, "editor", PASSWORD, **through_proxy("203.0.113.7", "192.0.2.99")
    )
    assert_locked_out(response, client)


def test_without_a_proxy_the_forwarded_header_is_ignored(client, staff):
    for attempt in range(5):
        log_in(
            client,
            "editor",
            "wrong",
            REMOTE_ADDR="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}",
        )
    response = log_in(client, "editor", PASSWORD, REMOTE_ADDR="203.0.113.7")
    assert_locked_out(response, client)


def test_axes_reset_unlocks(client, staff):
    fail_five_times(client)
    assert_locked_out(log_in(client, "editor", PASSWORD), client)
    call_command("axes_reset", verbosity=0)
    response = log_in(client, "editor", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("admin:index")
    assert logged_in(client)


def test_lockout_page_has_the_policy_too(client, staff):
    for _ in range(6):
        response = log_in(client, "editor", "wrong")
    assert response.status_code == 429
    assert_strict_script_policy(response)
    assert_security_headers(response)

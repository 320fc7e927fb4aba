"""The nginx configuration kept in deploy/nginx/: the one docs/deploy.md shows,
and what it does in front of an app that gets its headers wrong.

The upstream here is a scripted server, not the portal: it marks every answer
``public, max-age=60``, says whom it answered and sends no ``Vary: Cookie``.
Whatever an app sends, nginx must neither keep a staff answer nor answer
staff from its cache, and must keep nothing of the admin or the media gate.
"""

import re
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from aidportal.management.commands.nginx_config import (
    NGINX,
    PLACEHOLDER,
    TEMPLATES,
    render,
    write_config,
)
from bench.common import nginx
from tests.deploy.http import get
from tests.services import free_port

ROOT = Path(__file__).resolve().parents[2]
NGINX_BLOCK = re.compile(r"```nginx\n(.*?)```", re.DOTALL)


def test_the_deploy_guide_shows_the_configuration_kept_in_the_repository():
    guide = (ROOT / "docs" / "deploy.md").read_text()
    shown = [block for block in NGINX_BLOCK.findall(guide) if "proxy_cache" in block]
    assert shown == [(TEMPLATES / "aidportal.conf").read_text()]


def test_a_placeholder_without_a_value_is_an_error():
    assert render("listen ${LISTEN}; $host", {"LISTEN": "80"}) == "listen 80; $host"
    with pytest.raises(KeyError, match="STATIC_ROOT"):
        render("alias ${STATIC_ROOT}/;", {})


@pytest.mark.nginx
def test_nginx_accepts_the_rendered_configuration(tmp_path):
    conf = write_config(
        tmp_path,
        listen=f"127.0.0.1:{free_port()}",
        upstreams=["127.0.0.1:1", "127.0.0.2:1"],
        static_root=tmp_path / "static",
        media_root=tmp_path / "media",
    )
    checked = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", conf.name],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    rendered = conf.read_text() + (tmp_path / "aidportal.conf").read_text()
    assert not PLACEHOLDER.search(rendered)


class CarelessApp(BaseHTTPRequestHandler):
    """Every answer public for a minute, whoever asked."""

    seen: list  # (path, whether a session cookie came along)

    def do_GET(self):
        staff = "sessionid=" in self.headers.get("Cookie", "")
        self.seen.append((self.path, staff))
        body = ("staff page" if staff else "public page").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Cache-Control", "public, max-age=60")
        self.send_header("Content-Length", str(len(body)))
        if self.path.startswith("/sets-cookie/"):
            self.send_header("Set-Cookie", "csrftoken=abc; Path=/")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def careless():
    """(nginx's port, the requests the app saw) for nginx in front of the
    careless app."""
    seen = []
    handler = type("Handler", (CarelessApp,), {"seen": seen})
    app = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=app.serve_forever, daemon=True)
    thread.start()
    port = free_port()
    try:
        with nginx(port, app.server_address[1]):
            yield port, seen
    finally:
        app.shutdown()
        app.server_close()


STAFF = "csrftoken=x; sessionid=abc123"


@pytest.mark.nginx
def test_an_answer_to_staff_is_never_kept_for_visitors(careless):
    port, seen = careless
    staff = get(port, "/articles/1/", cookie=STAFF)
    assert staff.text == "staff page"
    assert staff.headers["X-Cache-Status"] == "BYPASS"
    visitor = get(port, "/articles/1/")
    assert visitor.text == "public page"
    assert visitor.headers["X-Cache-Status"] == "MISS"
    assert get(port, "/articles/1/").headers["X-Cache-Status"] == "HIT"
    assert seen.count(("/articles/1/", False)) == 1


@pytest.mark.nginx
def test_staff_are_never_answered_from_the_cache(careless):
    port, seen = careless
    get(port, "/articles/2/")
    assert get(port, "/articles/2/").headers["X-Cache-Status"] == "HIT"
    for cookie in (STAFF, "sessionid=abc123", "sessionid="):
        staff = get(port, "/articles/2/", cookie=cookie)
        assert staff.headers["X-Cache-Status"] == "BYPASS"
        assert staff.text == "staff page"
    assert seen.count(("/articles/2/", True)) == 3


@pytest.mark.nginx
def test_other_cookies_are_no_session(careless):
    port, _ = careless
    get(port, "/articles/3/", cookie="csrftoken=x; mysessionid=1")
    again = get(port, "/articles/3/", cookie="csrftoken=x; mysessionid=1")
    assert again.headers["X-Cache-Status"] == "HIT"


@pytest.mark.nginx
@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/login/", "/media/a.jpg", "/sets-cookie/"]
)
def test_the_admin_the_media_gate_and_cookies_are_never_cached(careless, path):
    port, seen = careless
    for _ in range(3):
        response = get(port, path)
        assert response.headers.get("X-Cache-Status", "") in ("", "MISS")
    assert seen.count((path, False)) == 3

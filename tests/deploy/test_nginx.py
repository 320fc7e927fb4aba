"""The portal behind nginx, as ``make serve-nginx`` runs it: gunicorn with
production settings on a SQLite file holding the demo content, a Redis of its
own (the site version every process shares), nginx with the repository's
configuration, and PAGE_MAX_AGE of 2 s so that expiry can be waited for.

Setting it up takes about half a minute (migrate, load_demo, collectstatic).
"""

import gzip
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.common import PRODUCTION_ENV, gunicorn, nginx
from tests.deploy.http import get
from tests.services import PrivateRedis, free_port

pytestmark = pytest.mark.nginx

ROOT = Path(__file__).resolve().parents[2]
MAX_AGE = 2
# nginx counts a page's age in whole seconds: it stays fresh up to a second
# longer than its max-age.
EXPIRED = MAX_AGE + 1.2
STAFF_SETUP = """
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from articles.models import Article, Channel
user = get_user_model().objects.create_superuser("nginx-staff", password="x-Pa55-x")
session = SessionStore()
session["_auth_user_id"] = str(user.pk)
session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
session["_auth_user_hash"] = user.get_session_auth_hash()
session.create()
draft = Article.objects.create(
    channel=Channel.objects.first(), title="尚未发布的草稿", body="<p>草稿</p>",
    status=Article.Status.DRAFT,
)
print(session.session_key, draft.pk)
"""
# Waits for a line on stdin, then renames the newest published article: a
# publish from another process, as the admin on another app server makes it.
PUBLISH = """
import sys
from articles.models import Article
article = Article.objects.published().order_by("-published_at").first()
print(article.title, flush=True)
sys.stdin.readline()
article.title = "新近发布的标题"
article.save()
print("saved", flush=True)
"""


class Site:
    def __init__(self, folder: Path, redis_url: str):
        self.folder = folder
        self.port = free_port()
        self.app_port = free_port()
        self.access_log = folder / "gunicorn-access.log"
        self.env = {
            **PRODUCTION_ENV,
            "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
            "REDIS_URL": redis_url,
            "MEDIA_ROOT": str(folder / "media"),
            # Its own: another test process's WhiteNoise reads staticfiles/
            # while this one's collectstatic would rewrite it.
            "STATIC_ROOT": str(folder / "staticfiles"),
            "PRIVATE_ROOT": str(folder / "private"),
            "PAGE_MAX_AGE": str(MAX_AGE),
            "TRUSTED_PROXY_COUNT": "1",
            "MEDIA_ACCEL_REDIRECT": "/protected-media/",
            "GUNICORN_CMD_ARGS": f"--access-logfile {self.access_log}",
        }

    def manage(self, *args):
        return subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**os.environ, **self.env},
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def run(self, *args) -> str:
        process = self.manage(*args)
        out, _ = process.communicate(timeout=300)
        assert process.returncode == 0, out
        return out

    def app_saw(self, path: str) -> list[int]:
        """The status of each answer the app gave for ``path`` (gunicorn
        writes its log line just after the answer: give it a moment)."""
        time.sleep(0.3)
        pattern = re.compile(rf'"GET {re.escape(path)} HTTP/1\.[01]" (\d+) ')
        return [
            int(match.group(1))
            for match in pattern.finditer(self.access_log.read_text())
        ]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("behind-nginx")
    with PrivateRedis() as redis:
        site = Site(folder, redis.url)
        site.run("migrate", "--noinput", "-v0")
        site.run("load_demo", "-v0")
        site.session, draft = site.run("shell", "-v0", "-c", STAFF_SETUP).split()
        site.preview = f"/articles/{draft}/preview/"
        with (
            gunicorn(site.app_port, site.env),
            nginx(
                site.port,
                site.app_port,
                media_root=folder / "media",
                static_root=folder / "staticfiles",
            ),
        ):
            yield site


def test_static_files_come_from_nginx_compressed_and_kept(site):
    static_root = site.folder / "staticfiles"
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    hashed = "/static/" + manifest["paths"]["css/site.css"]
    response = get(site.port, hashed, gzip=True)
    assert response.status == 200
    assert response.headers["Content-Encoding"] == "gzip"
    on_disk = static_root / manifest["paths"]["css/site.css"]
    assert gzip.decompress(response.body) == on_disk.read_bytes()
    assert response.headers["Cache-Control"] == ("public, max-age=315360000, immutable")
    assert "Accept-Encoding" in response.headers["Vary"]
    plain = get(site.port, "/static/css/site.css")
    assert "Content-Encoding" not in plain.headers
    assert plain.headers["Cache-Control"] == "public, max-age=60"
    assert site.app_saw(hashed) == [] and site.app_saw("/static/css/site.css") == []


def test_a_page_is_kept_then_revalidated_with_a_304_from_the_app(site):
    path = "/projects/"
    first = get(site.port, path, gzip=True)
    assert first.headers["X-Cache-Status"] == "MISS"
    assert first.headers["Content-Encoding"] == "gzip"
    assert "<html" in gzip.decompress(first.body).decode()
    second = get(site.port, path, gzip=True)
    assert second.headers["X-Cache-Status"] == "HIT"
    assert site.app_saw(path) == [200]
    time.sleep(EXPIRED)
    third = get(site.port, path, gzip=True)
    assert third.headers["X-Cache-Status"] == "REVALIDATED"
    assert third.body == first.body
    assert site.app_saw(path) == [200, 304]
    assert get(site.port, path, gzip=True).headers["X-Cache-Status"] == "HIT"


def test_plain_and_gzip_answers_are_kept_apart(site):
    path = "/articles/?page=1"
    get(site.port, path, gzip=True)
    plain = get(site.port, path)
    assert "Content-Encoding" not in plain.headers
    assert "<html" in plain.text
    assert get(site.port, path).headers["X-Cache-Status"] == "HIT"
    assert get(site.port, path, gzip=True).headers["Content-Encoding"] == "gzip"


def test_a_publish_is_seen_within_the_max_age(site):
    path = "/articles/"
    publisher = site.manage("shell", "-v0", "-c", PUBLISH)
    try:
        old_title = publisher.stdout.readline().strip()
        assert old_title in get(site.port, path).text
        assert get(site.port, path).headers["X-Cache-Status"] == "HIT"
        publisher.stdin.write("go\n")
        publisher.stdin.flush()
        assert publisher.stdout.readline().strip() == "saved"
    finally:
        publisher.communicate(timeout=60)
    published = time.monotonic()
    assert publisher.returncode == 0
    while "新近发布的标题" not in (page := get(site.port, path)).text:
        assert old_title in page.text
        assert time.monotonic() - published < EXPIRED
        time.sleep(0.1)
    assert page.headers["X-Cache-Status"] in ("EXPIRED", "MISS")


def test_staff_pages_bypass_the_cache_and_are_not_kept(site):
    staff = f"sessionid={site.session}"
    path = "/channels/frontline/"
    get(site.port, path)
    assert get(site.port, path).headers["X-Cache-Status"] == "HIT"
    response = get(site.port, path, cookie=staff)
    assert response.headers["X-Cache-Status"] == "BYPASS"
    assert (
        "Content-Encoding" not in get(site.port, path, cookie=staff, gzip=True).headers
    )

    preview = get(site.port, site.preview, cookie=staff)
    assert preview.status == 200
    assert "尚未发布的草稿" in preview.text
    assert preview.headers["X-Cache-Status"] == "BYPASS"
    for _ in range(2):
        visitor = get(site.port, site.preview)
        assert visitor.status == 404
        assert "尚未发布的草稿" not in visitor.text


def test_the_admin_is_never_cached(site):
    staff = f"sessionid={site.session}"
    for _ in range(2):
        assert get(site.port, "/admin/", cookie=staff).status == 200
        login = get(site.port, "/admin/login/")
        assert "X-Cache-Status" not in login.headers
        assert "Set-Cookie" in login.headers
    assert site.app_saw("/admin/") == [200, 200]
    assert site.app_saw("/admin/login/") == [200, 200]


def test_pictures_pass_the_gate_and_nginx_sends_them(site):
    page = get(site.port, "/articles/").text
    picture = re.search(r'src="(/media/[^"]+)"', page).group(1)
    response = get(site.port, picture)
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("image/")
    assert len(response.body) > 1000
    assert "X-Cache-Status" not in response.headers
    assert get(site.port, "/protected-media/" + picture[7:]).status == 404

import time
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aidportal.kernel import caching, downloads
from tests.builders import ROLES, make_staff


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads and private files of every test go to a temporary folder, never
    to ./media or ./private."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Users made by tests need not cost PBKDF2's fraction of a second each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def login(db):
    """login(role) -> a new test client, logged in as a new staff user of that
    role ("editor", "publisher" or "reporter"; the user is ``client.user``)."""

    def login(role):
        client = Client()
        client.user = make_staff(ROLES[role])
        client.force_login(client.user)
        return client

    return login


@pytest.fixture(autouse=True)
def empty_cache(settings):
    """Each test starts with an empty cache, and without the page cache (tests
    that are about it turn it on: ``page_cache``)."""
    cache.clear()
    settings.PAGE_CACHE_SECONDS = 0


def commits(request):
    """Whether the test's changes are committed (transactional_db,
    live_server) rather than kept in one transaction rolled back at the end."""
    marker = request.node.get_closest_marker("django_db")
    return bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
        or (marker and marker.kwargs.get("transaction"))
    )


@pytest.fixture(autouse=True)
def invalidation_without_commit(request, monkeypatch):
    """A test kept in one transaction never commits, so cached pages and
    blocks would never be invalidated: there a change invalidates at once, as
    if committed. Tests that commit keep the real rule (after the commit)."""
    if not commits(request):
        monkeypatch.setattr(
            caching,
            "invalidate_on_commit",
            lambda using=None: caching.set_site_version(),
        )


@pytest.fixture(autouse=True)
def background_builds():
    """No download built in the background outlives its test."""
    yield
    downloads.wait_for_background(timeout=60)


@pytest.fixture
def page_cache(settings, transactional_db):
    """The page cache on. Pages are invalidated when a change is committed,
    so these tests commit (transactional_db) as the site does."""
    settings.PAGE_CACHE_SECONDS = 300
    return cache


@pytest.fixture
def count_queries(client):
    """GET a URL and return (response, number of queries it ran)."""

    def get(url, **kwargs):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, **kwargs)
        return response, len(queries)

    return get


@pytest.fixture
def clock(monkeypatch):
    """Moves the clock of the page cache and of the publishing rule forward."""

    def advance(delta):
        seconds = delta.total_seconds()
        now = timezone.now() + delta
        monkeypatch.setattr(
            caching,
            "time",
            SimpleNamespace(
                time=lambda: time.time() + seconds,
                time_ns=lambda: time.time_ns() + int(seconds * 1e9),
            ),
        )
        monkeypatch.setattr(timezone, "now", lambda: now)

    return advance


@pytest.fixture
def builds(monkeypatch):
    """The download files built, by name, as the requests go."""
    built = []
    real = downloads.build

    def counting(name, write):
        built.append(name)
        return real(name, write)

    monkeypatch.setattr(downloads, "build", counting)
    return built

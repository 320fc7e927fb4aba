import hashlib
import os
import time
from types import SimpleNamespace

import pytest
from django.core.cache import cache, caches
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aidportal.kernel import caching, downloads, resilient_cache, search
from aidportal.kernel.images import RenditionBackend
from tests.builders import ROLES, make_staff
from tests.services import REDIS_SERVER, PrivateRedis, StalledServer, free_port


@pytest.fixture(scope="session", autouse=True)
def search_statistics_read_once(django_db_setup, django_db_blocker):
    """A process reads PostgreSQL's statistics of the search keys at its
    first search and every SEARCH_STATISTICS_SECONDS: the suite reads them
    up front and keeps them, so a page's query count is the page's own.
    (A test that analyses a table forgets them: search.forget_gram_shares.)"""
    from django.conf import settings

    settings.SEARCH_STATISTICS_SECONDS = 10**9
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock():
            for table in search.gram_indexed_tables():
                search.gram_shares(table, connection)


# Renditions made in this test process, by what decides their bytes.
_RENDITIONS: dict[str, tuple[bytes, list[int]]] = {}


@pytest.fixture(scope="session", autouse=True)
def renditions_made_once():
    """The same picture at the same geometry and options gives the same
    rendition: the suite encodes each one once and writes the bytes again
    when another test (each has its own media folder) asks for it. Encoding
    the demo's 138 renditions is three quarters of load_demo's time, and
    load_demo runs before every browser test."""
    from sorl.thumbnail.images import ImageFile

    get_thumbnail = RenditionBackend.get_thumbnail
    create_thumbnail = RenditionBackend._create_thumbnail
    asked = {}

    def get(self, file_, geometry_string, **options):
        picture = hashlib.sha256(ImageFile(file_).read()).hexdigest()
        asked["key"] = f"{picture} {geometry_string} {sorted(options.items())!r}"
        return get_thumbnail(self, file_, geometry_string, **options)

    def create(self, source_image, geometry_string, options, thumbnail):
        key = asked.pop("key")
        if key not in _RENDITIONS:
            create_thumbnail(self, source_image, geometry_string, options, thumbnail)
            _RENDITIONS[key] = (thumbnail.read(), thumbnail.size)
            return
        data, size = _RENDITIONS[key]
        thumbnail.write(data)
        thumbnail.set_size(size)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(RenditionBackend, "get_thumbnail", get)
        patch.setattr(RenditionBackend, "_create_thumbnail", create)
        yield


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


@pytest.fixture
def run_worker(settings, tmp_path, monkeypatch):
    """run_worker() runs the queued background tasks (django-tasks' db_worker,
    as `make run` starts it) and returns; jobs report progress in the test's
    folder. The worker keeps the test's connection: closing it, as it does
    between tasks when not in a transaction, would end the test's one."""
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    settings.CACHES = {
        **settings.CACHES,
        "jobs": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": tmp_path / "job-progress",
        },
    }

    def run():
        call_command(
            "db_worker", batch=True, reload=False, startup_delay=False, verbosity=0
        )

    return run


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


@pytest.fixture(autouse=True)
def no_api_rate_limit(settings):
    """The API answers every request of a test, all of which come from one
    address; the tests of the limit set one (tests/api/test_rate_limit.py)."""
    settings.API_RATE_LIMIT = 0


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


# Faults: a cache that is dead, stalled or full (tests/faults).


class Clock:
    """A monotonic clock that moves only when told: circuit breakers wait
    for it, not for real seconds."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def use_redis(settings, transactional_db, monkeypatch):
    """use_redis(url) -> the production cache backend on ``url`` (a private
    server, a dead port, a stalled one), the page cache on. Its breaker runs
    on ``backend.clock``; invalidations it missed wait for
    ``caching.pending_invalidation.retry()``, no background thread."""
    clock = Clock()
    monkeypatch.setattr(
        caching, "pending_invalidation", caching.PendingInvalidation(background=False)
    )
    settings.PAGE_CACHE_SECONDS = 300

    def use(url):
        settings.CACHES = {
            "default": {
                "BACKEND": "aidportal.kernel.resilient_cache.ResilientRedisCache",
                "LOCATION": url,
                "KEY_PREFIX": "aidportal-test",
                "OPTIONS": {
                    "socket_connect_timeout": settings.CACHE_TIMEOUT_SECONDS,
                    "socket_timeout": settings.CACHE_TIMEOUT_SECONDS,
                    "retry_seconds": 5,
                },
            }
        }
        backend = caches["default"]
        backend.breaker.clock = clock
        backend.clock = clock
        return backend

    yield use
    resilient_cache._breakers.clear()


def redis_server_or_skip():
    if REDIS_SERVER is None:
        message = "redis-server is not installed"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def private_redis():
    """A redis-server of this test's own, which it may stop and start."""
    redis_server_or_skip()
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def stalled_server():
    """A server that accepts connections and never answers."""
    with StalledServer() as server:
        yield server


@pytest.fixture
def dead_port():
    """A Redis URL with nothing listening on its port."""
    return f"redis://127.0.0.1:{free_port()}/0"

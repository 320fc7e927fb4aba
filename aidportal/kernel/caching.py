"""Anonymous pages from the cache, conditional GET, and their invalidation.

One number, the site version, changes whenever a change to content is
committed (a save or delete of a content model, see ``connect_invalidation``) or
when a scheduled publication or expiry comes due. Cached pages and blocks are
keyed by it, so invalidation is a single cache write, shared by every app
server through Redis. Staff (anyone with a session cookie), previews and the
admin are never served from the cache.

The cache may fail (``resilient_cache``): pages are then computed as if
uncached, and an invalidation that could not be written is retried until the
cache takes it. The database may fail: a page cached before is then served
stale, for ``PAGE_STALE_SECONDS`` at most, and anything else is a 503
(``outages``).
"""

import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import wraps
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import (
    add_never_cache_headers,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.crypto import salted_hmac
from django.utils.http import http_date, parse_http_date_safe

from aidportal.kernel.outages import (
    DATABASE_OUTAGES,
    is_outage_response,
    unavailable_response,
)
from aidportal.kernel.publishing import (
    PublicState,
    content_models,
    publishable_models,
)
from aidportal.kernel.resilient_cache import CacheUnavailable, cache_available, strictly

T = TypeVar("T")
VERSION_KEY = "site-version"
CACHEABLE_TYPES = ("text/html", "application/rss+xml", "application/xml", "text/plain")
# The API reads every parameter (it refuses unknown ones) and answers its own
# conditional GETs (aidportal.kernel.api).
UNCACHED_PREFIXES = ("/admin/", "/healthz", "/static/", "/media/", "/api/")


logger = logging.getLogger("aidportal.cache")


def site_version() -> int:
    """The current site version: nanoseconds since the epoch of the last change."""
    try:
        version = strictly(cache, "get", VERSION_KEY)
        if version is None:
            strictly(cache, "add", VERSION_KEY, time.time_ns(), None)
            version = strictly(cache, "get", VERSION_KEY)
    except CacheUnavailable:
        return outage_version()
    return version if version is not None else outage_version()


def outage_version(now: float | None = None) -> int:
    """The version while the cache cannot be read: it moves on every
    PAGE_MAX_AGE seconds and with each change this process made, so a
    validator (ETag, a download's name) outlives a change elsewhere by no
    more than browsers and proxies keep a page anyway."""
    now = time.time() if now is None else now
    window = max(1, settings.PAGE_MAX_AGE)
    start = int(now // window) * window
    return start * 1_000_000_000 + pending_invalidation.changes


def set_site_version() -> None:
    """Invalidate every cached page and block, now.

    A full cache that refuses the new version still forgets the old one (a
    delete needs no memory), which invalidates as well. An unreachable one is
    told as soon as it answers again (``pending_invalidation``): until then
    no page is taken from it."""
    try:
        strictly(cache, "set", VERSION_KEY, time.time_ns(), None)
        return
    except CacheUnavailable:
        pass
    try:
        strictly(cache, "delete", VERSION_KEY)
    except CacheUnavailable:
        pending_invalidation.add()


class PendingInvalidation:
    """Invalidations the cache did not take, retried every second in a
    background thread until it does (one thread per process, at most)."""

    interval = 1.0

    def __init__(self, *, background: bool = True):
        self.background = background
        self.lock = threading.Lock()
        self.pending = False
        self.changes = 0
        self.thread = None

    def add(self) -> None:
        with self.lock:
            self.pending = True
            self.changes += 1
            if not self.background:
                return
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(
                    target=self.retry_until_done, name="site-version", daemon=True
                )
                self.thread.start()

    def retry(self) -> bool:
        """Write the new version now if the cache takes it; whether nothing
        is pending any more."""
        with self.lock:
            if not self.pending:
                return True
            try:
                strictly(cache, "set", VERSION_KEY, time.time_ns(), None)
            except CacheUnavailable:
                return False
            self.pending = False
            return True

    def retry_until_done(self) -> None:
        while not self.retry():
            time.sleep(self.interval)


pending_invalidation = PendingInvalidation()


def cache_in_use() -> bool:
    """Whether pages and blocks are kept: the page cache is on and the cache
    answers (and no invalidation is waiting to be written to it)."""
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and cache_available(cache)
        and not pending_invalidation.pending
    )


def _set_site_version_after_commit():
    set_site_version()


def invalidate_on_commit(using: str | None = None) -> None:
    """Invalidate the cached pages once the current transaction commits (at
    once outside a transaction), and once however many rows it changed.

    Not before: a request served between the save and the commit reads the
    old rows, and would keep them in the cache under the new version.
    """
    connection = transaction.get_connection(using)
    pending = connection.in_atomic_block and any(
        callback is _set_site_version_after_commit
        for _, callback, _ in connection.run_on_commit
    )
    if not pending:
        transaction.on_commit(_set_site_version_after_commit, using=using)


def content_changed(sender, instance=None, using=None, created=False, **kwargs) -> None:
    """Receiver of the content models' save, delete and many-to-many signals.

    A change the public cannot see (a draft saved as a draft, a hidden person
    edited, a new draft) leaves the version: the cache is kept, and the
    version, which validators carry, says nothing about staff working on
    drafts. When the earlier state is unknown, the change counts.
    """
    if instance is not None and not affects_public_pages(instance, created=created):
        return
    invalidate_on_commit(using)


def affects_public_pages(instance: models.Model, *, created: bool = False) -> bool:
    if not isinstance(instance, PublicState) or instance.is_live:
        return True
    if created:
        return False
    return instance.shown_publicly_when_loaded() is not False


def cached_block(name: str, compute: Callable[[], T], timeout: int = 3600) -> T:
    """``compute()`` cached until the site version changes (computed each
    time while the cache is unavailable)."""
    if not cache_available(cache) or pending_invalidation.pending:
        return compute()
    return cache.get_or_set(f"block:{name}:{site_version()}", compute, timeout)


def next_scheduled_change() -> float | None:
    """When the next scheduled publication or expiry is due (a timestamp), or
    None: pages cached before then must not outlive it."""

    def compute():
        now = timezone.now()
        moments = [
            model.objects.next_scheduled_change(now) for model in publishable_models()
        ]
        moments = [moment for moment in moments if moment]
        return min(moments).timestamp() if moments else 0

    return cached_block("next-change", compute) or None


def connect_invalidation() -> None:
    """Any committed change to content invalidates the cached pages
    (infrastructure, not domain logic: it must hold for every code path that
    saves). History models are no content models: they add nothing."""
    for model in content_models():
        post_save.connect(content_changed, sender=model)
        post_delete.connect(content_changed, sender=model)
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(content_changed, sender=field.remote_field.through)


def page_parameters(request: HttpRequest) -> tuple[frozenset, frozenset] | None:
    """(the query parameters a public page reads, those of them that are
    free-text searches), from its view's ``page_cache_params`` and
    ``page_search_params``; None for a path that names no view."""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return None
    view = getattr(match.func, "view_class", match.func)
    return (
        frozenset(getattr(view, "page_cache_params", ())),
        frozenset(getattr(view, "page_search_params", ())),
    )


# A whole number however spelled: " 1", "01", "+1", "2021.0".
NUMBER = re.compile(r"\s*\+?(\d{1,18})(?:\.0*)?\s*")


def normalized_query(query: QueryDict, names: Iterable[str]) -> QueryDict:
    """The parameters among ``names`` that have a value, each once (the last,
    as ``QueryDict.get`` reads it), numbers written one way, the first page
    left out, sorted: one spelling per page."""
    normal = QueryDict(mutable=True)
    for name in sorted(names):
        value = query.get(name)
        number = NUMBER.fullmatch(value or "")
        if number:
            value = str(int(number.group(1)))
        if value and not (name == "page" and value == "1"):
            normal[name] = value
    normal._mutable = False
    return normal


def cache_params(view: Callable, *names: str, search: Iterable[str] = ()) -> Callable:
    """A function view (or a Feed) with the query parameters the page cache
    keeps apart declared; any other parameter is dropped before the view.
    (A view class declares them as ``page_cache_params`` itself.)"""

    @wraps(view)
    def declared(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    declared.page_cache_params = frozenset(names)
    declared.page_search_params = frozenset(search)
    return declared


def entity_tag(version: int, day: date, digest: str) -> str:
    """An opaque ETag of (site version, day, page): it changes with each of
    them and tells nothing of when the content changed. Weak: it names the
    page, not its bytes, which differ between the gzip and the plain answer
    (aidportal.kernel.compression)."""
    tag = salted_hmac("page-etag", f"{version}:{day:%Y%m%d}:{digest}").hexdigest()
    return f'W/"{tag[:32]}"'


def page_validators(
    version: int, digest: str, today: date | None = None
) -> tuple[str, int]:
    """(ETag, Last-Modified as a timestamp) of the page ``digest`` names at
    site version ``version``. Pages also change at midnight ("in post
    today"): the day is part of the version, and a page is never older than
    today's start."""
    today = today or timezone.localdate()
    midnight = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    modified = max(version // 1_000_000_000, int(midnight.timestamp()))
    return entity_tag(version, today, digest), modified


def current_site_version(now: float | None = None) -> tuple[int, float | None]:
    """(site version, when the next scheduled change is due): the version is
    first moved on if a scheduled publication or expiry has come due, so no
    page or answer cached before it outlives it."""
    now = time.time() if now is None else now
    next_change = next_scheduled_change()
    if next_change and next_change <= now:
        set_site_version()
        next_change = next_scheduled_change()
    return site_version(), next_change


def is_cacheable_request(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.path.startswith(UNCACHED_PREFIXES)
        and not request.path.endswith("/preview/")
    )


def is_cacheable_response(response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
        and response.get("Content-Type", "").startswith(CACHEABLE_TYPES)
    )


class PageCacheMiddleware:
    """Serves anonymous pages from the cache and answers conditional GETs.

    A hit costs no database query and no template render; a request whose
    ETag or Last-Modified is current gets a 304 the same way. Each page has
    one entry, which holds the version it was made for; an entry of an older
    version is no hit, but while the database is down it is served, marked
    stale, if it is younger than ``PAGE_STALE_SECONDS``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not cache_in_use() or not is_cacheable_request(request):
            return self.get_response(request)
        # A forged Host is refused (400) here as CommonMiddleware would, not
        # answered from the cache, which runs before it. Pages carry absolute
        # links, so each allowed host has its own entries.
        host = request.get_host()
        parameters = page_parameters(request)
        if parameters is None:
            return self.get_response(request)
        # The view sees the parameters the key holds, and nothing else: a
        # junk parameter neither makes a new entry nor misses the cache.
        cached_names, search_names = parameters
        query = normalized_query(request.GET, cached_names)
        request.GET = query
        request.META["QUERY_STRING"] = query.urlencode()
        address = f"{request.scheme}://{host}{request.get_full_path()}"
        digest = hashlib.sha256(address.encode()).hexdigest()
        # Free-text searches have no end of values: answered (and revalidated
        # by their ETag) but never kept, so they cannot crowd pages out.
        keep = not any(query.get(name) for name in search_names)
        key = f"page:{digest}"
        now = time.time()
        try:
            version, next_change = current_site_version(now)
        except DATABASE_OUTAGES:
            return self.stale_or_unavailable(key if keep else None, now)
        today = timezone.localdate()
        etag, modified = page_validators(version, digest, today)
        if self.not_modified(request, etag, modified):
            return self.not_modified_response(etag, modified)
        entry = cache.get(key) if keep else None
        if entry and entry["version"] == (version, today) and now < entry["until"]:
            return entry["response"]
        response = self.get_response(request)
        if is_outage_response(response):
            return self.stale(entry, now) or response
        if not is_cacheable_response(response):
            return response
        self.add_headers(response, etag, modified)
        if keep:
            self.keep(key, response, (version, today), now, next_change)
        return response

    @staticmethod
    def keep(key, response, version, now, next_change):
        """Keep the page until the site version changes, PAGE_CACHE_SECONDS
        pass or the next scheduled change comes due, whichever is first; the
        entry stays longer (PAGE_STALE_SECONDS) only to be served stale."""
        timeout = settings.PAGE_CACHE_SECONDS
        if next_change:
            timeout = max(1, min(timeout, int(next_change - now)))
        if hasattr(response, "render") and callable(response.render):
            response.render()
        entry = {
            "version": version,
            "stored": now,
            "until": now + timeout,
            "response": response,
        }
        cache.set(key, entry, max(timeout, settings.PAGE_STALE_SECONDS))

    def stale_or_unavailable(self, key, now):
        entry = cache.get(key) if key else None
        return self.stale(entry, now) or unavailable_response()

    @staticmethod
    def stale(entry, now) -> HttpResponse | None:
        """The kept page, marked stale, while the database is down; None when
        there is none or it is older than PAGE_STALE_SECONDS."""
        if not entry or now - entry["stored"] > settings.PAGE_STALE_SECONDS:
            return None
        logger.info("Serving a stale page while the database is down")
        kept = entry["response"]
        response = HttpResponse(
            kept.content, content_type=kept["Content-Type"], status=kept.status_code
        )
        response["X-Stale-Page"] = "database-unavailable"
        response["Age"] = str(int(now - entry["stored"]))
        # Not to be kept by browsers or proxies, nor revalidated: the next
        # request after the database is back gets the current page.
        add_never_cache_headers(response)
        patch_vary_headers(response, ["Cookie"])
        return response

    @staticmethod
    def add_headers(response, etag, modified):
        response["ETag"] = etag
        response["Last-Modified"] = http_date(modified)
        patch_cache_control(response, public=True, max_age=settings.PAGE_MAX_AGE)
        # Shared caches must not give this anonymous page to a logged-in user.
        patch_vary_headers(response, ["Cookie"])

    @staticmethod
    def not_modified(request, etag, modified):
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match is not None:
            # Weak comparison (RFC 9110 13.1.2), as If-None-Match asks.
            tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
            return etag.removeprefix("W/") in tags
        since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
        return since is not None and since >= modified

    @classmethod
    def not_modified_response(cls, etag, modified):
        response = HttpResponseNotModified()
        cls.add_headers(response, etag, modified)
        return response

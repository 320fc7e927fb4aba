"""Files built from the database on request, built once and kept.

A download (an export of the roster) is a file in the private storage named
after the site version and what was asked for: the first request builds it,
every later one for the same content is served the file, and a change to
content (a new site version) makes the next request build a new one, so a
takedown is never served from an old file. Building is rationed: one build at
a time per worker process, per client address and per file; beyond, the
answer is 429 with ``Retry-After``. A file too big to build while the visitor
waits is built in a background thread, the visitor told to come back (503
with ``Retry-After``). Old files are removed as new ones come.
"""

import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, NoReturn

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import storages
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.crypto import salted_hmac

from aidportal.kernel.caching import cached_block, current_site_version
from aidportal.kernel.resilient_cache import CacheUnavailable, strictly

logger = logging.getLogger(__name__)

FOLDER = "downloads"
# A cell Excel would read as a formula (or DDE) is written as text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# One build at a time in this process (threads of one worker).
_building = threading.Lock()


class Later(Exception):
    """Not now: ask again after ``retry_after`` seconds (``status``)."""

    status = 503
    message = ""
    retry_setting = ""

    def __init__(self):
        self.retry_after = getattr(settings, self.retry_setting)
        super().__init__(self.retry_after)


class Busy(Later):
    """Another build holds the slot this one needs."""

    status = 429
    message = "文件正在生成，请稍后再试。"
    retry_setting = "DOWNLOAD_RETRY_AFTER"


class Preparing(Later):
    """The file is being built in the background."""

    status = 503
    message = "文件较大，正在生成，请稍后再下载。"
    retry_setting = "DOWNLOAD_PREPARING_RETRY_AFTER"


class BuiltFile(File):
    """A finished file on disk; the file-system storage moves it into place
    (an atomic rename) instead of copying it, so no reader sees half a file."""

    def temporary_file_path(self) -> str:
        return self.file.name


def safe_cell(value):
    """A spreadsheet cell's value, never read as a formula by Excel."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def download_name(*, kind: str, params: str, suffix: str, version: int) -> str:
    digest = hashlib.sha256(f"{kind}\n{params}".encode()).hexdigest()[:32]
    return f"{FOLDER}/{version}-{digest}.{suffix}"


def current_name(*, kind: str, params: str, suffix: str) -> str:
    """The name of the file for ``params`` at the current site version."""
    version, _ = current_site_version()
    return download_name(kind=kind, params=params, suffix=suffix, version=version)


def exists(name: str) -> bool:
    return storages["private"].exists(name)


def _file_key(name: str) -> str:
    return f"download-file:{name}"


def being_built(name: str) -> bool:
    key = _file_key(name)
    return key in _local_claims or cache.get(key) is not None


# Claims taken while the cache was unavailable: they hold in this process only.
_local_claims: set[str] = set()
_claims_lock = threading.Lock()


def _claim(key: str) -> bool:
    """Take ``key`` (a client's slot, a file's build) for every app server
    through the cache, or, while the cache is unavailable, for this process:
    the limits then hold per worker, and exports keep working."""
    try:
        return bool(strictly(cache, "add", key, 1, settings.DOWNLOAD_BUILD_SECONDS))
    except CacheUnavailable:
        with _claims_lock:
            if key in _local_claims:
                return False
            _local_claims.add(key)
            return True


def _release(key: str) -> None:
    with _claims_lock:
        if key in _local_claims:
            _local_claims.discard(key)
            return
    cache.delete(key)


def row_count(name: str, count: Callable[[], int]) -> int:
    """``count()``, kept until the site version changes: asking again for a
    file costs no second count."""
    key = hashlib.sha256(name.encode()).hexdigest()
    return cached_block(f"download-rows:{key}", count)


@contextmanager
def client_slot(client: str) -> Iterator[None]:
    """Hold the one count or build a client may run at a time, or raise Busy."""
    key = f"download-client:{client}"
    if not _claim(key):
        raise Busy
    try:
        yield
    finally:
        _release(key)


@contextmanager
def build_slot(name: str) -> Iterator[None]:
    """Hold the right to build ``name`` in this process, or raise Busy: one
    build at a time per worker process and per file."""
    if not _building.acquire(blocking=False):
        raise Busy
    try:
        if not _claim(_file_key(name)):
            raise Busy
        try:
            yield
        finally:
            _release(_file_key(name))
    finally:
        _building.release()


# Builds started in the background by this process (joined by tests).
background: list[threading.Thread] = []


def build_in_background(name: str, write: Callable[[IO[bytes]], None]) -> NoReturn:
    """Build ``name`` in a thread of this process, unless it is being built
    already, for a file too big to build while the visitor waits (a
    gunicorn worker would be killed first). Raises Preparing either way."""
    key = _file_key(name)
    if _claim(key):
        thread = threading.Thread(
            target=_build_in_thread, args=(name, write, key), daemon=True
        )
        background.append(thread)
        thread.start()
    raise Preparing


def _build_in_thread(name, write, key):
    try:
        with _building:  # after this process's build in progress, if any
            build(name, write)
    except Exception:
        logger.exception("Building %s failed", name)
    finally:
        _release(key)
        connections.close_all()


@contextmanager
def whole_result_plans() -> Iterator[None]:
    """Have PostgreSQL plan the reads of the block for every row of their
    results. A chunked read uses a server-side cursor, for which it plans as
    if a tenth of the rows were wanted (walking an index of the order): 7×
    slower on 20,000 rows of a million. (On SQLite nothing is needed, and a
    transaction would take the write lock: a reader must not.)"""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=DEFAULT_DB_ALIAS):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        yield


def wait_for_background(timeout: float | None = None) -> None:
    while background:
        background.pop().join(timeout)


def build(name: str, write: Callable[[IO[bytes]], None]) -> str:
    """Write the file with ``write(binary_file)`` and store it as ``name``;
    returns the stored name."""
    storage = storages["private"]
    folder = None
    try:
        # Beside its final place, so that storing it is a rename.
        folder = storage.path(FOLDER)
        os.makedirs(folder, exist_ok=True)
    except NotImplementedError:
        folder = None
    with tempfile.NamedTemporaryFile(
        dir=folder, suffix=".part", delete=False
    ) as handle:
        path = handle.name
        try:
            with whole_result_plans():
                write(handle)
        except BaseException:
            handle.close()
            os.unlink(path)
            raise
    try:
        with open(path, "rb") as finished:
            stored = storage.save(name, BuiltFile(finished, name=name))
    finally:
        if os.path.exists(path):
            os.unlink(path)
    prune(current_version=current_site_version()[0])
    return stored


def version_of(file: str) -> int | None:
    version = file.partition("-")[0]
    return int(version) if version.isdigit() else None


def prune(*, current_version: int) -> None:
    """Remove the files of earlier versions (no request asks for them), and
    the oldest of the current one past ``DOWNLOAD_FILES_KEPT``. Files of a
    later version, which another server may have built, are left alone."""
    storage = storages["private"]
    try:
        _folders, files = storage.listdir(FOLDER)
    except FileNotFoundError:
        return
    current = []
    for file in files:
        version = version_of(file)
        if version is None or file.endswith(".part"):
            continue
        if version < current_version:
            storage.delete(f"{FOLDER}/{file}")
        elif version == current_version:
            current.append(f"{FOLDER}/{file}")
    if len(current) > settings.DOWNLOAD_FILES_KEPT:
        current.sort(key=storage.get_modified_time)
        for path in current[: len(current) - settings.DOWNLOAD_FILES_KEPT]:
            storage.delete(path)


def entity_tag(name: str) -> str:
    return '"{}"'.format(salted_hmac("download", name).hexdigest()[:32])


def not_modified(request, name: str) -> bool:
    tags = request.headers.get("If-None-Match", "")
    return entity_tag(name) in [tag.strip() for tag in tags.split(",")]


def file_response(
    request: HttpRequest, name: str, *, filename: str, content_type: str
) -> HttpResponse:
    """The stored file as an attachment, revalidated by its ETag."""
    if not_modified(request, name):
        response = HttpResponseNotModified()
    else:
        response = FileResponse(
            storages["private"].open(name, "rb"),
            as_attachment=True,
            filename=filename,
            content_type=content_type,
        )
    response["ETag"] = entity_tag(name)
    patch_cache_control(response, public=True, max_age=settings.PAGE_MAX_AGE)
    return response


def retry_later(request: HttpRequest, later: Later) -> HttpResponse:
    """The page of a 429 (this client must wait) or a 503 (the file is on its
    way), with ``Retry-After``."""
    response = render(
        request,
        f"{later.status}.html",
        {"message": later.message, "retry_after": later.retry_after},
        status=later.status,
    )
    response["Retry-After"] = str(later.retry_after)
    return response

"""What a load balancer asks: does this app server answer, and with what.

Each component is ``ok``, or says how it fails. Only the database decides
whether the server can serve (it holds every page's content): the cache is
an accelerator (``unavailable`` costs speed), and a read-only or full media
storage costs only picture uploads.
"""

import errno

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection

from aidportal.kernel.resilient_cache import CacheUnavailable, cache_available, strictly
from aidportal.kernel.storage import STORAGE_ERRORS

PROBE_KEY = "healthz-probe"


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "unavailable"
    return "ok"


def cache_status() -> str:
    """``ok``, ``local`` (a per-process cache: no Redis configured) or
    ``unavailable``. While the cache is known to be down, it is not asked
    again before its retry time."""
    if not hasattr(cache, "available"):
        return "local"
    if not cache_available(cache):
        return "unavailable"
    try:
        strictly(cache, "set", PROBE_KEY, 1, 10)
    except CacheUnavailable:
        return "unavailable" if not cache_available(cache) else "full"
    return "ok"


def storage_status() -> str:
    """``ok``, ``read-only``, ``full`` or ``unavailable``: a small file is
    written and removed, as an upload would be."""
    try:
        name = default_storage.save("healthz/probe", ContentFile(b"ok"))
        default_storage.delete(name)
    except OSError as error:
        if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return "read-only"
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            return "full"
        return "unavailable"
    except STORAGE_ERRORS:
        return "unavailable"
    return "ok"


def health() -> tuple[dict, int]:
    """(the report, its HTTP status): 503 only when the database is down."""
    components = {
        "database": database_status(),
        "cache": cache_status(),
        "storage": storage_status(),
    }
    if components["database"] != "ok":
        status, code = "unavailable", 503
    elif any(value not in ("ok", "local") for value in components.values()):
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return {"status": status, **components}, code

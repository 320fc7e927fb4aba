"""The database gone away: a 503 asking to come back, never a traceback.

A request that meets an unreachable database (refused, reset, restarted
under it) is answered with the Chinese 503 page and ``Retry-After``. Nothing
is half-written: the admin saves in one transaction, which the failure rolls
back. After a restart, the next request of every worker opens a new
connection (``conn_health_checks``), so no worker keeps failing.
"""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger("aidportal.database")

# What a database that is down, restarting or out of connections raises.
DATABASE_OUTAGES = (OperationalError, InterfaceError)


def is_database_outage(error: BaseException | None) -> bool:
    return isinstance(error, DATABASE_OUTAGES)


def unavailable_response() -> HttpResponse:
    """The 503 page, rendered without the database and without context
    processors (they read it): site name from settings, no navigation."""
    retry_after = settings.DATABASE_RETRY_AFTER
    page = loader.render_to_string(
        "503.html",
        {
            "site_name": settings.SITE_NAME,
            "message": "网站正在维护或暂时无法访问数据库。",
            "retry_after": retry_after,
        },
    )
    response = HttpResponse(page, status=503)
    response["Retry-After"] = str(retry_after)
    add_never_cache_headers(response)
    response.database_outage = True
    return response


def is_outage_response(response: HttpResponse) -> bool:
    return getattr(response, "database_outage", False)


class DatabaseOutageMiddleware:
    """A view that meets an unreachable database answers 503, logged once
    per request as a warning, not as a server error with a traceback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_outage(exception):
            return None
        logger.warning("Database unavailable for %s: %s", request.path, exception)
        return unavailable_response()

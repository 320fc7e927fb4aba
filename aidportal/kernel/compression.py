"""Pages compressed for the clients that accept gzip, unless they hold a secret.

A page of the portal is 20–40 KB of HTML; gzip sends about a fifth of it. The
app compresses, rather than leaving it to a proxy, so that every deployment
(gunicorn alone, ``make serve``, behind nginx or a CDN) sends small pages.

BREACH: when a compressed response holds a secret and also echoes text an
attacker chooses (a search query), the attacker can guess the secret from the
response sizes. Public pages hold no secret: the page cache gives the same
page to every visitor. A response that rendered a CSRF token (the admin's
login form, any form that posts) or answers a request carrying a session (the
admin, previews: staff only) is sent as it is. Django's random padding of
compressed responses is a second defence, not the only one.
"""

from django.conf import settings
from django.middleware.gzip import GZipMiddleware

# Text the site generates; pictures and spreadsheets are compressed already,
# and static files come compressed from whitenoise, ahead of this middleware.
COMPRESSED_TYPES = (
    "text/html",
    "text/plain",
    "application/json",
    "application/xml",
    "application/rss+xml",
)


def holds_secret(request, response) -> bool:
    """Whether the response may carry something only this client may read."""
    return bool(
        request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or response.cookies
    )


class PublicGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware for the site's public text responses only.

    Placed outside the page cache, which keeps one uncompressed copy of each
    page: every answer, from the cache or not, is compressed for the client
    that asks. Validators are weak (``W/"…"``): the gzip and the plain
    response are the same page, and a 304 compares them weakly."""

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "")
        if not content_type.startswith(COMPRESSED_TYPES) or holds_secret(
            request, response
        ):
            return response
        return super().process_response(request, response)

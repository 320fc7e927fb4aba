"""Who is asking: the client's address, read through trusted proxies.

Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, each of which appends the
address it was reached from to ``X-Forwarded-For``, the client is the entry
that many places from the right: anything to its left was written by the
client and proves nothing. Without proxies the header is ignored. Used by the
login throttling (django-axes) and by the limits on exports.
"""

from ipaddress import ip_address

from django.conf import settings


def _valid(address: str) -> str | None:
    try:
        return str(ip_address(address.strip()))
    except ValueError:
        return None


def client_address(request) -> str:
    """The address of the client, as the outermost trusted proxy saw it."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(hops) < proxies:
        # Fewer hops than proxies: the request did not come through them all.
        return remote
    return _valid(hops[-proxies]) or remote

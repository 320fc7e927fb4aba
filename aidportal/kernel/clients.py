"""Who is asking: the client's address, read through trusted proxies.

Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, each of which appends the
address it was reached from to ``X-Forwarded-For``, the client is the entry
that many places from the right: anything to its left was written by the
client and proves nothing. Without proxies the header is ignored. An IPv6
client is its /64 network. Used by the login throttling (django-axes) and by
the limits on exports.
"""

from ipaddress import IPv6Address, ip_address, ip_network

from django.conf import settings


def _client(address: str) -> str | None:
    """An address as limits count clients: an IPv6 address by its /64, the
    network one household or server is given (any address of it is theirs)."""
    try:
        parsed = ip_address(address.strip())
    except ValueError:
        return None
    if isinstance(parsed, IPv6Address):
        if parsed.ipv4_mapped:
            return str(parsed.ipv4_mapped)
        return str(ip_network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


def client_address(request) -> str:
    """The address of the client, as the outermost trusted proxy saw it."""
    remote = _client(request.META.get("REMOTE_ADDR", "")) or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(hops) < proxies:
        # Fewer hops than proxies: the request did not come through them all.
        return remote
    return _client(hops[-proxies]) or remote

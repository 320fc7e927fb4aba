import pytest
from django.test import RequestFactory

from aidportal.kernel.clients import client_address


def request(remote="10.0.0.2", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_proxies_the_remote_address_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "1.2.3.4, 203.0.113.7", "203.0.113.7"),
        (1, "junk, 203.0.113.7", "203.0.113.7"),
        (1, " 2001:db8::1 ", "2001:db8::"),
        (2, "1.2.3.4, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        # Fewer hops than proxies, or an entry that is no address: the peer.
        (2, "203.0.113.7", "10.0.0.2"),
        (1, "", "10.0.0.2"),
        (1, "not-an-address", "10.0.0.2"),
    ],
)
def test_behind_proxies_the_client_is_counted_from_the_right(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_address(request(forwarded=forwarded)) == expected


def test_behind_a_proxy_without_the_header_the_peer_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request()) == "10.0.0.2"


@pytest.mark.parametrize(
    ("address", "client"),
    [
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::"),
        ("2001:db8:1:3::1", "2001:db8:1:3::"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("203.0.113.7", "203.0.113.7"),
    ],
)
def test_an_ipv6_client_is_its_64_network(settings, address, client):
    """Every address of a /64 belongs to one subscriber: counting them apart
    would give that client 2**64 lock-out and export allowances."""
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request(address)) == client

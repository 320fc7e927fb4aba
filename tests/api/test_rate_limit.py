"""The API's rate limit: API_RATE_LIMIT requests per client address in each
window of API_RATE_WINDOW seconds, counted in the cache."""

from types import SimpleNamespace

import pytest
import redis
from django.urls import reverse

from aidportal.kernel import api

pytestmark = pytest.mark.django_db

URL = reverse("api:batches")
# A window of 60 s starts at every multiple of 60.
WINDOW_START = 1_800_000_000


@pytest.fixture
def limit(settings, monkeypatch):
    """limit(n) → at most n requests a window; the clock stands 45 s into one."""
    now = SimpleNamespace(value=WINDOW_START + 45)
    monkeypatch.setattr(api, "time", SimpleNamespace(time=lambda: now.value))
    settings.API_RATE_WINDOW = 60

    def set_limit(requests):
        settings.API_RATE_LIMIT = requests
        return now

    return set_limit


def get(client, address="203.0.113.7", **headers):
    return client.get(URL, REMOTE_ADDR=address, headers=headers)


def test_the_request_over_the_limit_is_refused_with_a_chinese_429(client, limit):
    limit(3)

    answers = [get(client) for _ in range(4)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused["Content-Type"] == "application/json; charset=utf-8"
    assert refused.json() == {
        "detail": "请求过于频繁：每个地址每 60 秒最多 3 次，请 15 秒后再试。",
        "field": None,
    }
    assert refused["Access-Control-Allow-Origin"] == "*"
    assert "Retry-After" in refused["Access-Control-Expose-Headers"]
    assert "ETag" not in refused
    assert "no-store" in refused["Cache-Control"]


def test_retry_after_counts_the_seconds_to_the_end_of_the_window(client, limit):
    now = limit(1)
    get(client)

    assert get(client)["Retry-After"] == "15"
    now.value = WINDOW_START + 59.2
    assert get(client)["Retry-After"] == "1"
    now.value = WINDOW_START + 60
    assert get(client).status_code == 200


def test_another_address_is_not_limited(client, limit):
    limit(1)
    get(client, "203.0.113.7")

    assert get(client, "203.0.113.7").status_code == 429
    assert get(client, "203.0.113.8").status_code == 200


def test_one_ipv6_network_is_one_client(client, limit):
    limit(1)
    get(client, "2001:db8:1:2::1")

    assert get(client, "2001:db8:1:2::ffff").status_code == 429
    assert get(client, "2001:db8:1:3::1").status_code == 200


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(client, limit, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    limit(1)
    get(client, x_forwarded_for="198.51.100.1")

    assert get(client, x_forwarded_for="198.51.100.2").status_code == 429


def test_behind_a_proxy_the_client_is_the_address_it_appended(client, limit, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    limit(1)
    proxy = "10.0.0.2"
    get(client, proxy, x_forwarded_for="192.0.2.1, 198.51.100.1")

    # What the client wrote itself (left of the proxy's entry) proves nothing.
    forged = get(client, proxy, x_forwarded_for="192.0.2.99, 198.51.100.1")
    assert forged.status_code == 429
    assert get(client, proxy, x_forwarded_for="198.51.100.2").status_code == 200


def test_a_304_is_a_request_too(client, limit):
    limit(2)
    etag = get(client)["ETag"]

    assert get(client, if_none_match=etag).status_code == 304
    assert get(client, if_none_match=etag).status_code == 429


def test_a_preflight_is_not_counted(client, limit):
    limit(1)
    for _ in range(3):
        assert client.options(URL, REMOTE_ADDR="203.0.113.7").status_code == 204

    assert get(client).status_code == 200


def test_the_docs_page_and_the_schema_count_too(client, limit):
    limit(2)
    client.get(reverse("api:docs"), REMOTE_ADDR="203.0.113.7")
    client.get(reverse("api:openapi-json"), REMOTE_ADDR="203.0.113.7")

    assert get(client).status_code == 429


def test_a_limit_of_zero_is_no_limit(client, limit):
    limit(0)

    assert all(get(client).status_code == 200 for _ in range(5))


def test_every_operation_documents_the_429(client):
    schema = client.get(reverse("api:openapi-json")).json()

    for path, operations in schema["paths"].items():
        for operation in operations.values():
            assert "429" in operation["responses"], path


def test_a_dead_cache_limits_nobody(client, limit, use_redis, dead_port):
    use_redis(dead_port)
    limit(1)

    assert [get(client).status_code for _ in range(3)] == [200, 200, 200]


def test_the_count_is_kept_in_redis_which_every_app_server_shares(
    client, limit, use_redis, private_redis
):
    use_redis(private_redis.url)
    limit(2)

    assert [get(client).status_code for _ in range(3)] == [200, 200, 429]
    server = redis.Redis.from_url(private_redis.url)
    [key] = server.keys("*api-rate:203.0.113.7:*")
    assert int(server.get(key)) == 3
    assert 0 < server.ttl(key) <= 60

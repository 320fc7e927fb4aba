"""Redis dead, stalled, full or back: the site answers as if uncached.

Each test points the production cache backend at a server of its own (a
private redis-server it stops and starts, a port with nothing on it, a server
that never answers); the machine's Redis is never touched.
"""

import logging

import pytest
import redis
from django.test import Client
from django.urls import reverse

from aidportal.kernel import caching, downloads
from aidportal.kernel.caching import VERSION_KEY
from articles.models import Article
from tests.builders import (
    PUBLISHER,
    article_post,
    export,
    make_article,
    make_assignment,
    make_project,
    make_staff,
    rows_of,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def content():
    article = make_article(title="援疆医生开展新技术")
    project = make_project(name="阿克苏市第一中学教学楼")
    make_assignment(name="季成")
    return article, project


def public_pages(article, project):
    return {
        "/": article.title,
        "/articles/": article.title,
        article.get_absolute_url(): article.title,
        "/projects/": project.name,
        project.get_absolute_url(): project.name,
        "/personnel/?q=季成": "季成",
        "/search/?q=新技术": article.title,
    }


def redis_keys(server):
    return redis.Redis.from_url(server.url).keys("*")


def test_every_public_page_is_served_with_nothing_on_the_cache_port(
    use_redis, dead_port, content, client
):
    use_redis(dead_port)
    for url, text in public_pages(*content).items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url


def test_a_stalled_cache_costs_one_timeout_per_interval_not_one_per_call(
    use_redis, stalled_server, content, client
):
    backend = use_redis(stalled_server.url)
    pages = public_pages(*content)
    for url, text in pages.items():
        response = client.get(url)
        assert response.status_code == 200
        assert text in response.content.decode()
    # Seven pages, dozens of cache calls: one connection, which timed out.
    assert stalled_server.connections(1) == 1
    assert not backend.available
    backend.clock.advance(5)
    client.get("/")
    assert stalled_server.connections(2) == 2


def test_the_cache_is_used_again_once_it_answers(
    use_redis, private_redis, content, client
):
    backend = use_redis(private_redis.url)
    assert client.get("/").status_code == 200
    assert redis_keys(private_redis)
    private_redis.stop()
    assert client.get("/").status_code == 200
    assert not backend.available
    private_redis.start()
    assert client.get("/").status_code == 200
    assert not redis_keys(private_redis)  # not before its retry time
    backend.clock.advance(5)
    assert client.get("/").status_code == 200
    assert backend.available
    assert any(key.endswith(VERSION_KEY.encode()) for key in redis_keys(private_redis))


def test_an_outage_is_logged_once_when_it_starts_and_once_when_it_ends(
    use_redis, private_redis, content, client, caplog
):
    backend = use_redis(private_redis.url)
    client.get("/")
    private_redis.stop()
    with caplog.at_level(logging.WARNING, logger="aidportal.cache"):
        for _ in range(3):
            client.get("/")
            client.get("/articles/")
            backend.clock.advance(5)  # each interval tries again, and fails
        private_redis.start()
        backend.clock.advance(5)
        for _ in range(3):
            client.get("/")
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2
    assert "unavailable" in messages[0]
    assert "answers again" in messages[1]


def test_a_page_cached_before_a_publish_is_not_served_after_it(
    use_redis, private_redis, client
):
    backend = use_redis(private_redis.url)
    channel_page = make_article(title="旧的头条").channel.get_absolute_url()
    assert "旧的头条" in client.get(channel_page).content.decode()
    assert "旧的头条" in client.get(channel_page).content.decode()  # cached
    article = Article.objects.get()
    private_redis.freeze()
    try:
        # Published while the cache answers nobody: the new version is not
        # written, and the page kept in Redis would be the old one.
        article.title = "新的头条"
        article.save()
        assert caching.pending_invalidation.pending
        private_redis.thaw()
        backend.clock.advance(5)
        assert "新的头条" in client.get(channel_page).content.decode()
        assert caching.pending_invalidation.retry()
        assert "新的头条" in client.get(channel_page).content.decode()
        assert "新的头条" in client.get(channel_page).content.decode()
    finally:
        private_redis.thaw()


def test_a_full_cache_still_invalidates(use_redis, private_redis, client):
    use_redis(private_redis.url)
    channel_page = make_article(title="旧的头条").channel.get_absolute_url()
    client.get(channel_page)
    server = redis.Redis.from_url(private_redis.url)
    server.config_set("maxmemory-policy", "noeviction")
    server.config_set("maxmemory", 1)  # every write is refused: OOM
    article = Article.objects.get()
    article.title = "新的头条"
    article.save()
    response = client.get(channel_page)
    assert response.status_code == 200
    assert "新的头条" in response.content.decode()
    assert not caching.pending_invalidation.pending


def test_health_says_the_cache_is_down_and_the_server_still_serves(
    use_redis, dead_port, client
):
    use_redis(dead_port)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "cache": "unavailable",
        "storage": "ok",
    }


def test_staff_log_in_and_save_with_the_cache_down(use_redis, dead_port, content):
    use_redis(dead_port)
    article = content[0]
    staff = make_staff(PUBLISHER, password="正确的密码123")
    browser = Client()
    response = browser.post(
        reverse("admin:login"),
        {"username": staff.username, "password": "正确的密码123"},
    )
    assert response.status_code == 302
    url = reverse("admin:articles_article_change", args=[article.pk])
    assert browser.get(url).status_code == 200
    response = browser.post(url, article_post(article, title="缓存停了也能保存"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "缓存停了也能保存"


def test_exports_are_built_with_the_cache_down(use_redis, dead_port, client):
    use_redis(dead_port)
    make_assignment(name="季成")
    for fmt in ("csv", "xlsx"):
        response = export(client, fmt, q="季成")
        assert response.status_code == 200, fmt
        assert "季成" in "".join(map(str, rows_of(response, fmt)))
    # The limit of one build per client still holds, in this process.
    with (
        downloads.client_slot("127.0.0.1"),
        pytest.raises(downloads.Busy),
        downloads.client_slot("127.0.0.1"),
    ):
        pass

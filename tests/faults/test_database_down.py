"""The database gone away: 503 with Retry-After and the Chinese page, stale
copies of cached anonymous pages for a bounded time, nothing half-written,
and a restarted server's first request answered."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client, RequestFactory
from django.urls import reverse

from aidportal.views import server_error
from articles.models import Article
from tests.builders import (
    PUBLISHER,
    article_post,
    make_article,
    make_article_image,
    make_assignment,
    make_staff,
)

pytestmark = pytest.mark.django_db


def database_down():
    """Every new query fails as with a server that went away."""
    return mock.patch.object(
        BaseDatabaseWrapper,
        "cursor",
        side_effect=OperationalError("server closed the connection unexpectedly"),
    )


def assert_unavailable(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "暂时无法提供" in page
    assert "请在 30 秒后再试" in page
    assert "Traceback" not in page


def test_public_pages_and_the_admin_answer_503_with_retry_after():
    article = make_article()
    make_assignment(name="季成")
    staff = Client()
    staff.force_login(make_staff(PUBLISHER))
    visitor = Client(raise_request_exception=False)
    urls = [
        "/",
        "/articles/",
        article.get_absolute_url(),
        "/personnel/?q=季成",
        "/search/?q=援疆",
        "/no-such-page/",
    ]
    with database_down():
        for url in urls:
            assert_unavailable(visitor.get(url))
        assert_unavailable(
            visitor.post(
                reverse("admin:login"), {"username": "编辑", "password": "密码"}
            )
        )
        assert_unavailable(staff.get(reverse("admin:articles_article_changelist")))


def test_the_server_error_handler_answers_503_for_a_database_outage():
    request = RequestFactory().get("/")
    try:
        raise OperationalError("the database system is starting up")
    except OperationalError:
        assert_unavailable(server_error(request))
    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(request).status_code == 500


def test_pages_cached_before_the_outage_are_served_stale(page_cache, client, clock):
    article = make_article(title="停机前的头条")
    channel_page = article.channel.get_absolute_url()
    assert client.get(channel_page).status_code == 200  # cached
    Article.objects.filter(pk=article.pk).update(title="停机时看不到的标题")
    article.channel.save()  # a change: the cached copy is out of date
    with database_down():
        stale = client.get(channel_page)
        never_cached = Client(raise_request_exception=False).get("/projects/")
    assert stale.status_code == 200
    assert stale["X-Stale-Page"] == "database-unavailable"
    assert int(stale["Age"]) >= 0
    assert "no-store" in stale["Cache-Control"]
    assert "ETag" not in stale
    assert "停机前的头条" in stale.content.decode()
    assert_unavailable(never_cached)
    # Once the database answers, the current page.
    fresh = client.get(channel_page)
    assert "X-Stale-Page" not in fresh
    assert "停机时看不到的标题" in fresh.content.decode()


def test_a_stale_page_is_served_when_only_the_view_fails(page_cache, client):
    article = make_article(title="停机前的头条")
    channel_page = article.channel.get_absolute_url()
    client.get(channel_page)
    article.channel.save()
    client.get("/")  # the new version's blocks are cached: the view is what fails
    with database_down():
        stale = client.get(channel_page)
    assert stale["X-Stale-Page"] == "database-unavailable"
    assert "停机前的头条" in stale.content.decode()


def test_stale_pages_are_served_for_page_stale_seconds_only(
    page_cache, client, clock, settings
):
    settings.PAGE_STALE_SECONDS = 600
    article = make_article()
    channel_page = article.channel.get_absolute_url()
    client.get(channel_page)
    article.channel.save()
    clock(timedelta(seconds=599))
    with database_down():
        assert client.get(channel_page).status_code == 200
    clock(timedelta(seconds=601))
    with database_down():
        response = Client(raise_request_exception=False).get(channel_page)
    assert_unavailable(response)


def test_a_save_that_loses_the_database_midway_writes_nothing():
    article = make_article(title="原来的标题")
    make_article_image(article)
    staff = Client(raise_request_exception=False)
    staff.force_login(make_staff(PUBLISHER))
    history = article.history.count()
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = article_post(article, title="改了一半的标题")
    # The article row is written; then its history record meets the outage.
    failing = OperationalError("server closed the connection unexpectedly")
    with mock.patch.object(article.history.model, "save", side_effect=failing):
        response = staff.post(url, data)
    assert_unavailable(response)
    article.refresh_from_db()
    assert article.title == "原来的标题"
    assert article.history.count() == history
    assert article.images.count() == 1


def served(path):
    """(status, body) of ``path`` as a server handles it: the test client
    leaves out the check of kept connections at the start of a request."""
    started = []
    environ = RequestFactory().get(path).environ
    body = b"".join(
        WSGIHandler()(environ, lambda status, headers: started.append(status))
    )
    return int(started[0].split()[0]), body.decode()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has no server to restart"
)
@pytest.mark.django_db(transaction=True)
def test_the_first_request_after_the_server_dropped_the_connection_succeeds():
    make_article(title="重启之后")
    assert served("/")[0] == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    # What a server restart does to every kept connection.
    with connection._nodb_cursor() as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    status, page = served("/")
    assert status == 200
    assert "重启之后" in page

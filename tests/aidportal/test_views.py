from datetime import timedelta
from unittest import mock

import pytest
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.builders import make_article, make_channel

pytestmark = pytest.mark.django_db


def test_home_shows_featured_latest_and_channel_blocks(client):
    stories = make_channel(name="援建故事", slug="stories")
    make_article(channel=stories, title="推荐的故事", featured=True)
    make_article(channel=stories, title="普通的故事")
    make_article(channel=stories, title="草稿故事", status=Article.Status.DRAFT)
    make_article(
        channel=stories,
        title="定时故事",
        published_at=timezone.now() + timedelta(hours=1),
        featured=True,
    )

    response = client.get(reverse("home"))
    html = response.content.decode()

    assert response.status_code == 200
    assert [a.title for a in response.context["featured_articles"]] == ["推荐的故事"]
    assert [(c.name, len(a)) for c, a in response.context["channel_blocks"]] == [
        ("援建故事", 2)
    ]
    assert "普通的故事" in html
    assert "草稿故事" not in html
    assert "定时故事" not in html


def test_every_page_has_channel_navigation_and_breadcrumbs(client):
    for name, slug in [("援阿概况", "overview"), ("阿克苏风光", "scenery")]:
        make_channel(name=name, slug=slug)
    html = client.get(reverse("articles:list")).content.decode()
    assert 'href="/channels/overview/">援阿概况</a>' in html
    assert 'href="/channels/scenery/">阿克苏风光</a>' in html
    assert "您现在的位置" in html


def test_healthz_reports_a_working_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_the_database_fails(client):
    with mock.patch(
        "aidportal.views.connection.cursor", side_effect=DatabaseError("down")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405


def test_unknown_url_gets_the_portal_404_page(client):
    make_channel(name="援阿概况", slug="overview")
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html
    assert "援阿概况" in html  # the page keeps the site's navigation


@pytest.mark.urls("tests.aidportal.urls_failing")
def test_server_error_gets_the_portal_500_page(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "服务器暂时出错" in response.content.decode()


def test_favicon_ico_points_at_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/img/favicon.svg"

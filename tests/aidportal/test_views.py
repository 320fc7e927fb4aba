from datetime import timedelta
from html.parser import HTMLParser
from unittest import mock

import pytest
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.builders import (
    make_article,
    make_assignment,
    make_channel,
    make_project,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now()


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


def test_healthz_reports_each_component(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "local",
        "storage": "ok",
    }
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_the_database_fails(client):
    with mock.patch(
        "aidportal.kernel.health.connection.cursor",
        side_effect=DatabaseError("down"),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["database"] == "unavailable"


def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405


def test_unknown_url_gets_the_portal_404_page(client):
    make_channel(name="援阿概况", slug="overview")
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在（404）" in html  # full-width brackets in Chinese
    assert "援阿概况" in html  # the page keeps the site's navigation


@pytest.mark.urls("tests.aidportal.urls_failing")
def test_server_error_gets_the_portal_500_page(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "服务器暂时出错（500）" in response.content.decode()


def test_favicon_ico_points_at_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/img/favicon.svg"


# Page metadata


class HeadParser(HTMLParser):
    """The <title>, <meta> and <link rel> of a page's head (an inline SVG in
    the body, such as an article's QR code, has a <title> of its own)."""

    def __init__(self):
        super().__init__()
        self.title = None
        self.meta = {}
        self.links = {}
        self._in_title = False
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "body":
            self._in_body = True
        if self._in_body:
            return
        if tag == "title":
            self._in_title = True
            self.title = ""
        elif tag == "meta":
            key = attrs.get("name") or attrs.get("property")
            if key:
                self.meta[key] = attrs.get("content")
        elif tag == "link" and attrs.get("rel"):
            self.links[attrs["rel"]] = attrs.get("href")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


@pytest.fixture
def site():
    channel = make_channel(name="前沿动态", slug="news")
    article = make_article(
        channel=channel, title="援疆医生义诊", summary="义诊在阿克苏市举行。"
    )
    project = make_project(name="阿克苏市人民医院门诊楼", summary="门诊楼建成。")
    person = make_assignment(name="季 成").person
    return {"article": article, "project": project, "person": person}


@pytest.mark.parametrize(
    ("url", "title_has"),
    [
        (lambda site: reverse("home"), "杭州援疆"),
        (lambda site: reverse("articles:list"), "全部文章"),
        (lambda site: site["article"].get_absolute_url(), "援疆医生义诊"),
        (lambda site: reverse("articles:channel", args=["news"]), "前沿动态"),
        (lambda site: reverse("projects:list"), "援建项目"),
        (lambda site: site["project"].get_absolute_url(), "阿克苏市人民医院门诊楼"),
        (lambda site: reverse("personnel:list"), "名录"),
        (lambda site: site["person"].get_absolute_url(), "季成"),
        (lambda site: reverse("search") + "?q=援疆", "援疆"),
    ],
    ids=[
        "home",
        "articles",
        "article",
        "channel",
        "projects",
        "project",
        "personnel",
        "person",
        "search",
    ],
)
def test_public_page_has_title_description_open_graph_and_canonical(
    client, site, url, title_has
):
    path = url(site)
    response = client.get(path)
    assert response.status_code == 200
    head = HeadParser()
    head.feed(response.content.decode())
    assert title_has in head.title
    for key in ("description", "og:title", "og:description", "og:url"):
        assert head.meta.get(key, "").strip(), key
    page_url = f"http://testserver{path.split('?')[0]}"
    assert head.meta["og:url"] == page_url
    assert head.links["canonical"] == page_url


def test_detail_pages_describe_themselves(client, site):
    for key, description in [
        ("article", "义诊在阿克苏市举行。"),
        ("project", "门诊楼建成。"),
    ]:
        head = HeadParser()
        head.feed(client.get(site[key].get_absolute_url()).content.decode())
        assert head.meta["description"] == description
        assert head.meta["og:description"] == description
    head = HeadParser()
    head.feed(client.get(site["article"].get_absolute_url()).content.decode())
    assert head.meta["og:title"] == "援疆医生义诊"
    assert head.meta["og:type"] == "article"


def test_second_page_has_its_own_canonical(client):
    channel = make_channel()
    for number in range(21):
        make_article(channel=channel, published_at=NOW - timedelta(minutes=number + 1))
    head = HeadParser()
    head.feed(client.get(reverse("articles:list"), {"page": 2}).content.decode())
    assert head.links["canonical"] == "http://testserver/articles/?page=2"

import xml.etree.ElementTree as ET
from datetime import timedelta
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from projects.models import Project
from tests.builders import (
    make_article,
    make_assignment,
    make_channel,
    make_person,
    make_project,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now()
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

NON_PUBLIC = {
    "draft": {"status": Article.Status.DRAFT},
    "archived": {"status": Article.Status.ARCHIVED},
    "scheduled": {"published_at": NOW + timedelta(days=1)},
    "expired": {
        "published_at": NOW - timedelta(days=2),
        "expires_at": NOW - timedelta(days=1),
    },
}


def parse(response):
    return ET.fromstring(response.content)


# RSS


@pytest.fixture
def news():
    """A channel with two published articles, a draft sentinel, and another
    channel with one article."""
    channel = make_channel(name="前沿动态", slug="news")
    make_article(
        channel=channel, title="旧的报道", published_at=NOW - timedelta(days=2)
    )
    make_article(
        channel=channel, title="新的报道", published_at=NOW - timedelta(hours=1)
    )
    for kind, fields in NON_PUBLIC.items():
        make_article(channel=channel, title=f"哨兵{kind}", **fields)
    make_article(
        channel=make_channel(slug="stories"),
        title="别的栏目",
        published_at=NOW - timedelta(days=1),
    )
    return channel


def items(response):
    rss = parse(response)
    return [
        {
            "title": item.findtext("title"),
            "link": item.findtext("link"),
            "pubDate": parsedate_to_datetime(item.findtext("pubDate")),
        }
        for item in rss.iter("item")
    ]


def published_urls():
    return {
        f"http://testserver{article.get_absolute_url()}"
        for article in Article.objects.published()
    }


@pytest.mark.parametrize(
    ("url", "titles"),
    [
        ("/feeds/articles/", ["新的报道", "别的栏目", "旧的报道"]),
        ("/feeds/channels/news/", ["新的报道", "旧的报道"]),
    ],
    ids=["latest", "channel"],
)
def test_feed_is_rss_2_of_published_articles_newest_first(client, news, url, titles):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    rss = parse(response)
    assert rss.tag == "rss"
    assert rss.get("version") == "2.0"
    assert rss.find("channel").findtext("link").startswith("http://testserver/")
    rows = items(response)
    assert [row["title"] for row in rows] == titles
    assert all(row["link"].startswith("http://testserver/") for row in rows)
    assert {row["link"] for row in rows} <= published_urls()
    dates = [row["pubDate"] for row in rows]
    assert dates == sorted(dates, reverse=True)
    assert "哨兵" not in response.content.decode()


def test_channel_feed_names_the_channel(client, news):
    channel = parse(client.get("/feeds/channels/news/")).find("channel")
    assert "前沿动态" in channel.findtext("title")
    assert channel.findtext("link") == "http://testserver/channels/news/"


def test_feed_escapes_titles(client):
    make_article(title="<b>标题</b> & 副题")
    assert [row["title"] for row in items(client.get("/feeds/articles/"))] == [
        "<b>标题</b> & 副题"
    ]


def test_unknown_channel_feed_is_404(client, news):
    assert client.get("/feeds/channels/no-such/").status_code == 404


def test_feed_links_from_every_page(client):
    html = client.get(reverse("home")).content.decode()
    assert 'type="application/rss+xml"' in html
    assert 'href="/feeds/articles/"' in html


# Sitemap


def test_sitemap_lists_exactly_the_public_pages(client):
    visible_channel = make_channel(slug="news")
    hidden_channel = make_channel(slug="hidden", in_navigation=False)
    articles = [
        make_article(channel=visible_channel),
        make_article(channel=hidden_channel),
    ]
    for fields in NON_PUBLIC.values():
        make_article(channel=visible_channel, **fields)
    projects = [make_project(), make_project()]
    make_project(status=Project.Status.DRAFT)
    make_project(published_at=NOW + timedelta(days=1))
    people = [make_assignment(name="季 成").person, make_person("王芳")]
    make_person("隐藏人", is_public=False)

    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    urlset = parse(response)
    locations = [url.findtext(f"{SITEMAP}loc") for url in urlset]

    expected = {
        "http://testserver/",
        "http://testserver/articles/",
        "http://testserver/projects/",
        "http://testserver/personnel/",
        "http://testserver/channels/news/",
        "http://testserver/channels/hidden/",
        *(f"http://testserver{row.get_absolute_url()}" for row in articles),
        *(f"http://testserver{row.get_absolute_url()}" for row in projects),
        *(f"http://testserver{row.get_absolute_url()}" for row in people),
    }
    assert len(locations) == len(set(locations))
    assert set(locations) == expected


def test_sitemap_gives_articles_a_lastmod(client):
    article = make_article()
    urlset = parse(client.get("/sitemap.xml"))
    lastmod = {
        url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
        for url in urlset
    }
    article_url = f"http://testserver{article.get_absolute_url()}"
    assert lastmod[article_url] == timezone.localdate(article.updated_at).isoformat()
    assert lastmod["http://testserver/"] is None


def test_robots_txt_names_the_absolute_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines


# Page metadata


class HeadParser(HTMLParser):
    """The <title>, <meta> and <link rel> of a page."""

    def __init__(self):
        super().__init__()
        self.title = None
        self.meta = {}
        self.links = {}
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
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
        (lambda site: site["person"].get_absolute_url(), "季 成"),
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

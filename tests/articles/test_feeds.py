"""RSS feeds of the newest articles, and of each channel."""

from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.builders import (
    NOT_PUBLIC,
    make_article,
    make_channel,
    xml_of,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now()


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
    for kind, fields in NOT_PUBLIC.items():
        make_article(channel=channel, title=f"哨兵{kind}", **fields)
    make_article(
        channel=make_channel(slug="stories"),
        title="别的栏目",
        published_at=NOW - timedelta(days=1),
    )
    return channel


def items(response):
    rss = xml_of(response)
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
    rss = xml_of(response)
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
    channel = xml_of(client.get("/feeds/channels/news/")).find("channel")
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

"""/site-map/: the whole site on one page, for people."""

import re
from datetime import timedelta
from itertools import pairwise

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aidportal.models import SiteRegistry
from articles.models import Article
from personnel.models import Category
from projects.models import Project
from tests.builders import (
    NOT_PUBLIC,
    make_article,
    make_assignment,
    make_batch,
    make_channel,
)

pytestmark = pytest.mark.django_db

URL = reverse("site-map")


def links(response):
    return re.findall(r'<a [^>]*href="([^"]*)"', response.content.decode())


def main(response):
    content = response.content.decode()
    return content[content.index('<main id="main"') : content.index("</main>")]


def test_the_site_map_lists_every_part_of_the_site(client):
    news = make_channel(name="前沿动态", slug="frontline")
    empty = make_channel(name="阿克苏风光", slug="scenery")
    make_channel(name="不在导航", slug="hidden", in_navigation=False)
    article = make_article(channel=news, title="援疆医生开展新技术")
    make_assignment(batch=make_batch(10), category=Category.MEDICAL)
    make_assignment(batch=make_batch(11))
    SiteRegistry.objects.create(
        sponsor="杭州市援疆指挥部", phone="0571-87001234", email="a@example.org"
    )

    response = client.get(URL)

    assert response.status_code == 200
    page = main(response)
    hrefs = links(response)
    assert news.get_absolute_url() in hrefs
    assert empty.get_absolute_url() in hrefs
    assert "/channels/hidden/" not in hrefs
    assert article.get_absolute_url() in hrefs
    assert "援疆医生开展新技术" in page
    assert "暂无已发布的文章。" in page
    for url in (
        reverse("articles:list"),
        reverse("projects:list"),
        reverse("personnel:list"),
        reverse("personnel:list") + "?batch=10",
        reverse("personnel:list") + "?batch=11",
        reverse("personnel:list") + "?category=medical",
        reverse("search"),
        reverse("feed"),
        reverse("django.contrib.sitemaps.views.sitemap"),
        "mailto:a@example.org",
    ):
        assert url in hrefs, url
    for value, _ in Project.Category.choices:
        assert f"{reverse('projects:list')}?category={value}" in hrefs
    assert "主办单位：杭州市援疆指挥部" in page
    assert "联系电话：0571-87001234" in page


def test_breadcrumbs_and_headings_are_in_order(client):
    make_article(title="一篇")
    content = client.get(URL).content.decode()
    assert '&gt;&gt; <span aria-current="page">网站地图</span>' in content
    levels = [int(level) for level in re.findall(r"<h([1-6])", main_of(content))]
    assert levels[0] == 1
    assert levels.count(1) == 1
    assert all(b <= a + 1 for a, b in pairwise(levels))
    assert levels[1] == 2


def main_of(content):
    return content[content.index('<main id="main"') : content.index("</main>")]


def test_without_a_registry_the_contact_section_is_left_out(client):
    page = main(client.get(URL))
    assert "联系我们" not in page
    assert "主办单位" not in page


@pytest.mark.parametrize("state", NOT_PUBLIC)
def test_no_unpublished_article_is_listed(client, state):
    channel = make_channel(name="前沿动态")
    make_article(channel=channel, title="公开的文章")
    hidden = make_article(channel=channel, title="不应出现的文章", **NOT_PUBLIC[state])
    response = client.get(URL)
    assert "公开的文章" in response.content.decode()
    assert "不应出现的文章" not in response.content.decode()
    assert hidden.get_absolute_url() not in links(response)


def test_a_hidden_persons_only_batch_is_not_listed(client):
    make_assignment(batch=make_batch(10))
    make_assignment(batch=make_batch(12), is_public=False)
    hrefs = links(client.get(URL))
    assert reverse("personnel:list") + "?batch=10" in hrefs
    assert reverse("personnel:list") + "?batch=12" not in hrefs


def test_each_channel_lists_its_five_newest_articles(client):
    channel = make_channel(name="前沿动态")
    now = timezone.now()
    articles = [
        make_article(channel=channel, published_at=now - timedelta(days=days))
        for days in range(1, 8)
    ]
    hrefs = links(client.get(URL))
    assert [a for a in articles if a.get_absolute_url() in hrefs] == articles[:5]


def count_queries_cold(count_queries):
    cache.clear()
    response, queries = count_queries(URL)
    assert response.status_code == 200
    return queries


def test_the_query_count_does_not_grow_with_channels_and_articles(count_queries):
    make_article(channel=make_channel(name="一个栏目"))
    make_assignment()
    one = count_queries_cold(count_queries)
    for number in range(8):
        channel = make_channel(name=f"栏目甲{number}")
        for _ in range(6):
            make_article(channel=channel)
    make_assignment(batch=make_batch(11))
    SiteRegistry.objects.create(sponsor="主办")
    many = count_queries_cold(count_queries)
    # The navigation, the channels and their newest articles, the roster's
    # batches, the record.
    assert (one, many) == (5, 5)
    # Warm: every one of them comes from the cache.
    _, warm = count_queries(URL)
    assert warm == 0
    assert Article.objects.count() == 49


def test_the_page_cache_keeps_the_site_map_until_content_changes(page_cache):
    channel = make_channel(name="前沿动态")
    make_article(channel=channel, title="第一篇")
    visitor = Client()
    first = visitor.get(URL, {"junk": "1"})
    assert first.status_code == 200
    assert first.has_header("ETag")
    assert "第一篇" in first.content.decode()
    make_article(channel=channel, title="第二篇")
    assert "第二篇" in visitor.get(URL).content.decode()

"""The sitemap: what each app declares, composed by the site; and robots.txt."""

from datetime import timedelta

import pytest
from django.utils import timezone

from projects.models import Project
from tests.builders import (
    NOT_PUBLIC,
    make_article,
    make_assignment,
    make_channel,
    make_person,
    make_project,
    xml_of,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now()
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


# Sitemap


def test_sitemap_lists_exactly_the_public_pages(client):
    visible_channel = make_channel(slug="news")
    hidden_channel = make_channel(slug="hidden", in_navigation=False)
    articles = [
        make_article(channel=visible_channel),
        make_article(channel=hidden_channel),
    ]
    for fields in NOT_PUBLIC.values():
        make_article(channel=visible_channel, **fields)
    projects = [make_project(), make_project()]
    make_project(status=Project.Status.DRAFT)
    make_project(published_at=NOW + timedelta(days=1))
    people = [make_assignment(name="季 成").person, make_person("王芳")]
    make_person("隐藏人", is_public=False)

    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    urlset = xml_of(response)
    locations = [url.findtext(f"{SITEMAP}loc") for url in urlset]

    expected = {
        "http://testserver/",
        "http://testserver/articles/",
        "http://testserver/projects/",
        "http://testserver/personnel/",
        "http://testserver/data/",
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
    urlset = xml_of(client.get("/sitemap.xml"))
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

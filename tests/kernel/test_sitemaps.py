"""A sitemap of published rows, decided when the sitemap is asked for."""

from datetime import timedelta

import pytest
from django.utils import timezone

from aidportal.kernel.sitemaps import PublishedSitemap
from articles.models import Article
from tests.builders import make_article

pytestmark = pytest.mark.django_db


def test_a_scheduled_row_joins_the_sitemap_when_its_time_comes(monkeypatch):
    sitemap = PublishedSitemap(Article, changefreq="monthly")
    soon = timezone.now() + timedelta(minutes=5)
    article = make_article(published_at=soon)
    assert list(sitemap.items()) == []
    later = soon + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert list(sitemap.items()) == [article]
    assert sitemap.lastmod(article) == article.updated_at

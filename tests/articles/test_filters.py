import pytest

from articles.filters import ArticleFilter
from articles.models import Article
from tests.builders import make_article, make_channel

pytestmark = pytest.mark.django_db


def test_articles_are_narrowed_by_channel_slug():
    news = make_channel(slug="news")
    mine = make_article(channel=news)
    make_article(channel=make_channel(slug="stories"))
    found = ArticleFilter({"channel": "news"}, queryset=Article.objects.all())
    assert list(found.qs) == [mine]


def test_an_unknown_channel_is_a_form_error():
    found = ArticleFilter({"channel": "nowhere"}, queryset=Article.objects.all())
    assert not found.is_valid()
    assert "channel" in found.form.errors

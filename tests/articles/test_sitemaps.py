import pytest

from articles.sitemaps import sitemaps
from tests.builders import make_article, make_channel

pytestmark = pytest.mark.django_db


def test_articles_declare_their_channels_and_published_articles():
    channel = make_channel()
    shown = make_article(channel=channel)
    make_article(channel=channel, status="draft")
    assert list(sitemaps["channels"].items()) == [channel]
    assert list(sitemaps["articles"].items()) == [shown]

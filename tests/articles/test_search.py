"""Articles' part of the site search."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.search import provider, search_articles
from tests.builders import NOT_PUBLIC, make_article

pytestmark = pytest.mark.django_db


def test_title_matches_come_first_then_the_newest():
    now = timezone.now()
    body_match = make_article(
        title="阿克苏见闻",
        body="<p>援疆医生</p>",
        published_at=now - timedelta(hours=1),
    )
    title_match = make_article(title="援疆医生", published_at=now - timedelta(days=3))
    assert list(search_articles("援疆医生")) == [title_match, body_match]


@pytest.mark.parametrize("state", NOT_PUBLIC)
def test_what_is_not_public_is_never_found(state):
    make_article(title="援疆医生", **NOT_PUBLIC[state])
    assert not search_articles("援疆医生").exists()


def test_the_provider_names_its_group():
    assert (provider.name, str(provider.label)) == ("articles", "文章")

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import Article
from tests.builders import make_article, make_channel

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def published_titles(now=NOW):
    return set(Article.objects.published(now=now).values_list("title", flat=True))


def test_published_article_without_expiry_is_public():
    make_article(title="公开")
    assert published_titles() == {"公开"}


@pytest.mark.parametrize(
    "status", [Article.Status.DRAFT, Article.Status.ARCHIVED], ids=str
)
def test_draft_and_archived_articles_are_not_public(status):
    make_article(title="隐藏", status=status)
    assert published_titles() == set()


def test_article_becomes_public_at_its_publication_time():
    make_article(title="定时", published_at=NOW)
    assert published_titles(now=NOW - timedelta(seconds=1)) == set()
    assert published_titles(now=NOW) == {"定时"}


def test_article_is_withdrawn_at_its_expiry_time():
    make_article(title="到期", published_at=NOW - timedelta(days=1), expires_at=NOW)
    assert published_titles(now=NOW - timedelta(seconds=1)) == {"到期"}
    assert published_titles(now=NOW) == set()


def test_scheduled_article_is_public_once_time_passes():
    make_article(title="明天", published_at=timezone.now() + timedelta(days=1))
    assert published_titles(now=timezone.now()) == set()
    assert published_titles(now=timezone.now() + timedelta(days=2)) == {"明天"}


def test_expiry_must_be_after_publication():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(published_at=NOW, expires_at=NOW - timedelta(minutes=1))


def test_save_sanitises_the_body_outside_the_admin():
    article = make_article(body='<p onclick="x()">好<script>alert(1)</script></p>')
    article.refresh_from_db()
    assert article.body == "<p>好</p>"


def test_newest_per_channel_keeps_the_newest_rows_of_each_channel():
    first, second = make_channel(), make_channel()
    for hours in range(1, 5):
        make_article(
            channel=first, title=f"一{hours}", published_at=NOW - timedelta(hours=hours)
        )
    make_article(channel=second, title="二1")

    rows = list(Article.objects.published().newest_per_channel(2))

    assert [(row.channel_id, row.title) for row in rows] == [
        (first.pk, "一1"),
        (first.pk, "一2"),
        (second.pk, "二1"),
    ]


def test_absolute_urls_use_ids_and_slugs():
    article = make_article()
    assert article.get_absolute_url() == f"/articles/{article.pk}/"
    assert article.channel.get_absolute_url() == f"/channels/{article.channel.slug}/"

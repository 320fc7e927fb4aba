from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.builders import make_article, make_channel

pytestmark = pytest.mark.django_db


def article_form(channel, **overrides):
    data = {
        "channel": channel.pk,
        "title": "援疆医生完成首台手术",
        "subtitle": "",
        "summary": "摘要",
        "body": "<p>正文</p>",
        "cover_alt": "",
        "cover_caption": "",
        "source": "杭州日报",
        "author": "林尧",
        "editor": "高婷婷",
        "status": Article.Status.DRAFT,
        "published_at_0": "2021-07-01",
        "published_at_1": "08:00:00",
        "expires_at_0": "",
        "expires_at_1": "",
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("url", "shows"),
    [
        (lambda a: reverse("admin:articles_article_changelist"), "援疆医生"),
        (
            lambda a: reverse("admin:articles_article_changelist") + "?q=援疆",
            "援疆医生",
        ),
        (lambda a: reverse("admin:articles_article_add"), "增加文章"),
        (lambda a: reverse("admin:articles_article_change", args=[a.pk]), "援疆医生"),
        (lambda a: reverse("admin:articles_channel_changelist"), "杭网追踪"),
        (
            lambda a: reverse("admin:articles_channel_change", args=[a.channel_id]),
            "杭网追踪",
        ),
    ],
    ids=["changelist", "search", "add", "change", "channels", "channel"],
)
def test_admin_pages_render_for_a_superuser(admin_client, url, shows):
    article = make_article(title="援疆医生", channel=make_channel(name="杭网追踪"))
    response = admin_client.get(url(article))
    assert response.status_code == 200
    assert shows in response.content.decode()


def test_admin_is_in_chinese(admin_client, settings):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert f"{settings.SITE_NAME} · 管理后台" in html
    assert "文章" in html


def test_adding_an_article_records_who_and_sanitises_the_body(admin_client, admin_user):
    channel = make_channel()
    response = admin_client.post(
        reverse("admin:articles_article_add"),
        article_form(channel, body="<p>正文<script>alert(1)</script></p>"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get()
    assert article.body == "<p>正文</p>"
    assert article.created_by == admin_user
    assert article.updated_by == admin_user


@pytest.mark.parametrize(
    "typed", ["2021年7月1日", "2021-07-01", "2021/7/1", "2021.7.1"]
)
def test_admin_accepts_the_four_date_formats(admin_client, typed):
    channel = make_channel()
    response = admin_client.post(
        reverse("admin:articles_article_add"),
        article_form(channel, published_at_0=typed),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    published = timezone.localtime(Article.objects.get().published_at)
    assert published.date() == date(2021, 7, 1)
    assert (published.hour, published.minute) == (8, 0)


def test_admin_rejects_expiry_before_publication(admin_client):
    channel = make_channel()
    response = admin_client.post(
        reverse("admin:articles_article_add"),
        article_form(channel, expires_at_0="2021-06-30", expires_at_1="08:00:00"),
    )
    assert response.status_code == 200
    assert "下线时间必须晚于发布时间" in response.content.decode()
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("publish", Article.Status.PUBLISHED),
        ("withdraw", Article.Status.WITHDRAWN),
        ("archive", Article.Status.ARCHIVED),
    ],
)
def test_status_actions_change_the_selected_articles(
    admin_client, admin_user, action, status
):
    selected = make_article(
        status=Article.Status.DRAFT if action == "publish" else Article.Status.PUBLISHED
    )
    other = make_article(status=Article.Status.DRAFT)
    response = admin_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": action, "_selected_action": [selected.pk]},
    )
    assert response.status_code == 302
    selected.refresh_from_db()
    other.refresh_from_db()
    assert selected.status == status
    assert selected.updated_by == admin_user
    assert other.status == Article.Status.DRAFT


def test_published_article_from_admin_appears_on_its_channel(admin_client, client):
    channel = make_channel(slug="news")
    admin_client.post(
        reverse("admin:articles_article_add"),
        article_form(
            channel,
            title="新发布的报道",
            status=Article.Status.PUBLISHED,
            published_at_0=timezone.localdate().isoformat(),
            published_at_1="00:00:00",
        ),
    )
    assert "新发布的报道" in client.get(channel.get_absolute_url()).content.decode()

"""The preview of content the public cannot see yet (or any more): for staff
who may view it in the admin, never cached, a 404 for everyone else."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from projects.models import Project
from tests.builders import (
    EDITOR,
    PUBLISHER,
    REPORTER,
    make_article,
    make_project,
    make_staff,
)

pytestmark = pytest.mark.django_db

ROLES = {"editor": EDITOR, "publisher": PUBLISHER, "reporter": REPORTER}


def _article(**fields):
    return make_article(title="尚未公开的援疆报道", **fields)


HIDDEN = {
    "draft-article": lambda: _article(status=Article.Status.DRAFT),
    "scheduled-article": lambda: _article(
        published_at=timezone.now() + timedelta(days=1)
    ),
    "expired-article": lambda: _article(
        published_at=timezone.now() - timedelta(days=2),
        expires_at=timezone.now() - timedelta(days=1),
    ),
    "archived-article": lambda: _article(status=Article.Status.ARCHIVED),
    "draft-project": lambda: make_project(
        name="尚未公开的援建项目", status=Project.Status.DRAFT
    ),
}


def title_of(obj):
    return getattr(obj, "title", None) or obj.name


@pytest.fixture
def log_in(client, django_user_model):
    def log_in(who):
        if who == "superuser":
            user = django_user_model.objects.create_superuser("root", password="x")
        elif who == "anonymous":
            return client
        else:
            user = make_staff(ROLES[who])
        client.force_login(user)
        return client

    return log_in


@pytest.mark.parametrize("content", HIDDEN)
@pytest.mark.parametrize("who", ["superuser", "editor", "publisher"])
def test_staff_preview_content_the_public_cannot_see(log_in, who, content):
    obj = HIDDEN[content]()
    response = log_in(who).get(obj.get_preview_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert title_of(obj) in html
    assert 'class="wrap preview-banner"' in html
    assert "预览：此页面只有工作人员可以看到；状态为" in html
    cache_control = response["Cache-Control"]
    assert "private" in cache_control
    assert "no-store" in cache_control
    assert "noindex" in response["X-Robots-Tag"]


@pytest.mark.parametrize("content", HIDDEN)
@pytest.mark.parametrize("who", ["anonymous", "reporter"])
def test_preview_and_public_page_are_404_for_visitors_and_reporters(
    log_in, who, content
):
    obj = HIDDEN[content]()
    client = log_in(who)
    preview = client.get(obj.get_preview_url())
    assert preview.status_code == 404
    assert title_of(obj) not in preview.content.decode()
    public = client.get(obj.get_absolute_url())
    assert public.status_code == 404
    assert title_of(obj) not in public.content.decode()


def test_a_published_article_page_is_not_private(client):
    article = make_article(title="已发布的援疆报道")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "已发布的援疆报道" in response.content.decode()
    cache_control = response.get("Cache-Control", "")
    assert "private" not in cache_control
    assert "no-store" not in cache_control


def test_preview_urls_are_the_preview_views():
    assert reverse("articles:preview", kwargs={"pk": 7}) == "/articles/7/preview/"
    assert reverse("projects:preview", kwargs={"pk": 7}) == "/projects/7/preview/"


@pytest.mark.parametrize(
    ("make", "admin"),
    [
        (lambda: _article(status=Article.Status.DRAFT), "articles_article"),
        (lambda: make_project(status=Project.Status.DRAFT), "projects_project"),
    ],
    ids=["article", "project"],
)
def test_the_change_form_links_to_the_preview(admin_client, make, admin):
    obj = make()
    response = admin_client.get(reverse(f"admin:{admin}_change", args=[obj.pk]))
    assert response.status_code == 200
    preview = obj.get_preview_url()
    assert response.context["absolute_url"] == preview
    assert f'href="{preview}"' in response.content.decode()


@pytest.mark.parametrize("who", ["superuser", "editor"])
def test_the_article_changelist_has_a_preview_column(log_in, who):
    draft = _article(status=Article.Status.DRAFT)
    response = log_in(who).get(reverse("admin:articles_article_changelist"))
    assert response.status_code == 200
    headers = [str(header["text"]) for header in response.context["result_headers"]]
    assert "预览" in headers
    html = response.content.decode()
    assert f'<a href="{draft.get_preview_url()}" target="_blank"' in html

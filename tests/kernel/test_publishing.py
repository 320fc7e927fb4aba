"""Publishing: what the public may see, decided when the query runs; and
the registry of content models."""

from datetime import timedelta

import pytest
from django.utils import timezone

from aidportal.kernel.publishing import (
    Content,
    Publishable,
    content_models,
    publishable_models,
    repeats_start,
)
from aidportal.models import SiteRegistry
from articles.models import Article, ArticleImage, Channel
from personnel.models import Assignment, Batch, Person, Term, Unit
from projects.models import Project, ProjectImage
from tests.builders import NOT_PUBLIC, make_article, make_article_image, make_project

pytestmark = pytest.mark.django_db


def test_every_content_model_is_found_through_the_registry():
    assert set(content_models()) == {
        Channel,
        Article,
        ArticleImage,
        Project,
        ProjectImage,
        Unit,
        Batch,
        Term,
        Person,
        Assignment,
        SiteRegistry,
    }
    assert set(publishable_models()) == {Article, Project}
    assert all(issubclass(model, Content) for model in content_models())


def test_history_models_are_no_content():
    assert Article.history.model not in content_models()


@pytest.mark.parametrize("state", NOT_PUBLIC)
def test_published_is_status_schedule_and_expiry(state):
    make_article(title="公开的")
    make_article(title="不公开的", **NOT_PUBLIC[state])
    assert [a.title for a in Article.objects.published()] == ["公开的"]


def test_published_is_decided_when_the_query_runs():
    soon = timezone.now() + timedelta(minutes=5)
    article = make_article(published_at=soon, expires_at=soon + timedelta(days=1))
    assert not Article.objects.published().exists()
    assert Article.objects.published(now=soon).get() == article
    assert not Article.objects.published(now=soon + timedelta(days=2)).exists()


def test_the_next_scheduled_change_is_the_nearest_publication_or_expiry():
    now = timezone.now()
    make_project(published_at=now + timedelta(hours=3))
    expiring = make_project(expires_at=now + timedelta(hours=2))
    make_project(status=Project.Status.DRAFT, published_at=now + timedelta(hours=1))
    assert Project.objects.next_scheduled_change(now) == expiring.expires_at
    assert Article.objects.next_scheduled_change(now) is None


def test_the_title_length_and_search_text_are_derived_on_save():
    article = make_article(title="援疆 医生", body="<p>正文<b>加粗</b></p>")
    assert article.title_length == len("援疆医生")
    assert article.search_text.split("\n")[0] == "援疆医生"
    assert "正文加粗" in article.search_text


def test_live_archived_and_taking_down():
    article = make_article()
    assert article.is_live and not article.is_archived
    article.take_down()
    assert article.status == Publishable.Status.DRAFT
    archived = make_article(status=Article.Status.ARCHIVED)
    assert not archived.is_live and archived.is_archived


def test_gallery_pictures_are_published_with_their_owner():
    shown = make_article_image(make_article())
    make_article_image(make_article(status=Article.Status.DRAFT))
    assert list(ArticleImage.objects.published()) == [shown]


@pytest.mark.parametrize(
    ("summary", "body", "repeats"),
    [
        ("援疆医生返回杭州。", "<p>援疆医生返回杭州。</p><p>次段。</p>", True),
        ("援疆医生返回杭州。", "<p>援疆医生<br>返回&nbsp;杭州。</p>", True),
        ("援疆医生, 返回杭州", "<p>援疆医生，返回杭州。</p>", True),
        ("援疆医生返回……", "<p>援疆医生返回杭州。</p>", True),
        ("援疆医生返回杭州，结束援疆。", "<p>援疆医生返回杭州。</p>", False),
        ("医生们回到了杭州。", "<p>援疆医生返回杭州。</p>", False),
        ("援疆医生返回杭州。", "", False),
        ("", "<p>援疆医生返回杭州。</p>", False),
        ("……", "<p>援疆医生返回杭州。</p>", False),
    ],
)
def test_a_summary_repeats_the_body_when_it_is_only_its_start(summary, body, repeats):
    assert repeats_start(summary, body) is repeats


def test_summary_repeats_body_is_a_property_of_articles_and_projects():
    body = "<p>援疆医生返回杭州。</p>"
    assert make_article(summary="援疆医生返回杭州。", body=body).summary_repeats_body
    assert not make_project(summary="项目建成。", body=body).summary_repeats_body

"""The admin base: the signed confirm step of imports, the publish fields
an editor cannot set, and the trash page."""

import time
from datetime import date

import pytest
from django.contrib import admin
from django.core import signing
from django.test import RequestFactory
from django.urls import reverse

from articles.models import Article
from personnel.models import Assignment
from tests.builders import EDITOR, PUBLISHER, article_post, make_article, make_staff

pytestmark = pytest.mark.django_db

VALUES = {
    "import_file_name": "0123abcd",
    "original_file_name": "roster.csv",
    "format": "0",
    "resource": "0",
    "batch": 10,
    "term": "首期",
    "category": None,
    # A date option goes into the token's JSON as its ISO text.
    "arrived_on": date(2020, 3, 20),
    "left_on": None,
}


def request_of(user):
    request = RequestFactory().post("/")
    request.user = user
    return request


@pytest.fixture
def importer():
    return admin.site._registry[Assignment]


def test_an_upload_token_gives_back_what_was_previewed(importer):
    request = request_of(make_staff(PUBLISHER))
    token = importer.upload_token(request, VALUES)
    assert importer.read_upload_token(request, token) == {
        **{name: str(value) for name, value in VALUES.items() if value is not None},
        "category": "",
        "left_on": "",
    }


def test_an_upload_token_is_the_previewing_users_only(importer):
    token = importer.upload_token(request_of(make_staff(PUBLISHER)), VALUES)
    assert importer.read_upload_token(request_of(make_staff(PUBLISHER)), token) is None


def test_a_changed_or_old_upload_token_is_refused(importer, monkeypatch):
    request = request_of(make_staff(PUBLISHER))
    token = importer.upload_token(request, VALUES)
    assert importer.read_upload_token(request, token[:-2] + "xx") is None
    later = time.time() + importer.upload_token_max_age + 1
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert importer.read_upload_token(request, token) is None


def test_an_editor_cannot_set_the_publish_fields(client):
    client.force_login(make_staff(EDITOR))
    response = client.post(
        reverse("admin:articles_article_add"),
        article_post(status=Article.Status.PUBLISHED, title="编辑写的草稿"),
    )
    assert response.status_code == 302
    assert Article.objects.get(title="编辑写的草稿").status == Article.Status.DRAFT


def test_the_trash_lists_deleted_rows_for_who_may_add(client):
    article = make_article(title="删掉的文章")
    article.delete()
    client.force_login(make_staff(EDITOR))
    page = client.get(reverse("admin:articles_article_deleted"))
    assert page.status_code == 200
    assert "删掉的文章" in page.content.decode()

"""The media gate (aidportal.kernel.media): pictures, and their renditions, reach the
public exactly while what holds them is published; stored names are random."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.utils import timezone

from aidportal.kernel.images import renditions
from articles.models import Article
from personnel.models import Person
from projects.models import Project
from tests.builders import (
    EDITOR,
    NOT_PUBLIC,
    REPORTER,
    image_file,
    make_article,
    make_article_image,
    make_person,
    make_project,
    make_project_image,
    make_staff,
)

pytestmark = pytest.mark.django_db


def urls_of(file):
    """The URL of a stored picture and of each of its renditions."""
    made = renditions(file)
    return [file.url, *(url for rows in made.values() for url, _w, _h in rows)]


def statuses(client, urls):
    return {client.get(url).status_code for url in urls}


HOLDERS = {
    "article-cover": lambda published: (
        make_article(cover=image_file("gps.jpg"), cover_alt="题图", **published).cover
    ),
    "article-gallery": lambda published: (
        make_article_image(make_article(**published)).image
    ),
    "project-cover": lambda published: (
        make_project(cover=image_file("gps.jpg"), cover_alt="题图", **published).cover
    ),
    "project-gallery": lambda published: (
        make_project_image(make_project(**published)).image
    ),
}


@pytest.mark.parametrize("holder", HOLDERS)
def test_pictures_of_published_content_are_served_to_anyone(client, holder):
    file = HOLDERS[holder]({})
    for url in urls_of(file):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "public" in response["Cache-Control"]
        assert b"".join(response.streaming_content)


@pytest.mark.parametrize("hidden", NOT_PUBLIC)
@pytest.mark.parametrize("holder", HOLDERS)
def test_pictures_of_unpublished_content_are_404_renditions_included(
    client, holder, hidden
):
    file = HOLDERS[holder](NOT_PUBLIC[hidden])
    urls = urls_of(file)
    assert len(urls) == 1 + 2, "the picture and a rendition in each format"
    assert statuses(client, urls) == {404}
    client.force_login(make_staff(REPORTER))
    assert statuses(client, urls) == {404}, "reporters see the public roster only"
    client.force_login(make_staff(EDITOR))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]


def test_a_hidden_persons_photo_is_404(client):
    person = make_person("季成", photo=image_file("me.jpg"), is_public=False)
    assert statuses(client, urls_of(person.photo)) == {404}
    Person.objects.filter(pk=person.pk).update(is_public=True, status="published")
    # The change above sends no signal: a new person, public from the start.
    public = make_person("周正", photo=image_file("me.jpg"))
    assert statuses(client, urls_of(public.photo)) == {200}


def test_a_takedown_takes_the_pictures_down(client):
    article = make_article(cover=image_file("a.jpg"), cover_alt="题图")
    urls = urls_of(article.cover)
    assert statuses(client, urls) == {200}
    article.status = Article.Status.DRAFT
    article.save()
    assert statuses(client, urls) == {404}


def test_a_scheduled_cover_appears_when_its_time_comes(client, clock):
    publish_at = timezone.now() + timedelta(minutes=5)
    project = make_project(
        cover=image_file("a.jpg"), cover_alt="题图", published_at=publish_at
    )
    urls = urls_of(project.cover)
    assert statuses(client, urls) == {404}
    clock(timedelta(minutes=6))
    assert statuses(client, urls) == {200}


def test_stored_names_are_random_and_keep_no_upload_name():
    first = make_article(cover=image_file("张三-gps.jpg"), cover_alt="题图").cover
    second = make_article(cover=image_file("张三-gps.jpg"), cover_alt="题图").cover
    for file in (first, second):
        assert "gps" not in file.name
        assert "张三" not in file.name
        assert file.name.startswith("articles/article/")
        assert file.name.endswith(".jpg")
    assert first.name != second.name


@pytest.mark.parametrize(
    "path",
    [
        "articles/article/2026/11/0123456789abcdef0123456789abcdef.jpg",
        "renditions/articles/article/2026/11/nothing.jpg/key.webp",
        "auth/user/1.jpg",
        "nosuchapp/model/x.jpg",
        "db.sqlite3",
        "private/django-import-export/x",
    ],
)
def test_files_no_published_row_holds_are_404(client, path):
    assert client.get(settings.MEDIA_URL + path).status_code == 404


def test_behind_nginx_the_gate_hands_the_file_to_it(client, settings):
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    article = make_article(cover=image_file("a.jpg"), cover_alt="题图")
    response = client.get(article.cover.url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/protected-media/" + article.cover.name
    assert response.content == b""
    # nginx keeps the app's Content-Type for the file it sends.
    assert response["Content-Type"] == "image/jpeg"
    draft = make_article(
        cover=image_file("b.jpg"), cover_alt="题图", status=Article.Status.DRAFT
    )
    response = client.get(draft.cover.url)
    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response


def test_with_object_storage_pages_link_the_gate_which_signs_a_url(client, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "aidportal.kernel.storage.GatedS3Storage",
            "OPTIONS": {
                "bucket_name": "aidportal-media",
                "endpoint_url": "https://s3.example.net",
                "region_name": "cn-east-1",
                "access_key": "test-key",
                "secret_key": "test-secret",
                "querystring_expire": 600,
            },
        },
    }
    name = "projects/project/2026/11/0123456789abcdef0123456789abcdef.jpg"
    project = make_project()
    Project.objects.filter(pk=project.pk).update(
        cover=name, cover_alt="题图", cover_width=64, cover_height=48
    )
    project = Project.objects.get(pk=project.pk)
    assert project.cover.url == settings.MEDIA_URL + name, "pages link the gate"
    response = client.get(project.cover.url)
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("https://s3.example.net/aidportal-media/" + name)
    assert "X-Amz-Signature=" in location
    assert "X-Amz-Expires=600" in location
    draft = make_project(status=Project.Status.DRAFT)
    Project.objects.filter(pk=draft.pk).update(
        cover=name.replace("0123", "9999"), cover_width=64, cover_height=48
    )
    assert (
        client.get(settings.MEDIA_URL + name.replace("0123", "9999")).status_code == 404
    )
    assert storages["default"].__class__.__name__ == "GatedS3Storage"


def test_gate_answers_conditional_requests(client):
    article = make_article(cover=image_file("a.jpg"), cover_alt="题图")
    first = client.get(article.cover.url)
    again = client.get(
        article.cover.url, headers={"If-Modified-Since": first["Last-Modified"]}
    )
    assert again.status_code == 304


def test_the_gate_costs_no_query_once_warm(client, django_assert_num_queries):
    article = make_article(cover=image_file("a.jpg"), cover_alt="题图")
    urls = urls_of(article.cover)
    for url in urls:
        client.get(url)
    with django_assert_num_queries(0):
        for url in urls:
            assert client.get(url).status_code == 200
    assert Path(settings.MEDIA_ROOT, article.cover.name).exists()


@pytest.mark.parametrize(
    "trick",
    ["articles/article/../../{name}", "./{name}", "articles//../{name}", "{name}/."],
)
def test_a_path_that_is_not_a_plain_name_is_404_even_for_staff(client, trick):
    """The gate decides by the path as written: a path the file system would
    read otherwise (dot segments, empty ones) names no file of ours."""
    from django.contrib.auth.models import Permission, User

    hidden = make_person("隐藏", is_public=False, photo=image_file("p.jpg"))
    user = User.objects.create_user("articles-only", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_article"))
    client.force_login(user)
    assert client.get(hidden.photo.url).status_code == 404
    path = trick.format(name=hidden.photo.name)
    assert client.get(settings.MEDIA_URL + path).status_code == 404


def test_junk_paths_leave_nothing_in_the_cache(client):
    from django.core.cache import cache

    make_article()
    client.get(settings.MEDIA_URL + "articles/article/2026/11/x.jpg")
    before = set(cache._cache)
    for number in range(50):
        path = f"articles/article/2026/11/{number:032x}.jpg"
        assert client.get(settings.MEDIA_URL + path).status_code == 404
    assert set(cache._cache) == before

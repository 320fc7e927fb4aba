"""Compressed pages (aidportal.kernel.compression): the site's public text
goes out gzipped to clients that accept it; nothing that may hold a secret
(BREACH) does, and nothing that is compressed already."""

import gzip

import pytest
from django.urls import reverse

from tests.builders import image_file, make_article, make_assignment, make_project

pytestmark = pytest.mark.django_db

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


@pytest.fixture
def article():
    make_project(name="阿依库勒镇中心卫生院")
    make_assignment(name="季成")
    return make_article(title="援疆医生在阿克苏开展新技术", cover=image_file())


@pytest.mark.parametrize(
    "url",
    [
        reverse("home"),
        reverse("articles:list"),
        reverse("projects:list"),
        reverse("personnel:list"),
        reverse("feed"),
        "/sitemap.xml",
    ],
)
def test_public_pages_and_feeds_are_compressed_for_clients_that_accept_gzip(
    client, article, url
):
    plain = client.get(url)
    packed = client.get(url, headers=GZIP)
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain.content
    assert int(packed["Content-Length"]) == len(packed.content) < len(plain.content)


def test_an_article_page_is_a_fraction_of_its_size(client, article):
    url = article.get_absolute_url()
    plain, packed = client.get(url), client.get(url, headers=GZIP)
    assert len(packed.content) < len(plain.content) / 2


def test_the_admin_login_page_with_its_csrf_token_is_not_compressed(client):
    response = client.get(reverse("admin:login"), headers=GZIP)
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in response.content.decode()
    assert "Content-Encoding" not in response


def test_nothing_is_compressed_for_a_logged_in_user(login, article):
    client = login("editor")
    for url in (
        reverse("admin:articles_article_changelist"),
        article.get_absolute_url(),
        reverse("articles:preview", kwargs={"pk": article.pk}),
    ):
        response = client.get(url, headers=GZIP)
        assert response.status_code == 200, url
        assert "Content-Encoding" not in response, url


def test_pictures_and_downloads_are_sent_as_they_are(client, article):
    picture = client.get(article.cover.url, headers=GZIP)
    export = client.get(reverse("personnel:export-csv"), headers=GZIP)
    for response in (picture, export):
        assert response.status_code == 200
        assert "Content-Encoding" not in response


def test_a_cached_page_is_compressed_per_client_and_revalidated_either_way(
    client, page_cache, article
):
    url = reverse("articles:list")
    packed = client.get(url, headers=GZIP)  # rendered, kept uncompressed
    plain = client.get(url)  # from the cache
    again = client.get(url, headers=GZIP)  # from the cache, compressed
    assert "Content-Encoding" not in plain
    assert again["Content-Encoding"] == "gzip"
    assert gzip.decompress(again.content) == plain.content
    # One weak validator names the page in both encodings.
    assert packed["ETag"] == plain["ETag"] == again["ETag"]
    assert packed["ETag"].startswith('W/"')
    for tag in (packed["ETag"], packed["ETag"].removeprefix("W/")):
        revalidated = client.get(url, headers={**GZIP, "If-None-Match": tag})
        assert revalidated.status_code == 304
        assert revalidated["ETag"] == packed["ETag"]

"""Storage down or full: a picture the storage refuses is an error on its field,
with no row and no file left half-done; pages whose pictures are missing or
unreadable still render, and the media gate answers 404 or 503, never 500.

Tests run as root, whom file permissions do not stop, so a read-only or full
media folder is a storage class that fails as the real one would; a media
folder that is a file is real; object storage is a local endpoint that refuses.
"""

import errno
import os
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from botocore.config import Config
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import OperationalError, transaction
from django.urls import reverse
from sorl.thumbnail import default as sorl_default

from aidportal.kernel import media
from aidportal.kernel.images import PictureNotStored, renditions
from aidportal.kernel.pictures import BodyPicture
from articles.admin import ArticleAdmin
from articles.models import Article, ArticleImage
from tests.builders import (
    article_post,
    database_snapshot,
    form_errors,
    gallery_inline_rows,
    image_file,
    make_article,
    make_person,
    make_project,
    person_post,
    project_post,
    stored_files,
)

pytestmark = pytest.mark.django_db

FULL = "图片未能保存：存储空间已满，请联系管理员后重试。"
NOT_WRITABLE = "图片未能保存：存储暂不可写，请联系管理员后重试。"
UNAVAILABLE = "图片未能保存：存储暂时无法访问，请稍后重试；如仍不行，请联系管理员。"


# Media storages that fail as a real one does


class ReadOnlyMedia(FileSystemStorage):
    """A media folder on a file system mounted read-only."""

    def _save(self, name, content):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), self.path(name))


class ForbiddenMedia(FileSystemStorage):
    """A media folder the app server's user may not write to."""

    def _save(self, name, content):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), self.path(name))


class CutShort(File):
    """The content of a file on a disk that fills up while it is written."""

    def chunks(self, chunk_size=None):
        self.file.seek(0)
        yield self.file.read(100)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class FullMedia(FileSystemStorage):
    """A full disk: each file is created, and its writing fails part way
    (Django's own writing, which leaves the part written behind). Names
    starting with one of ``fits`` still fit."""

    fits = ()

    def _save(self, name, content):
        if name.startswith(self.fits):
            return super()._save(name, content)
        return super()._save(name, CutShort(content))


class FullAfterPicture(FullMedia):
    """The disk fills up after an article's picture, before its renditions."""

    fits = ("articles/article/",)


class FullAfterCover(FullMedia):
    """The disk fills up after an article's cover and its renditions, before
    the pictures of its gallery."""

    fits = ("articles/article/", "renditions/articles/article/")


class UnreadableMedia(FileSystemStorage):
    """A media folder whose disk fails to read (EIO)."""

    def _fail(self, *args, **kwargs):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    exists = open = listdir = size = _fail


def backend(storage_class):
    return f"{__name__}.{storage_class.__name__}"


@pytest.fixture
def media_storage(settings, monkeypatch):
    """media_storage(backend, **options): the media storage replaced, for the
    pictures and for their renditions (sorl-thumbnail keeps its own)."""

    def use(backend, **options):
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": backend, "OPTIONS": options},
        }
        monkeypatch.setattr(sorl_default, "storage", sorl_default.Storage())

    return use


@pytest.fixture
def media_folder_is_a_file(media_root):
    """MEDIA_ROOT names a file, not a folder (ENOTDIR, even for root)."""
    media_root.parent.mkdir(parents=True, exist_ok=True)
    media_root.write_bytes(b"")


FAULTS = {
    "read-only": (backend(ReadOnlyMedia), NOT_WRITABLE),
    "full": (backend(FullMedia), FULL),
    "not-writable": (backend(ForbiddenMedia), NOT_WRITABLE),
    "not-a-folder": (None, UNAVAILABLE),
}


@pytest.fixture
def fault(request, media_storage):
    """Install the fault named by the test's ``fault`` parameter; its message."""
    storage, message = FAULTS[request.param]
    if storage is None:
        request.getfixturevalue("media_folder_is_a_file")
    else:
        media_storage(storage)
    return message


# Where staff upload pictures


def picture_error(response, field, inline=None):
    """The errors of ``field`` on the re-shown form (of its first inline row)."""
    assert response.status_code == 200
    if inline is None:
        return form_errors(response).get(field)
    [formset] = [
        inline_formset.formset
        for inline_formset in response.context["inline_admin_formsets"]
        if inline_formset.formset.prefix == inline
    ]
    return formset.forms[0].errors.get(field)


def post_leaving_no_row(client, url_name, data, *args):
    """POST an admin form (``data`` is built first: it may make a channel);
    no row of content, history, relations or the admin log changes."""
    before = database_snapshot()
    response = client.post(reverse(url_name, args=args), data)
    assert database_snapshot() == before
    return response


def shown_value(response, field):
    return response.context["adminform"].form[field].value()


TARGETS = {
    "article-cover": (
        "admin:articles_article_add",
        lambda picture: article_post(
            cover=picture, cover_alt="题图", title="援疆医生的一天"
        ),
        ("cover", None),
        ("title", "援疆医生的一天"),
    ),
    "article-gallery": (
        "admin:articles_article_add",
        lambda picture: article_post(
            title="援疆医生的一天",
            **gallery_inline_rows({"image": picture, "alt": "医生查房"}),
        ),
        ("image", "images"),
        ("title", "援疆医生的一天"),
    ),
    "project-cover": (
        "admin:projects_project_add",
        lambda picture: project_post(
            cover=picture, cover_alt="题图", name="阿克苏援建学校"
        ),
        ("cover", None),
        ("name", "阿克苏援建学校"),
    ),
    "person-photo": (
        "admin:personnel_person_add",
        lambda picture: person_post(photo=picture, photo_alt="照片", name="季成"),
        ("photo", None),
        ("name", "季成"),
    ),
}


@pytest.mark.parametrize("fault", FAULTS, indirect=True)
@pytest.mark.parametrize("target", TARGETS)
def test_a_picture_the_storage_refuses_is_an_error_on_its_field(
    login, media_root, fault, target
):
    url, form, (field, inline), (kept, value) = TARGETS[target]
    response = post_leaving_no_row(login("editor"), url, form(image_file()))
    assert picture_error(response, field, inline) == [fault]
    assert shown_value(response, kept) == value
    assert stored_files(media_root) == []


@pytest.mark.parametrize("fault", FAULTS, indirect=True)
def test_a_picture_upload_the_storage_refuses_is_an_error_in_the_picker(
    login, media_root, fault
):
    """The editor's picker (upload into a body) tells the same, keeps nothing."""
    response = login("editor").post(
        reverse("admin:articles_article_pictures"),
        {"image": image_file(), "alt": "援疆医生查房", "caption": "查房"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["image"] == [fault]
    assert response.context["form"]["caption"].value() == "查房"
    assert not BodyPicture.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize("fault", ["read-only", "full"])
def test_a_new_cover_refused_keeps_the_stored_one(
    login, media_root, media_storage, fault
):
    article = make_article(
        cover=image_file(), cover_alt="题图", status=Article.Status.DRAFT
    )
    files = stored_files(media_root)
    storage, message = FAULTS[fault]
    media_storage(storage)
    response = post_leaving_no_row(
        login("editor"),
        "admin:articles_article_change",
        article_post(article, cover=image_file("new.jpg"), subtitle="新副标题"),
        article.pk,
    )
    assert picture_error(response, "cover") == [message]
    assert shown_value(response, "subtitle") == "新副标题"
    # The form shown again has the stored cover's thumbnail: the faulty
    # storage is another storage to sorl (its keys name the storage), so a
    # rendition made there would leave a piece of itself behind.
    assert stored_files(media_root) == files
    assert default_storage.exists(Article.objects.get().cover.name)


@pytest.mark.parametrize("fault", ["read-only"], indirect=True)
def test_the_revert_form_refuses_a_picture_as_the_change_form_does(
    admin_client, media_root, fault
):
    article = make_article(title="第一版标题")
    first = article.history.get()
    response = post_leaving_no_row(
        admin_client,
        "admin:articles_article_simple_history",
        article_post(article, cover=image_file(), cover_alt="题图"),
        article.pk,
        first.history_id,
    )
    assert picture_error(response, "cover") == [fault]
    assert stored_files(media_root) == []


@pytest.mark.parametrize("fault", ["read-only"], indirect=True)
def test_a_hostile_upload_is_refused_before_anything_is_written(login, fault):
    # The storage refuses every write: the error staff see is the picture's
    # own, so it was checked before any write was tried.
    response = login("editor").post(
        reverse("admin:articles_article_add"),
        article_post(cover=image_file("scan.jpg", format="PNG"), cover_alt="题图"),
    )
    [error] = picture_error(response, "cover")
    assert "与扩展名 .jpg 不符" in error


# Nothing left half-done


def cover_and_gallery(**fields):
    """A new article as posted with a cover and one gallery picture."""
    return article_post(
        cover=image_file(),
        cover_alt="题图",
        **gallery_inline_rows({"image": image_file(), "alt": "医生查房"}),
        **fields,
    )


def test_a_cover_stored_before_a_refused_gallery_picture_is_deleted(
    login, media_root, media_storage
):
    media_storage(backend(FullAfterCover))
    response = post_leaving_no_row(
        login("editor"),
        "admin:articles_article_add",
        cover_and_gallery(people=[make_person().pk]),
    )
    assert picture_error(response, "image", "images") == [FULL]
    assert picture_error(response, "cover") is None
    [row] = response.context["inline_admin_formsets"][0].formset.forms
    assert row["alt"].value() == "医生查房"
    assert stored_files(media_root) == []


def test_a_picture_whose_renditions_do_not_fit_is_not_kept(
    login, media_root, media_storage
):
    # A picture is stored with its renditions or not at all: none of the
    # renditions written before the disk filled up, nor the picture, is left.
    media_storage(backend(FullAfterPicture))
    response = post_leaving_no_row(
        login("editor"),
        "admin:articles_article_add",
        article_post(cover=image_file(size=(2000, 1000)), cover_alt="题图"),
    )
    assert picture_error(response, "cover") == [FULL]
    assert stored_files(media_root) == []


def test_pictures_stored_before_the_database_fails_are_deleted(
    login, media_root, monkeypatch
):
    def connection_lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    # The last write of the save, after every picture is stored.
    monkeypatch.setattr(ArticleAdmin, "log_addition", connection_lost)
    editor = login("editor")
    editor.raise_request_exception = False
    response = post_leaving_no_row(
        editor, "admin:articles_article_add", cover_and_gallery()
    )
    assert response.status_code >= 500
    assert stored_files(media_root) == []


def test_a_picture_saved_without_a_form_leaves_no_part_written(
    media_root, media_storage
):
    # An import or a script: no admin around it, the field's own step cleans up.
    media_storage(backend(FullMedia))
    with pytest.raises(PictureNotStored) as refused, transaction.atomic():
        make_article(cover=image_file(), cover_alt="题图")
    assert (refused.value.field_name, refused.value.message) == ("cover", FULL)
    assert not Article.objects.exists()
    assert stored_files(media_root) == []


def test_a_good_save_keeps_its_pictures(login, media_root):
    response = login("editor").post(
        reverse("admin:articles_article_add"), cover_and_gallery()
    )
    assert response.status_code == 302, form_errors(response)
    article = Article.objects.get()
    image = ArticleImage.objects.get()
    for name in (article.cover.name, image.image.name):
        assert name in stored_files(media_root)


# Object storage that refuses


class RefusingBucket(BaseHTTPRequestHandler):
    """An S3 endpoint holding no object that answers every upload with
    ``refusal`` (status, error code)."""

    protocol_version = "HTTP/1.1"
    refusal = (507, "XMinioStorageFull")

    def do_HEAD(self):
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_PUT(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        status, code = self.refusal
        body = f"<Error><Code>{code}</Code><Message>{code}</Message></Error>"
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    do_GET = do_DELETE = do_POST = do_PUT

    def log_message(self, *args):
        pass


@pytest.fixture
def refusing_bucket():
    """bucket(status, code) -> the endpoint URL of a bucket refusing uploads."""
    servers = []

    def start(status, code):
        handler = type("Bucket", (RefusingBucket,), {"refusal": (status, code)})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def unreachable_endpoint():
    """The URL of a port where nothing listens (a bound socket, so nothing
    else can take it): connections are refused at once."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{held.getsockname()[1]}"


def use_bucket(media_storage, endpoint_url):
    media_storage(
        "aidportal.kernel.storage.GatedS3Storage",
        bucket_name="media",
        endpoint_url=endpoint_url,
        region_name="cn-east-1",
        access_key="key",
        secret_key="secret",
        file_overwrite=False,
        client_config=Config(retries={"total_max_attempts": 1}),
    )


BUCKET_REFUSALS = {
    "bucket-full": (507, "XMinioStorageFull", FULL),
    "access-denied": (403, "AccessDenied", NOT_WRITABLE),
}


@pytest.mark.parametrize("refusal", BUCKET_REFUSALS)
def test_an_upload_the_bucket_refuses_is_an_error_on_the_field(
    login, media_storage, refusing_bucket, refusal
):
    status, code, message = BUCKET_REFUSALS[refusal]
    use_bucket(media_storage, refusing_bucket(status, code))
    response = post_leaving_no_row(
        login("editor"),
        "admin:articles_article_add",
        article_post(cover=image_file(), cover_alt="题图"),
    )
    assert picture_error(response, "cover") == [message]


def test_an_unreachable_bucket_is_an_error_on_the_field(
    login, media_storage, unreachable_endpoint
):
    use_bucket(media_storage, unreachable_endpoint)
    response = post_leaving_no_row(
        login("editor"),
        "admin:personnel_person_add",
        person_post(photo=image_file(), photo_alt="照片"),
    )
    assert picture_error(response, "photo") == [UNAVAILABLE]


# Pages whose pictures are missing or unreadable


def rendition_files(media_root):
    return [
        media_root / name
        for name in stored_files(media_root)
        if name.startswith(settings.THUMBNAIL_PREFIX)
    ]


def img_sources(page):
    return re.findall(r'<img src="([^"]+)"', page)


def public_pages():
    """A published article, project and person with pictures, and the pages
    that show them (lists included)."""
    article = make_article(cover=image_file(), cover_alt="题图", featured=True)
    project = make_project(cover=image_file(), cover_alt="题图")
    person = make_person(photo=image_file(), photo_alt="照片")
    return [
        reverse("home"),
        reverse("articles:list"),
        article.get_absolute_url(),
        article.channel.get_absolute_url(),
        reverse("projects:list"),
        project.get_absolute_url(),
        person.get_absolute_url(),
    ]


def test_pages_whose_renditions_are_gone_still_render(client, media_root):
    pages = public_pages()
    for file in rendition_files(media_root):
        file.unlink()
    for url in pages:
        assert client.get(url).status_code == 200, url
    article = Article.objects.get()
    for rows in renditions(article.cover).values():
        for rendition_url, _width, _height in rows:
            assert client.get(rendition_url).status_code == 404


def test_pages_whose_pictures_are_gone_show_none_and_still_render(client, media_root):
    pages = public_pages()
    for name in stored_files(media_root):
        (media_root / name).unlink()
    sorl_default.kvstore.clear()  # nothing remembers the renditions either
    for url in pages:
        assert client.get(url).status_code == 200, url
    article = Article.objects.get()
    page = client.get(article.get_absolute_url()).content.decode()
    assert article.cover.url in img_sources(page)  # the original, not made ones
    assert client.get(article.cover.url).status_code == 404


def test_pages_render_while_the_storage_cannot_be_read(
    client, media_root, media_storage
):
    pages = public_pages()
    sorl_default.kvstore.clear()  # renditions must be looked for in the storage
    media_storage(backend(UnreadableMedia))
    for url in pages:
        assert client.get(url).status_code == 200, url
    article = Article.objects.get()
    page = client.get(article.get_absolute_url()).content.decode()
    assert article.cover.url in img_sources(page)


def test_the_gate_answers_503_when_the_disk_cannot_be_read(client, monkeypatch):
    article = make_article(cover=image_file(), cover_alt="题图")

    def disk_error(*args, **kwargs):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(media, "serve", disk_error)
    response = client.get(article.cover.url)
    assert response.status_code == 503
    assert response["Retry-After"] == str(media.STORAGE_RETRY_AFTER)
    assert "no-store" in response["Cache-Control"]


def test_behind_nginx_the_gate_answers_503_when_the_storage_cannot_be_read(
    client, settings, media_storage
):
    article = make_article(cover=image_file(), cover_alt="题图")
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    media_storage(backend(UnreadableMedia))
    response = client.get(article.cover.url)
    assert response.status_code == 503
    assert "图片暂时无法读取" in response.content.decode()


def test_the_gate_answers_503_to_staff_too(client, monkeypatch):
    article = make_article(
        cover=image_file(), cover_alt="题图", status=Article.Status.DRAFT
    )
    client.force_login(User.objects.create_superuser("chief", password="x"))

    def disk_error(*args, **kwargs):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(media, "serve", disk_error)
    assert client.get(article.cover.url).status_code == 503

"""Pictures in rich-text bodies: the editor's picker (upload or pick), the
body's rules (alternative text, sanitising), the public page's <picture>, and
the media gate for pictures of unpublished bodies."""

import html
import io
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, reverse_lazy
from PIL import Image
from sorl.thumbnail import default as sorl_default

from aidportal.kernel.admin import PictureInput
from aidportal.kernel.pictures import BodyPicture, expanded_body
from articles.models import Article
from tests.builders import (
    article_post,
    form_errors,
    image_file,
    make_article,
    make_article_image,
    make_person,
    make_project,
    stored_files,
)

pytestmark = pytest.mark.django_db

PICKER = "admin:articles_article_pictures"


def upload(client, file=None, **fields):
    data = {"image": file or image_file("figure.jpg", size=(1200, 800))}
    data.update({"alt": "援疆医生查房", "caption": "", **fields})
    return client.post(reverse(PICKER) + "?CKEditorFuncNum=-1", data)


def picker_errors(response):
    return response.context["form"].errors


def uploaded(**fields):
    """A picture uploaded from the editor, as a saved row."""
    fields.setdefault("image", image_file("figure.jpg", size=(1200, 800)))
    fields.setdefault("alt", "援疆医生查房")
    return BodyPicture.objects.create(**fields)


def figure(picture, alt=None):
    alt = picture.alt if alt is None else alt
    return (
        f'<figure><img src="{picture.image.url}" alt="{alt}" '
        f'data-file="{picture.reference}"><figcaption>查房</figcaption></figure>'
    )


def exif_jpeg():
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    Image.new("RGB", (900, 600), "#2a6f97").save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile("camera.jpg", buffer.getvalue())


# The upload endpoint: the picker's form.


def test_editor_uploads_a_picture_stored_clean_with_renditions(login, media_root):
    response = upload(login("editor"), exif_jpeg())
    assert response.status_code == 200
    picture = BodyPicture.objects.get()
    assert (picture.width, picture.height, picture.alt) == (900, 600, "援疆医生查房")
    with Image.open(picture.image.path) as stored:
        assert not stored.getexif()
    files = stored_files(media_root)
    assert any(name.startswith(settings.THUMBNAIL_PREFIX) for name in files)
    # The page hands the picture to the dialog that opened it.
    page = response.content.decode()
    assert f'data-url="{picture.image.url}"' in page
    assert f'data-reference="kernel.bodypicture:{picture.pk}"' in page
    assert "js/picture-picker.js" in page


def test_upload_of_a_non_picture_is_refused_in_chinese(login, media_root):
    fake = SimpleUploadedFile("figure.jpg", b"<svg onload=alert(1)></svg>")
    response = upload(login("editor"), fake)
    assert response.status_code == 200  # the form again, as the admin's are
    assert "请上传一张有效的图片" in picker_errors(response)["image"][0]
    assert not BodyPicture.objects.exists()
    assert stored_files(media_root) == []


def test_upload_of_a_content_other_than_its_extension_is_refused(login):
    png = image_file("figure.jpg", format="PNG")
    response = upload(login("editor"), png)
    assert "与扩展名 .jpg 不符" in picker_errors(response)["image"][0]


def test_upload_too_big_is_refused_naming_the_limit(login, settings, media_root):
    settings.IMAGE_MAX_BYTES = 2**20
    data = image_file("figure.png", format="PNG").read()
    big = SimpleUploadedFile("figure.png", data + b"\0" * 2**20)
    response = upload(login("editor"), big)
    assert picker_errors(response)["image"] == ["图片文件不能超过 1 MB。"]
    assert stored_files(media_root) == []


def test_upload_with_too_many_pixels_is_refused(login, settings):
    settings.IMAGE_MAX_PIXELS = 1000
    response = upload(login("editor"), image_file("figure.jpg", size=(100, 100)))
    assert "图片过大" in picker_errors(response)["image"][0]


def test_upload_without_alt_text_is_refused_unless_decorative(login, media_root):
    client = login("editor")
    response = upload(client, alt="")
    assert picker_errors(response)["alt"] == ["请填写替代文字，或勾选“仅作装饰”。"]
    assert stored_files(media_root) == []
    assert upload(client, alt="", decorative="on").status_code == 200
    assert BodyPicture.objects.get().decorative


def test_anonymous_and_non_staff_cannot_upload(db, django_user_model):
    response = upload(Client())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    user = django_user_model.objects.create_user("reader", is_staff=False)
    client = Client()
    client.force_login(user)
    assert upload(client).status_code == 302
    assert not BodyPicture.objects.exists()


def test_staff_without_article_rights_cannot_upload(login):
    assert upload(login("reporter")).status_code == 403
    assert login("reporter").get(reverse(PICKER)).status_code == 403
    assert not BodyPicture.objects.exists()


def test_upload_without_csrf_token_is_refused(login):
    client = Client(enforce_csrf_checks=True)
    client.force_login(login("editor").user)
    assert upload(client).status_code == 403
    assert not BodyPicture.objects.exists()


def test_picker_offers_the_gallery_and_earlier_uploads(login):
    article = make_article(status=Article.Status.DRAFT)
    gallery = make_article_image(article, alt="组图一")
    earlier = uploaded(alt="早先上传")
    page = login("editor").get(reverse(PICKER), {"owner": article.pk})
    text = page.content.decode()
    assert page.status_code == 200
    assert f'data-reference="articles.articleimage:{gallery.pk}"' in text
    assert f'data-reference="kernel.bodypicture:{earlier.pk}"' in text
    assert "本篇组图" in text and "已上传的图片" in text


def test_change_form_editor_opens_the_picker_of_its_row(admin_client):
    article = make_article()
    page = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    picker = reverse(PICKER) + f"?owner={article.pk}"
    assert f'"pickerUrl":"{picker}"' in html.unescape(page.content.decode())
    project = make_project()
    page = admin_client.get(reverse("admin:projects_project_change", args=[project.pk]))
    assert reverse("admin:projects_project_pictures") in page.content.decode()


# The body: alternative text, sanitising.


def test_body_picture_needs_alt_text_unless_decorative(admin_client):
    picture = uploaded()
    response = admin_client.post(
        reverse("admin:articles_article_add"), article_post(body=figure(picture, ""))
    )
    assert "正文中有图片缺少替代文字" in form_errors(response)["body"][0]
    gallery = make_article_image(make_article(), alt="组图")
    plain = f'<p><img src="{gallery.image.url}" alt=""></p>'
    response = admin_client.post(
        reverse("admin:articles_article_add"), article_post(body=plain)
    )
    assert "正文中有图片缺少替代文字" in form_errors(response)["body"][0]
    decorative = uploaded(alt="", decorative=True)
    response = admin_client.post(
        reverse("admin:articles_article_add"), article_post(body=figure(decorative))
    )
    assert response.status_code == 302
    assert Article.objects.latest("pk").body.count("<img") == 1


def test_sanitiser_keeps_the_reference_and_drops_everything_else():
    picture = uploaded()
    article = make_article(
        body=figure(picture).replace("<img ", '<img onerror="alert(1)" style="x" ')
        + '<picture><source srcset="https://evil.example/a.webp"></picture>'
        + '<img src="javascript:alert(1)" alt="x">'
        + '<img src="/media/x.jpg" alt="y" srcset="https://evil.example/b 2x">'
    )
    body = article.body
    assert f'src="{picture.image.url}"' in body
    assert f'data-file="{picture.reference}"' in body
    assert 'alt="援疆医生查房"' in body
    for gone in ("onerror", "style=", "<picture", "<source", "javascript:", "srcset"):
        assert gone not in body


# The public page.


def test_public_page_serves_body_pictures_with_srcset_and_size(client):
    picture = uploaded()
    article = make_article(body=f"<p>导语</p>{figure(picture)}")
    page = client.get(article.get_absolute_url()).content.decode()
    match = re.search(r"<picture>.*?</picture>", page, re.S)
    assert match, page
    element = match.group(0)
    assert 'type="image/webp"' in element
    assert re.search(r'srcset="[^"]*/media/renditions/[^"]* 400w, [^"]* 800w', element)
    assert 'width="800" height="533"' in element
    assert 'alt="援疆医生查房"' in element and 'loading="lazy"' in element
    assert "<figcaption>查房</figcaption>" in page
    assert picture.image.url not in element  # renditions, not the upload


def test_a_gallery_picture_in_the_body_is_expanded_too():
    article = make_article()
    image = make_article_image(article, image=image_file(size=(500, 300)))
    body = expanded_body(f'<img src="{image.image.url}" alt="组图">')
    assert body.startswith("<picture>") and 'width="500" height="300"' in body


def test_foreign_and_unknown_images_are_left_as_they_are():
    for tag in (
        '<img src="https://example.org/a.jpg" alt="外链">',
        '<img src="/media/nowhere/x/a.jpg" alt="无主">',
        '<img src="/media/../settings.py" alt="越界">',
    ):
        assert expanded_body(tag) == tag


def test_project_page_serves_body_pictures_too(client):
    project = make_project(body=figure(uploaded()))
    page = client.get(project.get_absolute_url()).content.decode()
    assert "<picture>" in page and "srcset=" in page


def test_body_pictures_cost_no_query(client, django_assert_num_queries):
    """Renditions come from sorl's key-value store (cached), not the rows: a
    page with five pictures runs the queries of a page with one."""
    one = make_article(body=figure(uploaded()))
    many = make_article(body="".join(figure(uploaded()) for _ in range(5)))
    with django_assert_num_queries(0):
        assert expanded_body(many.body).count("<picture>") == 5
    for article in (one, many):  # the first visit of each fills caches
        client.get(article.get_absolute_url())
    with CaptureQueriesContext(connection) as with_one:
        client.get(one.get_absolute_url())
    with django_assert_num_queries(len(with_one.captured_queries)):
        page = client.get(many.get_absolute_url())
    assert page.content.decode().count("<picture>") == 5


# The media gate.


def test_pictures_of_unpublished_bodies_are_not_public(client, login):
    draft_picture, public_picture, unused = uploaded(), uploaded(), uploaded()
    make_article(status=Article.Status.DRAFT, body=figure(draft_picture))
    make_article(body=figure(public_picture))
    assert client.get(public_picture.image.url).status_code == 200
    assert client.get(draft_picture.image.url).status_code == 404
    assert client.get(unused.image.url).status_code == 404
    assert login("reporter").get(draft_picture.image.url).status_code == 404
    assert login("editor").get(draft_picture.image.url).status_code == 200


def test_a_body_picture_turns_public_with_its_article(client):
    picture = uploaded()
    article = make_article(status=Article.Status.DRAFT, body=figure(picture))
    assert client.get(picture.image.url).status_code == 404
    article.status = Article.Status.PUBLISHED
    article.save()
    assert client.get(picture.image.url).status_code == 200


# Thumbnails in the admin.


THUMBNAIL = re.compile(r'<img class="row-thumbnail" src="/media/renditions/[^"]+"')


def test_list_rows_show_small_lazy_thumbnails_without_alt(admin_client):
    make_article(cover=image_file(size=(900, 600)), cover_alt="题图")
    make_project(cover=image_file(size=(900, 600)), cover_alt="题图")
    make_person(photo=image_file(size=(300, 400)), photo_alt="照片")
    # The rows keep their height before the pictures arrive: 60 wide, as
    # high as the picture is at that width.
    heights = {"articles_article": 40, "projects_project": 40, "personnel_person": 80}
    for model, height in heights.items():
        page = admin_client.get(reverse(f"admin:{model}_changelist"))
        text = page.content.decode()
        row = THUMBNAIL.search(text)
        assert row, model
        tag = text[row.start() : text.index(">", row.start()) + 1]
        assert 'alt=""' in tag and 'loading="lazy"' in tag
        assert f'width="60" height="{height}"' in tag
        # Not a link: a link of a silent picture would have no name.
        cell = text[text.rindex("<t", 0, row.start()) : row.start()]
        assert "<a " not in cell, cell
        assert "css/admin-pictures.css" in text


def test_picture_fields_show_a_thumbnail(admin_client):
    article = make_article(cover=image_file(size=(900, 600)), cover_alt="题图")
    make_article_image(article, image=image_file(size=(900, 600)))
    page = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    # 120 wide, and as high as the rendition is at that width: the form keeps
    # the place before the picture arrives (nothing moves under a pointer).
    thumbnails = re.findall(
        r'<img class="picture-thumbnail" src="/media/renditions/[^"]+" alt="" '
        r'width="120" height="80" loading="lazy">',
        page.content.decode(),
    )
    assert len(thumbnails) == 2  # the cover and the gallery row
    person = make_person(photo=image_file(size=(300, 400)), photo_alt="照片")
    page = admin_client.get(reverse("admin:personnel_person_change", args=[person.pk]))
    assert 'width="120" height="160"' in page.content.decode()


PICTURE_LISTS = {
    "articles": (
        reverse_lazy("admin:articles_article_changelist"),
        lambda: make_article(cover=image_file(), cover_alt="题图"),
        'class="row-thumbnail" src="/media/renditions/',
    ),
    "projects": (
        reverse_lazy("admin:projects_project_changelist"),
        lambda: make_project(cover=image_file(), cover_alt="题图"),
        'class="row-thumbnail" src="/media/renditions/',
    ),
    "people": (
        reverse_lazy("admin:personnel_person_changelist"),
        lambda: make_person(photo=image_file(), photo_alt="照片"),
        'class="row-thumbnail" src="/media/renditions/',
    ),
    "picker": (reverse_lazy(PICKER), uploaded, 'src="/media/renditions/'),
}


@pytest.mark.parametrize("page", PICTURE_LISTS)
def test_thumbnails_cost_the_same_queries_for_one_row_and_many(admin_client, page):
    """A list's thumbnails are looked up at once, not a query (or two) per
    row, even when the key-value store's cache is cold (after a restart)."""
    url, make_row, thumbnail = PICTURE_LISTS[page]

    def cold_visit():
        cache.clear()
        with CaptureQueriesContext(connection) as visit:
            text = admin_client.get(url).content.decode()
        return len(visit.captured_queries), text.count(thumbnail)

    make_row()
    admin_client.get(url)  # the session and the admin's own lookups
    queries, shown = cold_visit()
    assert shown == 1
    for _ in range(20):
        make_row()
    assert cold_visit() == (queries, 21)


def test_admin_thumbnails_make_no_rendition(admin_client, media_root):
    """Pages of the admin only look renditions up: one gone is not made again
    (the list shows the picture itself)."""
    article = make_article(cover=image_file(), cover_alt="题图")
    for name in stored_files(media_root):
        if name.startswith(settings.THUMBNAIL_PREFIX):
            (media_root / name).unlink()
    sorl_default.kvstore.clear()
    page = admin_client.get(reverse("admin:articles_article_changelist"))
    assert f'class="row-thumbnail" src="{article.cover.url}"' in page.content.decode()
    admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert stored_files(media_root) == [article.cover.name]


def test_a_picture_not_stored_has_no_thumbnail():
    """A form shown again holds a picture the storage refused: no rendition
    of it exists, and the widget shows none (not the file's would-be URL)."""
    article = make_article(cover=image_file(), cover_alt="题图")
    stored = PictureInput().get_context("cover", article.cover, {})
    assert 'src="/media/renditions/' in stored["widget"]["thumbnail"]
    article.cover = image_file("new.jpg")
    assert not article.cover._committed
    shown = PictureInput().get_context("cover", article.cover, {})
    assert shown["widget"]["is_initial"] and not shown["widget"]["thumbnail"]


def test_a_body_naming_no_picture_of_this_site_is_a_form_error_not_a_500(
    admin_client, django_user_model
):
    user = django_user_model.objects.create_user("someone")
    picture = uploaded()
    for reference in (
        "kernel.bodypicture:²",
        "kernel.bodypicture:99999999999999999999999",
        f"auth.user:{user.pk}",
        "kernel.nothing:1",
    ):
        body = (
            f'<figure><img src="{picture.image.url}" alt="" '
            f'data-file="{reference}"></figure>'
        )
        response = admin_client.post(
            reverse("admin:articles_article_add"), article_post(body=body)
        )
        assert response.status_code == 200, reference
        assert "正文中有图片缺少替代文字" in form_errors(response)["body"][0]
    assert not Article.objects.exists()


def test_uploading_needs_the_right_the_media_gate_asks(db, django_user_model):
    """A member who may change articles but has no right over uploads would
    upload a picture they could not see: the picker refuses them."""
    user = django_user_model.objects.create_user("writer", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="articles",
            codename__in=["add_article", "change_article", "view_article"],
        )
    )
    client = Client()
    client.force_login(user)
    assert upload(client).status_code == 403
    assert client.get(reverse(PICKER)).status_code == 403
    assert not BodyPicture.objects.exists()

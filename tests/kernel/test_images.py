"""Uploaded pictures: hostile files are refused without a trace, good ones are
stored without metadata, and their renditions are made once."""

import functools
import io
import os
import re
import uuid
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, PngImagePlugin

from aidportal.kernel.images import validate_image_upload
from articles.models import Article, ArticleImage
from personnel.models import Person
from tests.builders import (
    article_post,
    form_errors,
    gallery_inline_rows,
    make_article,
    make_article_image,
    make_person,
    person_post,
    stored_files,
)

pytestmark = pytest.mark.django_db


GPS_IFD = 0x8825
MAKE, MODEL, ORIENTATION = 0x010F, 0x0110, 0x0112


# Pictures, good and hostile


def picture_bytes(format="JPEG", size=(64, 48), color="#2a6f97", mode="RGB", **save):
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format=format, **save)
    return buffer.getvalue()


def noise_jpeg(size=(400, 300)):
    """A JPEG whose scan data is incompressible noise: cutting it loses pixels."""
    buffer = io.BytesIO()
    noise = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    noise.save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def animated_gif(size, frames):
    """An animated GIF of `frames` frames of `size`, each a different colour
    (identical frames would be merged by Pillow)."""
    images = [Image.new("P", size, index) for index in range(frames)]
    palette = [v for c in range(256) for v in (c, 255 - c, (c * 7) % 256)]
    for image in images:
        image.putpalette(palette)
    buffer = io.BytesIO()
    images[0].save(
        buffer, "GIF", save_all=True, append_images=images[1:], duration=100, loop=0
    )
    return buffer.getvalue()


@functools.cache
def blank_png(width, height):
    """A bilevel PNG: a few KB, however many pixels it declares."""
    return picture_bytes("PNG", size=(width, height), color=0, mode="1")


@functools.cache
def gif_44_megapixels():
    """2000×2000 × 11 frames: each frame is 4 megapixels, the whole 44."""
    return animated_gif((2000, 2000), 11)


SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="64" height="48" onload="alert(1)">
  <script>fetch("/admin/").then(r => r.text()).then(alert)</script>
  <rect width="64" height="48" fill="#2a6f97"/>
</svg>
"""
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def over_max_bytes():
    """A valid PNG padded with trailing bytes to one byte over the limit."""
    data = blank_png(64, 48)
    return data + b"\0" * (settings.IMAGE_MAX_BYTES + 1 - len(data))


# name: (file name, content, a phrase the field error must hold or None)
HOSTILE = {
    "text-as-png": (
        "notes.png",
        lambda: "这不是图片,只是一段文字。\n".encode() * 20,
        None,
    ),
    "png-named-jpg": ("photo.jpg", lambda: picture_bytes("PNG"), "与扩展名 .jpg 不符"),
    "svg-with-script": ("logo.svg", lambda: SVG, None),
    "svg-named-png": ("logo.png", lambda: SVG, None),
    "truncated-jpeg": (
        "cut.jpg",
        lambda: (data := noise_jpeg())[: len(data) // 2],
        "不完整或已损坏",
    ),
    "100-megapixel-png": ("bomb.png", lambda: blank_png(10_000, 10_000), "像素过多"),
    "49-megapixel-png": ("large.png", lambda: blank_png(7_000, 7_000), "图片过大"),
    "over-10-mib": ("heavy.png", over_max_bytes, "不能超过 10 MB"),
    "gif-44-megapixels-in-11-frames": ("anim.gif", gif_44_megapixels, "×11帧"),
    "pdf-as-jpg": ("scan.jpg", lambda: PDF, None),
    "zero-bytes": ("empty.jpg", lambda: b"", None),
}


def hostile_upload(case):
    name, content, _phrase = HOSTILE[case]
    return SimpleUploadedFile(name, content(), content_type="image/jpeg")


# Where staff upload pictures: the article cover, a gallery image, a photo.


def post_cover(client, file, **fields):
    form = article_post(cover=file, **{"cover_alt": "题图", **fields})
    return client.post(reverse("admin:articles_article_add"), form)


def post_gallery_image(client, file, **fields):
    row = {"image": file, "alt": "组图", **fields}
    form = article_post(**gallery_inline_rows(row))
    return client.post(reverse("admin:articles_article_add"), form)


def post_photo(client, file, **fields):
    form = person_post(photo=file, **{"photo_alt": "照片", **fields})
    return client.post(reverse("admin:personnel_person_add"), form)


def gallery_errors(response):
    formset = response.context["inline_admin_formsets"][0].formset
    return formset.errors[0]


TARGETS = {
    "cover": (post_cover, lambda r: form_errors(r).get("cover"), [Article]),
    "gallery": (
        post_gallery_image,
        lambda r: gallery_errors(r).get("image"),
        [Article, ArticleImage],
    ),
    "photo": (post_photo, lambda r: form_errors(r).get("photo"), [Person]),
}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_upload_is_a_field_error_and_leaves_nothing_behind(
    admin_client, media_root, target, case
):
    post, field_errors, models = TARGETS[target]
    # As in production, where Pillow's DecompressionBombWarning is only a
    # warning (pytest turns every RuntimeWarning into an error): the portal's
    # own validator must refuse the picture.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        response = post(admin_client, hostile_upload(case))
    assert response.status_code == 200
    errors = field_errors(response)
    assert errors, f"{case} was accepted as {target}"
    phrase = HOSTILE[case][2]
    if phrase:
        assert any(phrase in str(error) for error in errors), errors
    for model in models:
        assert not model.objects.exists()
    assert stored_files(media_root) == []


def test_gif_pixel_budget_counts_every_frame():
    limit = settings.IMAGE_MAX_PIXELS
    assert limit == 2000 * 2000 * 10  # ten frames fit exactly, eleven do not
    ten = SimpleUploadedFile("ten.gif", animated_gif((2000, 2000), 10))
    validate_image_upload(ten)
    eleven = SimpleUploadedFile("eleven.gif", gif_44_megapixels())
    with pytest.raises(ValidationError, match="2000×2000×11帧"):
        validate_image_upload(eleven)


def test_pixel_budget_follows_the_setting(settings):
    settings.IMAGE_MAX_PIXELS = 64 * 48 * 3
    validate_image_upload(SimpleUploadedFile("three.gif", animated_gif((64, 48), 3)))
    with pytest.raises(ValidationError, match="64×48×4帧"):
        validate_image_upload(SimpleUploadedFile("four.gif", animated_gif((64, 48), 4)))


def test_byte_budget_follows_the_setting(settings):
    data = picture_bytes("PNG")
    settings.IMAGE_MAX_BYTES = len(data)
    validate_image_upload(SimpleUploadedFile("exact.png", data))
    with pytest.raises(ValidationError, match="不能超过"):
        validate_image_upload(SimpleUploadedFile("over.png", data + b"\0"))


# Good pictures

GOOD = {
    "jpeg": ("photo.jpg", lambda: picture_bytes("JPEG"), "JPEG"),
    "jpeg-long-extension": ("photo.JPEG", lambda: picture_bytes("JPEG"), "JPEG"),
    "png": ("photo.png", lambda: picture_bytes("PNG"), "PNG"),
    "webp": ("photo.webp", lambda: picture_bytes("WEBP"), "WEBP"),
    "gif": ("photo.gif", lambda: picture_bytes("GIF"), "GIF"),
    "animated-gif": ("anim.gif", lambda: animated_gif((64, 48), 3), "GIF"),
}


def good_upload(case):
    name, content, _format = GOOD[case]
    return SimpleUploadedFile(name, content(), content_type="image/jpeg")


@pytest.mark.parametrize("case", GOOD)
def test_good_cover_is_stored_with_its_size(admin_client, media_root, case):
    response = post_cover(admin_client, good_upload(case))
    assert response.status_code == 302, form_errors(response)
    article = Article.objects.get()
    assert (article.cover_width, article.cover_height) == (64, 48)
    with Image.open(Path(media_root) / article.cover.name) as image:
        assert image.format == GOOD[case][2]
        assert image.size == (64, 48)


def test_saving_a_change_form_again_keeps_the_stored_cover(admin_client, media_root):
    # The stored picture was checked when it was uploaded; validating it again
    # read a file the admin had already closed: a 500 on every later save.
    post_cover(admin_client, good_upload("jpeg"))
    article = Article.objects.get()
    response = admin_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_post(article, subtitle="改过的副标题"),
    )
    assert response.status_code == 302, form_errors(response)
    article.refresh_from_db()
    assert article.subtitle == "改过的副标题"
    assert (article.cover_width, article.cover_height) == (64, 48)


@pytest.mark.parametrize(
    ("target", "stored"),
    [
        ("gallery", lambda: ArticleImage.objects.get().image),
        ("photo", lambda: Person.objects.get().photo),
    ],
)
def test_good_gallery_image_and_photo_are_stored(
    admin_client, media_root, target, stored
):
    post = TARGETS[target][0]
    response = post(admin_client, good_upload("jpeg"))
    assert response.status_code == 302
    with Image.open(Path(media_root) / stored().name) as image:
        assert (image.format, image.size) == ("JPEG", (64, 48))


def test_animated_gif_keeps_its_frames(admin_client, media_root):
    response = post_cover(admin_client, good_upload("animated-gif"))
    assert response.status_code == 302
    with Image.open(Path(media_root) / Article.objects.get().cover.name) as image:
        assert image.n_frames == 3


# Metadata


def camera_exif(orientation=None):
    exif = Image.Exif()
    exif[MAKE] = "Canon"
    exif[MODEL] = "EOS R5 SERIAL-0042"
    exif[GPS_IFD] = {1: "N", 2: (30.0, 15.0, 0.0), 3: "E", 4: (120.0, 10.0, 0.0)}
    if orientation:
        exif[ORIENTATION] = orientation
    return exif


def two_colour_picture(format, **save):
    """64×48, red on the left half and blue on the right."""
    image = Image.new("RGB", (64, 48), "blue")
    image.paste("red", (0, 0, 32, 48))
    buffer = io.BytesIO()
    image.save(buffer, format=format, **save)
    return buffer.getvalue()


def assert_no_metadata(path):
    data = path.read_bytes()
    with Image.open(path) as image:
        exif = image.getexif()
        assert dict(exif) == {}, path
        assert exif.get_ifd(GPS_IFD) == {}, path
        assert "xmp" not in image.info, path
        assert "exif" not in image.info, path
    for trace in (b"Exif\0\0", b"Canon", b"SERIAL-0042", b"GPSLatitude"):
        assert trace not in data, (path, trace)


@pytest.mark.parametrize(
    ("name", "format"), [("gps.jpg", "JPEG"), ("gps.png", "PNG"), ("gps.webp", "WEBP")]
)
def test_gps_and_camera_exif_are_not_stored(admin_client, media_root, name, format):
    data = two_colour_picture(format, exif=camera_exif())
    with Image.open(io.BytesIO(data)) as original:  # the test file carries them
        assert original.getexif()[MAKE] == "Canon"
        assert original.getexif().get_ifd(GPS_IFD)[1] == "N"
    response = post_cover(admin_client, SimpleUploadedFile(name, data))
    assert response.status_code == 302, form_errors(response)
    files = stored_files(media_root)
    assert Article.objects.get().cover.name in files
    assert len(files) > 1  # the renditions too
    for file in files:
        assert_no_metadata(Path(media_root) / file)


@pytest.mark.parametrize(
    ("owner", "field"),
    [
        (lambda: make_article(), "cover"),
        (lambda: make_article_image(make_article()), "image"),
        (lambda: make_person(), "photo"),
    ],
    ids=["cover", "gallery", "photo"],
)
def test_a_picture_saved_without_a_form_is_stored_clean_too(media_root, owner, field):
    # An import, the demo data or a shell saves a file straight to the field.
    row = owner()
    data = two_colour_picture("JPEG", exif=camera_exif(orientation=6))
    getattr(row, field).save("IMG_0042 地址.jpg", ContentFile(data))
    name = getattr(row, field).name
    meta = type(row)._meta
    assert re.fullmatch(
        rf"{meta.app_label}/{meta.model_name}/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}\.jpg", name
    )
    files = stored_files(media_root)
    assert name in files and len(files) > 1  # the renditions too
    for file in files:
        assert_no_metadata(Path(media_root) / file)
    with Image.open(Path(media_root) / name) as image:
        assert image.size == (48, 64)  # turned upright


def test_xmp_is_not_stored(admin_client, media_root):
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/'
        b'1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com'
        b'/exif/1.0/" exif:GPSLatitude="30,15.0N"/></rdf:RDF></x:xmpmeta>'
    )
    data = two_colour_picture("JPEG", xmp=xmp)
    assert b"GPSLatitude" in data
    response = post_cover(admin_client, SimpleUploadedFile("xmp.jpg", data))
    assert response.status_code == 302
    for file in stored_files(media_root):
        assert_no_metadata(Path(media_root) / file)


def test_png_text_chunks_are_not_stored(admin_client, media_root):
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "Canon SERIAL-0042 GPSLatitude 30.25")
    data = two_colour_picture("PNG", pnginfo=text)
    response = post_cover(admin_client, SimpleUploadedFile("text.png", data))
    assert response.status_code == 302
    path = Path(media_root) / Article.objects.get().cover.name
    with Image.open(path) as image:
        assert "Comment" not in image.info
    assert_no_metadata(path)


def gif_with_metadata(frames=3):
    """An animated, partly transparent GIF carrying a comment block and an XMP
    application block, as phones and editors write them."""
    data = bytearray(
        animated_gif((64, 48), frames)
        if frames > 1
        else picture_bytes("GIF", comment=b"x")
    )
    comment = b"Canon SERIAL-0042 GPSLatitude 30.25"
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description '
        b'exif:GPSLatitude="30,15.0N"/></x:xmpmeta>'
    )
    blocks = b"\x21\xfe" + bytes([len(comment)]) + comment + b"\x00"
    blocks += b"\x21\xff\x0bXMP DataXMP" + bytes([len(xmp)]) + xmp + b"\x00"
    # After the header, the screen descriptor and the global colour table.
    table = 3 * 2 ** ((data[10] & 7) + 1) if data[10] & 0x80 else 0
    data[13 + table : 13 + table] = blocks
    return bytes(data)


@pytest.mark.parametrize("frames", [1, 3], ids=["still", "animated"])
def test_gif_comments_and_xmp_are_not_stored(admin_client, media_root, frames):
    data = gif_with_metadata(frames)
    with Image.open(io.BytesIO(data)) as original:  # the test file carries them
        assert b"GPSLatitude" in original.info.get("comment", b"")
        assert original.n_frames == frames
    response = post_cover(admin_client, SimpleUploadedFile("gps.gif", data))
    assert response.status_code == 302, form_errors(response)
    path = Path(media_root) / Article.objects.get().cover.name
    stored = path.read_bytes()
    for trace in (b"GPSLatitude", b"SERIAL-0042", b"XMP Data", b"xmpmeta"):
        assert trace not in stored, trace
    with Image.open(path) as image:
        assert image.format == "GIF"
        assert image.n_frames == frames, "an animation keeps its frames"
        assert "comment" not in image.info


def test_an_animated_gif_keeps_its_timing_and_transparency(admin_client, media_root):
    frames = []
    for colour in ("red", "green", "blue"):
        frame = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
        frame.paste(colour, (8, 8, 24, 24))
        frames.append(frame)
    buffer = io.BytesIO()
    frames[0].save(
        buffer,
        "GIF",
        save_all=True,
        append_images=frames[1:],
        duration=[100, 250, 400],
        loop=0,
        disposal=2,
    )
    response = post_cover(admin_client, SimpleUploadedFile("a.gif", buffer.getvalue()))
    assert response.status_code == 302, form_errors(response)
    with Image.open(Path(media_root) / Article.objects.get().cover.name) as image:
        assert image.info.get("loop") == 0
        assert image.info.get("transparency") is not None
        timing = []
        for frame in range(image.n_frames):
            image.seek(frame)
            timing.append((image.info["duration"], image.disposal_method))
        assert timing == [(100, 2), (250, 2), (400, 2)]
        image.seek(0)
        assert image.convert("RGBA").getpixel((0, 0))[3] == 0, "still transparent"


@pytest.mark.parametrize("format", ["JPEG", "PNG", "WEBP"])
def test_exif_orientation_is_applied_before_the_exif_goes(
    admin_client, media_root, format
):
    # Orientation 6: the camera was turned; viewers rotate 90° clockwise, so
    # the left (red) half of the stored pixels is the top of the picture.
    data = two_colour_picture(format, exif=camera_exif(orientation=6))
    extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[format]
    upload = SimpleUploadedFile(f"turned.{extension}", data)
    response = post_cover(admin_client, upload)
    assert response.status_code == 302, form_errors(response)
    article = Article.objects.get()
    assert (article.cover_width, article.cover_height) == (48, 64)
    path = Path(media_root) / article.cover.name
    with Image.open(path) as image:
        assert image.size == (48, 64)
        assert image.getexif().get(ORIENTATION) is None
        rgb = image.convert("RGB")
        top, bottom = rgb.getpixel((24, 8)), rgb.getpixel((24, 56))
    assert top[0] > 200 and top[2] < 60, top  # red
    assert bottom[2] > 200 and bottom[0] < 60, bottom  # blue
    assert_no_metadata(path)


# Alternative text


def test_cover_without_alt_text_is_a_form_error(admin_client, media_root):
    response = post_cover(admin_client, good_upload("jpeg"), cover_alt="")
    assert response.status_code == 200
    assert "请填写替代文字" in str(form_errors(response)["cover_alt"])
    assert not Article.objects.exists()
    assert stored_files(media_root) == []


def test_cover_with_blank_alt_text_is_a_form_error(admin_client):
    response = post_cover(admin_client, good_upload("jpeg"), cover_alt="  \u3000 ")
    assert response.status_code == 200
    assert form_errors(response)["cover_alt"]
    assert not Article.objects.exists()


def test_decorative_cover_needs_no_alt_text(admin_client):
    response = post_cover(
        admin_client, good_upload("jpeg"), cover_alt="", cover_decorative="on"
    )
    assert response.status_code == 302, form_errors(response)
    article = Article.objects.get()
    assert article.cover_decorative
    assert article.cover_alt == ""


def test_gallery_image_without_alt_text_is_a_form_error(admin_client):
    response = post_gallery_image(admin_client, good_upload("jpeg"), alt="")
    assert response.status_code == 200
    assert "请填写替代文字" in str(gallery_errors(response)["alt"])
    assert not ArticleImage.objects.exists()


def test_decorative_gallery_image_needs_no_alt_text(admin_client):
    response = post_gallery_image(
        admin_client, good_upload("jpeg"), alt="", decorative=True
    )
    assert response.status_code == 302
    assert ArticleImage.objects.get().decorative


# Renditions


class PictureParser(HTMLParser):
    """The <source> and <img> tags inside <picture> elements."""

    def __init__(self):
        super().__init__()
        self.pictures = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        if tag == "picture":
            self._inside = True
            self.pictures.append({"sources": [], "img": None})
        elif self._inside and tag == "source":
            self.pictures[-1]["sources"].append(dict(attrs))
        elif self._inside and tag == "img":
            self.pictures[-1]["img"] = dict(attrs)

    def handle_endtag(self, tag):
        if tag == "picture":
            self._inside = False


def pictures(html):
    parser = PictureParser()
    parser.feed(html)
    return parser.pictures


def srcset(value):
    """[(url, "400w"), …] of a srcset attribute."""
    return [tuple(item.split()) for item in value.split(",")]


def media_path(media_root, url):
    assert url.startswith(settings.MEDIA_URL), url
    return Path(media_root) / url.removeprefix(settings.MEDIA_URL)


@pytest.fixture
def published_with_cover(admin_client):
    """Publish an article through the admin with a cover of the given size."""

    def publish(size):
        # A new file name per test: sorl's key-value store is keyed on names.
        name = f"cover-{uuid.uuid4().hex[:8]}.jpg"
        upload = SimpleUploadedFile(name, picture_bytes("JPEG", size=size))
        response = post_cover(admin_client, upload, status=Article.Status.PUBLISHED)
        assert response.status_code == 302, form_errors(response)
        return Article.objects.get()

    return publish


def test_cover_is_served_as_webp_and_jpeg_renditions(
    client, media_root, published_with_cover
):
    article = published_with_cover((2000, 1000))
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    [picture] = pictures(response.content.decode())
    [webp] = picture["sources"]
    assert webp["type"] == "image/webp"
    assert [w for _url, w in srcset(webp["srcset"])] == ["400w", "800w", "1600w"]
    img = picture["img"]
    assert [w for _url, w in srcset(img["srcset"])] == ["400w", "800w", "1600w"]
    assert (img["width"], img["height"]) == ("800", "400")
    assert img["alt"] == "题图"
    assert img["src"] == srcset(img["srcset"])[1][0]
    for kind, tag in (("WEBP", webp), ("JPEG", img)):
        for url, width in srcset(tag["srcset"]):
            with Image.open(media_path(media_root, url)) as image:
                assert image.format == kind
                assert image.size == (int(width[:-1]), int(width[:-1]) // 2)


@pytest.mark.parametrize("format", ["GIF", "JPEG"])
def test_social_preview_links_a_rendition_not_the_original(
    client, admin_client, media_root, format
):
    extension = format.lower().replace("jpeg", "jpg")
    upload = SimpleUploadedFile(
        f"cover.{extension}", picture_bytes(format, size=(1200, 630))
    )
    response = post_cover(admin_client, upload, status=Article.Status.PUBLISHED)
    assert response.status_code == 302, form_errors(response)
    article = Article.objects.get()
    page = client.get(article.get_absolute_url()).content.decode()
    (og_image,) = re.findall(r'<meta property="og:image" content="([^"]+)"', page)
    url = og_image.removeprefix("http://testserver")
    assert url != article.cover.url
    assert url.startswith(settings.MEDIA_URL + settings.THUMBNAIL_PREFIX)
    with Image.open(media_path(media_root, url)) as image:
        assert (image.format, image.size) == ("JPEG", (1200, 630))


def test_renditions_are_made_at_save_time_not_per_request(
    client, media_root, published_with_cover, monkeypatch
):
    article = published_with_cover((2000, 1000))
    made = stored_files(media_root)
    assert len(made) == 1 + 2 * 3  # the original, three widths in two formats
    opened = []
    real_open = Image.open

    def counting_open(*args, **kwargs):
        opened.append(args[0] if args else kwargs)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(Image, "open", counting_open)
    for _ in range(2):
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        assert re.search(r"\b1600w\b", response.content.decode())
    assert opened == []
    assert stored_files(media_root) == made


def test_narrow_picture_is_not_upscaled(client, media_root, published_with_cover):
    article = published_with_cover((300, 200))
    [picture] = pictures(client.get(article.get_absolute_url()).content.decode())
    [webp] = picture["sources"]
    assert [w for _url, w in srcset(webp["srcset"])] == ["300w"]
    img = picture["img"]
    assert [w for _url, w in srcset(img["srcset"])] == ["300w"]
    assert (img["width"], img["height"]) == ("300", "200")
    for file in stored_files(media_root):
        with Image.open(Path(media_root) / file) as image:
            assert image.size == (300, 200), file

"""Uploaded pictures: what is accepted, what is kept, and the renditions served.

An upload must be a real JPEG, PNG, WebP or GIF whose content matches its
extension, within a byte and a pixel budget (frames × pixels for animations),
and decodable to the end. Accepted pictures lose their metadata (EXIF with GPS
position and camera serial, XMP, comments; a GIF is re-encoded frame by frame)
before they are stored, and get their renditions made once, at save time, by
sorl-thumbnail.
"""

import io
import os
import uuid
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import models
from django.db.models.fields.files import ImageFieldFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, ImageSequence
from sorl.thumbnail import get_thumbnail
from sorl.thumbnail.base import EXTENSIONS as RENDITION_EXTENSIONS
from sorl.thumbnail.base import ThumbnailBackend
from sorl.thumbnail.helpers import serialize, tokey

EXTENSIONS = {
    "JPEG": {"jpg", "jpeg"},
    "PNG": {"png"},
    "WEBP": {"webp"},
    "GIF": {"gif"},
}
PICTURE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp", ".gif"}


def upload_folder(instance: models.Model, filename: str) -> str:
    """``<app>/<model>/<year>/<month>/<random><extension>``: the owner's model
    is read back from the path by the media gate, and no name can be guessed."""
    meta = instance._meta
    extension = os.path.splitext(filename)[1].lower()
    if extension not in PICTURE_EXTENSIONS:
        extension = ""
    return (
        f"{meta.app_label}/{meta.model_name}/{timezone.now():%Y/%m}/"
        f"{uuid.uuid4().hex}{extension}"
    )


RENDITION_WIDTHS = (400, 800, 1600)
RENDITION_FORMATS = ("WEBP", "JPEG")


def validate_image_upload(upload: File) -> None:
    """Model-field validator for every picture staff can upload."""
    if getattr(upload, "_committed", False):
        # Already stored, so checked when it was uploaded. Saving the form again
        # must not reread it: the admin may have closed it after reading its
        # size, and with remote storage it would be a download.
        return
    max_bytes = settings.IMAGE_MAX_BYTES
    max_pixels = settings.IMAGE_MAX_PIXELS
    if upload.size > max_bytes:
        raise ValidationError(
            _("图片文件不能超过 %(mb)d MB。"), params={"mb": max_bytes // 2**20}
        )
    extension = os.path.splitext(upload.name)[1].lower().lstrip(".")
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice it; refuse both.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                kind, (width, height) = image.format, image.size
                frames = getattr(image, "n_frames", 1)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ValidationError(_("图片像素过多,无法处理。")) from None
    except Exception:
        raise ValidationError(
            _("无法识别的图片文件;请上传 JPEG、PNG、WebP 或 GIF 图片。")
        ) from None
    if kind not in EXTENSIONS:
        raise ValidationError(
            _("只接受 JPEG、PNG、WebP 或 GIF 图片(不接受 SVG 等格式)。")
        )
    if extension not in EXTENSIONS[kind]:
        raise ValidationError(
            _("文件内容是 %(kind)s 图片,与扩展名 .%(extension)s 不符。"),
            params={"kind": kind, "extension": extension},
        )
    if width * height * frames > max_pixels:
        raise ValidationError(
            _("图片过大:%(width)d×%(height)d×%(frames)d帧,上限%(limit)d万像素。"),
            params={
                "width": width,
                "height": height,
                "frames": frames,
                "limit": max_pixels // 10_000,
            },
        )
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            for frame in ImageSequence.Iterator(image):
                frame.load()
    except Exception:
        raise ValidationError(_("图片文件不完整或已损坏。")) from None
    finally:
        upload.seek(0)


# What a GIF frame needs to play as uploaded; anything else in its info
# (comments, XMP and other application blocks) is left behind.
GIF_FRAME_INFO = ("duration", "transparency", "background")


def gif_without_metadata(image: Image.Image) -> bytes:
    """A GIF re-encoded frame by frame with its timing, looping, disposal and
    transparency, and without comment or application (XMP) blocks."""
    frames, durations, disposals = [], [], []
    for frame in ImageSequence.Iterator(image):
        durations.append(frame.info.get("duration", 0))
        disposals.append(getattr(frame, "disposal_method", 0))
        copy = frame.copy()
        copy.info = {
            name: frame.info[name] for name in GIF_FRAME_INFO if name in frame.info
        }
        frames.append(copy)
    buffer = io.BytesIO()
    if len(frames) == 1:
        frames[0].save(buffer, "GIF")
        return buffer.getvalue()
    options = {"duration": durations, "disposal": disposals}
    if "loop" in image.info:
        options["loop"] = image.info["loop"]
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], **options)
    return buffer.getvalue()


def without_metadata(upload: File) -> bytes:
    """The picture re-encoded without metadata (EXIF with GPS position and
    camera serial, XMP, comments, text chunks), turned upright."""
    upload.seek(0)
    with Image.open(upload) as image:
        kind = image.format
        if kind == "GIF":
            upload.seek(0)
            return gif_without_metadata(image)
        icc_profile = image.info.get("icc_profile")
        image = ImageOps.exif_transpose(image)
        # Nothing of the original's metadata is carried over (EXIF, XMP, JPEG
        # comments, PNG text chunks): Pillow would copy some of it from info.
        image.info = {}
        buffer = io.BytesIO()
        options = {"icc_profile": icc_profile} if icc_profile else {}
        if kind == "JPEG":
            image = image.convert("RGB") if image.mode not in ("RGB", "L") else image
            image.save(buffer, "JPEG", quality=90, optimize=True, **options)
        elif kind == "WEBP":
            image.save(buffer, "WEBP", quality=90, **options)
        else:
            image.save(buffer, "PNG", optimize=True, **options)
    upload.seek(0)
    return buffer.getvalue()


class RenditionBackend(ThumbnailBackend):
    """sorl-thumbnail, with renditions named after their picture
    (``renditions/<picture>/<key>.<format>``): the media gate serves a
    rendition exactly when it would serve the picture."""

    def _get_thumbnail_filename(self, source, geometry_string, options):
        key = tokey(source.key, geometry_string, serialize(options))
        extension = RENDITION_EXTENSIONS[options["format"]]
        return f"{settings.THUMBNAIL_PREFIX}{source.name}/{key[:20]}.{extension}"


def renditions(
    file: File, *, widths: tuple[int, ...] = RENDITION_WIDTHS
) -> dict[str, list[tuple[str, int, int]]]:
    """{format: [(url, width, height), …]} of a stored picture, narrowest
    first; made on first use and then looked up in sorl's key-value store."""
    result = {}
    for kind in RENDITION_FORMATS:
        rows = []
        for width in widths:
            thumbnail = get_thumbnail(file, str(width), format=kind, quality=82)
            if rows and thumbnail.width == rows[-1][1]:
                break  # no upscaling: the picture is narrower than this width
            rows.append((thumbnail.url, thumbnail.width, thumbnail.height))
        result[kind] = rows
    return result


class PictureFieldFile(ImageFieldFile):
    def save(self, name, content, save=True):
        """A new picture is stored without its metadata, turned upright, under
        a random name; its renditions are made now, so no request has to."""
        cleaned = ContentFile(without_metadata(content), name=name)
        super().save(name, cleaned, save)
        renditions(self)


class PictureField(models.ImageField):
    """An uploaded picture, as staff give them: checked on upload
    (``validate_image_upload``), stored clean under a random name
    (``upload_folder``), with renditions. The processing is the field's own
    step, whatever saves the row (a form, an import, the demo)."""

    attr_class = PictureFieldFile

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("upload_to", upload_folder)
        kwargs.setdefault("validators", [validate_image_upload])
        super().__init__(*args, **kwargs)

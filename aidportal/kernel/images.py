"""Uploaded pictures: what is accepted, what is kept, and the renditions served.

An upload must be a real JPEG, PNG, WebP or GIF whose content matches its
extension, within a byte and a pixel budget (frames × pixels for animations),
and decodable to the end. Accepted pictures lose their metadata (EXIF with GPS
position and camera serial, XMP, comments; a GIF is re-encoded frame by frame)
before they are stored, and get their renditions made once, at save time, by
sorl-thumbnail.

A picture is stored with its renditions or not at all: a storage that fails
(full, read-only, unreachable) leaves no file of it behind and raises
``PictureNotStored``, whose message staff read on the picture's field. Files
stored inside ``pictures_undone_on_error()`` are deleted again when the block
fails, so a save rolled back leaves no orphan.
"""

import errno
import io
import logging
import os
import uuid
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NamedTuple

from boto3.exceptions import Boto3Error
from botocore.exceptions import ClientError
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import models
from django.db.models.fields.files import ImageFieldFile
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, ImageSequence
from sorl.thumbnail import default as sorl_default
from sorl.thumbnail import get_thumbnail
from sorl.thumbnail.base import EXTENSIONS as RENDITION_EXTENSIONS
from sorl.thumbnail.base import ThumbnailBackend
from sorl.thumbnail.conf import defaults as sorl_defaults
from sorl.thumbnail.conf import settings as sorl_settings
from sorl.thumbnail.helpers import serialize, tokey
from sorl.thumbnail.images import ImageFile, deserialize_image_file
from sorl.thumbnail.kvstores.base import add_prefix
from sorl.thumbnail.kvstores.cached_db_kvstore import EMPTY_VALUE
from sorl.thumbnail.models import KVStore as KVStoreModel

from aidportal.kernel.storage import STORAGE_ERRORS

logger = logging.getLogger(__name__)

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
        raise ValidationError(_("图片像素过多，无法处理。")) from None
    except Exception:
        raise ValidationError(
            _("无法识别的图片文件；请上传 JPEG、PNG、WebP 或 GIF 图片。")
        ) from None
    if kind not in EXTENSIONS:
        raise ValidationError(
            _("只接受 JPEG、PNG、WebP 或 GIF 图片（不接受 SVG 等格式）。")
        )
    if extension not in EXTENSIONS[kind]:
        raise ValidationError(
            _("文件内容是 %(kind)s 图片，与扩展名 .%(extension)s 不符。"),
            params={"kind": kind, "extension": extension},
        )
    if width * height * frames > max_pixels:
        raise ValidationError(
            _("图片过大：%(width)d×%(height)d×%(frames)d帧，上限%(limit)d万像素。"),
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


# The admin's thumbnails: one rendition of those made at save time.
ADMIN_THUMBNAIL = (str(RENDITION_WIDTHS[0]), {"format": "WEBP", "quality": 82})


def _admin_thumbnail(file: File) -> ImageFile:
    """The admin thumbnail's rendition of a picture."""
    geometry, options = ADMIN_THUMBNAIL
    return _rendition_file(file, geometry, options)


def _rendition_file(file: File, geometry: str, options: dict) -> ImageFile:
    """A picture's rendition, named as ``get_thumbnail`` names it (with
    sorl's default options)."""
    backend = sorl_default.backend
    options = {**backend.default_options, **options}
    for key, setting in backend.extra_options:
        value = getattr(sorl_settings, setting)
        if value != getattr(sorl_defaults, setting):
            options.setdefault(key, value)
    source = ImageFile(file)
    name = backend._get_thumbnail_filename(source, geometry, options)
    return ImageFile(name, sorl_default.storage)


def _stored_renditions(files: dict[str, ImageFile]) -> dict[str, ImageFile]:
    """{name: rendition as stored} of the renditions ``files`` (by any name)
    that are stored: one query at most, for those not in the key-value
    store's cache (where the lookups land)."""
    kvstore = sorl_default.kvstore
    wanted = {add_prefix(file.key): name for name, file in files.items()}
    if not wanted:
        return {}
    found = kvstore.cache.get_many(list(wanted))
    missing = [key for key in wanted if key not in found]
    if missing:
        stored = dict(
            KVStoreModel.objects.filter(key__in=missing).values_list("key", "value")
        )
        fetched = {key: stored.get(key, EMPTY_VALUE) for key in missing}
        kvstore.cache.set_many(fetched, sorl_settings.THUMBNAIL_CACHE_TIMEOUT)
        found.update(fetched)
    return {
        wanted[key]: deserialize_image_file(value)
        for key, value in found.items()
        if value != EMPTY_VALUE
    }


class Thumbnail(NamedTuple):
    """A picture's admin thumbnail: the URL of its smallest rendition and
    that rendition's size in pixels (none when the rendition is gone and the
    upload itself is shown)."""

    url: str
    width: int | None = None
    height: int | None = None

    def img(self, width: int, *, alt: str = "", css_class: str = "") -> SafeString:
        """The ``<img>`` showing it ``width`` pixels wide, lazily, with the
        height it will take: the page keeps its place before it arrives, so
        nothing moves under a pointer on its way to a button below."""
        height = (
            f' height="{round(width * self.height / self.width)}"'
            if self.width and self.height
            else ""
        )
        return format_html(
            '<img{} src="{}" alt="{}" width="{}"{} loading="lazy">',
            format_html(' class="{}"', css_class) if css_class else "",
            self.url,
            alt,
            width,
            mark_safe(height),
        )


def stored_thumbnails(files: Iterable[File]) -> dict[str, Thumbnail]:
    """{picture name: its admin thumbnail} of the pictures whose rendition is
    stored, with one query for all of them at most.

    A rendition is only looked up, never made: the admin shows pages while a
    storage refuses writes, and a picture not stored (a form shown again after
    its upload was refused) has none. The lookups land in the key-value
    store's cache, where ``stored_thumbnail`` finds them."""
    try:
        pictures = {file.name: _admin_thumbnail(file) for file in files if file}
        return {
            name: Thumbnail(image.url, image.width, image.height)
            for name, image in _stored_renditions(pictures).items()
        }
    except Exception:  # the thumbnails are not worth a failed page
        logger.exception("Admin thumbnails not looked up")
        return {}


def stored_renditions(
    files: Iterable[File],
) -> dict[str, dict[str, list[tuple[str, int, int]]]]:
    """{picture name: {format: [(url, width, height), …]}} of the renditions
    the pages show (``renditions``) that are stored, narrowest first, with
    one query for all the pictures at most: for lists of many pictures. A
    rendition is only looked up, never made (they are made at save time)."""
    wanted = {
        (file.name, kind, width): _rendition_file(
            file, str(width), {"format": kind, "quality": 82}
        )
        for file in files
        if file
        for kind in RENDITION_FORMATS
        for width in RENDITION_WIDTHS
    }
    try:
        found = _stored_renditions(wanted)
    except Exception:  # a list is not failed by its pictures
        logger.exception("Renditions not looked up")
        found = {}
    result = {}
    for (name, kind, _width), image in wanted.items():
        rows = result.setdefault(name, {}).setdefault(kind, [])
        if (stored := found.get((name, kind, _width))) is None:
            continue
        if rows and stored.width == rows[-1][1]:
            continue  # no upscaling: the picture is narrower than this width
        rows.append((image.url, stored.width, stored.height))
    return result


def stored_thumbnail(file: File) -> Thumbnail | None:
    """A picture's admin thumbnail if its rendition is stored."""
    return stored_thumbnails([file]).get(file.name)


def thumbnail(file: File) -> Thumbnail:
    """A stored picture's smallest rendition (made at save time), for the
    admin's thumbnails: never the full upload in a list of fifty rows, unless
    its rendition is gone."""
    return stored_thumbnail(file) or Thumbnail(file.url)


# How a storage error (``storage.STORAGE_ERRORS``) is told to staff.
FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
NOT_WRITABLE = (errno.EROFS, errno.EACCES, errno.EPERM)
# Object storage says so by code, or by status alone (a HEAD has no body).
S3_FULL = {"InsufficientStorage", "XMinioStorageFull", "QuotaExceeded", "507"}
S3_NOT_WRITABLE = {"AccessDenied", "AllAccessDisabled", "InvalidAccessKeyId", "403"}


def storage_trouble(error: BaseException) -> str:
    """What staff are told when the storage refused a picture."""
    cause = error.__cause__ or error.__context__
    if isinstance(error, Boto3Error) and isinstance(cause, ClientError):
        error = cause  # boto3 wraps the refused request of an upload
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        full, not_writable = code in S3_FULL, code in S3_NOT_WRITABLE
    else:
        code = getattr(error, "errno", None)
        full, not_writable = code in FULL, code in NOT_WRITABLE
    if full:
        return _("图片未能保存：存储空间已满，请联系管理员后重试。")
    if not_writable:
        return _("图片未能保存：存储暂不可写，请联系管理员后重试。")
    return _("图片未能保存：存储暂时无法访问，请稍后重试；如仍不行，请联系管理员。")


class PictureNotStored(Exception):
    """The storage refused a picture; nothing of it was kept. Names the row
    and the field, so the admin can put ``message`` on the field's form."""

    def __init__(self, file: ImageFieldFile, error: BaseException):
        self.instance = file.instance
        self.field_name = file.field.name
        self.message = storage_trouble(error)
        super().__init__(f"{file.field} not stored: {error!r}")


def discard_picture(storage: Storage, name: str) -> None:
    """Delete a stored picture and its renditions (a file cut short by a full
    disk too). A storage that fails here as well is logged, not raised: the
    error being handled is the one to report."""
    folder = f"{settings.THUMBNAIL_PREFIX}{name}"
    renditions_storage = sorl_default.storage
    try:
        storage.delete(name)
        try:
            _dirs, files = renditions_storage.listdir(folder)
        except FileNotFoundError:
            files = []
        for file in files:
            renditions_storage.delete(f"{folder}/{file}")
        # On a disk the folder is left empty; in a bucket there is none.
        renditions_storage.delete(folder)
    except STORAGE_ERRORS:
        logger.exception("Could not delete %s after a failed save", name)


# The pictures stored in the current pictures_undone_on_error() block.
_stored: ContextVar[list[tuple[Storage, str]] | None] = ContextVar(
    "pictures_stored", default=None
)


@contextmanager
def pictures_undone_on_error() -> Iterator[None]:
    """Pictures stored inside the block are deleted if it raises: wrapped
    around a transaction, a save that does not commit leaves no file."""
    stored = []
    token = _stored.set(stored)
    try:
        yield
    except BaseException:
        for storage, name in reversed(stored):
            discard_picture(storage, name)
        raise
    finally:
        _stored.reset(token)
    if (outer := _stored.get()) is not None:
        outer.extend(stored)


class PictureFieldFile(ImageFieldFile):
    def save(self, name, content, save=True):
        """A new picture is stored without its metadata, turned upright, under
        a random name, with its renditions, so no request has to make them.
        If the storage fails, none of it is kept: ``PictureNotStored``."""
        cleaned = ContentFile(without_metadata(content), name=name)
        name = self.field.generate_filename(self.instance, name)
        stored = None
        try:
            stored = self.storage.save(name, cleaned, max_length=self.field.max_length)
            renditions(self.field.attr_class(self.instance, self.field, stored))
        except BaseException as error:
            # The name is new (random): whatever is under it is this write's.
            discard_picture(self.storage, stored or name)
            if isinstance(error, STORAGE_ERRORS):
                logger.error("Picture %s not stored: %r", name, error)
                raise PictureNotStored(self, error) from error
            raise
        if (written := _stored.get()) is not None:
            written.append((self.storage, stored))
        # As FieldFile.save(), with the stored name.
        self.name = stored
        self._set_instance_attribute(stored, cleaned)
        self._committed = True
        if save:
            self.instance.save()


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

"""Pictures in rich-text bodies: uploaded from the editor, served as <picture>.

Staff upload a picture from the editor's figure dialog (its picker, in the
admin) or pick one uploaded earlier or from the row's gallery. An upload is a
``BodyPicture``: a ``PictureField`` like every cover, so it is checked,
stripped of metadata and given its renditions by the same code.

The body stores a plain ``<img src="/media/…" alt="…" data-file="…">``: the
stored name is random and never changes, so the URL is the picture's stable
reference (``data-file`` names the row it was picked from). The public page
expands each such image into a ``<picture>`` with WebP and JPEG ``srcset``
and its width and height (``expanded_body``); the sanitiser never lets a
``<picture>`` or ``<source>`` into the stored body.

An uploaded picture is public while a published body shows it (the media
gate asks ``BodyPictureQuerySet.published()``): a picture uploaded into a
draft cannot be fetched by anyone but staff until the draft is published.
"""

import re
from html.parser import HTMLParser
from urllib.parse import unquote

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from aidportal.kernel.images import PictureField, renditions

IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
# The width the body column has on the public page (templates: 42em).
BODY_SIZES = "(max-width: 760px) 100vw, 42em"


class BodyPictureQuerySet(models.QuerySet):
    def published(self):
        """Pictures a published body shows (what the media gate serves): the
        body holds the picture's stored name, which is random and unique."""
        # Imported here: publishing imports this module (the body's rules).
        from aidportal.kernel.publishing import publishable_models

        shown = Q(pk__in=[])
        for model in publishable_models():
            shown |= Exists(
                model.objects.published().filter(body__contains=OuterRef("image"))
            )
        return self.filter(shown)


class BodyPicture(models.Model):
    """A picture uploaded from the editor, for any rich-text body."""

    image = PictureField(
        _("图片"),
        width_field="width",
        height_field="height",
        help_text=_("JPEG、PNG、WebP 或 GIF，不超过 10 MB、4000 万像素。"),
    )
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    alt = models.CharField(
        _("替代文字"),
        max_length=200,
        blank=True,
        help_text=_("图片内容的简短描述，供读屏软件朗读。"),
    )
    decorative = models.BooleanField(
        _("仅作装饰"),
        default=False,
        help_text=_("勾选后可不填替代文字（读屏软件将跳过此图）。"),
    )
    caption = models.CharField(_("图片说明"), max_length=300, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = BodyPictureQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("正文图片")
        verbose_name_plural = _("正文图片")
        # The media gate finds a picture's row by its file name.
        indexes = [models.Index(fields=["image"], name="bodypicture_image_idx")]

    def __str__(self):
        return self.caption or self.alt or self.image.name

    def clean(self):
        super().clean()
        if self.image and not self.alt.strip() and not self.decorative:
            raise ValidationError({"alt": _("请填写替代文字，或勾选“仅作装饰”。")})

    @property
    def reference(self) -> str:
        """What the body's ``data-file`` holds for this picture."""
        return file_reference(self)


def file_reference(row: models.Model) -> str:
    """``<app>.<model>:<pk>``: the row a body picture was picked from."""
    return f"{row._meta.label_lower}:{row.pk}"


class _Attributes(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.attrs = {}

    def handle_starttag(self, tag, attrs):
        self.attrs = {name: value or "" for name, value in attrs}


def img_attributes(tag: str) -> dict[str, str]:
    parser = _Attributes()
    parser.feed(tag)
    return parser.attrs


def media_name(src: str) -> str | None:
    """The stored name an image URL of this site's media points to."""
    prefix = "/" + settings.MEDIA_URL.lstrip("/")
    if not src.startswith(prefix):
        return None
    name = unquote(src[len(prefix) :])
    if ".." in name.split("/") or name.startswith(settings.THUMBNAIL_PREFIX):
        return None
    # Imported here: the media gate's imports reach publishing, which
    # imports this module.
    from aidportal.kernel.media import owner

    return name if owner(name) is not None else None


def expanded_body(body: str) -> SafeString:
    """The (sanitised) body with every uploaded picture as a ``<picture>``:
    renditions in ``srcset``, width and height against layout shift, lazy
    loading. Reads renditions from sorl's key-value store, not the rows."""

    def expand(match: re.Match) -> str:
        attrs = img_attributes(match.group(0))
        name = media_name(attrs.get("src", ""))
        if name is None:
            return match.group(0)
        try:
            sources = renditions(name)
        except Exception:
            return match.group(0)
        jpeg = sources.get("JPEG") or []
        if not jpeg:
            return match.group(0)
        return render_to_string(
            "includes/_picture.html",
            {
                "webp": sources.get("WEBP") or [],
                "jpeg": jpeg,
                "fallback": jpeg[min(1, len(jpeg) - 1)],
                "alt": attrs.get("alt", ""),
                "sizes": BODY_SIZES,
                "loading": "lazy",
            },
        ).strip()

    return mark_safe(IMG_TAG.sub(expand, body))


def picked_row(reference: str) -> models.Model | None:
    """The row a ``data-file`` value names, if it is a picture of this site
    (an upload or a gallery picture); anything else a body may claim, another
    model or a key that is no number ("²" is a digit to Python), names none."""
    # Publishing asks this module about alt texts: import it late.
    from aidportal.kernel.publishing import GalleryImage

    label, _sep, pk = reference.partition(":")
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return None
    if not issubclass(model, (BodyPicture, GalleryImage)):
        return None
    if not (pk.isascii() and pk.isdigit()) or len(pk) > 18:
        return None
    return model._default_manager.filter(pk=int(pk)).first()


def missing_alt(body: str) -> list[str]:
    """The pictures of this site in a body (uploaded or picked) without
    alternative text that are not marked decorative (an uploaded picture's
    own flag, or a gallery picture's). Images from elsewhere are not checked:
    the page's content security policy does not show them anyway."""
    missing = []
    for match in IMG_TAG.finditer(body):
        attrs = img_attributes(match.group(0))
        if attrs.get("alt", "").strip() or media_name(attrs.get("src", "")) is None:
            continue
        row = picked_row(attrs.get("data-file", ""))
        if row is not None and getattr(row, "decorative", False):
            continue
        missing.append(attrs.get("src", ""))
    return missing


def require_body_alt(body: str, field: str = "body") -> None:
    """A body's pictures need alternative text unless marked decorative."""
    if missing_alt(body):
        raise ValidationError(
            {
                field: _(
                    "正文中有图片缺少替代文字：请点选图片，在“替代文字”中描述图片；"
                    "仅作装饰的图片请在上传时勾选“仅作装饰”。"
                )
            }
        )

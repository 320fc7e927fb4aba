"""Publishing: what content shares, and what the public may see of it.

``Content`` marks every model whose rows the public site shows or that decide
what it shows; the kernel finds them through the app registry
(``content_models()``), so a new app needs no edit here. ``Publishable`` is
the base of articles and projects: status, schedule, body, cover and the one
definition of "published" (``PublishableQuerySet.published()``).
"""

import html
import re
import unicodedata
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Min, Q, Value
from django.db.models.functions import StrIndex
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField

from aidportal.kernel.chinese import normalize, search_key
from aidportal.kernel.images import PictureField
from aidportal.kernel.pictures import require_body_alt
from aidportal.kernel.policy import Guarded
from aidportal.kernel.search import Searchable, has_common_term, walking_the_order
from aidportal.kernel.workflow import PublishStatus, Workflow, status_field

# What may end a summary that is the body's start cut short, after NFKC (which
# turns "…" into "..." and full-width ，！？； into ASCII).
SUMMARY_END = re.compile(r"[。.,!?;]+$")


def _compared(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def repeats_start(summary: str, body: str) -> bool:
    """Whether ``summary`` is only the start of ``body`` (rich text): its first
    paragraph pasted in, or that cut short with "……". Tags, entities,
    whitespace and full- or half-width forms do not count as a difference."""
    lead = SUMMARY_END.sub("", _compared(summary))
    return bool(lead) and _compared(html.unescape(strip_tags(body))).startswith(lead)


def require_alt(instance: models.Model, image: str, alt: str, decorative: str) -> None:
    """A picture needs alternative text unless it is marked decorative."""
    if (
        getattr(instance, image)
        and not getattr(instance, alt).strip()
        and not getattr(instance, decorative)
    ):
        raise ValidationError({alt: _("请填写替代文字，或勾选“仅作装饰”。")})


def in_order(
    first: str, then: str, *, name: str, message: str
) -> models.CheckConstraint:
    """A constraint: ``then`` is not before ``first``, either may be unknown
    (a batch's years, an assignment's or a project's dates)."""
    return models.CheckConstraint(
        condition=Q(**{f"{then}__isnull": True})
        | Q(**{f"{first}__isnull": True})
        | Q(**{f"{then}__gte": F(first)}),
        name=name,
        violation_error_message=message,
    )


def staff_member(label: str) -> models.ForeignKey:
    """Who did something to a row (set by the admin, kept if they leave)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=label,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )


def alt_text(label: str) -> models.CharField:
    """The alternative text of a picture, for screen readers."""
    return models.CharField(
        label,
        max_length=200,
        blank=True,
        help_text=_("图片内容的简短描述，供读屏软件朗读。"),
    )


class Content(models.Model):
    """A model whose rows the public site shows, or that decide what it shows
    (a unit's aliases decide what a search finds): a committed change to one
    invalidates the cached pages."""

    class Meta:
        abstract = True


def content_models() -> list[type[models.Model]]:
    """Every concrete content model of the installed apps."""
    return [model for model in apps.get_models() if issubclass(model, Content)]


def publishable_models() -> list[type[models.Model]]:
    return [model for model in content_models() if issubclass(model, Publishable)]


class PublishableQuerySet(models.QuerySet):
    def published(self, *, now: datetime | None = None) -> "PublishableQuerySet":
        """What the public may see: the one definition every public view,
        feed, sitemap and search starts from. Scheduling and expiry are
        decided here, at query time: no cron job."""
        now = now or timezone.now()
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now),
            status=PublishStatus.PUBLISHED,
            published_at__lte=now,
        )

    def next_scheduled_change(self, now: datetime | None = None) -> datetime | None:
        """When the next scheduled publication or expiry of these rows is due,
        or None: what the public sees changes then, with no save."""
        now = now or timezone.now()
        due = self.filter(status=PublishStatus.PUBLISHED).aggregate(
            publish=Min("published_at", filter=Q(published_at__gt=now)),
            expire=Min("expires_at", filter=Q(expires_at__gt=now)),
        )
        moments = [moment for moment in due.values() if moment]
        return min(moments) if moments else None

    def search(self, query: str) -> "PublishableQuerySet":
        """Rows whose normalised text contains the query, title matches first
        and then newest. An empty query matches nothing."""
        key = search_key(query)
        if not key:
            return self.none()
        # Ranking reads every match; on a common word that is most of the
        # table, so rank the newest matches only (lists stop at 1000+ anyway).
        # A common word's newest matches are found sooner by walking the
        # order of publication than by reading its keys' long lists.
        matches = self.filter(search_text__substring=key)
        if has_common_term(matches):
            matches = walking_the_order(matches)
        newest = matches.order_by("-published_at", "-id").values("pk")[
            : settings.SEARCH_RANK_WINDOW
        ]
        return (
            self.filter(pk__in=newest)
            .annotate(match_at=StrIndex("search_text", Value(key)))
            .order_by(
                # The title is the first part of the search text.
                models.Case(
                    models.When(match_at__lte=F("title_length"), then=0),
                    default=1,
                ),
                "-published_at",
                "-id",
            )
        )


# What editors can put into a rich-text body; the sanitiser allows exactly this.
BODY_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
    "HorizontalRule": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "Figure": True,
    "Caption": True,
    "Image": True,
    "History": True,
}


class PublicState(Guarded, models.Model):
    """A row that may or may not be live, and remembers which it was when
    loaded: a change to a row the public sees neither before nor after leaves
    the cached pages alone (see aidportal.kernel.caching)."""

    # The fields is_live reads; without them loaded, assume it was live.
    public_state_fields = ()
    # Unknown (None) for an instance not loaded from the database, such as
    # one rebuilt from a history record to be saved back.
    _public_when_loaded = None

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self._public_when_loaded = self.is_live

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        loaded = all(name in field_names for name in cls.public_state_fields)
        instance._public_when_loaded = not loaded or instance.is_live
        return instance

    def shown_publicly_when_loaded(self):
        """True, False, or None when unknown."""
        return self._public_when_loaded


class Publishable(Workflow, Content, PublicState, Searchable):
    """Status, schedule, summary, body, cover, authorship and search text of
    public content (articles and projects)."""

    Status = PublishStatus
    public_state_fields = ("status",)
    derived_fields = ("title_length",)

    summary = models.TextField(
        _("摘要"),
        max_length=500,
        blank=True,
        help_text=_("一两句话，显示在列表和搜索结果中。"),
    )
    body = ProseEditorField(
        _("正文"), extensions=BODY_EXTENSIONS, sanitize=True, blank=True
    )
    cover = PictureField(
        _("题图"),
        blank=True,
        width_field="cover_width",
        height_field="cover_height",
        help_text=_("JPEG、PNG、WebP 或 GIF，不超过 10 MB、4000 万像素。"),
    )
    cover_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    cover_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    cover_alt = alt_text(_("题图替代文字"))
    cover_caption = models.CharField(_("题图说明"), max_length=300, blank=True)
    cover_decorative = models.BooleanField(
        _("题图仅作装饰"),
        default=False,
        help_text=_("勾选后可不填替代文字（读屏软件将跳过此图）。"),
    )
    status = status_field()
    published_at = models.DateTimeField(
        _("发布时间"),
        default=timezone.now,
        help_text=_("设为将来的时间即定时发布：到时自动出现在网站上。"),
    )
    expires_at = models.DateTimeField(
        _("下线时间"),
        null=True,
        blank=True,
        help_text=_("可选；到时自动从网站上撤下。"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    created_by = staff_member(_("创建人"))
    updated_by = staff_member(_("修改人"))
    # Who approved the row's publication or its latest change (谁发布谁负责).
    reviewed_by = staff_member(_("审核人"))
    title_length = models.PositiveIntegerField(editable=False, default=0)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True)
                | Q(expires_at__gt=F("published_at")),
                name="%(app_label)s_%(class)s_expires_after_published",
                violation_error_message=_("下线时间必须晚于发布时间。"),
            ),
        ]

    def save(self, *args, **kwargs):
        # The admin form sanitises rich text through full_clean(); code that
        # saves directly (imports, demo data, shell) must not bypass it.
        for field in self._meta.concrete_fields:
            if isinstance(field, ProseEditorField):
                setattr(
                    self,
                    field.attname,
                    field.sanitize(getattr(self, field.attname) or ""),
                )
        super().save(*args, **kwargs)

    def derive(self):
        self.title_length = len(normalize(self.searched_texts()[0]))
        super().derive()

    def clean(self):
        super().clean()
        require_alt(self, "cover", "cover_alt", "cover_decorative")
        require_body_alt(self.body)

    def get_preview_url(self):
        return reverse(f"{self._meta.app_label}:preview", kwargs={"pk": self.pk})

    @property
    def reviewer_name(self) -> str:
        """The approving publisher as the published page names them (审核):
        their real name, never an account name; "" without one."""
        reviewer = self.reviewed_by
        return (reviewer.last_name + reviewer.first_name).strip() if reviewer else ""

    @property
    def summary_repeats_body(self):
        """The summary is the body's start: above the body it would be read
        twice, so the page leaves it out (lists and search still show it)."""
        return repeats_start(self.summary, self.body)

    @property
    def is_live(self):
        """Published: on the public site now, on schedule or until expired."""
        return self.status == PublishStatus.PUBLISHED

    @property
    def is_archived(self):
        return self.status == PublishStatus.ARCHIVED

    def take_down(self):
        self.status = PublishStatus.DRAFT

    def search_parts(self):
        title, *rest = self.searched_texts()
        return [normalize(title), *(normalize(strip_tags(text)) for text in rest)]

    def searched_texts(self):
        """The texts search looks in, the title first (rich text allowed)."""
        raise NotImplementedError


class GalleryImageQuerySet(models.QuerySet):
    def published(self):
        """Pictures of published owners (what the media gate serves)."""
        field = self.model.owner_field
        owner = self.model._meta.get_field(field).related_model
        return self.filter(**{f"{field}__in": owner.objects.published()})


class GalleryImage(Content):
    """A picture of a gallery: subclasses add the foreign key to their owner,
    named by ``owner_field``."""

    owner_field = None

    image = PictureField(_("图片"), width_field="width", height_field="height")
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    alt = alt_text(_("替代文字"))
    caption = models.CharField(_("图片说明"), max_length=300, blank=True)
    decorative = models.BooleanField(_("仅作装饰"), default=False)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = GalleryImageQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self):
        return self.caption or self.alt

    def clean(self):
        super().clean()
        require_alt(self, "image", "alt", "decorative")

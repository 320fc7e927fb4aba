from django.conf import settings
from django.db import models
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField
from simple_history.models import HistoricalRecords

# What editors can put into an article body; the sanitiser allows exactly this.
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


class Channel(models.Model):
    name = models.CharField(_("名称"), max_length=40, unique=True)
    slug = models.SlugField(
        _("网址名"),
        max_length=40,
        unique=True,
        help_text=_("英文字母、数字或连字符,例如 news;用于网址 /channels/news/。"),
    )
    description = models.TextField(_("简介"), blank=True)
    position = models.PositiveSmallIntegerField(
        _("排序"), default=0, help_text=_("数字小的排在导航前面。")
    )
    in_navigation = models.BooleanField(_("显示在导航"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("栏目")
        verbose_name_plural = _("栏目")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:channel", kwargs={"slug": self.slug})


class ArticleQuerySet(models.QuerySet):
    def published(self, *, now=None):
        """What the public may see: the one definition every public view uses."""
        now = now or timezone.now()
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now),
            status=Article.Status.PUBLISHED,
            published_at__lte=now,
        )

    def for_listing(self):
        return self.select_related("channel").defer("body")

    def for_detail(self):
        return self.select_related("channel").prefetch_related("images")

    def newest_per_channel(self, limit):
        """The newest ``limit`` rows of each channel, in one query."""
        return (
            self.annotate(
                channel_rank=Window(
                    RowNumber(),
                    partition_by=F("channel_id"),
                    order_by=[F("published_at").desc(), F("id").desc()],
                )
            )
            .filter(channel_rank__lte=limit)
            .order_by("channel_id", "channel_rank")
        )


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        ARCHIVED = "archived", _("已归档")

    channel = models.ForeignKey(
        Channel,
        verbose_name=_("栏目"),
        on_delete=models.PROTECT,
        related_name="articles",
    )
    title = models.CharField(_("标题"), max_length=200)
    subtitle = models.CharField(_("副标题"), max_length=200, blank=True)
    summary = models.TextField(
        _("摘要"),
        max_length=500,
        blank=True,
        help_text=_("一两句话,显示在列表和搜索结果中。"),
    )
    body = ProseEditorField(
        _("正文"),
        extensions=BODY_EXTENSIONS,
        sanitize=True,
        blank=True,
    )
    cover = models.ImageField(
        _("题图"),
        upload_to="articles/covers/%Y/%m/",
        blank=True,
        width_field="cover_width",
        height_field="cover_height",
    )
    cover_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    cover_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    cover_alt = models.CharField(
        _("题图替代文字"),
        max_length=200,
        blank=True,
        help_text=_("图片内容的简短描述,供读屏软件朗读。"),
    )
    cover_caption = models.CharField(_("题图说明"), max_length=300, blank=True)
    source = models.CharField(_("来源"), max_length=100, blank=True)
    author = models.CharField(_("作者"), max_length=100, blank=True)
    editor = models.CharField(_("编辑"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
    )
    published_at = models.DateTimeField(
        _("发布时间"),
        default=timezone.now,
        help_text=_("设为将来的时间即定时发布:到时自动出现在网站上。"),
    )
    expires_at = models.DateTimeField(
        _("下线时间"),
        null=True,
        blank=True,
        help_text=_("可选;到时自动从网站上撤下。"),
    )
    featured = models.BooleanField(_("推荐"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    history = HistoricalRecords()
    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("文章")
        verbose_name_plural = _("文章")
        indexes = [
            models.Index(
                fields=["channel", "status", "-published_at"],
                name="article_channel_pub_idx",
            ),
            models.Index(
                fields=["status", "-published_at"], name="article_status_pub_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True)
                | Q(expires_at__gt=F("published_at")),
                name="article_expires_after_published",
                violation_error_message=_("下线时间必须晚于发布时间。"),
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # The admin form sanitises through full_clean(); code paths that save
        # directly (imports, demo data, shell) must not bypass it.
        self.body = self._meta.get_field("body").sanitize(self.body or "")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"pk": self.pk})


class ArticleImage(models.Model):
    article = models.ForeignKey(
        Article,
        verbose_name=_("文章"),
        on_delete=models.CASCADE,
        related_name="images",
    )
    image = models.ImageField(
        _("图片"),
        upload_to="articles/gallery/%Y/%m/",
        width_field="width",
        height_field="height",
    )
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    alt = models.CharField(
        _("替代文字"),
        max_length=200,
        help_text=_("图片内容的简短描述,供读屏软件朗读。"),
    )
    caption = models.CharField(_("图片说明"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("组图图片")
        verbose_name_plural = _("组图")

    def __str__(self):
        return self.caption or self.alt

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aidportal.kernel.publishing import (
    Content,
    GalleryImage,
    Publishable,
    PublishableQuerySet,
)
from aidportal.kernel.search import SearchableHistory


class Channel(Content):
    name = models.CharField(_("名称"), max_length=40, unique=True)
    slug = models.SlugField(
        _("网址名"),
        max_length=40,
        unique=True,
        help_text=_("英文字母、数字或连字符，例如 news；用于网址 /channels/news/。"),
    )
    description = models.TextField(_("简介"), blank=True)
    position = models.PositiveSmallIntegerField(
        _("排序"), default=0, help_text=_("数字小的排在导航前面。")
    )
    in_navigation = models.BooleanField(_("显示在导航"), default=True)
    update_period_days = models.PositiveSmallIntegerField(
        _("更新周期（天）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "导航中的栏目超过这么多天没有新发布的文章，网站自查即报“栏目未更新”"
            "（单项否决）。留空则用全站默认周期。"
        ),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("栏目")
        verbose_name_plural = _("栏目")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:channel", kwargs={"slug": self.slug})


class ArticleQuerySet(PublishableQuerySet):
    def for_listing(self):
        return self.select_related("channel").defer(
            "body", "search_text", "search_grams"
        )

    def for_detail(self):
        return self.select_related("channel", "reviewed_by").prefetch_related("images")

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


class Article(Publishable):
    channel = models.ForeignKey(
        Channel,
        verbose_name=_("栏目"),
        on_delete=models.PROTECT,
        related_name="articles",
    )
    title = models.CharField(_("标题"), max_length=200)
    subtitle = models.CharField(_("副标题"), max_length=200, blank=True)
    source = models.CharField(_("来源"), max_length=100, blank=True)
    author = models.CharField(_("作者"), max_length=100, blank=True)
    editor = models.CharField(_("编辑"), max_length=100, blank=True)
    featured = models.BooleanField(_("推荐"), default=False)
    projects = models.ManyToManyField(
        "projects.Project",
        verbose_name=_("相关项目"),
        blank=True,
        related_name="articles",
    )
    people = models.ManyToManyField(
        "personnel.Person",
        verbose_name=_("相关人员"),
        blank=True,
        related_name="articles",
    )

    history = SearchableHistory(m2m_fields=[projects, people])
    objects = ArticleQuerySet.as_manager()

    class Meta(Publishable.Meta):
        ordering = ["-published_at", "-id"]
        verbose_name = _("文章")
        verbose_name_plural = _("文章")
        permissions = [("publish_article", _("可以发布、撤回、归档文章"))]
        indexes = [
            models.Index(
                fields=["channel", "status", "-published_at"],
                name="article_channel_pub_idx",
            ),
            models.Index(
                fields=["status", "-published_at"], name="article_status_pub_idx"
            ),
            # The home page's few featured articles among many.
            models.Index(
                fields=["-published_at"],
                condition=models.Q(featured=True),
                name="article_featured_pub_idx",
            ),
            # The media gate finds a picture's owner by its file name.
            models.Index(fields=["cover"], name="article_cover_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"pk": self.pk})

    def searched_texts(self):
        return [self.title, self.subtitle, self.summary, self.body]


class ArticleImage(GalleryImage):
    owner_field = "article"

    article = models.ForeignKey(
        Article,
        verbose_name=_("文章"),
        on_delete=models.CASCADE,
        related_name="images",
    )

    history = HistoricalRecords()

    class Meta(GalleryImage.Meta):
        indexes = [models.Index(fields=["image"], name="articleimage_image_idx")]
        verbose_name = _("组图图片")
        verbose_name_plural = _("组图")

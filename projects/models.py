from django.db import models
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aidportal.kernel.facets import Facet, facet_counts
from aidportal.kernel.publishing import (
    GalleryImage,
    Publishable,
    PublishableQuerySet,
    in_order,
)
from aidportal.kernel.search import SearchableHistory


def _total_expressions():
    """The figures summed over projects, and how many projects give each: a
    total of two projects' investments is not "the investment" of five."""
    # The counts come first: once the sum is named "investment", that name
    # means the sum, not the column.
    return {
        "investment_count": Count("investment"),
        "floor_area_count": Count("floor_area"),
        "jobs_count": Count("jobs_created"),
        "investment": Sum("investment"),
        "floor_area": Sum("floor_area"),
        "jobs": Sum("jobs_created"),
        "count": Count("pk"),
    }


class ProjectQuerySet(PublishableQuerySet):
    def for_listing(self):
        return self.defer("body", "search_text", "search_grams")

    def for_detail(self):
        return self.prefetch_related("images")

    def with_year(self):
        """Annotate ``year``: the start year, or the completion year when the
        start is unknown."""
        return self.annotate(
            year=ExtractYear(Coalesce("start_date", "completion_date"))
        )

    def totals(self):
        """Investment (万元), floor area (m²), jobs, how many projects give
        each, and the count: one query."""
        return self.order_by().aggregate(**_total_expressions())

    def statistics(self):
        """Totals overall, by category and by start year, and the sector and
        stage facets, in one query.

        ``by_year`` ends with the projects of no known year (``year`` None),
        so its rows add up to the overall totals; the year facet, a list of
        filters, leaves them out."""
        totals = _total_expressions()
        del totals["count"]
        plain = self.order_by()
        facets = facet_counts(
            {
                "category": Facet(plain, "category", choices=Project.Category.choices),
                "year": Facet(
                    plain.with_year(),
                    "year",
                    number=True,
                    order=lambda row: (row["value"] is None, row["value"] or 0),
                ),
                "sector": Facet(plain, "sector", choices=Project.Sector.choices),
                "stage": Facet(plain, "stage", choices=Project.Stage.choices),
            },
            **totals,
        )
        by_category = sorted(facets["category"], key=lambda row: row["value"])
        by_year = facets["year"]
        for row in by_category:
            row["category"] = row["value"]
        for row in by_year:
            row["year"] = row["value"]
        overall = {}
        for key in [*totals, "count"]:
            # A column nobody filled in stays unknown (shown as "—"), not 0.
            known = [row[key] for row in by_category if row[key] is not None]
            overall[key] = sum(known) if known else None
        for key in ("investment_count", "floor_area_count", "jobs_count", "count"):
            overall[key] = overall[key] or 0
        return {
            "overall": overall,
            "by_category": by_category,
            "by_year": by_year,
            "facets": {
                "category": facets["category"],
                "year": [row for row in reversed(by_year) if row["year"] is not None],
                "sector": facets["sector"],
                "stage": facets["stage"],
            },
        }


class Project(Publishable):
    class Category(models.TextChoices):
        PROJECT = "project", _("项目援助")
        TALENT = "talent", _("智力援助")
        INDUSTRY = "industry", _("产业援助")

    class Sector(models.TextChoices):
        HEALTH = "health", _("卫生健康")
        EDUCATION = "education", _("教育")
        INDUSTRY = "industry", _("产业")
        INFRASTRUCTURE = "infrastructure", _("基础设施")
        AGRICULTURE = "agriculture", _("农业")
        HOUSING = "housing", _("民生安居")
        CULTURE = "culture", _("文化旅游")
        OTHER = "other", _("其他")

    class Stage(models.TextChoices):
        PLANNED = "planned", _("规划中")
        UNDER_CONSTRUCTION = "construction", _("在建")
        COMPLETED = "completed", _("已建成")
        IN_OPERATION = "operation", _("运营中")

    name = models.CharField(_("项目名称"), max_length=200)
    category = models.CharField(
        _("援助类型"), max_length=10, choices=Category.choices, db_index=True
    )
    sector = models.CharField(
        _("领域"), max_length=16, choices=Sector.choices, default=Sector.OTHER
    )
    stage = models.CharField(
        _("建设状态"), max_length=12, choices=Stage.choices, default=Stage.PLANNED
    )
    location = models.CharField(
        _("地点"), max_length=100, blank=True, help_text=_("例如：阿克苏市阿依库勒镇。")
    )
    start_date = models.DateField(_("开工日期"), null=True, blank=True)
    completion_date = models.DateField(_("竣工日期"), null=True, blank=True)
    investment = models.DecimalField(
        _("投资（万元）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("以万元为单位，例如 2791；35.3亿元填 353000。"),
    )
    floor_area = models.DecimalField(
        _("建筑面积（平方米）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    jobs_created = models.PositiveIntegerField(
        _("带动就业（人）"), null=True, blank=True
    )
    partner = models.CharField(_("合作企业"), max_length=100, blank=True)
    people = models.ManyToManyField(
        "personnel.Person",
        verbose_name=_("相关人员"),
        blank=True,
        related_name="projects",
    )

    history = SearchableHistory(m2m_fields=[people])
    objects = ProjectQuerySet.as_manager()

    class Meta(Publishable.Meta):
        ordering = ["-start_date", "-id"]
        verbose_name = _("援建项目")
        verbose_name_plural = _("援建项目")
        permissions = [("publish_project", _("可以发布、撤回、归档项目"))]
        # The media gate finds a picture's owner by its file name.
        indexes = [models.Index(fields=["cover"], name="project_cover_idx")]
        constraints = [
            *Publishable.Meta.constraints,
            models.CheckConstraint(
                condition=Q(investment__isnull=True) | Q(investment__gte=0),
                name="project_investment_not_negative",
                violation_error_message=_("投资不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(floor_area__isnull=True) | Q(floor_area__gte=0),
                name="project_floor_area_not_negative",
                violation_error_message=_("建筑面积不能为负数。"),
            ),
            in_order(
                "start_date",
                "completion_date",
                name="project_completed_after_start",
                message=_("竣工日期不能早于开工日期。"),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:detail", kwargs={"pk": self.pk})

    def searched_texts(self):
        return [self.name, self.summary, self.location, self.partner, self.body]


class ProjectImage(GalleryImage):
    owner_field = "project"

    project = models.ForeignKey(
        Project,
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        related_name="images",
    )

    history = HistoricalRecords()

    class Meta(GalleryImage.Meta):
        indexes = [models.Index(fields=["image"], name="projectimage_image_idx")]
        verbose_name = _("项目图片")
        verbose_name_plural = _("项目组图")

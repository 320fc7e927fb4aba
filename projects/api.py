"""Aid projects in the open-data API: the published projects under the
project list's filters, with their figures, pictures and totals."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from aidportal.kernel.api import (
    ERROR_RESPONSES,
    Blank,
    Id,
    PageQuery,
    PictureOut,
    accepts,
    cover,
    cover_and_gallery,
    cursor_page,
    filter_error,
    found,
    gallery,
    page_schema,
    with_renditions,
)
from aidportal.kernel.pagination import keyset_order
from projects.filters import ProjectFilter
from projects.models import Project

router = Router(tags=["援建项目"])

# The project list's order (newest start first; unknown dates last), and
# its reverse.
PROJECT_ORDERS = {
    "newest": ["-start_date", "-id"],
    "oldest": ["start_date", "id"],
}
DEFAULT_ORDER = "newest"


def _codes(choices) -> str:
    return "、".join(f"{choice.value}（{choice.label}）" for choice in choices) + "。"


CATEGORIES = _codes(Project.Category)
SECTORS = _codes(Project.Sector)
STAGES = _codes(Project.Stage)
CategoryCode = Literal[tuple(Project.Category.values)]
SectorCode = Literal[tuple(Project.Sector.values)]
StageCode = Literal[tuple(Project.Stage.values)]


# Schemas


class ProjectOut(Schema):
    id: int = Field(description="项目编号。")
    name: str = Field(description="项目名称。")
    category: CategoryCode = Field(description=f"援助类型代码：{CATEGORIES}")
    category_label: str = Field(
        description="援助类型的中文名称。", validation_alias="get_category_display"
    )
    sector: SectorCode = Field(description=f"领域代码：{SECTORS}")
    sector_label: str = Field(
        description="领域的中文名称。", validation_alias="get_sector_display"
    )
    stage: StageCode = Field(description=f"建设状态代码：{STAGES}")
    stage_label: str = Field(
        description="建设状态的中文名称。", validation_alias="get_stage_display"
    )
    location: str = Field(
        description="地点，如“阿克苏市阿依库勒镇”；不详时为空字符串。"
    )
    start_date: date | None = Field(description="开工日期；不详时为空。")
    completion_date: date | None = Field(description="竣工日期；不详时为空。")
    investment: Decimal | None = Field(
        description="投资，单位万元（35.3亿元即 353000）；未公布时为空。"
    )
    floor_area: Decimal | None = Field(
        description="建筑面积，单位平方米；未公布时为空。"
    )
    jobs_created: int | None = Field(description="带动就业人数；未公布时为空。")
    partner: str = Field(description="合作企业；没有时为空字符串。")
    summary: str = Field(description="摘要；没有时为空字符串。")
    published_at: datetime = Field(description="发布时间（带时区）。")
    url: str = Field(description="项目页面地址（相对路径）。")
    cover: PictureOut | None = Field(description="题图及其缩放版本；没有题图时为空。")
    images: list[PictureOut] = Field(description="项目组图，按排列顺序。")

    @staticmethod
    def resolve_url(obj):
        return obj.get_absolute_url()

    @staticmethod
    def resolve_cover(obj):
        return cover(obj, obj.renditions)

    @staticmethod
    def resolve_images(obj):
        return gallery(obj.images.all(), obj.renditions)


class TotalsOut(Schema):
    count: int = Field(description="项目个数。")
    investment: Decimal | None = Field(
        description="总投资（万元），公布了投资的项目之和；都未公布时为空。"
    )
    investment_count: int = Field(description="公布了投资的项目个数。")
    floor_area: Decimal | None = Field(
        description="总建筑面积（平方米），公布了面积的项目之和；都未公布时为空。"
    )
    floor_area_count: int = Field(description="公布了建筑面积的项目个数。")
    jobs: int | None = Field(
        description="带动就业总人数，公布了人数的项目之和；都未公布时为空。"
    )
    jobs_count: int = Field(description="公布了带动就业人数的项目个数。")


class ProjectPage(page_schema(ProjectOut, "ProjectRows")):
    totals: TotalsOut = Field(
        description="符合筛选条件的全部项目（不只本页）的合计，与项目页面顶部所示相同。"
    )


# Parameters


class ProjectQuery(Schema):
    """The project list's filters (/projects/), with the same meaning."""

    category: Annotated[CategoryCode | None, Blank] = Field(
        None, description=f"援助类型代码：{CATEGORIES}"
    )
    sector: Annotated[SectorCode | None, Blank] = Field(
        None, description=f"领域代码：{SECTORS}"
    )
    stage: Annotated[StageCode | None, Blank] = Field(
        None, description=f"建设状态代码：{STAGES}"
    )
    year: Annotated[int | None, Blank] = Field(
        None,
        ge=1990,
        le=2100,
        description="年份，如 2021：开工于这一年的项目（开工日期不详时按竣工年份）。",
    )
    ordering: Annotated[Literal[tuple(PROJECT_ORDERS)] | None, Blank] = Field(
        None,
        description=(
            "排序：newest（按开工日期从新到旧，默认，与项目页面相同）、"
            "oldest（从旧到新）；开工日期不详的项目排在最后。"
        ),
    )


# Operations


def projects_for_api():
    return Project.objects.published().for_listing().prefetch_related("images")


@router.get(
    "/projects/",
    response={200: ProjectPage, **ERROR_RESPONSES},
    summary="援建项目",
    description=(
        "已发布的援建项目（草稿、定时未到、已下线和已归档的项目不列出），"
        "筛选与项目页面相同，并给出符合条件的全部项目的合计。"
    ),
    operation_id="projects_list",
)
@accepts(ProjectQuery, PageQuery)
def projects(
    request: HttpRequest, filters: Query[ProjectQuery], page: Query[PageQuery]
):
    data = filters.dict(exclude={"ordering"}, exclude_none=True)
    chosen = ProjectFilter(data, queryset=projects_for_api())
    if not chosen.is_valid():
        raise filter_error(chosen.form)
    order = PROJECT_ORDERS[filters.ordering or DEFAULT_ORDER]
    rows = chosen.qs.order_by(*keyset_order(Project, order))
    answer = cursor_page(request, rows, order, page)
    with_renditions(answer["results"], cover_and_gallery)
    # The page's totals, by the page's function.
    return {**answer, "totals": chosen.qs.statistics()["overall"]}


@router.get(
    "/projects/{id}/",
    response={200: ProjectOut, **ERROR_RESPONSES},
    summary="一个援建项目",
    description=(
        "一个已发布的援建项目；未发布、定时未到、已下线、已归档或不存在的项目为 404。"
    ),
    operation_id="projects_detail",
)
@accepts()
def project(request: HttpRequest, id: Id):
    return with_renditions([found(projects_for_api(), id)], cover_and_gallery)[0]

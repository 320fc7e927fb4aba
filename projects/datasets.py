"""The aid projects' bulk download (/data/): the public facts of published
projects. Their fields are described by ``ProjectRecord`` until the open-data
API has a schema of projects; the dataset then points ``schema`` at it."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.urls import reverse
from ninja import Field, Schema

from aidportal.kernel.datasets import Column, Dataset
from projects.models import Project


def _codes(choices) -> str:
    return "、".join(f"{choice.value}（{choice.label}）" for choice in choices)


def _labels(choices) -> dict:
    return {choice.value: str(choice.label) for choice in choices}


def project_url(pk: int) -> str:
    return reverse("projects:detail", kwargs={"pk": pk})


class ProjectRecord(Schema):
    id: int = Field(description="项目编号。")
    name: str = Field(description="项目名称。")
    category: Literal[tuple(Project.Category.values)] = Field(
        description=f"援助类型代码：{_codes(Project.Category)}。"
    )
    category_label: str = Field(description="援助类型的中文名称。")
    sector: Literal[tuple(Project.Sector.values)] = Field(
        description=f"领域代码：{_codes(Project.Sector)}。"
    )
    sector_label: str = Field(description="领域的中文名称。")
    stage: Literal[tuple(Project.Stage.values)] = Field(
        description=f"建设状态代码：{_codes(Project.Stage)}。"
    )
    stage_label: str = Field(description="建设状态的中文名称。")
    location: str = Field(
        description="地点，如“阿克苏市阿依库勒镇”；不详时为空字符串。"
    )
    start_date: date | None = Field(description="开工日期；不详时为空。")
    completion_date: date | None = Field(description="竣工日期；不详时为空。")
    investment: Decimal | None = Field(description="投资，单位万元；不详时为空。")
    floor_area: Decimal | None = Field(description="建筑面积，单位平方米；不详时为空。")
    jobs_created: int | None = Field(description="带动就业人数；不详时为空。")
    partner: str = Field(description="合作企业；没有时为空字符串。")
    summary: str = Field(description="摘要。")
    published_at: datetime = Field(description="发布时间（UTC）。")
    url: str = Field(description="项目在门户上的页面地址（相对路径）。")


projects = Dataset(
    name="projects",
    title="援建项目",
    description="已发布的援建项目的公开信息：类型、领域、状态、地点、日期、投资与规模。",
    schema=ProjectRecord,
    columns=(
        Column("id", "项目编号", "id"),
        Column("name", "项目名称", "name"),
        Column("category", "援助类型代码", "category"),
        Column(
            "category_label",
            "援助类型",
            "category",
            convert=_labels(Project.Category).get,
        ),
        Column("sector", "领域代码", "sector"),
        Column("sector_label", "领域", "sector", convert=_labels(Project.Sector).get),
        Column("stage", "建设状态代码", "stage"),
        Column("stage_label", "建设状态", "stage", convert=_labels(Project.Stage).get),
        Column("location", "地点", "location"),
        Column("start_date", "开工日期", "start_date"),
        Column("completion_date", "竣工日期", "completion_date"),
        Column("investment", "投资（万元）", "investment"),
        Column("floor_area", "建筑面积（平方米）", "floor_area"),
        Column("jobs_created", "带动就业（人）", "jobs_created"),
        Column("partner", "合作企业", "partner"),
        Column("summary", "摘要", "summary"),
        Column("published_at", "发布时间", "published_at"),
        Column("url", "页面地址", "id", about="url", convert=project_url),
    ),
    rows=lambda: Project.objects.published().order_by("id"),
    primary_key=("id",),
)

datasets = [projects]

"""The aid projects' bulk download (/data/): the public facts of published
projects, described by the open-data API's schema of a project."""

from django.urls import reverse

from aidportal.kernel.datasets import Column, Dataset
from projects.api import ProjectOut
from projects.models import Project


def _labels(choices) -> dict:
    return {choice.value: str(choice.label) for choice in choices}


def project_url(pk: int) -> str:
    return reverse("projects:detail", kwargs={"pk": pk})


projects = Dataset(
    name="projects",
    title="援建项目",
    description="已发布的援建项目的公开信息：类型、领域、状态、地点、日期、投资与规模。",
    schema=ProjectOut,
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

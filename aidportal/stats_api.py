"""/api/v1/stats/: the figures the home page and the project page show, by
the functions those pages use, so the numbers agree."""

from django.http import HttpRequest
from ninja import Field, Router, Schema

from aidportal.kernel.api import ERROR_RESPONSES, accepts
from aidportal.views import cached_roster_figures, project_totals
from projects.api import TotalsOut
from projects.models import Project
from projects.views import year_label

router = Router(tags=["统计"])


class FigureRow(TotalsOut):
    """One group's totals (a type, a year, a sector, a stage): the fields of
    the totals, for the group's projects."""

    value: str | int | None = Field(
        description="分组的代码（援助类型、领域、建设状态）或年份；年份不详的一组为空。"
    )
    label: str = Field(description="分组的中文名称，如“项目援助”“2021年”“年份未注明”。")


class ProjectFigures(Schema):
    totals: TotalsOut = Field(
        description="全部已发布援建项目的合计，即首页和项目页面顶部的数字。"
    )
    by_category: list[FigureRow] = Field(
        description="按援助类型的合计，即项目页面“按援助类型”表中的各行。"
    )
    by_year: list[FigureRow] = Field(
        description=(
            "按年份（开工年份，不详时按竣工年份）的合计，由早到晚，"
            "年份不详的项目在最后一组：即项目页面“按年份的投资”图中的各条，各行相加即总计。"
        )
    )
    by_sector: list[FigureRow] = Field(
        description="按领域的项目个数与合计，即项目页面“领域”筛选项旁的数字。"
    )
    by_stage: list[FigureRow] = Field(
        description="按建设状态的项目个数与合计，即项目页面“建设状态”筛选项旁的数字。"
    )


class CategoryFigure(Schema):
    label: str = Field(description="人员类别的中文名称，如“医疗”。")
    people: int = Field(description="这一批次中这一类别的公开援疆人员人数。")


class BatchFigures(Schema):
    number: int = Field(description="批次序号，如 10 表示第十批。")
    label: str = Field(description="批次名称，如“第十批”。")
    total: int = Field(
        description="这一批次公开名录中的援疆人员人数（一人在本批次多次任职只计一次）。"
    )
    by_category: list[CategoryFigure] = Field(
        description="按人员类别的人数，即首页“援疆干部人才”数字旁所列。"
    )


class StatsOut(Schema):
    projects: ProjectFigures = Field(description="援建项目的统计。")
    roster: list[BatchFigures] = Field(
        description="援疆人员名录按批次的人数，新批次在前；首页显示最新的两个批次。"
    )


def figure_rows(rows: list[dict], key: str = "value", label=None) -> list[dict]:
    return [
        {**row, "value": row[key], "label": str(label(row) if label else row["label"])}
        for row in rows
    ]


def year_row_label(row) -> str:
    # As the project page's chart names its bars.
    return str(year_label(row["year"]))


@router.get(
    "/stats/",
    response={200: StatsOut, **ERROR_RESPONSES},
    summary="统计数字",
    description=(
        "首页和项目页面上的统计数字：援建项目的个数、投资、建筑面积、带动就业"
        "（合计及按援助类型、年份、领域、建设状态），援疆人员按批次和类别的人数。"
        "与页面用同一计算，数字一致。"
    ),
    operation_id="stats",
)
@accepts()
def stats(request: HttpRequest):
    statistics = Project.objects.published().statistics()
    facets = statistics["facets"]
    return {
        "projects": {
            "totals": project_totals(),
            "by_category": figure_rows(statistics["by_category"]),
            "by_year": figure_rows(statistics["by_year"], "year", year_row_label),
            "by_sector": figure_rows(facets["sector"]),
            "by_stage": figure_rows(facets["stage"]),
        },
        "roster": [
            {
                **batch,
                "by_category": [
                    {"label": str(label), "people": people}
                    for label, people in batch["by_category"]
                ],
            }
            for batch in cached_roster_figures()
        ],
    }

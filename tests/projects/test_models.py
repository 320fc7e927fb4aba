from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from projects.models import Project
from tests.builders import NOT_PUBLIC, make_project

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def published_names(now=NOW):
    return set(Project.objects.published(now=now).values_list("name", flat=True))


# Publishing


def test_published_project_without_expiry_is_public():
    make_project(name="公开项目")
    assert published_names() == {"公开项目"}


@pytest.mark.parametrize("kind", NOT_PUBLIC)
def test_non_public_projects_are_excluded(kind):
    make_project(name="公开项目")
    make_project(name=f"哨兵{kind}", **NOT_PUBLIC[kind])
    assert published_names() == {"公开项目"}


def test_project_becomes_public_at_its_publication_time():
    make_project(name="定时", published_at=NOW)
    assert published_names(now=NOW - timedelta(seconds=1)) == set()
    assert published_names(now=NOW) == {"定时"}


def test_project_is_withdrawn_at_its_expiry_time():
    make_project(name="到期", published_at=NOW - timedelta(days=1), expires_at=NOW)
    assert published_names(now=NOW - timedelta(seconds=1)) == {"到期"}
    assert published_names(now=NOW) == set()


# Database constraints


@pytest.mark.parametrize(
    "fields",
    [
        {"investment": Decimal("-0.01")},
        {"floor_area": Decimal("-1")},
        {"start_date": date(2021, 7, 2), "completion_date": date(2021, 7, 1)},
        {"published_at": NOW, "expires_at": NOW - timedelta(minutes=1)},
    ],
    ids=[
        "negative-investment",
        "negative-floor-area",
        "completed-before-start",
        "expires-before-published",
    ],
)
def test_database_refuses_impossible_figures(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_project(**fields)
    assert not Project.objects.exists()


def test_database_accepts_zero_figures_and_same_day_completion():
    make_project(
        investment=Decimal("0"),
        floor_area=Decimal("0"),
        start_date=date(2021, 7, 1),
        completion_date=date(2021, 7, 1),
    )
    assert Project.objects.count() == 1


# Saving


def test_save_sanitises_the_body_outside_the_admin():
    project = make_project(
        body='<p onclick="x()">好<script>alert(1)</script>'
        '<img src="/a.jpg" onerror="alert(2)"></p>'
    )
    project.refresh_from_db()
    assert project.body == '<p>好<img src="/a.jpg"></p>'


def test_save_builds_the_search_text_name_first():
    project = make_project(
        name="阿克苏市 人民医院",
        summary="门诊楼",
        location="阿克苏市",
        body="<p>正文</p>",
    )
    project.refresh_from_db()
    assert project.search_text.split("\n") == [
        "阿克苏市人民医院",
        "门诊楼",
        "阿克苏市",
        "正文",
    ]
    assert project.title_length == len("阿克苏市人民医院")


def test_absolute_url_uses_the_id():
    project = make_project()
    assert project.get_absolute_url() == f"/projects/{project.pk}/"


# Totals and statistics


@pytest.fixture
def projects():
    """Four published projects over three categories and years, and a draft."""
    make_project(
        name="医院",
        category=Project.Category.PROJECT,
        sector=Project.Sector.HEALTH,
        stage=Project.Stage.COMPLETED,
        start_date=date(2018, 3, 1),
        completion_date=date(2019, 6, 30),
        investment=Decimal("2791"),
        floor_area=Decimal("6794"),
        jobs_created=120,
    )
    make_project(
        name="产业园",
        category=Project.Category.INDUSTRY,
        sector=Project.Sector.INDUSTRY,
        stage=Project.Stage.IN_OPERATION,
        completion_date=date(2019, 12, 1),  # no start date: counted by completion
        investment=Decimal("353000"),
        floor_area=Decimal("125000"),
        jobs_created=3000,
    )
    make_project(
        name="名师工作室",
        category=Project.Category.TALENT,
        sector=Project.Sector.EDUCATION,
        stage=Project.Stage.UNDER_CONSTRUCTION,
        start_date=date(2021, 1, 1),
        jobs_created=15,
    )
    make_project(
        name="卫生院",
        category=Project.Category.PROJECT,
        sector=Project.Sector.HEALTH,
        stage=Project.Stage.PLANNED,
        investment=Decimal("100.50"),
    )
    make_project(
        name="草稿项目",
        status=Project.Status.DRAFT,
        category=Project.Category.TALENT,
        start_date=date(2018, 1, 1),
        investment=Decimal("99999"),
        floor_area=Decimal("99999"),
        jobs_created=99999,
    )


def test_totals_add_up_published_projects_in_one_query(
    projects, django_assert_num_queries
):
    with django_assert_num_queries(1):
        totals = Project.objects.published().totals()
    # Each figure says how many projects give it: 3 of the 4 an investment.
    assert totals == {
        "investment": Decimal("355891.50"),
        "floor_area": Decimal("131794"),
        "jobs": 3135,
        "investment_count": 3,
        "floor_area_count": 2,
        "jobs_count": 3,
        "count": 4,
    }


def test_totals_of_no_projects_are_empty_not_zero():
    assert Project.objects.published().totals() == {
        "investment": None,
        "floor_area": None,
        "jobs": None,
        "investment_count": 0,
        "floor_area_count": 0,
        "jobs_count": 0,
        "count": 0,
    }


def test_statistics_overall_equals_totals(projects):
    published = Project.objects.published()
    assert published.statistics()["overall"] == published.totals()


def test_statistics_overall_keeps_unknown_figures_unknown():
    # No project has a floor area or jobs figure: like totals(), the overall
    # figures are None ("—" on the page), not a claimed 0.
    make_project(category=Project.Category.TALENT)
    make_project(category=Project.Category.PROJECT, investment=Decimal("10"))
    overall = Project.objects.published().statistics()["overall"]
    assert overall == Project.objects.published().totals()
    assert overall == {
        "investment": Decimal("10"),
        "floor_area": None,
        "jobs": None,
        "investment_count": 1,
        "floor_area_count": 0,
        "jobs_count": 0,
        "count": 2,
    }


def test_statistics_by_category_have_labels_and_figures(projects):
    rows = Project.objects.published().statistics()["by_category"]
    assert [
        (row["category"], str(row["label"]), row["count"], row["investment"])
        for row in rows
    ] == [
        ("industry", "产业援助", 1, Decimal("353000")),
        ("project", "项目援助", 2, Decimal("2891.50")),
        ("talent", "智力援助", 1, None),
    ]
    assert [row["jobs"] for row in rows] == [3000, 120, 15]
    assert [row["floor_area"] for row in rows] == [
        Decimal("125000"),
        Decimal("6794"),
        None,
    ]


def test_statistics_by_year_use_start_year_or_else_completion_year(projects):
    rows = Project.objects.published().statistics()["by_year"]
    # 医院 started 2018 and was completed 2019: it counts for 2018. 卫生院 has
    # no dates: it comes last, under no year.
    assert [(row["year"], row["count"], row["investment"]) for row in rows] == [
        (2018, 1, Decimal("2791")),
        (2019, 1, Decimal("353000")),
        (2021, 1, None),
        (None, 1, Decimal("100.50")),
    ]


def test_statistics_by_year_add_up_to_the_totals(projects):
    statistics = Project.objects.published().statistics()
    rows, overall = statistics["by_year"], statistics["overall"]
    for key in ("count", "investment_count", "jobs_count", "floor_area_count"):
        assert sum(row[key] for row in rows) == overall[key], key
    for key in ("investment", "floor_area", "jobs"):
        assert sum(row[key] or 0 for row in rows) == overall[key], key


def test_year_facet_lists_only_years_a_filter_can_choose(projects):
    facets = Project.objects.published().statistics()["facets"]
    assert [row["value"] for row in facets["year"]] == [2021, 2019, 2018]


def test_statistics_facets_count_each_value(projects):
    facets = Project.objects.published().statistics()["facets"]

    def plain(name):
        return [(r["value"], str(r["label"]), r["count"]) for r in facets[name]]

    assert plain("category") == [
        ("project", "项目援助", 2),
        ("industry", "产业援助", 1),
        ("talent", "智力援助", 1),
    ]
    assert plain("sector") == [
        ("health", "卫生健康", 2),
        ("education", "教育", 1),
        ("industry", "产业", 1),
    ]
    assert plain("stage") == [
        ("completed", "已建成", 1),
        ("construction", "在建", 1),
        ("operation", "运营中", 1),
        ("planned", "规划中", 1),
    ]
    assert plain("year") == [(2021, "2021", 1), (2019, "2019", 1), (2018, "2018", 1)]


def test_statistics_of_a_filtered_queryset_count_only_its_rows(projects):
    statistics = (
        Project.objects.published().filter(sector=Project.Sector.HEALTH).statistics()
    )
    assert statistics["overall"]["count"] == 2
    assert statistics["overall"]["investment"] == Decimal("2891.50")
    assert [r["value"] for r in statistics["facets"]["sector"]] == ["health"]


def test_statistics_run_one_query(projects, django_assert_num_queries):
    with django_assert_num_queries(1):
        Project.objects.published().statistics()


def test_with_year_prefers_the_start_year():
    make_project(
        name="跨年", start_date=date(2020, 12, 1), completion_date=date(2022, 1, 1)
    )
    make_project(name="只有竣工", completion_date=date(2023, 5, 1))
    make_project(name="无日期")
    years = dict(Project.objects.with_year().values_list("name", "year"))
    assert years == {"跨年": 2020, "只有竣工": 2023, "无日期": None}

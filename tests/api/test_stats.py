from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from personnel.models import Category
from projects.models import Project
from tests.builders import NOT_PUBLIC, make_assignment, make_batch, make_project

pytestmark = pytest.mark.django_db


def stats(client):
    response = client.get(reverse("api:stats"))
    assert response.status_code == 200, response.json()
    return response.json()


def figures_of(row: dict) -> dict:
    """A row of figures, a sum as a number whether JSON carries it as text
    ("2791.50") or a page as a Decimal."""
    return {
        key: Decimal(value) if isinstance(value, str | Decimal) else value
        for key, value in row.items()
        if key in FIGURES
    }


FIGURES = (
    "count",
    "investment",
    "investment_count",
    "floor_area",
    "floor_area_count",
    "jobs",
    "jobs_count",
)


@pytest.fixture
def content():
    """Projects over two years and one of no known year, figures given for
    some; a roster of two batches; hidden projects and people, which no
    figure counts."""
    for n in range(6):
        make_project(
            category=list(Project.Category)[n % 3],
            sector=[Project.Sector.HEALTH, Project.Sector.INDUSTRY][n % 2],
            stage=[Project.Stage.PLANNED, Project.Stage.IN_OPERATION][n % 2],
            start_date=date(2020 + n % 2, 5, 1),
            investment=Decimal("1000.25") * n if n % 3 else None,
            floor_area=Decimal(500) if n == 2 else None,
            jobs_created=n * 7,
        )
    make_project(name="年份不详的项目", investment=Decimal(353000))
    for kind, fields in NOT_PUBLIC.items():
        make_project(name=f"不公开{kind}", investment=Decimal(10**6), **fields)
    b10, b9 = make_batch(10), make_batch(9)
    for n in range(5):
        make_assignment(
            name=f"人员{n}", batch=b10 if n < 3 else b9, category=list(Category)[n % 2]
        )
    make_assignment(name="草稿人员", batch=b10, is_public=False)


def test_project_totals_are_the_home_pages(client, content):
    figures = stats(client)["projects"]["totals"]
    home = client.get(reverse("home")).context["project_totals"]

    assert figures_of(figures) == figures_of(home)
    assert figures["count"] == 7
    assert Decimal(figures["investment"]) == Decimal("1000.25") * (1 + 2 + 4 + 5) + (
        353000
    )


def test_project_figures_are_the_project_pages(client, content):
    figures = stats(client)["projects"]
    context = client.get(reverse("projects:list")).context

    assert figures_of(figures["totals"]) == figures_of(context["overall"])
    assert [
        (row["value"], row["label"], row["count"]) for row in figures["by_category"]
    ] == [
        (row["category"], row["label"], row["count"]) for row in context["by_category"]
    ]
    assert [
        (row["value"], row["label"], figures_of(row)["investment"])
        for row in figures["by_year"]
    ] == [
        (row["year"], str(row["label"]), figures_of(row)["investment"])
        for row in context["by_year"]
    ]
    assert [row["label"] for row in figures["by_year"]] == [
        "2020年",
        "2021年",
        "年份未注明",
    ]
    for name in ("sector", "stage"):
        assert [(row["value"], figures_of(row)) for row in figures[f"by_{name}"]] == [
            (row["value"], figures_of(row)) for row in context["facets"][name]
        ]
    assert [figures_of(row) for row in figures["by_category"]] == [
        figures_of(row) for row in context["by_category"]
    ]


def test_roster_figures_are_the_home_pages(client, content):
    roster = stats(client)["roster"]
    home = client.get(reverse("home")).context["roster_figures"]

    assert roster == [
        {
            "number": batch["number"],
            "label": batch["label"],
            "total": batch["total"],
            "by_category": [
                {"label": str(label), "people": people}
                for label, people in batch["by_category"]
            ],
        }
        for batch in home
    ]
    assert [(b["label"], b["total"]) for b in roster] == [("第十批", 3), ("第九批", 2)]


def test_a_parameter_is_refused(client, content):
    response = client.get(reverse("api:stats"), {"year": "2020"})

    assert response.status_code == 400
    assert response.json()["field"] == "year"


@pytest.mark.parametrize("rows", [1, 30])
def test_stats_cost_three_queries_at_most(client, count_queries, rows):
    for n in range(rows):
        make_project(start_date=date(2000 + n, 1, 1), investment=Decimal(n))
        make_assignment(name=f"人员{n}", batch=make_batch(n + 1))
    client.get(reverse("api:channels"))  # the site version, cached

    # The project statistics (one union of groupings); the home page's
    # totals and roster figures until the cache holds them.
    response, cold = count_queries(reverse("api:stats"))
    _response, warm = count_queries(reverse("api:stats"))
    assert len(response.json()["roster"]) == rows
    assert len(response.json()["projects"]["by_year"]) == rows
    assert (cold, warm) == (3, 1)

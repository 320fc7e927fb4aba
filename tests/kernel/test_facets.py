"""Facets: every facet of a page from one UNION query."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from aidportal.kernel.facets import Facet, facet_counts
from projects.models import Project
from tests.builders import make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects():
    make_project(sector=Project.Sector.HEALTH, investment=Decimal("100"))
    make_project(sector=Project.Sector.HEALTH, investment=Decimal("50"))
    make_project(sector=Project.Sector.EDUCATION)
    return Project.objects.all()


def test_facets_and_their_totals_come_in_one_query(projects):
    with CaptureQueriesContext(connection) as queries:
        counts = facet_counts(
            {
                "sector": Facet(projects, "sector", choices=Project.Sector.choices),
                "all": Facet(projects),
            },
            investment=Sum("investment"),
        )
    assert len(queries) == 1
    sector = {row["value"]: row for row in counts["sector"]}
    assert sector["health"]["count"] == 2
    assert sector["health"]["investment"] == Decimal("150")
    assert sector["health"]["label"] == "卫生健康"
    assert sector["education"]["investment"] is None, "unknown stays unknown"
    assert counts["all"][0]["count"] == 3


def test_largest_first_unless_ordered_and_limited(projects):
    counts = facet_counts(
        {
            "largest": Facet(projects, "sector", limit=1),
            "alphabetic": Facet(projects, "sector", order=lambda row: row["value"]),
        }
    )
    assert [row["value"] for row in counts["largest"]] == ["health"]
    assert [row["value"] for row in counts["alphabetic"]] == ["education", "health"]


def test_a_long_facet_keeps_every_value_with_the_first_in_view(projects):
    counts = facet_counts({"sector": Facet(projects, "sector", top=1)})
    sector = counts["sector"]
    assert [row["value"] for row in sector.shown] == ["health"]
    assert [row["value"] for row in sector.more] == ["education"]
    assert len(sector) == 2
    assert sector.left_out == 0


def test_a_facet_without_top_has_nothing_behind_more(projects):
    sector = facet_counts({"sector": Facet(projects, "sector")})["sector"]
    assert [row["value"] for row in sector.shown] == ["health", "education"]
    assert sector.more == []


def test_a_limited_facet_counts_what_it_leaves_out(projects):
    make_project(sector=Project.Sector.INDUSTRY)
    sector = facet_counts({"sector": Facet(projects, "sector", top=1, limit=2)})[
        "sector"
    ]
    assert [row["value"] for row in sector] == ["health", "education"]
    assert [row["value"] for row in sector.more] == ["education"]
    assert sector.left_out == 1


def test_a_hint_column_comes_with_its_facet_only(projects):
    Project.objects.filter(sector=Project.Sector.HEALTH).update(location="阿克苏市")
    with CaptureQueriesContext(connection) as queries:
        counts = facet_counts(
            {
                "sector": Facet(projects, "sector", hint="location"),
                "status": Facet(projects, "status"),
            }
        )
    assert len(queries) == 1
    hints = {row["value"]: row["hint"] for row in counts["sector"]}
    assert hints == {"health": "阿克苏市", "education": ""}
    assert all("hint" not in row for row in counts["status"])

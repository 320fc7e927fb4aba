from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import Project
from tests.api.calls import get, ids, walk
from tests.builders import NOT_PUBLIC, image_file, make_project, make_project_image

pytestmark = pytest.mark.django_db


def page(client, params=None):
    response = client.get(reverse("projects:list"), params or {})
    assert response.status_code == 200
    return response


@pytest.fixture
def projects():
    """Projects of each category over three years (two start on the same
    day: the order's tie is broken by id), figures given for some; one of
    each kind the public may not see."""
    categories = list(Project.Category)
    sectors = [Project.Sector.HEALTH, Project.Sector.EDUCATION]
    rows = [
        make_project(
            name=f"阿克苏援建项目{n}",
            category=categories[n % 3],
            sector=sectors[n % 2],
            stage=Project.Stage.COMPLETED if n % 2 else Project.Stage.PLANNED,
            location="阿克苏市",
            start_date=date(2019 + n % 3, 3, 1),
            completion_date=date(2023, 1, 1),
            investment=Decimal("2791.5") if n % 2 else None,
            floor_area=Decimal(1000 * n) if n % 3 else None,
            jobs_created=10 * n,
            partner="杭州企业",
        )
        for n in range(7)
    ]
    hidden = {
        kind: make_project(name=f"不公开的项目{kind}", start_date=date(2020, 1, 1), **f)
        for kind, f in NOT_PUBLIC.items()
    }
    return {"rows": rows, "hidden": hidden}


def test_projects_list_every_public_fact(client, projects):
    response = get(client, "projects")

    body = response.json()
    assert body["count"] == 7 and body["next"] is None
    assert not {p.id for p in projects["hidden"].values()} & set(ids(response))
    one = projects["rows"][1]
    row = next(r for r in body["results"] if r["id"] == one.id)
    assert row == {
        "id": one.id,
        "name": "阿克苏援建项目1",
        "category": "talent",
        "category_label": "智力援助",
        "sector": "education",
        "sector_label": "教育",
        "stage": "completed",
        "stage_label": "已建成",
        "location": "阿克苏市",
        "start_date": "2020-03-01",
        "completion_date": "2023-01-01",
        "investment": "2791.50",
        "floor_area": "1000.00",
        "jobs_created": 10,
        "partner": "杭州企业",
        "summary": one.summary,
        "published_at": row["published_at"],
        "url": one.get_absolute_url(),
        "cover": None,
        "images": [],
    }


def test_totals_are_the_project_pages(client, projects):
    for params in ({}, {"category": "project"}, {"year": "2020"}):
        totals = get(client, "projects", params).json()["totals"]
        overall = page(client, params).context["overall"]
        assert totals == {
            key: (str(value) if isinstance(value, Decimal) else value)
            for key, value in overall.items()
        }, params
    assert get(client, "projects").json()["totals"]["count"] == 7


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"category": "industry"},
        {"sector": "health"},
        {"stage": "completed"},
        {"year": "2020"},
        {"category": "project", "sector": "education", "year": "2021"},
        {"category": ""},
    ],
)
def test_filters_equal_the_project_page(client, projects, params):
    assert ids(get(client, "projects", params)) == [
        p.id for p in page(client, params).context["object_list"]
    ]


def test_ordering_newest_is_the_pages_and_oldest_its_reverse(client, projects):
    newest = ids(get(client, "projects", {"ordering": "newest"}))

    assert newest == ids(get(client, "projects"))
    assert ids(get(client, "projects", {"ordering": "oldest"})) == newest[::-1]


def test_projects_of_no_known_start_come_last_either_way(client, projects):
    unknown = [make_project(name=f"日期不详{n}") for n in range(3)]
    unknown_ids = {p.id for p in unknown}

    for ordering in ("newest", "oldest"):
        rows = ids(get(client, "projects", {"ordering": ordering}))
        assert set(rows[-3:]) == unknown_ids
        assert walk(client, "projects", {"ordering": ordering, "limit": 2}) == rows
        assert walk(client, "projects", {"ordering": ordering, "limit": 1}) == rows


@pytest.mark.parametrize("ordering", ["newest", "oldest"])
@pytest.mark.parametrize("params", [{}, {"sector": "health"}])
def test_a_cursor_walk_gives_every_project_in_order(client, projects, ordering, params):
    params = {**params, "ordering": ordering}
    every = ids(get(client, "projects", params))

    assert walk(client, "projects", {**params, "limit": 1}) == every
    assert walk(client, "projects", {**params, "limit": 3}) == every


def test_pictures_give_the_renditions_the_pages_show(client, projects):
    project = make_project(
        name="带题图的项目",
        start_date=date(2030, 1, 1),
        cover=image_file(size=(900, 600)),
        cover_alt="项目全景",
    )
    make_project_image(project, image=image_file(size=(300, 200)), alt="车间")

    row = get(client, "projects").json()["results"][0]

    assert row["id"] == project.id
    assert [r["width"] for r in row["cover"]["jpeg"]] == [400, 800, 900]
    assert row["cover"]["alt"] == "项目全景"
    assert row["images"][0]["alt"] == "车间"
    assert [r["width"] for r in row["images"][0]["webp"]] == [300]
    html = client.get(project.get_absolute_url()).content.decode()
    assert all(r["url"] in html for r in row["cover"]["webp"])
    assert get(client, "project", id=project.id).json() == row


@pytest.mark.parametrize("kind", NOT_PUBLIC)
def test_a_hidden_project_is_404_like_none(client, projects, kind):
    for pk in (projects["hidden"][kind].id, 999999):
        response = get(client, "project", id=pk)
        assert response.status_code == 404
        assert response.json() == {"detail": "没有这一项。", "field": "id"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"category": "aid"}, "category"),
        ({"sector": "x"}, "sector"),
        ({"stage": "done"}, "stage"),
        ({"year": "1900"}, "year"),
        ({"year": "二〇二〇"}, "year"),
        ({"ordering": "-start_date"}, "ordering"),
        ({"limit": "101"}, "limit"),
        ({"cursor": "WyIyMDIwLTEzLTAxIiwxXQ"}, "cursor"),  # ["2020-13-01",1]
        ({"q": "医院"}, "q"),
    ],
)
def test_a_bad_parameter_is_a_400_in_chinese(client, projects, params, field):
    response = get(client, "projects", params)

    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field
    assert any("\u4e00" <= char <= "\u9fff" for char in body["detail"])


def _fill(rows):
    for n in range(rows):
        project = make_project(
            start_date=date(2020, 1, 1 + n % 28),
            investment=Decimal(100),
            cover=image_file(),
            cover_alt="题图",
        )
        make_project_image(project)


@pytest.mark.parametrize("rows", [1, 30])
def test_projects_cost_four_queries_at_most(client, count_queries, roomy_cache, rows):
    _fill(rows)
    get(client, "stats")  # the site version, cached
    params = {"limit": 100, "year": "2020", "category": "project"}
    url = reverse("api:projects")

    # The page with its count, the galleries, the totals, and the pictures'
    # renditions until the cache holds them.
    response, cold = count_queries(url, data=params)
    _response, warm = count_queries(url, data=params)
    assert len(response.json()["results"]) == rows
    assert (cold, warm) == (4, 3)
    if rows > 1:
        deeper, queries = count_queries(
            get(client, "projects", {**params, "limit": 1}).json()["next"]
        )
        assert deeper.status_code == 200 and queries == 3
    # The project and its gallery.
    pk = response.json()["results"][0]["id"]
    _response, queries = count_queries(reverse("api:project", kwargs={"id": pk}))
    assert queries == 2

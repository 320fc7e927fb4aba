from datetime import date

import pytest
from django.urls import reverse

from personnel.models import Category
from tests.api.calls import get
from tests.builders import (
    make_assignment,
    make_batch,
    make_person,
    make_term,
    make_unit,
)

pytestmark = pytest.mark.django_db


def ids(response):
    return [row["id"] for row in response.json()["results"]]


def walk(client, name, params):
    """Every row of a list, following ``next`` to the end; the pages' sizes."""
    response = get(client, name, params)
    rows, sizes = [], []
    while True:
        assert response.status_code == 200, response.json()
        rows += ids(response)
        sizes.append(len(response.json()["results"]))
        if not (url := response.json()["next"]):
            return rows, sizes
        response = client.get(url)


def warm(client):
    """Fill the cached blocks every answer reads (when content next changes
    on schedule): what a query count pins is the operation's own."""
    get(client, "units", {"limit": 1})


@pytest.fixture
def roster():
    """A roster of two batches, two schools and a hospital, with 季成 printed
    with a padding space, a unit known by aliases and a draft."""
    school = make_unit("杭州市学军中学", aliases="学军中学、学军")
    other_school = make_unit("杭州第二中学", short_name="杭二中")
    hospital = make_unit("浙江大学医学院附属第一医院", aliases="浙大一院")
    receiving = make_unit("阿克苏市第一中学")
    clinic = make_unit("阿克苏地区第一人民医院", short_name="地区一院")
    b10, b9 = make_batch(10), make_batch(9)
    rows = [
        make_assignment(
            name="季 成",
            category=Category.MEDICAL,
            sending_unit=hospital,
            receiving_unit=clinic,
            position="心内科主任医师",
            batch=b10,
            term="首期",
        ),
        *(
            make_assignment(
                name=f"教师{n}",
                sending_unit=school if n % 2 else other_school,
                receiving_unit=receiving,
                batch=b10 if n < 5 else b9,
                arrived_on=date(2020, 3, 1) if n % 3 else None,
                left_on=date(2021, 6, 30) if n % 3 else None,
            )
            for n in range(8)
        ),
        make_assignment(name="王芳", is_public=False, sending_unit=school, batch=b10),
    ]
    return {
        "school": school,
        "hospital": hospital,
        "receiving": receiving,
        "rows": rows,
        "draft": rows[-1],
    }


def page_ids(client, params):
    """The roster page's rows (/personnel/) for the same query string (the
    page calls the API's ``ordering`` "sort")."""
    params = {("sort" if k == "ordering" else k): v for k, v in params.items()}
    response = client.get(reverse("personnel:list"), params)
    assert response.status_code == 200
    return [row.id for row in response.context["object_list"]]


# Assignments: the roster page's rows


def test_assignments_list_the_public_roster(client, roster):
    response = get(client, "assignments")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 9
    assert body["next"] is None
    assert roster["draft"].id not in ids(response)
    row = next(r for r in body["results"] if r["person"]["name"] == "季成")
    assert row["person"]["category"] == "medical"
    assert row["person"]["category_label"] == "医疗"
    assert row["batch"] == {"id": row["batch"]["id"], "number": 10, "label": "第十批"}
    assert row["term"] == "首期"
    assert row["sending_unit"]["name"] == "浙江大学医学院附属第一医院"
    assert row["receiving_unit"]["short_name"] == "地区一院"
    assert row["position"] == "心内科主任医师"


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "季成"},
        {"q": "季 成"},
        {"q": "jicheng"},
        {"q": "jc"},
        {"q": "学军中学"},
        {"q": "学军"},
        {"q": "第十批"},
        {"q": "教师"},
        {"batch": "9"},
        {"category": "education", "batch": "10"},
        {"ordering": "name"},
        {"ordering": "batch"},
        {"on": "2020-06-01"},
        {"on": "2020-06-01", "ordering": "name", "q": "教师"},
        {"batch": ""},
    ],
)
def test_assignments_filters_equal_the_roster_page(client, roster, params):
    assert ids(get(client, "assignments", params)) == page_ids(client, params)


def test_assignments_by_unit_equal_the_roster_page(client, roster):
    params = {
        "batch": "10",
        "sending_unit": roster["school"].id,
        "category": "education",
    }
    found = ids(get(client, "assignments", params))

    assert found == page_ids(client, params)
    assert found and roster["draft"].id not in found


def test_ordering_names_the_roster_pages_sort(client, roster):
    orders = {
        ordering: ids(get(client, "assignments", {"ordering": ordering}))
        for ordering in ("unit", "name", "batch")
    }

    for ordering, rows in orders.items():
        assert rows == page_ids(client, {"sort": ordering})
    assert len({tuple(rows) for rows in orders.values()}) > 1


def test_a_cursor_walk_gives_every_row_in_order(client, roster):
    for ordering in ("unit", "name", "batch"):
        every = ids(get(client, "assignments", {"ordering": ordering}))
        walked, sizes = walk(client, "assignments", {"ordering": ordering, "limit": 2})

        assert walked == every
        assert sizes == [2, 2, 2, 2, 1]


def test_a_cursor_walk_of_a_search_gives_every_match(client, roster):
    every = ids(get(client, "assignments", {"q": "教师", "ordering": "name"}))

    walked, _sizes = walk(
        client, "assignments", {"q": "教师", "ordering": "name", "limit": 3}
    )

    assert walked == every and len(every) == 8


def test_a_hidden_unit_is_404_whatever_else_is_wrong(client, roster):
    # An id of 19 digits is no row id to the roster's form (a 400 alone).
    params = {"sending_unit": 10**18, "receiving_unit": 999999}
    response = get(client, "assignments", params)

    assert response.status_code == 404
    assert response.json()["field"] == "receiving_unit"


def test_a_hidden_unit_is_404_like_one_that_does_not_exist(client, roster):
    hidden = make_unit("只派过草稿人员的单位")
    make_assignment(name="赵六", is_public=False, sending_unit=hidden)

    for unit in (hidden.id, 999999):
        response = get(client, "assignments", {"sending_unit": unit})
        assert response.status_code == 404
        assert response.json() == {"detail": "没有这一项。", "field": "sending_unit"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"batch": "十"}, "batch"),
        ({"batch": "0"}, "batch"),
        ({"category": "doctor"}, "category"),
        ({"ordering": "-id"}, "ordering"),
        ({"sort": "name"}, "sort"),
        ({"on": "2021-02-30"}, "on"),
        ({"sending_unit": "x"}, "sending_unit"),
        ({"q": "a" * 51}, "q"),
        ({"q": "季\x00成"}, "q"),
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "WyJ4Il0"}, "cursor"),
    ],
)
def test_a_bad_parameter_is_a_400_in_chinese(client, roster, params, field):
    response = get(client, "assignments", params)

    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field
    assert any("\u4e00" <= char <= "\u9fff" for char in body["detail"])


def test_an_unknown_parameter_is_refused_by_name(client, roster):
    response = get(client, "assignments", {"batchh": "10", "page": "2"})

    assert response.status_code == 400
    assert response.json() == {
        "detail": "不支持的参数：batchh、page。",
        "field": "batchh",
    }


@pytest.mark.parametrize("rows", [1, 30])
def test_assignments_cost_four_queries_at_most(
    client, django_assert_max_num_queries, rows
):
    school = make_unit("杭州市学军中学")
    receiving = make_unit("阿克苏市第一中学")
    for n in range(rows):
        make_assignment(name=f"教师{n}", sending_unit=school, receiving_unit=receiving)
    params = {"q": "教师", "sending_unit": school.id, "receiving_unit": receiving.id}
    params |= {"batch": "10", "ordering": "name", "limit": 100}
    first = get(client, "assignments", {**params, "limit": 1})  # cached blocks

    with django_assert_max_num_queries(4):
        response = get(client, "assignments", params)
    with django_assert_max_num_queries(4):
        deeper = client.get(first.json()["next"]) if rows > 1 else first
    assert len(response.json()["results"]) == rows
    assert deeper.status_code == 200


# People


def test_people_list_public_people_only(client, roster):
    draft_only = make_person("李四", is_public=False)

    response = get(client, "people")

    names = [row["name"] for row in response.json()["results"]]
    assert "季成" in names and len(names) == 9
    assert "王芳" not in names and draft_only.name not in names


def test_people_search_like_the_roster(client, roster):
    for query in ("季 成", "jc", "浙大一院", "浙江大學醫學院附屬第一醫院"):
        response = get(client, "people", {"q": query})
        assert [row["name"] for row in response.json()["results"]] == ["季成"]


def test_a_person_with_assignments(client, roster):
    person = roster["rows"][0].person

    response = get(client, "person", id=person.id)

    body = response.json()
    assert body["name"] == "季成"
    assert body["url"] == person.get_absolute_url()
    assert [a["receiving_unit"]["name"] for a in body["assignments"]] == [
        "阿克苏地区第一人民医院"
    ]


def test_a_draft_person_is_404_like_none(client, roster):
    for pk in (roster["draft"].person_id, 999999):
        response = get(client, "person", id=pk)
        assert response.status_code == 404
        assert response.json() == {"detail": "没有这一项。", "field": "id"}


@pytest.mark.parametrize("pk", ["abc", "0", str(2**63)])
def test_a_bad_id_is_a_400(client, pk):
    response = client.get(f"/api/v1/people/{pk}/")

    assert response.status_code == 400
    assert response.json()["field"] == "id"


@pytest.mark.parametrize("rows", [1, 30])
def test_people_cost_two_queries(client, django_assert_max_num_queries, rows):
    for n in range(rows):
        make_assignment(name=f"教师{n}")
    warm(client)
    with django_assert_max_num_queries(2):
        response = get(client, "people", {"limit": 100})
    person = response.json()["results"][0]["id"]
    with django_assert_max_num_queries(2):
        get(client, "person", id=person)
    assert len(response.json()["results"]) == rows


# Units and batches


def test_units_list_those_on_the_public_roster(client, roster):
    hidden = make_unit("只派过草稿人员的单位")
    make_assignment(name="赵六", is_public=False, sending_unit=hidden)

    response = get(client, "units")

    names = [row["name"] for row in response.json()["results"]]
    assert "杭州市学军中学" in names and hidden.name not in names
    school = next(
        r for r in response.json()["results"] if r["name"] == "杭州市学军中学"
    )
    assert school["aliases"] == ["学军中学", "学军"]
    assert school["kind_label"] == "其他"
    assert get(client, "unit", id=hidden.id).status_code == 404
    assert get(client, "unit", id=school["id"]).json() == school


def test_units_by_name_short_name_or_alias(client, roster):
    hidden = make_unit("只派过草稿人员的单位")
    make_assignment(name="赵六", is_public=False, sending_unit=hidden)

    for query in ("学军", "学 军", "杭二中", "浙大一院"):
        found = get(client, "units", {"q": query}).json()["results"]
        assert len(found) == 1, query
    assert get(client, "units", {"q": "只派过草稿"}).json()["results"] == []


def test_a_unit_walk_gives_every_unit(client, roster):
    every = ids(get(client, "units"))

    assert walk(client, "units", {"limit": 2})[0] == every and len(every) == 5


def test_batches_with_terms_and_dates(client, roster):
    make_assignment(batch=make_batch(10), term="二期")
    # Terms no public person served in are named nowhere: one only a draft
    # served in, and one nobody did.
    make_assignment(is_public=False, batch=make_batch(10), term="三期")
    make_term(make_batch(10), "四期")
    make_batch(11)  # no public person: not on the roster

    response = get(client, "batches")

    batches = response.json()["results"]
    assert [b["number"] for b in batches] == [9, 10]
    assert [t["name"] for t in batches[1]["terms"]] == ["首期", "二期"]
    assert {"start_earliest", "end_latest", "years"} <= set(batches[1])
    assert get(client, "batch", id=batches[1]["id"]).json() == batches[1]


@pytest.mark.parametrize("rows", [1, 12])
def test_units_and_batches_cost_three_queries(
    client, django_assert_max_num_queries, django_assert_num_queries, rows
):
    for n in range(rows):
        make_assignment(batch=make_batch(n + 1), term="首期")
    warm(client)
    with django_assert_max_num_queries(2):
        units = get(client, "units", {"limit": 100})
    with django_assert_max_num_queries(3):
        batches = get(client, "batches", {"limit": 100})
    assert len(batches.json()["results"]) == rows
    assert len(units.json()["results"]) == rows + 1
    # One of each by id: the row (and a batch's terms).
    with django_assert_num_queries(1):
        unit = get(client, "unit", id=units.json()["results"][-1]["id"])
    with django_assert_num_queries(2):
        batch = get(client, "batch", id=batches.json()["results"][-1]["id"])
    assert unit.status_code == batch.status_code == 200


def test_traditional_queries_are_folded_to_simplified(client, roster):
    """As on the 繁體 pages: a traditional query lists what its simplified
    form does."""
    folded = get(client, "assignments", {"q": "阿克蘇地區第一人民醫院"})
    assert ids(folded) == ids(
        get(client, "assignments", {"q": "阿克苏地区第一人民医院"})
    )
    assert ids(folded)

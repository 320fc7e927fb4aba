from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import Project
from tests.builders import (
    edit_version,
    make_article,
    make_assignment,
    make_project,
    make_project_image,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:projects_project_changelist")
ADD = reverse("admin:projects_project_add")


def project_form(**overrides):
    data = {
        "name": "阿克苏市人民医院门诊楼",
        "category": Project.Category.PROJECT,
        "sector": Project.Sector.HEALTH,
        "stage": Project.Stage.COMPLETED,
        "summary": "门诊楼建成。",
        "body": "<p>正文</p>",
        "location": "阿克苏市",
        "start_date": "2018-03-01",
        "completion_date": "2019年6月30日",
        "investment": "2791",
        "floor_area": "6794",
        "jobs_created": "120",
        "partner": "",
        "cover_alt": "",
        "cover_caption": "",
        "status": Project.Status.DRAFT,
        "published_at_0": "2021-07-01",
        "published_at_1": "08:00:00",
        "expires_at_0": "",
        "expires_at_1": "",
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def listed(response):
    return {project.name for project in response.context["cl"].result_list}


@pytest.fixture
def hospital_and_park():
    hospital = make_project(
        name="医院",
        category=Project.Category.PROJECT,
        sector=Project.Sector.HEALTH,
        stage=Project.Stage.COMPLETED,
        start_date=date(2018, 3, 1),
        investment=Decimal("2791"),
    )
    make_project_image(hospital)
    park = make_project(
        name="产业园",
        category=Project.Category.INDUSTRY,
        sector=Project.Sector.INDUSTRY,
        stage=Project.Stage.IN_OPERATION,
        completion_date=date(2020, 12, 1),
        status=Project.Status.DRAFT,
    )
    return hospital, park


# Pages render


@pytest.mark.parametrize(
    ("params", "shown"),
    [
        ({}, {"医院", "产业园"}),
        ({"q": "医院"}, {"医院"}),
        ({"category__exact": "industry"}, {"产业园"}),
        ({"sector__exact": "health"}, {"医院"}),
        ({"stage__exact": "operation"}, {"产业园"}),
        ({"status__exact": "draft"}, {"产业园"}),
        ({"year": "2018"}, {"医院"}),  # start year
        ({"year": "2020"}, {"产业园"}),  # completion year
        ({"year": "abc"}, {"医院", "产业园"}),  # ignored
        ({"start_date__year": "2018"}, {"医院"}),  # date hierarchy
    ],
    # The same ids in every process (pytest-xdist's workers compare them): a
    # set's order changes with the hash seed, a sorted list's does not.
    ids=lambda value: str(sorted(value) if isinstance(value, set) else value),
)
def test_changelist_filters(admin_client, hospital_and_park, params, shown):
    response = admin_client.get(CHANGELIST, params)
    assert response.status_code == 200
    assert listed(response) == shown


def test_changelist_offers_the_years_of_the_projects(admin_client, hospital_and_park):
    html = admin_client.get(CHANGELIST).content.decode()
    assert "2018年" in html
    assert "2020年" in html
    assert "?year=2018" in html


@pytest.mark.parametrize("year", ["0", "10000", "99999"])
def test_year_filter_with_an_impossible_year_is_not_a_server_error(
    admin_client, hospital_and_park, year
):
    admin_client.raise_request_exception = False
    response = admin_client.get(CHANGELIST, {"year": year})
    # Either ignored like "abc" or the admin's own "?e=1" redirect; never 500.
    assert response.status_code in {200, 302}


@pytest.mark.parametrize(
    ("url", "shows"),
    [
        (lambda project: ADD, "增加援建项目"),
        (
            lambda project: reverse("admin:projects_project_change", args=[project.pk]),
            "医院",
        ),
        (
            lambda project: reverse(
                "admin:projects_project_history", args=[project.pk]
            ),
            "医院",
        ),
    ],
    ids=["add", "change", "history"],
)
def test_admin_pages_render_for_a_superuser(
    admin_client, hospital_and_park, url, shows
):
    response = admin_client.get(url(hospital_and_park[0]))
    assert response.status_code == 200
    assert shows in response.content.decode()


@pytest.mark.parametrize("field", ["projects", "people"])
def test_article_form_links_projects_and_people_by_autocomplete(admin_client, field):
    article = make_article()
    html = admin_client.get(
        reverse("admin:articles_article_change", args=[article.pk])
    ).content.decode()
    assert f'name="{field}"' in html
    assert 'class="admin-autocomplete" data-ajax--cache="true"' in html
    assert f'data-field-name="{field}"' in html


@pytest.mark.parametrize(
    ("field", "term", "text"),
    [
        ("projects", "门诊", "阿克苏市人民医院门诊楼"),
        ("people", "jc", "季成"),
        ("people", "季成", "季成"),
    ],
)
def test_article_autocomplete_finds_projects_and_people(
    admin_client, field, term, text
):
    make_project(name="阿克苏市人民医院门诊楼")
    make_project(name="纺织工业城")
    make_assignment(name="季 成")
    make_assignment(name="王芳")
    response = admin_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "articles",
            "model_name": "article",
            "field_name": field,
            "term": term,
        },
    )
    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == [text]


def test_project_form_links_people_by_autocomplete(admin_client):
    html = admin_client.get(ADD).content.decode()
    assert 'data-field-name="people"' in html


# Actions


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("publish", Project.Status.PUBLISHED),
        ("withdraw", Project.Status.WITHDRAWN),
        ("archive", Project.Status.ARCHIVED),
    ],
)
def test_status_actions_change_the_selected_projects(
    admin_client, admin_user, action, status
):
    before = Project.Status.DRAFT if action == "publish" else Project.Status.PUBLISHED
    selected = make_project(status=before)
    other = make_project(status=before)
    response = admin_client.post(
        CHANGELIST, {"action": action, "_selected_action": [selected.pk]}
    )
    assert response.status_code == 302
    selected.refresh_from_db()
    other.refresh_from_db()
    assert selected.status == status
    assert selected.updated_by == admin_user
    assert other.status == before
    latest = selected.history.latest()
    assert latest.status == status
    assert latest.history_user == admin_user


# Saving records who


def test_adding_a_project_records_who_and_history(admin_client, admin_user):
    response = admin_client.post(
        ADD, project_form(body="<p>正文<script>alert(1)</script></p>")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    project = Project.objects.get()
    assert project.created_by == admin_user
    assert project.updated_by == admin_user
    assert project.body == "<p>正文</p>"
    assert project.investment == Decimal("2791")
    assert project.completion_date == date(2019, 6, 30)
    assert [(h.history_type, h.history_user) for h in project.history.all()] == [
        ("+", admin_user)
    ]


def test_changing_a_project_records_who_and_history(
    admin_client, admin_user, django_user_model
):
    author = django_user_model.objects.create_user("author")
    project = make_project(name="旧名称", created_by=author, updated_by=author)
    response = admin_client.post(
        reverse("admin:projects_project_change", args=[project.pk]),
        {
            **project_form(name="新名称", status=Project.Status.PUBLISHED),
            **edit_version(project),
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    project.refresh_from_db()
    assert project.name == "新名称"
    assert project.created_by == author
    assert project.updated_by == admin_user
    newest, oldest = project.history.all()[:2]
    assert (newest.history_type, newest.name, newest.history_user) == (
        "~",
        "新名称",
        admin_user,
    )
    assert oldest.name == "旧名称"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"investment": "-1"}, "投资不能为负数"),
        ({"floor_area": "-1"}, "建筑面积不能为负数"),
        ({"completion_date": "2018-02-28"}, "竣工日期不能早于开工日期"),
    ],
)
def test_admin_explains_impossible_figures(admin_client, overrides, message):
    response = admin_client.post(ADD, project_form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Project.objects.exists()

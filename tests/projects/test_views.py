from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from personnel.models import Category, Person
from projects.models import Project
from tests.builders import (
    NOT_PUBLIC,
    facet,
    make_article,
    make_assignment,
    make_batch,
    make_person,
    make_project,
    make_project_image,
    make_unit,
)

pytestmark = pytest.mark.django_db


def unbroken(text):
    return f'<span class="unbroken">{text}</span>'


def project_list(client, **params):
    return client.get(reverse("projects:list"), params)


def names(response):
    return {project.name for project in response.context["object_list"]}


@pytest.fixture
def hospital_and_park():
    """A hospital of 2791万元 begun in 2018 and an industrial park of 35.3亿元
    completed in 2020, of different categories, sectors and stages."""
    hospital = make_project(
        name="阿克苏市人民医院门诊楼",
        category=Project.Category.PROJECT,
        sector=Project.Sector.HEALTH,
        stage=Project.Stage.COMPLETED,
        start_date=date(2018, 3, 1),
        completion_date=date(2019, 6, 30),
        investment=Decimal("2791"),
        floor_area=Decimal("6794"),
        jobs_created=120,
    )
    park = make_project(
        name="杭州阿克苏纺织工业城",
        category=Project.Category.INDUSTRY,
        sector=Project.Sector.INDUSTRY,
        stage=Project.Stage.IN_OPERATION,
        completion_date=date(2020, 12, 1),
        investment=Decimal("353000"),
        floor_area=Decimal("125000"),
        jobs_created=3000,
    )
    return hospital, park


# Project list


def test_project_list_shows_only_published_projects(client, hospital_and_park):
    for kind, fields in NOT_PUBLIC.items():
        make_project(name=f"哨兵{kind}", investment=Decimal("99999"), **fields)
    response = project_list(client)
    html = response.content.decode()
    assert response.status_code == 200
    assert names(response) == {"阿克苏市人民医院门诊楼", "杭州阿克苏纺织工业城"}
    assert "哨兵" not in html
    assert response.context["statistics"]["overall"]["count"] == 2


def test_project_list_shows_totals_as_people_read_them(client, hospital_and_park):
    html = project_list(client).content.decode()
    # A figure and its unit are one unbroken piece: "35.3亿 / 元" never
    # wraps between two lines.
    for fragment in (
        '<span class="figure">2</span><span class="unit">个项目</span>',
        f'<span class="figure">{unbroken("35.58亿元")}</span>'
        '<span class="unit">总投资</span>',
        f'<span class="figure">{unbroken("13.18万平方米")}</span>'
        '<span class="unit">建筑面积</span>',
        f'<span class="figure">{unbroken("3120人")}</span>'
        '<span class="unit">带动就业</span>',
        f"投资 {unbroken('2791万元')}",  # the hospital's card
        f"投资 {unbroken('35.3亿元')}",  # the park's card
        f"建筑面积 {unbroken('6794平方米')}",
    ):
        assert fragment in html


def test_project_list_of_nothing_shows_an_empty_note(client):
    make_project(name="草稿", status=Project.Status.DRAFT, investment=Decimal("1"))
    response = project_list(client)
    assert response.status_code == 200
    assert response.context["statistics"]["overall"]["count"] == 0
    assert "没有符合条件的项目" in response.content.decode()


def test_unknown_figures_show_a_dash_as_on_the_home_page(client):
    # A talent-aid project has no investment, floor area or jobs figure: the
    # total is unknown, not zero (the home page already shows "—").
    make_project(category=Project.Category.TALENT)
    html = project_list(client).content.decode()
    home = client.get(reverse("home")).content.decode()
    dash = unbroken("—")
    assert (
        f'<span class="figure">{dash}</span><span class="unit">项目总投资</span>'
        in home
    )
    assert f'<span class="figure">{dash}</span><span class="unit">总投资</span>' in html
    assert (
        f'<span class="figure">{dash}</span><span class="unit">建筑面积</span>' in html
    )
    assert (
        f'<span class="figure">{dash}</span><span class="unit">带动就业</span>' in html
    )


def test_project_list_facets_count_every_value(client, hospital_and_park):
    make_project(
        name="名师工作室",
        category=Project.Category.TALENT,
        sector=Project.Sector.EDUCATION,
        stage=Project.Stage.IN_OPERATION,
        start_date=date(2018, 9, 1),
    )
    response = project_list(client)
    assert facet(response, "category") == {"project": 1, "industry": 1, "talent": 1}
    assert facet(response, "sector") == {"health": 1, "industry": 1, "education": 1}
    assert facet(response, "stage") == {"completed": 1, "operation": 2}
    assert facet(response, "year") == {2018: 2, 2020: 1}
    assert [row["value"] for row in response.context["facets"]["year"]] == [
        2020,
        2018,
    ]
    html = response.content.decode()
    assert (
        '<a href="?category=talent">智力援助</a> <span class="count">1</span>' in html
    )
    assert '<a href="?year=2018">2018年</a> <span class="count">2</span>' in html


@pytest.mark.parametrize(
    ("params", "shown"),
    [
        ({"category": "project"}, "阿克苏市人民医院门诊楼"),
        ({"category": "industry"}, "杭州阿克苏纺织工业城"),
        ({"sector": "health"}, "阿克苏市人民医院门诊楼"),
        ({"stage": "operation"}, "杭州阿克苏纺织工业城"),
        ({"year": "2018"}, "阿克苏市人民医院门诊楼"),  # by start year
        ({"year": "2020"}, "杭州阿克苏纺织工业城"),  # by completion year
    ],
)
def test_filters_narrow_the_list_and_the_totals(
    client, hospital_and_park, params, shown
):
    project = Project.objects.get(name=shown)
    response = project_list(client, **params)
    assert response.status_code == 200
    assert names(response) == {shown}
    overall = response.context["statistics"]["overall"]
    assert overall["count"] == 1
    assert overall["investment"] == project.investment
    assert overall["jobs"] == project.jobs_created


def test_filters_combine(client, hospital_and_park):
    response = project_list(client, category="project", year="2020")
    assert response.status_code == 200
    assert names(response) == set()
    assert response.context["statistics"]["overall"]["count"] == 0


@pytest.mark.parametrize(
    "params",
    [
        {"category": "evil"},
        {"sector": "evil"},
        {"stage": "evil"},
        {"year": "abc"},
        {"year": "99999"},
        {"year": "1989"},
        {"year": "2018\x00"},
    ],
    ids=str,
)
def test_bad_filter_value_is_a_clear_400(client, hospital_and_park, params):
    response = project_list(client, **params)
    assert response.status_code == 400
    assert next(iter(params)) in response.content.decode()


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999", "1.5"])
def test_bad_page_is_404_not_500(client, hospital_and_park, page):
    assert project_list(client, page=page).status_code == 404


def test_project_list_paginates_by_twenty(client):
    for number in range(21):
        make_project(name=f"项目{number:02}", start_date=date(2000 + number, 1, 1))
    first = project_list(client)
    second = project_list(client, page="2")
    assert len(first.context["object_list"]) == 20
    assert names(second) == {"项目00"}  # newest start first: the oldest is last
    assert second.context["statistics"]["overall"]["count"] == 21


def test_chart_rows_are_scaled_to_the_largest_year(client, hospital_and_park):
    by_year = project_list(client).context["by_year"]
    assert [(row["year"], float(row["percent"])) for row in by_year] == [
        (2018, 0.8),  # 2791 / 353000
        (2020, 100),
    ]


def test_year_chart_has_a_bar_for_no_year_and_adds_up_to_the_total(
    client, hospital_and_park
):
    # The demo's case: a project without dates is still part of the total.
    make_project(name="无日期项目", investment=Decimal("1000"))
    response = project_list(client)
    by_year = response.context["by_year"]
    assert [
        (str(row["label"]), row["count"], float(row["percent"])) for row in by_year
    ] == [
        ("2018年", 1, 0.8),
        ("2020年", 1, 100),
        ("年份未注明", 1, 0.3),
    ]
    overall = response.context["statistics"]["overall"]
    assert sum(row["investment"] for row in by_year) == overall["investment"]
    assert sum(row["count"] for row in by_year) == overall["count"] == 3
    html = response.content.decode()
    assert '<span class="bar-label">年份未注明</span>' in html
    assert f"{unbroken('1000万元')} · 1个项目" in html
    # The total the bars add up to, beside the chart's title.
    assert f'<span class="more">合计 {unbroken("35.68亿元")}，3个项目</span>' in html


def test_bars_are_scaled_to_the_largest_bar_even_of_no_year(client):
    make_project(start_date=date(2020, 3, 1), investment=Decimal("2791"))
    make_project(investment=Decimal("353000"))
    by_year = project_list(client).context["by_year"]
    assert [(row["year"], float(row["percent"])) for row in by_year] == [
        (2020, 0.8),
        (None, 100),
    ]


def test_totals_say_how_many_projects_give_each_figure(client, hospital_and_park):
    make_project(name="名师工作室", category=Project.Category.TALENT)
    html = project_list(client).content.decode()
    assert "仅计2个注明投资的项目" in html
    assert "仅计2个注明建筑面积的项目" in html
    assert "仅计2个注明就业人数的项目" in html
    home = client.get(reverse("home")).content.decode()
    assert "仅计2个注明投资的项目" in home


def test_category_table_ends_with_the_total(client, hospital_and_park):
    html = project_list(client).content.decode()
    assert (
        '<tfoot>\n          <tr><th scope="row">合计</th><td>2</td>'
        f"<td>{unbroken('35.58亿元')}</td><td>{unbroken('13.18万平方米')}</td>"
        f"<td>{unbroken('3120人')}</td></tr>"
    ) in html


def test_chart_rows_without_investment_are_zero_not_an_error(client):
    make_project(start_date=date(2021, 1, 1))
    response = project_list(client)
    assert response.status_code == 200
    assert [row["percent"] for row in response.context["by_year"]] == [0]


# Project page


def test_project_page_shows_the_facts_formatted(client, hospital_and_park):
    hospital, park = hospital_and_park
    html = client.get(hospital.get_absolute_url()).content.decode()
    for fragment in (
        '<h1 class="article-title">阿克苏市人民医院门诊楼</h1>',
        '<th scope="row">援助类型</th><td>项目援助</td>',
        '<th scope="row">领域</th><td>卫生健康</td>',
        '<th scope="row">建设状态</th><td>已建成</td>',
        '<th scope="row">开工日期</th><td>2018年3月1日</td>',
        '<th scope="row">竣工日期</th><td>2019年6月30日</td>',
        f'<th scope="row">投资</th><td>{unbroken("2791万元")}</td>',
        f'<th scope="row">建筑面积</th><td>{unbroken("6794平方米")}</td>',
        f'<th scope="row">带动就业</th><td>{unbroken("120人")}</td>',
    ):
        assert fragment in html
    park_html = client.get(park.get_absolute_url()).content.decode()
    assert f'<th scope="row">投资</th><td>{unbroken("35.3亿元")}</td>' in park_html
    assert (
        f'<th scope="row">建筑面积</th><td>{unbroken("12.5万平方米")}</td>' in park_html
    )


def test_project_page_shows_the_gallery_captions(client):
    project = make_project()
    make_project_image(project, caption="门诊楼外景", alt="门诊楼", position=2)
    make_project_image(project, caption="候诊大厅", alt="大厅", position=1)
    html = client.get(project.get_absolute_url()).content.decode()
    assert "<figcaption>候诊大厅</figcaption>" in html
    assert html.index("候诊大厅") < html.index("门诊楼外景")
    assert 'alt="门诊楼"' in html


def test_project_page_lists_published_articles_and_public_people(client):
    project = make_project()
    make_article(title="门诊楼投入使用").projects.add(project)
    make_article(title="草稿报道", status=Article.Status.DRAFT).projects.add(project)
    make_article(
        title="定时报道", published_at=timezone.now() + timedelta(days=1)
    ).projects.add(project)
    make_article(title="无关报道")
    project.people.add(make_person("季 成"), make_person("隐藏人", is_public=False))

    response = client.get(project.get_absolute_url())
    html = response.content.decode()

    assert [a.title for a in response.context["related_articles"]] == ["门诊楼投入使用"]
    assert [p.name for p in response.context["people"]] == ["季成"]
    assert "门诊楼投入使用" in html
    assert "季成" in html
    for hidden in ("草稿报道", "定时报道", "无关报道", "隐藏人"):
        assert hidden not in html


@pytest.mark.parametrize("kind", NOT_PUBLIC)
def test_non_public_project_is_404_for_anonymous(client, kind):
    project = make_project(**NOT_PUBLIC[kind])
    assert client.get(project.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("path", ["/projects/0/", "/projects/99999999999999999999/"])
def test_missing_or_oversized_project_id_is_404(client, path):
    assert client.get(path).status_code == 404


# Links both ways between articles, projects and people


def test_article_page_lists_its_published_projects_and_public_people(client):
    article = make_article()
    article.projects.add(
        make_project(name="公开项目"),
        make_project(name="草稿项目", status=Project.Status.DRAFT),
    )
    article.people.add(make_person("季 成"), make_person("隐藏人", is_public=False))
    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert [p.name for p in response.context["related_projects"]] == ["公开项目"]
    assert [p.name for p in response.context["related_people"]] == ["季成"]
    assert "公开项目" in html
    assert "季成" in html
    assert "草稿项目" not in html
    assert "隐藏人" not in html


def test_person_page_lists_published_projects_and_articles(client):
    person = make_person("季 成")
    make_assignment(person)
    make_project(name="公开项目").people.add(person)
    make_project(name="草稿项目", status=Project.Status.DRAFT).people.add(person)
    make_article(title="公开报道").people.add(person)
    make_article(title="草稿报道", status=Article.Status.DRAFT).people.add(person)
    response = client.get(person.get_absolute_url())
    html = response.content.decode()
    assert [p.name for p in response.context["related_projects"]] == ["公开项目"]
    assert [a.title for a in response.context["related_articles"]] == ["公开报道"]
    assert "公开项目" in html
    assert "公开报道" in html
    assert "草稿项目" not in html
    assert "草稿报道" not in html


def test_non_public_person_page_is_404(client):
    person = make_person("隐藏人", is_public=False)
    make_project().people.add(person)
    assert client.get(person.get_absolute_url()).status_code == 404


# Home page figures


def test_home_shows_project_totals_and_roster_figures(client, hospital_and_park):
    make_project(status=Project.Status.DRAFT, investment=Decimal("99999"))
    ninth, tenth = make_batch(9), make_batch(10)
    make_assignment(name="医生甲", category=Category.MEDICAL, batch=tenth)
    make_assignment(name="医生乙", category=Category.MEDICAL, batch=tenth)
    teacher = make_assignment(name="教师丙", category=Category.EDUCATION, batch=tenth)
    # The same person twice in batch 10 counts once; in batch 9 again.
    make_assignment(
        teacher.person, batch=tenth, receiving_unit=make_unit("阿克苏市第二中学")
    )
    make_assignment(teacher.person, batch=ninth)
    make_assignment(
        name="隐藏人", category=Category.CADRE, batch=tenth, is_public=False
    )

    response = client.get(reverse("home"))
    html = response.content.decode()

    assert response.context["project_totals"] == {
        "investment": Decimal("355791"),
        "floor_area": Decimal("131794"),
        "jobs": 3120,
        "investment_count": 2,
        "floor_area_count": 2,
        "jobs_count": 2,
        "count": 2,
    }
    figures = response.context["roster_figures"]
    assert [
        (batch["number"], batch["label"], batch["total"], batch["by_category"])
        for batch in figures
    ] == [
        (10, "第十批", 3, [("教育", 1), ("医疗", 2)]),
        (9, "第九批", 1, [("教育", 1)]),
    ]
    for fragment in (
        '<span class="figure">2</span><span class="unit">个援建项目</span>',
        f'<span class="figure">{unbroken("35.58亿元")}</span>'
        '<span class="unit">项目总投资</span>',
        f'<span class="figure">{unbroken("3120人")}</span>'
        '<span class="unit">带动就业</span>',
        f'<span class="figure">{unbroken("3人")}</span>'
        f'<span class="unit">第十批援疆干部人才 · 教育{unbroken("1人")}'
        f" · 医疗{unbroken('2人')}</span>",
    ):
        assert fragment in html
    # Every project gives both figures: no note says some are left out.
    assert "仅计" not in html


# Query counts: the same for 1 and for 30 rows.


def _fill_projects(count):
    """``count`` published projects over the categories, sectors and years."""
    categories = list(Project.Category)
    for number in range(count):
        project = make_project(
            category=categories[number % 3],
            sector=list(Project.Sector)[number % 8],
            start_date=date(2015 + number % 7, 1, 1),
            investment=Decimal(100 * (number + 1)),
        )
    return project


def test_project_list_runs_a_fixed_number_of_queries(count_queries):
    # statistics (one union of the groupings), paginator count, navigation
    # channels, the footer's site record, page rows
    expected = 5
    for rows in (1, 30):
        Project.objects.all().delete()
        _fill_projects(rows)
        response, queries = count_queries(reverse("projects:list"))
        assert response.status_code == 200
        assert len(response.context["object_list"]) == min(rows, 20)
        assert queries == expected, f"{rows} rows"


def test_filtered_project_list_runs_a_fixed_number_of_queries(count_queries):
    expected = 5
    for rows in (1, 30):
        Project.objects.all().delete()
        _fill_projects(rows)
        response, queries = count_queries(
            reverse("projects:list"), data={"category": "project", "year": "2015"}
        )
        assert response.status_code == 200
        assert response.context["object_list"]
        assert queries == expected, f"{rows} rows"


def test_project_page_runs_a_fixed_number_of_queries(count_queries):
    # project, gallery, related articles, related people, navigation channels,
    # the footer's site record
    expected = 6
    for rows in (1, 30):
        Project.objects.all().delete()
        Article.objects.all().delete()
        Person.objects.all().delete()
        project = make_project()
        for number in range(rows):
            make_project_image(project)
            make_article().projects.add(project)
            person = make_person(f"人员{number}")
            make_assignment(person)
            project.people.add(person)
        response, queries = count_queries(project.get_absolute_url())
        assert response.status_code == 200
        assert len(response.context["people"]) == rows
        assert len(response.context["related_articles"]) == min(rows, 10)
        assert queries == expected, f"{rows} rows"


def test_home_runs_a_fixed_number_of_queries(count_queries):
    # navigation, the footer's site record, featured, latest, newest per
    # channel, project totals, roster figures
    expected = 7
    for rows in (1, 30):
        Project.objects.all().delete()
        Person.objects.all().delete()
        _fill_projects(rows)
        for number in range(rows):
            make_assignment(
                name=f"人员{number}",
                category=list(Category)[number % 4],
                batch=make_batch(10 - number % 3),
            )
        response, queries = count_queries(reverse("home"))
        assert response.status_code == 200
        assert response.context["project_totals"]["count"] == rows
        assert queries == expected, f"{rows} rows"

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from personnel.models import Category, Person
from projects.models import Project
from tests.builders import (
    make_article,
    make_assignment,
    make_channel,
    make_person,
    make_project,
    make_unit,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def search(client, q, **params):
    return client.get(reverse("search"), {"q": q, **params})


def found(response, name):
    """Titles (articles) or names (projects, people) of one group, in order."""
    for group in response.context["groups"]:
        if group["provider"].name == name:
            return [
                item.title if name == "articles" else item.name
                for item in group["items"]
            ]
    raise AssertionError(f"no group {name}")


def counts(response):
    return {
        group["provider"].name: group["count"] for group in response.context["groups"]
    }


@pytest.fixture
def ji_cheng():
    """季成, a doctor printed with a padding space ("季 成"), from 浙大一院 to
    地区一院."""
    return make_assignment(
        name="季 成",
        category=Category.MEDICAL,
        sending_unit=make_unit("浙江大学医学院附属第一医院", aliases="浙大一院"),
        receiving_unit=make_unit("阿克苏地区第一人民医院", short_name="地区一院"),
        position="心内科主任医师",
    ).person


# What search finds


@pytest.mark.parametrize("field", ["title", "subtitle", "summary", "body"])
def test_search_finds_articles_by_each_text(client, field):
    text = {
        "title": "乡镇卫生院建成",
        "subtitle": "乡镇卫生院建成",
        "summary": "乡镇卫生院建成。",
        "body": "<p>乡镇<strong>卫生院</strong>建成。</p>",
    }[field]
    fields = {"title": "一篇报道", "subtitle": "", "summary": "", "body": ""}
    fields[field] = text
    make_article(**fields)
    make_article(title="无关报道", summary="", body="<p>别的</p>")
    response = search(client, "卫生院")
    assert response.status_code == 200
    assert found(response, "articles") == [fields["title"]]


def test_search_does_not_match_html_tag_names(client):
    make_article(title="一篇报道", body='<p><strong class="x">重点</strong></p>')
    assert counts(search(client, "strong"))["articles"] == 0


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "柯坪县卫生院"},
        {"summary": "新建卫生院一所。"},
        {"location": "阿克苏市卫生院旁"},
        {"partner": "卫生院建设集团"},
        {"body": "<p>新建<em>卫生院</em>。</p>"},
    ],
    ids=["name", "summary", "location", "partner", "body"],
)
def test_search_finds_projects_by_each_text(client, fields):
    fields = {"name": "一个项目", "summary": "", **fields}
    make_project(**fields)
    make_project(name="无关项目", summary="")
    assert found(search(client, "卫生院"), "projects") == [fields["name"]]


@pytest.mark.parametrize(
    "query",
    [
        "季成",
        "季 成",
        "季\u3000成",
        "jicheng",
        "JiCheng",
        "jc",
        "浙大一院",  # alias of the sending unit
        "浙江大学医学院附属第一医院",
        "地区一院",  # short name of the receiving unit
        "心内科",
        "浙江大學醫學院附屬第一醫院",  # traditional, as the 繁體 pages' readers type
        "季 成",
    ],
)
def test_search_finds_people_by_name_pinyin_and_unit(client, ji_cheng, query):
    make_assignment(name="王芳", position="语文教师")
    response = search(client, query)
    assert found(response, "people") == ["季成"]
    assert "季成" in response.content.decode()


def test_person_with_two_matching_assignments_is_found_once(client, ji_cheng):
    make_assignment(ji_cheng, receiving_unit=make_unit("阿克苏地区第二人民医院"))
    response = search(client, "季成")
    assert found(response, "people") == ["季成"]
    assert counts(response)["people"] == 1


def test_search_finds_a_public_person_without_an_assignment_by_name(client):
    # Linked to an article, with a public page, but not (yet) on the roster.
    person = make_person("季 成")
    make_article().people.add(person)
    assert client.get(person.get_absolute_url()).status_code == 200
    assert found(search(client, "季成"), "people") == ["季成"]


@pytest.mark.parametrize(
    ("query", "group", "name"),
    [
        ("医生", "articles", "援疆医生义诊"),
        ("卫生院", "projects", "柯坪县卫生院"),
        ("季成", "people", "季成"),
        ("援疆", "articles", "援疆医生义诊"),
        ("医", "articles", "援疆医生义诊"),
        ("医", "people", "季成"),
        ("阿克苏市", "articles", "援疆医生义诊"),
    ],
)
def test_chinese_terms_of_one_to_four_characters_work(
    client, ji_cheng, query, group, name
):
    make_article(title="援疆医生义诊", summary="在阿克苏市举行。", body="")
    make_project(name="柯坪县卫生院", summary="")
    make_article(title="无关报道", summary="", body="")
    response = search(client, query)
    assert name in found(response, group)
    assert "无关报道" not in found(response, "articles")


@pytest.mark.parametrize("query", ["%", "_", "\\", "'"])
def test_like_wildcards_and_quotes_match_only_themselves(client, query):
    make_article(title="一篇报道", summary="", body="")
    make_project(name="一个项目", summary="")
    make_assignment(name="王芳")
    response = search(client, query)
    assert response.status_code == 200
    assert counts(response) == {"articles": 0, "projects": 0, "people": 0}


def test_traditional_queries_find_articles_and_projects(client):
    make_article(title="杭州市第一人民医院专家到阿克苏义诊")
    make_project(name="阿克苏地区第一人民医院门诊楼")
    response = search(client, "第一人民醫院")
    assert found(response, "articles") == ["杭州市第一人民医院专家到阿克苏义诊"]
    assert found(response, "projects") == ["阿克苏地区第一人民医院门诊楼"]


def test_title_matches_come_first_then_newest(client):
    for title, body, days in [
        ("正文提到", "<p>援疆</p>", 1),
        ("援疆旧闻", "", 3),
        ("正文也提到", "<p>援疆</p>", 4),
        ("援疆新闻", "", 2),
    ]:
        make_article(
            title=title, summary="", body=body, published_at=NOW - timedelta(days=days)
        )
    assert found(search(client, "援疆", type="articles"), "articles") == [
        "援疆新闻",
        "援疆旧闻",
        "正文提到",
        "正文也提到",
    ]


def test_project_name_matches_come_first_then_newest(client):
    for name, summary, days in [
        ("正文项目", "卫生院", 1),
        ("旧卫生院", "", 3),
        ("新卫生院", "", 2),
    ]:
        make_project(
            name=name, summary=summary, published_at=NOW - timedelta(days=days)
        )
    assert found(search(client, "卫生院"), "projects") == [
        "新卫生院",
        "旧卫生院",
        "正文项目",
    ]


def test_search_never_shows_what_the_public_may_not_see(client):
    word = "哨兵"
    make_article(title=f"{word}公开文章")
    make_article(title=f"{word}草稿文章", status=Article.Status.DRAFT)
    make_article(title=f"{word}归档文章", status=Article.Status.ARCHIVED)
    make_article(title=f"{word}定时文章", published_at=NOW + timedelta(days=1))
    make_article(
        title=f"{word}过期文章",
        published_at=NOW - timedelta(days=2),
        expires_at=NOW - timedelta(days=1),
    )
    make_project(name=f"{word}公开项目")
    make_project(name=f"{word}草稿项目", status=Project.Status.DRAFT)
    make_assignment(name=f"{word}公开人")
    make_assignment(name=f"{word}隐藏人", is_public=False)

    for params in ({}, {"type": "articles"}, {"type": "projects"}, {"type": "people"}):
        response = search(client, word, **params)
        html = response.content.decode()
        assert set(counts(response).values()) == {1}, params
        for hidden in ("草稿", "归档", "定时", "过期", "隐藏"):
            assert f"{word}{hidden}" not in html, (params, hidden)
    response = search(client, word)
    assert found(response, "articles") == [f"{word}公开文章"]
    assert found(response, "projects") == [f"{word}公开项目"]
    assert found(response, "people") == [f"{word}公开人"]


def test_groups_count_every_match_and_show_the_first_five(client, ji_cheng):
    channel = make_channel()
    for number in range(7):
        make_article(channel=channel, title=f"援疆报道{number}", summary="")
    make_project(name="援疆项目", summary="")
    make_assignment(name="援疆人", position="")
    response = search(client, "援疆")
    assert [
        (g["provider"].name, str(g["provider"].label))
        for g in response.context["groups"]
    ] == [
        ("articles", "文章"),
        ("projects", "项目"),
        ("people", "人员"),
    ]
    assert counts(response) == {"articles": 7, "projects": 1, "people": 1}
    assert len(found(response, "articles")) == 5
    html = response.content.decode()
    assert "查看全部 7 条文章结果" in html
    assert 'href="?q=%E6%8F%B4%E7%96%86&amp;type=articles"' in html


# One type, paged


@pytest.fixture
def twenty_one_articles():
    channel = make_channel()
    for number in range(21):
        make_article(
            channel=channel,
            title=f"援疆报道{number:02}",
            summary="",
            published_at=NOW - timedelta(minutes=number + 1),
        )


def test_one_type_is_paged_by_twenty(client, twenty_one_articles):
    first = search(client, "援疆", type="articles")
    second = search(client, "援疆", type="articles", page="2")
    assert [g["provider"].name for g in first.context["groups"]] == ["articles"]
    assert len(found(first, "articles")) == 20
    assert counts(first) == {"articles": 21}
    assert found(second, "articles") == ["援疆报道20"]
    assert 'href="?q=%E6%8F%B4%E7%96%86&amp;type=articles&amp;page=2"' in (
        first.content.decode()
    )


@pytest.mark.parametrize("page", ["abc", "0", "99", "1.5"])
def test_bad_search_page_is_404(client, twenty_one_articles, page):
    assert search(client, "援疆", type="articles", page=page).status_code == 404


# Bad and empty queries


@pytest.mark.parametrize("query", ["", "   ", "\u3000"])
def test_empty_query_prompts_for_a_term(client, query):
    make_article()
    response = search(client, query)
    assert response.status_code == 200
    assert "请输入检索词" in response.content.decode()
    assert "groups" not in response.context


def test_search_without_q_prompts_for_a_term(client):
    response = client.get(reverse("search"))
    assert response.status_code == 200
    assert "请输入检索词" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"q": "援" * 10_000},
        {"q": "援" * 51},
        {"q": "援\x00疆"},
        {"q": "援疆", "type": "evil"},
    ],
    ids=["10000-characters", "51-characters", "nul", "unknown-type"],
)
def test_bad_search_request_is_400(client, params):
    make_article()
    response = client.get(reverse("search"), params)
    assert response.status_code == 400
    assert next(reversed(params)) in response.content.decode()


def test_query_of_fifty_characters_is_accepted(client):
    make_article(title="援" * 60)
    response = search(client, "援" * 50)
    assert response.status_code == 200
    assert counts(response)["articles"] == 1


# Query counts: the same for 1 and for 30 matching rows of each type.


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # first rows of each of the three types with their capped count,
        # navigation, the footer's site record
        ({}, 5),
        # count and page of the one type, navigation, site record
        ({"type": "articles"}, 4),
        ({"type": "projects"}, 4),
        ({"type": "people"}, 4),
    ],
    ids=["all-types", "articles", "projects", "people"],
)
def test_search_runs_a_fixed_number_of_queries(count_queries, params, expected):
    for rows in (1, 30):
        Article.objects.all().delete()
        Project.objects.all().delete()
        Person.objects.all().delete()
        channel = make_channel()
        for number in range(rows):
            make_article(channel=channel, title=f"援疆报道{number}")
            make_project(name=f"援疆项目{number}")
            make_assignment(name=f"援疆人{number}")
        response, queries = count_queries(
            reverse("search"), data={"q": "援疆", **params}
        )
        assert response.status_code == 200
        assert set(counts(response).values()) == {rows}
        assert queries == expected, f"{rows} rows"


def test_search_counts_stop_at_the_cap_with_the_first_rows(client, settings):
    settings.LIST_COUNT_CAP = 6
    channel = make_channel()
    for number in range(9):
        make_article(channel=channel, title=f"援疆报道{number}")
    make_project(name="援疆项目")
    response = client.get(reverse("search"), data={"q": "援疆"})
    groups = {group["provider"].name: group for group in response.context["groups"]}
    assert groups["articles"]["count"] == 7
    assert groups["articles"]["display_count"] == "6+"
    assert groups["articles"]["more"] and len(groups["articles"]["items"]) == 5
    assert (groups["projects"]["display_count"], groups["projects"]["more"]) == (
        "1",
        False,
    )
    assert groups["people"]["count"] == 0 and not groups["people"]["items"]
    assert "查看全部 6+ 条文章结果" in response.content.decode()

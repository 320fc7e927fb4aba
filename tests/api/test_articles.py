from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.search import search_articles
from tests.api.calls import get, ids, walk
from tests.builders import (
    NOT_PUBLIC,
    image_file,
    make_article,
    make_article_image,
    make_channel,
    make_person,
    make_project,
)

pytestmark = pytest.mark.django_db


def page_ids(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200
    return [row.id for row in response.context["object_list"]]


@pytest.fixture
def site():
    """Two channels; articles of which three share one moment of
    publication (the order's tie is broken by id); one article of each kind
    the public may not see; a covered article with published and draft
    related projects and people."""
    news = make_channel(name="前沿动态", slug="news")
    stories = make_channel(name="援建故事", slug="stories")
    now = timezone.now()
    same = now - timedelta(hours=5)
    articles = [
        make_article(
            channel=news if n % 2 else stories,
            title=f"援疆教师的一天第{n}篇",
            published_at=same if n < 3 else now - timedelta(hours=n + 6),
        )
        for n in range(7)
    ]
    covered = make_article(
        channel=news,
        title="援疆医生在阿克蘇開展新技術",
        cover=image_file(size=(1000, 600)),
        cover_alt="医生查房",
        cover_caption="援疆医生在病房查房。",
        published_at=now - timedelta(minutes=30),
    )
    project, draft_project = make_project(), make_project(status="draft")
    person, draft_person = make_person("季成"), make_person("王芳", is_public=False)
    covered.projects.add(project, draft_project)
    covered.people.add(person, draft_person)
    hidden = {
        kind: make_article(channel=news, title=f"援疆医生不公开的{kind}", **fields)
        for kind, fields in NOT_PUBLIC.items()
    }
    return {
        "news": news,
        "stories": stories,
        "articles": articles,
        "covered": covered,
        "project": project,
        "person": person,
        "hidden": hidden,
    }


def test_articles_list_published_articles_only(client, site):
    response = get(client, "articles")

    body = response.json()
    assert body["count"] == 8 and body["next"] is None
    assert not {a.id for a in site["hidden"].values()} & set(ids(response))
    row = body["results"][0]
    covered = site["covered"]
    assert row["id"] == covered.id
    assert row["title"] == covered.title
    assert row["channel"] == {"id": site["news"].id, "name": "前沿动态", "slug": "news"}
    assert row["url"] == covered.get_absolute_url()
    assert (row["source"], row["author"], row["editor"]) == (
        "杭州日报",
        "林尧",
        "高婷婷",
    )
    assert row["summary"] == covered.summary


def test_only_published_related_projects_and_people(client, site):
    row = get(client, "articles").json()["results"][0]

    assert row["projects"] == [
        {
            "id": site["project"].id,
            "name": site["project"].name,
            "url": site["project"].get_absolute_url(),
        }
    ]
    assert [person["name"] for person in row["people"]] == ["季成"]


def test_the_cover_gives_the_renditions_the_pages_show(client, site):
    cover = get(client, "articles").json()["results"][0]["cover"]

    assert cover["alt"] == "医生查房"
    assert cover["caption"] == "援疆医生在病房查房。"
    assert (cover["width"], cover["height"]) == (1000, 600)
    # 400 and 800 wide; the picture is narrower than 1600, which is not made.
    assert [r["width"] for r in cover["webp"]] == [400, 800, 1000]
    assert [r["width"] for r in cover["jpeg"]] == [400, 800, 1000]
    assert cover["webp"][0]["height"] == 240
    assert all(r["url"].startswith("/media/renditions/") for r in cover["webp"])
    page = client.get(site["covered"].get_absolute_url()).content.decode()
    for rendition in cover["webp"] + cover["jpeg"]:
        assert rendition["url"] in page
    assert get(client, "articles").json()["results"][1]["cover"] is None


@pytest.mark.parametrize(
    "params", [{}, {"channel": "news"}, {"channel": "stories"}, {"channel": ""}]
)
def test_filters_equal_the_article_list_page(client, site, params):
    assert ids(get(client, "articles", params)) == page_ids(
        client, reverse("articles:list"), params
    )


def test_a_channel_equals_its_channel_page(client, site):
    found = ids(get(client, "articles", {"channel": "stories"}))

    assert found == page_ids(client, site["stories"].get_absolute_url())
    assert len(found) == 4


@pytest.mark.parametrize("query", ["援疆医生", "援疆 医生", "阿克苏", "援疆教师"])
def test_search_finds_what_the_site_search_finds(client, site, query):
    found = ids(get(client, "articles", {"q": query}))

    assert found and set(found) == {a.id for a in search_articles(query)}
    assert not {a.id for a in site["hidden"].values()} & set(found)


def test_a_traditional_query_finds_what_its_simplified_form_does(client, site):
    simplified = ids(get(client, "articles", {"q": "阿克苏开展新技术"}))

    assert simplified == [site["covered"].id]
    assert ids(get(client, "articles", {"q": "阿克蘇開展新技術"})) == simplified


def test_search_and_channel_together(client, site):
    found = ids(get(client, "articles", {"q": "援疆教师", "channel": "stories"}))

    assert {a.channel_id for a in site["articles"] if a.id in found} == {
        site["stories"].id
    }
    assert len(found) == 4


def test_ordering_newest_is_the_pages_and_oldest_its_reverse(client, site):
    newest = ids(get(client, "articles", {"ordering": "newest"}))

    assert newest == ids(get(client, "articles"))
    assert newest == page_ids(client, reverse("articles:list"))
    assert ids(get(client, "articles", {"ordering": "oldest"})) == newest[::-1]


@pytest.mark.parametrize("ordering", ["newest", "oldest"])
@pytest.mark.parametrize("params", [{}, {"q": "援疆"}, {"channel": "news"}])
def test_a_cursor_walk_gives_every_article_in_order(client, site, ordering, params):
    params = {**params, "ordering": ordering}
    every = ids(get(client, "articles", params))

    assert walk(client, "articles", {**params, "limit": 1}) == every
    assert walk(client, "articles", {**params, "limit": 2}) == every


@pytest.mark.parametrize("kind", NOT_PUBLIC)
def test_a_hidden_article_is_404_like_none(client, site, kind):
    for pk in (site["hidden"][kind].id, 999999):
        response = get(client, "article", id=pk)
        assert response.status_code == 404
        assert response.json() == {"detail": "没有这一项。", "field": "id"}


def test_one_article_with_its_gallery(client, site):
    covered = site["covered"]
    make_article_image(covered, image=image_file(size=(500, 300)), alt="病房")

    body = get(client, "article", id=covered.id).json()

    listed = get(client, "articles").json()["results"][0]
    assert {k: v for k, v in body.items() if k != "images"} == listed
    assert [image["alt"] for image in body["images"]] == ["病房"]
    assert [r["width"] for r in body["images"][0]["webp"]] == [400, 500]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"channel": "nope"}, "channel"),
        ({"ordering": "-published_at"}, "ordering"),
        ({"q": "a" * 51}, "q"),
        ({"q": "医\x00生"}, "q"),
        ({"limit": "0"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "WyJ4IiwxXQ"}, "cursor"),  # ["x",1]: no moment
        ({"cursor": "WyIyMDI2LTAxLTAxVDAwOjAwOjAwIiwxXQ"}, "cursor"),  # naive
        ({"page": "2"}, "page"),
    ],
)
def test_a_bad_parameter_is_a_400_in_chinese(client, site, params, field):
    response = get(client, "articles", params)

    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field
    assert any("\u4e00" <= char <= "\u9fff" for char in body["detail"])


def test_ordering_lists_its_values_in_chinese(client, site):
    response = get(client, "articles", {"ordering": "new"})

    assert response.json() == {
        "detail": "应为以下之一：newest、oldest。",
        "field": "ordering",
    }


# Channels


def test_channels_in_navigation_order(client, site):
    last = make_channel(name="阿克苏风光", slug="scenery", position=0)

    response = get(client, "channels")

    rows = response.json()["results"]
    assert rows[0]["id"] == last.id
    assert [row["slug"] for row in rows] == ["scenery", "news", "stories"]
    assert rows[1]["url"] == "/channels/news/"
    assert get(client, "channel", id=last.id).json() == rows[0]
    assert walk(client, "channels", {"limit": 1}) == ids(response)
    assert get(client, "channel", id=999999).status_code == 404


# Query counts


def _fill(rows):
    channel = make_channel()
    for n in range(rows):
        article = make_article(
            channel=channel,
            title=f"援疆医生第{n}篇",
            cover=image_file(),
            cover_alt="封面",
        )
        article.projects.add(make_project())
        article.people.add(make_person(f"人员{n}"))
        make_article_image(article)
    return channel


@pytest.mark.parametrize("rows", [1, 30])
def test_articles_cost_four_queries_at_most(client, count_queries, roomy_cache, rows):
    channel = _fill(rows)
    get(client, "channels", {"limit": 1})  # the site version, cached
    params = {"limit": 100, "q": "援疆医生", "channel": channel.slug}
    url = reverse("api:articles")

    # The page with its count, related projects, related people, and the
    # covers' renditions until the cache holds them.
    response, cold = count_queries(url, data=params)
    _response, warm = count_queries(url, data=params)
    assert len(response.json()["results"]) == rows
    assert (cold, warm) == (4, 3)
    _response, queries = count_queries(url, data={"limit": 100})
    assert queries == 3
    if rows > 1:
        deeper, queries = count_queries(
            get(client, "articles", {**params, "limit": 1}).json()["next"]
        )
        assert deeper.status_code == 200 and queries == 3
    # The article, its projects, its people, its gallery (and their
    # renditions until the cache holds them).
    detail = reverse("api:article", kwargs={"id": response.json()["results"][0]["id"]})
    _response, cold = count_queries(detail)
    _response, warm = count_queries(detail)
    assert (cold, warm) == (5, 4)


def test_an_unknown_channel_costs_a_query_only_when_nothing_is_found(
    client, count_queries
):
    _fill(1)
    get(client, "channels", {"limit": 1})

    response, queries = count_queries(reverse("api:articles"), data={"channel": "x"})
    assert response.status_code == 400 and queries == 2


@pytest.mark.parametrize("rows", [1, 30])
def test_channels_cost_one_query(client, count_queries, rows):
    for _n in range(rows):
        make_channel()
    get(client, "channels", {"limit": 1})

    response, queries = count_queries(reverse("api:channels"), data={"limit": 100})
    assert len(response.json()["results"]) == rows
    assert queries == 1
    pk = response.json()["results"][0]["id"]
    _response, queries = count_queries(reverse("api:channel", kwargs={"id": pk}))
    assert queries == 1

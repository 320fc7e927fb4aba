"""繁體 pages (aidportal.kernel.traditional): /zh-hant/… is the page at /…
converted by OpenCC, linked both ways, cached, and never a way round the
rules of the simplified site."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aidportal.kernel.traditional import to_traditional
from tests.builders import make_article, make_assignment, make_channel, make_unit

pytestmark = pytest.mark.django_db

ALTERNATE = re.compile(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">')
SWITCH = re.compile(r'<a class="script-switch" href="([^"]+)"[^>]*>([^<]+)</a>')
LINKS = re.compile(r'(?:href|src|srcset|action)="(/[^"]*)"')


@pytest.fixture
def article(db):
    channel = make_channel(name="援建动态", slug="news")
    return make_article(
        channel=channel,
        title="杭州市第一人民医院专家到阿克苏义诊",
        body="<p>软件与网络。</p>",
    )


def test_the_traditional_page_is_the_simplified_one_converted(client, article):
    simplified = client.get(article.get_absolute_url())
    traditional = client.get(f"/zh-hant{article.get_absolute_url()}")

    assert traditional.status_code == 200
    text = traditional.content.decode()
    assert "杭州市第一人民醫院專家到阿克蘇義診" in text
    # Taiwan phrasing by default: 软件 → 軟體, 网络 → 網路.
    assert "軟體與網路" in text
    assert '<html lang="zh-Hant-TW">' in text
    assert '<meta property="og:locale" content="zh_TW">' in text
    assert traditional["Content-Language"] == "zh-Hant-TW"
    assert "杭州市第一人民医院专家到阿克苏义诊" in simplified.content.decode()
    assert '<html lang="zh-Hans">' in simplified.content.decode()


def test_hong_kong_phrasing_is_a_setting(client, article, settings):
    settings.TRADITIONAL_CHINESE = "hk"
    text = client.get(f"/zh-hant{article.get_absolute_url()}").content.decode()
    assert "軟件與網絡" in text
    assert '<html lang="zh-Hant-HK">' in text


def test_each_version_names_the_other(client, article):
    path = article.get_absolute_url()
    for url in (path, f"/zh-hant{path}"):
        text = client.get(url).content.decode()
        assert ALTERNATE.findall(text) == [
            ("zh-Hans", f"http://testserver{path}"),
            ("zh-Hant-TW", f"http://testserver/zh-hant{path}"),
            ("x-default", f"http://testserver{path}"),
        ]
    assert SWITCH.search(client.get(path).content.decode()).groups() == (
        f"/zh-hant{path}",
        "繁體",
    )
    assert SWITCH.search(client.get(f"/zh-hant{path}").content.decode()).groups() == (
        path,
        "簡體",
    )


def test_the_switch_keeps_the_query(client):
    text = client.get("/zh-hant/personnel/?q=%E5%BC%A0").content.decode()
    assert SWITCH.search(text).group(1) == "/personnel/?q=%E5%BC%A0"


def test_links_stay_in_traditional_and_files_do_not(client, article):
    text = client.get("/zh-hant/").content.decode()
    links = LINKS.findall(SWITCH.sub("", text))
    pages = [link for link in links if not link.startswith(("/static/", "/media/"))]
    assert f"/zh-hant{article.get_absolute_url()}" in pages
    assert all(link.startswith("/zh-hant/") for link in pages), pages
    assert any(link.startswith("/static/") for link in links)
    # The simplified pages rendered after it link to simplified pages only.
    simplified = LINKS.findall(client.get("/").content.decode())
    assert [link for link in simplified if "zh-hant" in link] == ["/zh-hant/"]
    assert reverse("home") == "/"


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/zh-hant", "/zh-hant/"),
        ("/zh-hant/admin/", "/admin/"),
        ("/zh-hant/static/css/site.css", "/static/css/site.css"),
        ("/zh-hant/media/x.jpg?v=1", "/media/x.jpg?v=1"),
        ("/zh-hant/healthz", "/healthz"),
    ],
)
def test_addresses_without_a_traditional_version_go_to_the_simplified_one(
    client, path, location
):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == location


def test_unknown_and_unpublished_pages_are_404_in_traditional_too(client, article):
    draft = make_article(channel=article.channel, title="草稿", status="draft")
    scheduled = make_article(
        channel=article.channel,
        title="定时",
        published_at=timezone.now() + timedelta(days=1),
    )
    for url in ("/zh-hant/nowhere/", f"/zh-hant{draft.get_absolute_url()}"):
        response = client.get(url)
        assert response.status_code == 404
        assert '<html lang="zh-Hant-TW">' in response.content.decode()
    assert client.get(f"/zh-hant{scheduled.get_absolute_url()}").status_code == 404
    assert client.get("/zh-hant/zh-hant/").status_code == 404


def test_traditional_pages_are_cached_apart(
    page_cache, article, django_assert_num_queries
):
    client = Client()
    url = f"/zh-hant{article.get_absolute_url()}"
    first = client.get(url)
    with django_assert_num_queries(0):
        again = client.get(url)
    assert again.content == first.content
    assert "阿克蘇" in again.content.decode()
    # Its own entry and validator: the simplified page is not the traditional one.
    simplified = client.get(article.get_absolute_url())
    assert "阿克苏义诊" in simplified.content.decode()
    assert simplified["ETag"] != first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_change_reaches_the_cached_traditional_page(page_cache, article):
    client = Client()
    url = f"/zh-hant{article.get_absolute_url()}"
    client.get(url)
    article.title = "阿克苏乡村医生培训开班"
    article.save()
    assert "阿克蘇鄉村醫生培訓開班" in client.get(url).content.decode()


@pytest.mark.parametrize(
    "path", ["/", "/articles/", "/personnel/", "/personnel/?q=%E5%BC%A0%E6%9E%97"]
)
def test_a_traditional_page_runs_the_queries_of_its_simplified_one(
    client, article, count_queries, path
):
    make_assignment(name="张林")
    count_queries(path)  # blocks (navigation, figures) kept for both
    _, simplified = count_queries(path)
    response, traditional = count_queries(f"/zh-hant{path}")
    assert response.status_code == 200
    assert traditional == simplified


def test_the_feed_is_converted_and_files_are_not(client, article):
    make_assignment(name="张林", receiving_unit=make_unit("杭州市第一人民医院"))
    feed = client.get("/zh-hant/feeds/articles/").content.decode()
    assert "阿克蘇義診" in feed
    export = client.get("/zh-hant/personnel/export.csv")
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "张林" in body and "杭州市第一人民医院" in body


def test_conversion_is_opencc():
    assert to_traditional("援疆干部发展") == "援疆幹部發展"

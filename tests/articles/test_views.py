from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.builders import (
    NOT_PUBLIC,
    image_file,
    make_article,
    make_article_image,
    make_channel,
    tags,
)

pytestmark = pytest.mark.django_db


# Article list


def test_article_list_shows_published_articles_newest_first(client):
    make_article(title="旧闻", published_at=timezone.now() - timedelta(days=2))
    make_article(title="新闻", published_at=timezone.now() - timedelta(hours=1))
    html = client.get(reverse("articles:list")).content.decode()
    assert html.index("新闻") < html.index("旧闻")


@pytest.mark.parametrize("kind", NOT_PUBLIC)
def test_article_list_hides_non_public_articles(client, kind):
    make_article(title=f"哨兵{kind}", **NOT_PUBLIC[kind])
    assert f"哨兵{kind}" not in client.get(reverse("articles:list")).content.decode()


def test_article_list_filters_by_channel_slug(client):
    news = make_channel(slug="news")
    make_article(channel=news, title="栏目内")
    make_article(title="栏目外")
    html = client.get(reverse("articles:list"), {"channel": "news"}).content.decode()
    assert "栏目内" in html
    assert "栏目外" not in html


def test_unknown_channel_filter_is_a_clear_400(client):
    response = client.get(reverse("articles:list"), {"channel": "no-such"})
    assert response.status_code == 400
    assert "channel" in response.content.decode()


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999", "1.5", "10" * 13])
def test_article_list_bad_page_is_404_not_500(client, page):
    make_article()
    response = client.get(reverse("articles:list"), {"page": page})
    assert response.status_code == 404


def test_article_list_paginates(client, settings):
    channel = make_channel()
    for number in range(settings.ARTICLES_PER_PAGE + 1):
        make_article(
            channel=channel,
            title=f"第{number}篇",
            published_at=timezone.now() - timedelta(minutes=number + 1),
        )
    second = client.get(reverse("articles:list"), {"page": "2"})
    assert second.status_code == 200
    assert list(second.context["page_obj"]) == [
        Article.objects.order_by("published_at").first()
    ]


# Channel page


def test_channel_page_shows_only_its_published_articles(client):
    channel = make_channel(slug="stories", name="援建故事")
    make_article(channel=channel, title="本栏目")
    make_article(channel=channel, title="草稿稿", status=Article.Status.DRAFT)
    make_article(title="别的栏目")
    response = client.get(reverse("articles:channel", kwargs={"slug": "stories"}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "援建故事" in html
    assert "本栏目" in html
    assert "草稿稿" not in html
    assert "别的栏目" not in html


def test_unknown_channel_page_is_404(client):
    assert client.get("/channels/no-such/").status_code == 404


# Article page


def test_article_page_shows_the_reference_page_parts(client):
    article = make_article(
        title="西湖水来 天山花开",
        subtitle="第十批援疆工作综述",
        source="杭州日报",
        author="林尧",
        editor="高婷婷",
        cover_alt="果品首发仪式",
        cover_caption="核桃十车首发。",
        cover=image_file(),
        body="<h2>产业</h2><p>段落</p>",
    )
    make_article_image(article, caption="医生查房照片", alt="查房")
    html = client.get(article.get_absolute_url()).content.decode()
    for fragment in (
        "西湖水来 天山花开",
        "第十批援疆工作综述",
        "来源：杭州日报",
        "作者：林尧",
        "编辑：高婷婷",
        'alt="果品首发仪式"',
        "<figcaption>核桃十车首发。</figcaption>",
        "<figcaption>医生查房照片</figcaption>",
        "<h2>产业</h2>",
        "您现在的位置",
    ):
        assert fragment in html


def credits_of(response):
    html = response.content.decode()
    start = html.find('<p class="article-credits">')
    return html[start : html.index("</p>", start)] if start >= 0 else None


def test_empty_credit_fields_are_left_out(client):
    article = make_article(source="杭州日报", author="", editor="高婷婷")
    credits = credits_of(client.get(article.get_absolute_url()))
    assert "来源：杭州日报" in credits
    assert "编辑：高婷婷" in credits
    assert "作者" not in credits


def test_an_article_without_credits_has_no_credits_line(client):
    article = make_article(source="", author="", editor="")
    response = client.get(article.get_absolute_url())
    assert credits_of(response) is None
    assert "作者" not in response.content.decode()


def shows_summary(response):
    return '<p class="article-summary">' in response.content.decode()


@pytest.mark.parametrize(
    ("summary", "body"),
    [
        (
            "6月28日，78名人才返回杭州。",
            "<p>6月28日，78名人才返回杭州。</p><p>次段。</p>",
        ),
        # Tags, entities, line breaks and the width of punctuation differ.
        (
            "6月28日, 78名人才 返回杭州。",
            "<p>6月28日，<strong>78名</strong>人才\n返回&#26477;州。</p>",
        ),
        # The first paragraph cut short.
        ("6月28日，78名人才返回……", "<p>6月28日，78名人才返回杭州。</p>"),
        ("6月28日，78名人才返回...", "<p>6月28日，78名人才返回杭州。</p>"),
    ],
)
def test_summary_that_only_repeats_the_body_start_is_left_out(client, summary, body):
    article = make_article(summary=summary, body=body)
    response = client.get(article.get_absolute_url())
    assert not shows_summary(response)
    # Lists still show it: there it stands alone.
    listed = client.get(reverse("articles:list")).content.decode()
    assert '<p class="card-summary">' in listed


@pytest.mark.parametrize(
    "summary",
    [
        "78名援疆人才完成任务，6月28日回到杭州。",  # says it another way
        "6月28日，78名人才返回杭州，结束了援疆工作。",  # says more
    ],
)
def test_summary_that_says_something_else_is_shown(client, summary):
    article = make_article(summary=summary, body="<p>6月28日，78名人才返回杭州。</p>")
    assert shows_summary(client.get(article.get_absolute_url()))


def test_cover_links_are_named_by_the_headline(client):
    article = make_article(
        title="援疆医生完成首例手术", cover=image_file(), cover_alt="手术室里的医生"
    )
    response = client.get(reverse("articles:list"))
    [link] = [a for a in tags(response, "a") if a.get("class") == "card-cover"]
    assert link["href"] == article.get_absolute_url()
    assert link["aria-label"] == "援疆医生完成首例手术"
    assert [img["alt"] for img in tags(response, "img")] == ["手术室里的医生"]


def test_only_the_first_cover_of_a_list_loads_at_once(client):
    now = timezone.now()
    make_article(title="最新无图", published_at=now - timedelta(minutes=1))
    for minutes in (2, 3, 4):
        make_article(cover=image_file(), published_at=now - timedelta(minutes=minutes))
    images = tags(client.get(reverse("articles:list")), "img")
    assert [(img["loading"], img.get("fetchpriority")) for img in images] == [
        ("eager", "high"),
        ("lazy", None),
        ("lazy", None),
    ]
    # Each keeps its box while it loads: the page does not jump.
    assert all(img["width"] and img["height"] for img in images)


def test_the_cover_of_an_article_page_loads_at_once_and_its_gallery_lazily(client):
    article = make_article(cover=image_file(), cover_alt="题图")
    make_article_image(article)
    cover, gallery = tags(client.get(article.get_absolute_url()), "img")
    assert (cover["loading"], cover["fetchpriority"]) == ("eager", "high")
    assert gallery["loading"] == "lazy"
    assert all(img["width"] and img["height"] for img in (cover, gallery))


@pytest.mark.parametrize("kind", NOT_PUBLIC)
def test_non_public_article_is_404_for_anonymous(client, kind):
    article = make_article(**NOT_PUBLIC[kind])
    assert client.get(article.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("path", ["/articles/0/", "/articles/99999999999999999999/"])
def test_missing_or_oversized_article_id_is_404(client, path):
    assert client.get(path).status_code == 404


def test_article_page_links_previous_and_next_in_channel(client):
    channel = make_channel()
    now = timezone.now()
    older = make_article(channel=channel, published_at=now - timedelta(days=3))
    current = make_article(channel=channel, published_at=now - timedelta(days=2))
    newer = make_article(channel=channel, published_at=now - timedelta(days=1))
    make_article(channel=channel, status=Article.Status.DRAFT, published_at=now)
    make_article(published_at=now - timedelta(days=1, hours=12))  # other channel

    context = client.get(current.get_absolute_url()).context

    assert context["previous_article"] == older
    assert context["next_article"] == newer
    assert set(context["related_articles"]) == {older, newer}


# Query counts: the same for 1 and for 30 rows.


def _fill(channel, count):
    for number in range(count):
        article = make_article(
            channel=channel,
            featured=True,
            published_at=timezone.now() - timedelta(minutes=number + 1),
        )
        make_article_image(article)
    return article


@pytest.mark.parametrize(
    ("url_for", "expected"),
    [
        # Every page: navigation and the footer's site record (cached
        # blocks, cold here).
        # featured, latest, newest per channel, project totals, roster figures
        (lambda channel, article: reverse("home"), 7),
        # count, page, channel choices of the filter form
        (lambda channel, article: reverse("articles:list"), 5),
        # ... and the channel named in the query string
        (lambda c, a: reverse("articles:list") + f"?channel={c.slug}", 6),
        # channel, count, page
        (lambda channel, article: channel.get_absolute_url(), 5),
        # article, gallery, and once per site version (a cached block)
        # previous, next, related articles, projects and people
        (lambda channel, article: article.get_absolute_url(), 9),
    ],
    ids=["home", "list", "list-filtered", "channel", "detail"],
)
def test_public_pages_run_a_fixed_number_of_queries(count_queries, url_for, expected):
    for rows in (1, 30):
        Article.objects.all().delete()
        channel = make_channel()
        article = _fill(channel, rows)
        response, queries = count_queries(url_for(channel, article))
        assert response.status_code == 200
        assert queries == expected, f"{rows} rows"


def _approved_by(**names):
    from tests.builders import PUBLISHER, make_staff

    publisher = make_staff(PUBLISHER, **names)
    return make_article(status=Article.Status.PUBLISHED, reviewed_by=publisher)


def test_the_article_names_the_publisher_who_approved_it(client, settings):
    settings.SHOW_REVIEWER = True
    article = _approved_by(last_name="张", first_name="审")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "审核：张审" in html


def test_the_approving_publisher_is_hidden_when_the_site_says_so(client, settings):
    settings.SHOW_REVIEWER = False
    article = _approved_by(last_name="张", first_name="审")
    assert "审核：" not in client.get(article.get_absolute_url()).content.decode()


def test_an_account_name_is_never_shown_as_the_reviewer(client, settings):
    settings.SHOW_REVIEWER = True
    article = _approved_by(username="zhang-admin")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "审核：" not in html and "zhang-admin" not in html


# Sharing and printing: the article's address as a QR code and a printed line.


def test_the_article_page_shows_the_qr_code_of_its_absolute_address(client):
    from aidportal.kernel.qr import qr_svg
    from tests.kernel.test_qr import modules_drawn, modules_of

    article = make_article()
    html = client.get(article.get_absolute_url()).content.decode()
    address = f"http://testserver{article.get_absolute_url()}"
    svg = html[html.index('<svg role="img"') : html.index("</svg>") + 6]
    assert modules_drawn(svg) == modules_of(address)
    assert svg == qr_svg(address, label="本文网址二维码：扫码在手机上阅读")
    assert f'<p class="print-url">本文网址：{address}</p>' in html


@pytest.mark.parametrize("kind", NOT_PUBLIC)
def test_no_qr_code_of_an_unpublished_article_for_anonymous(client, kind):
    article = make_article(**NOT_PUBLIC[kind])
    response = client.get(article.get_absolute_url())
    assert response.status_code == 404
    assert "<svg" not in response.content.decode()

"""Channels and articles in the open-data API: the published articles as the
article list and channel pages show them, with their cover's renditions and
their published related projects and people."""

from datetime import datetime
from typing import Annotated, Literal

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from aidportal.kernel.api import (
    ERROR_RESPONSES,
    NO_NUL,
    Blank,
    Id,
    PageQuery,
    PictureOut,
    accepts,
    cover,
    cover_and_gallery,
    cursor_page,
    filter_error,
    found,
    gallery,
    page_schema,
    with_renditions,
)
from aidportal.kernel.pagination import keyset_order
from articles.filters import ArticleFilter
from articles.models import Article, Channel

router = Router(tags=["栏目与文章"])

CHANNEL_ORDER = ["position", "id"]
# The pages' order (newest first), and its reverse.
ARTICLE_ORDERS = {
    "newest": ["-published_at", "-id"],
    "oldest": ["published_at", "id"],
}
DEFAULT_ORDER = "newest"


# Schemas


class ChannelBrief(Schema):
    id: int = Field(description="栏目编号。")
    name: str = Field(description="栏目名称，如“前沿动态”。")
    slug: str = Field(description="栏目网址名（英文），文章列表按栏目筛选时用它。")


class ChannelOut(ChannelBrief):
    description: str = Field(description="栏目简介；没有时为空字符串。")
    position: int = Field(description="排序号：数字小的排在导航前面。")
    in_navigation: bool = Field(description="是否显示在网站导航中。")
    url: str = Field(description="栏目页面地址（相对路径）。")

    @staticmethod
    def resolve_url(obj):
        return obj.get_absolute_url()


class LinkOut(Schema):
    id: int = Field(description="编号。")
    name: str = Field(description="名称或姓名。")
    url: str = Field(description="在门户上的页面地址（相对路径）。")

    @staticmethod
    def resolve_url(obj):
        return obj.get_absolute_url()


class ArticleOut(Schema):
    id: int = Field(description="文章编号。")
    title: str = Field(description="标题。")
    subtitle: str = Field(description="副标题；没有时为空字符串。")
    summary: str = Field(description="摘要；没有时为空字符串。")
    channel: ChannelBrief = Field(description="所属栏目。")
    source: str = Field(description="来源；没有时为空字符串。")
    author: str = Field(description="作者；没有时为空字符串。")
    editor: str = Field(description="编辑；没有时为空字符串。")
    featured: bool = Field(description="是否为首页推荐文章。")
    published_at: datetime = Field(description="发布时间（带时区）。")
    expires_at: datetime | None = Field(
        description="下线时间（带时区），到时从网站撤下；不下线时为空。"
    )
    url: str = Field(description="文章页面地址（相对路径）。")
    cover: PictureOut | None = Field(description="题图及其缩放版本；没有题图时为空。")
    projects: list[LinkOut] = Field(description="相关的已发布援建项目。")
    people: list[LinkOut] = Field(description="相关的公开援疆人员。")

    @staticmethod
    def resolve_url(obj):
        return obj.get_absolute_url()

    @staticmethod
    def resolve_cover(obj):
        return cover(obj, obj.renditions)


class ArticleDetail(ArticleOut):
    images: list[PictureOut] = Field(description="文章组图，按排列顺序。")

    @staticmethod
    def resolve_images(obj):
        return gallery(obj.images.all(), obj.renditions)


ChannelPage = page_schema(ChannelOut, "ChannelPage")
ArticlePage = page_schema(ArticleOut, "ArticlePage")


# Parameters


class ArticleQuery(Schema):
    """The article list's filters (/articles/), and the site search's."""

    channel: Annotated[str | None, Blank] = Field(
        None,
        max_length=40,
        pattern=NO_NUL,
        description="栏目网址名，如 news（见 /channels/）：只列这一栏目的文章。",
    )
    q: str | None = Field(
        None,
        max_length=50,
        pattern=NO_NUL,
        description=(
            "检索词：在标题、副标题、摘要和正文中查找，找到的文章与全站搜索相同"
            "（忽略空格与全角半角之别，繁体字按简体检索），按 ordering 排列。"
        ),
    )
    ordering: Annotated[Literal[tuple(ARTICLE_ORDERS)] | None, Blank] = Field(
        None,
        description=(
            "排序：newest（按发布时间从新到旧，默认，与文章列表和栏目页相同）、"
            "oldest（从旧到新）。"
        ),
    )


# Operations


def articles_for_api():
    """Published articles with what the API shows of them: their channel,
    and their published related projects and people (two queries for any
    number of articles)."""
    projects = Article.projects.field.related_model
    people = Article.people.field.related_model
    return (
        Article.objects.published()
        .for_listing()
        .prefetch_related(
            Prefetch(
                "projects",
                queryset=projects.objects.published().only("id", "name").order_by("id"),
            ),
            Prefetch(
                "people",
                queryset=people.objects.published().only("id", "name").order_by("id"),
            ),
        )
    )


@router.get(
    "/channels/",
    response={200: ChannelPage, **ERROR_RESPONSES},
    summary="栏目",
    description="网站的全部栏目，按导航中的顺序排列。",
    operation_id="channels_list",
)
@accepts(PageQuery)
def channels(request: HttpRequest, page: Query[PageQuery]):
    rows = Channel.objects.order_by(*CHANNEL_ORDER)
    return cursor_page(request, rows, CHANNEL_ORDER, page)


@router.get(
    "/channels/{id}/",
    response={200: ChannelOut, **ERROR_RESPONSES},
    summary="一个栏目",
    description="一个栏目；不存在的编号为 404。",
    operation_id="channels_detail",
)
@accepts()
def channel(request: HttpRequest, id: Id):
    return found(Channel.objects.all(), id)


@router.get(
    "/articles/",
    response={200: ArticlePage, **ERROR_RESPONSES},
    summary="文章",
    description=(
        "已发布的文章（草稿、定时未到、已下线和已归档的文章不列出），"
        "筛选与文章列表页相同，检索与全站搜索相同。"
    ),
    operation_id="articles_list",
)
@accepts(ArticleQuery, PageQuery)
def articles(
    request: HttpRequest, filters: Query[ArticleQuery], page: Query[PageQuery]
):
    rows = articles_for_api()
    if filters.q and filters.q.strip():
        rows = rows.search(filters.q)
    if filters.channel:
        rows = rows.filter(channel__slug=filters.channel)
    order = ARTICLE_ORDERS[filters.ordering or DEFAULT_ORDER]
    rows = rows.order_by(*keyset_order(Article, order))
    answer = cursor_page(request, rows, order, page)
    if filters.channel and not answer["results"]:
        # The channel is looked up only when nothing is found (a row found
        # shows it exists): an unknown one is refused as the page refuses it.
        chosen = ArticleFilter({"channel": filters.channel}, queryset=rows.none())
        if not chosen.is_valid():
            raise filter_error(chosen.form)
    with_renditions(answer["results"], lambda row: [row.cover])
    return answer


@router.get(
    "/articles/{id}/",
    response={200: ArticleDetail, **ERROR_RESPONSES},
    summary="一篇文章",
    description=(
        "一篇已发布的文章及其组图；"
        "未发布、定时未到、已下线、已归档或不存在的文章为 404。"
    ),
    operation_id="articles_detail",
)
@accepts()
def article(request: HttpRequest, id: Id):
    row = found(articles_for_api().prefetch_related("images"), id)
    return with_renditions([row], cover_and_gallery)[0]

"""The articles' bulk download (/data/): the metadata of published articles,
never their bodies. Their fields are described by ``ArticleRecord`` until the
open-data API has a schema of articles; the dataset then points ``schema``
at it."""

from datetime import datetime

from django.urls import reverse
from ninja import Field, Schema

from aidportal.kernel.datasets import Column, Dataset
from articles.models import Article


def article_url(pk: int) -> str:
    return reverse("articles:detail", kwargs={"pk": pk})


class ArticleRecord(Schema):
    id: int = Field(description="文章编号。")
    title: str = Field(description="标题。")
    subtitle: str = Field(description="副标题；没有时为空字符串。")
    channel: str = Field(description="所属栏目的名称。")
    channel_slug: str = Field(description="所属栏目的网址名，如 news。")
    published_at: datetime = Field(description="发布时间（UTC）。")
    source: str = Field(description="来源；没有时为空字符串。")
    author: str = Field(description="作者；没有时为空字符串。")
    summary: str = Field(description="摘要；没有时为空字符串。")
    url: str = Field(description="文章在门户上的页面地址（相对路径）。")


articles = Dataset(
    name="articles",
    title="文章目录",
    description="已发布文章的元数据：标题、栏目、发布时间、来源、作者、摘要与地址，不含正文。",
    schema=ArticleRecord,
    columns=(
        Column("id", "文章编号", "id"),
        Column("title", "标题", "title"),
        Column("subtitle", "副标题", "subtitle"),
        Column("channel", "栏目", "channel__name"),
        Column("channel_slug", "栏目网址名", "channel__slug"),
        Column("published_at", "发布时间", "published_at"),
        Column("source", "来源", "source"),
        Column("author", "作者", "author"),
        Column("summary", "摘要", "summary"),
        Column("url", "页面地址", "id", convert=article_url),
    ),
    rows=lambda: Article.objects.published().order_by("id"),
    primary_key=("id",),
)

datasets = [articles]

"""The articles' bulk download (/data/): the metadata of published articles,
never their bodies, described by the open-data API's schema of an article."""

from django.urls import reverse

from aidportal.kernel.datasets import Column, Dataset
from articles.api import ArticleOut
from articles.models import Article


def article_url(pk: int) -> str:
    return reverse("articles:detail", kwargs={"pk": pk})


articles = Dataset(
    name="articles",
    title="文章目录",
    description="已发布文章的元数据：标题、栏目、发布时间、来源、作者、摘要与地址，不含正文。",
    schema=ArticleOut,
    columns=(
        Column("id", "文章编号", "id"),
        Column("title", "标题", "title"),
        Column("subtitle", "副标题", "subtitle"),
        Column("channel", "栏目", "channel__name", about="channel.name"),
        Column("channel_slug", "栏目网址名", "channel__slug", about="channel.slug"),
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

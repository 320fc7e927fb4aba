from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import escape

from articles.models import Article, Channel

FEED_ITEMS = 30


class LatestArticlesFeed(Feed):
    """RSS 2.0 of the newest published articles."""

    description = settings.SITE_DESCRIPTION

    def title(self):
        return f"{settings.SITE_NAME} · 最新文章"

    def link(self):
        return reverse("articles:list")

    def items(self):
        return Article.objects.published().for_listing()[:FEED_ITEMS]

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        # RSS readers read <description> as HTML; a summary is plain text.
        return escape(article.summary or article.subtitle)

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_author_name(self, article):
        return article.author or None

    def item_categories(self, article):
        return [article.channel.name]


class ChannelFeed(LatestArticlesFeed):
    """RSS 2.0 of one channel."""

    def get_object(self, request, slug):
        return get_object_or_404(Channel, slug=slug)

    def title(self, channel):
        return f"{settings.SITE_NAME} · {channel.name}"

    def link(self, channel):
        return channel.get_absolute_url()

    def description(self, channel):
        return escape(channel.description or settings.SITE_DESCRIPTION)

    def items(self, channel):
        return (
            Article.objects.published()
            .for_listing()
            .filter(channel=channel)[:FEED_ITEMS]
        )

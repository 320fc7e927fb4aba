from django.conf import settings
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.views.generic import ListView

from aidportal.kernel.caching import cached_block
from aidportal.kernel.pagination import CappedPaginator
from aidportal.kernel.qr import qr_svg
from aidportal.kernel.views import FilteredListMixin, PreviewMixin, PublishedDetailView
from articles.filters import ArticleFilter
from articles.models import Article, Channel

RELATED_ARTICLES = 5


class ArticleListView(FilteredListMixin, ListView):
    filterset_class = ArticleFilter
    paginate_by = settings.ARTICLES_PER_PAGE
    paginator_class = CappedPaginator
    template_name = "articles/article_list.html"

    def get_base_queryset(self):
        return Article.objects.published().for_listing()


class ChannelDetailView(ListView):
    """One channel: its description and its published articles, newest first."""

    paginate_by = settings.ARTICLES_PER_PAGE
    paginator_class = CappedPaginator
    template_name = "articles/channel_detail.html"
    page_cache_params = ("page",)

    def get_queryset(self):
        self.channel = get_object_or_404(Channel, slug=self.kwargs["slug"])
        return Article.objects.published().for_listing().filter(channel=self.channel)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            channel=self.channel, current_channel=self.channel, **kwargs
        )


class ArticleDetailView(PublishedDetailView):
    model = Article
    template_name = "articles/article_detail.html"

    def get_context_data(self, **kwargs):
        article = self.object
        # The public address (scheme and host as the canonical link has them),
        # also on a preview, whose own path is for staff only.
        address = self.request.build_absolute_uri(article.get_absolute_url())
        return super().get_context_data(
            current_channel=article.channel,
            show_reviewer=settings.SHOW_REVIEWER,
            address=address,
            address_qr=qr_svg(address, label="本文网址二维码：扫码在手机上阅读"),
            **cached_block(f"article-around:{article.pk}", lambda: around(article)),
            **kwargs,
        )


def around(article):
    """What an article page shows beside the article: its neighbours in its
    channel, the channel's latest other articles, related projects and
    people (a cached block: five queries once per site version)."""
    siblings = (
        Article.objects.published().for_listing().filter(channel_id=article.channel_id)
    )
    older = Q(published_at__lt=article.published_at) | Q(
        published_at=article.published_at, pk__lt=article.pk
    )
    newer = Q(published_at__gt=article.published_at) | Q(
        published_at=article.published_at, pk__gt=article.pk
    )
    return {
        "previous_article": siblings.filter(older).first(),
        "next_article": siblings.filter(newer).order_by("published_at", "pk").first(),
        "related_articles": list(siblings.exclude(pk=article.pk)[:RELATED_ARTICLES]),
        "related_projects": list(article.projects.published()),
        "related_people": list(article.people.published()),
    }


class ArticlePreviewView(PreviewMixin, ArticleDetailView):
    """A draft or scheduled article as it will look, for staff."""

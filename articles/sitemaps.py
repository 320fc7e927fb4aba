from django.contrib.sitemaps import GenericSitemap

from aidportal.kernel.sitemaps import PublishedSitemap
from articles.models import Article, Channel

sitemaps = {
    "channels": GenericSitemap(
        {"queryset": Channel.objects.order_by("position", "pk")}, changefreq="daily"
    ),
    "articles": PublishedSitemap(Article, changefreq="monthly"),
}

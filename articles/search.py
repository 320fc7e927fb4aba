from django.utils.translation import gettext_lazy as _

from aidportal.kernel.search import SearchProvider
from articles.models import Article


def search_articles(query):
    """Published articles matching ``query``: title matches first, then newest."""
    return Article.objects.published().search(query).for_listing()


provider = SearchProvider(
    "articles", _("文章"), search_articles, "articles/includes/_search_result.html"
)

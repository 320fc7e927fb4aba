from itertools import groupby

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from articles.models import Article

FEATURED_ARTICLES = 4
LATEST_ARTICLES = 8
ARTICLES_PER_CHANNEL_BLOCK = 5


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        published = Article.objects.published().for_listing()
        per_channel = published.newest_per_channel(ARTICLES_PER_CHANNEL_BLOCK)
        channel_blocks = [
            (channel, list(articles))
            for channel, articles in groupby(per_channel, key=lambda a: a.channel)
            if channel.in_navigation
        ]
        channel_blocks.sort(key=lambda block: (block[0].position, block[0].pk))
        return super().get_context_data(
            featured_articles=list(published.filter(featured=True)[:FEATURED_ARTICLES]),
            latest_articles=list(published[:LATEST_ARTICLES]),
            channel_blocks=channel_blocks,
            **kwargs,
        )


@never_cache
@require_safe
def healthz(request):
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})

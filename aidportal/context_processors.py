from django.conf import settings
from django.utils.functional import SimpleLazyObject

from aidportal.caching import cached_block
from articles.models import Channel


def navigation_channels():
    return list(Channel.objects.filter(in_navigation=True))


def site(request):
    return {
        "site_name": settings.SITE_NAME,
        "site_description": settings.SITE_DESCRIPTION,
        # Read from the cache until content changes: no query on most pages.
        "nav_channels": SimpleLazyObject(
            lambda: cached_block("nav-channels", navigation_channels)
        ),
    }

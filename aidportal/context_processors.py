from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.utils.functional import SimpleLazyObject

from aidportal.kernel.caching import cached_block
from aidportal.kernel.traditional import (
    SIMPLIFIED_LANGUAGE,
    alternates,
    is_traditional,
    variant,
)
from aidportal.models import site_registry
from articles.models import Channel


def navigation_channels():
    return list(Channel.objects.filter(in_navigation=True))


def site_url(request):
    """``scheme://host`` for absolute links (canonical, Open Graph); empty when
    the Host header is not one of ALLOWED_HOSTS, as on the 400 page that
    refuses it (reading it there again would turn the 400 into a 500)."""
    try:
        return f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:
        return ""


def site(request):
    return {
        "site_name": settings.SITE_NAME,
        "site_description": settings.SITE_DESCRIPTION,
        "site_url": site_url(request),
        # Read from the cache until content changes: no query on most pages.
        "nav_channels": SimpleLazyObject(
            lambda: cached_block("nav-channels", navigation_channels)
        ),
        "site_registry": SimpleLazyObject(site_registry),
        **script(request),
    }


def script(request):
    """简体 or 繁體: the page's language tag and Open Graph locale, and the
    addresses of both versions (the header's switch, hreflang)."""
    traditional = is_traditional(request)
    return {
        "traditional": traditional,
        "page_language": variant().language if traditional else SIMPLIFIED_LANGUAGE,
        "page_locale": variant().locale if traditional else "zh_CN",
        "traditional_language": variant().language,
        "alternates": alternates(request),
    }

from django.conf import settings

from articles.models import Channel


def site(request):
    return {
        "site_name": settings.SITE_NAME,
        "site_description": settings.SITE_DESCRIPTION,
        "nav_channels": Channel.objects.filter(in_navigation=True),
    }

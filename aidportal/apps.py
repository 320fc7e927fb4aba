from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidportalConfig(AppConfig):
    """The site layer: home, site search, sitemap and feed composition, the
    newsroom roles and the demo content."""

    name = "aidportal"
    verbose_name = _("门户")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidportalConfig(AppConfig):
    name = "aidportal"
    verbose_name = _("门户")

    def ready(self):
        from aidportal import lookups  # noqa: F401 (registers __substring)

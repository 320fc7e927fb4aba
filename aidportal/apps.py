from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

CONTENT_APPS = ("articles", "projects", "personnel")


class AidportalConfig(AppConfig):
    name = "aidportal"
    verbose_name = _("门户")

    def ready(self):
        from django.apps import apps
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from aidportal import lookups  # noqa: F401 (registers __substring)
        from aidportal.caching import bump_site_version

        # Any change to content invalidates the cached pages (infrastructure,
        # not domain logic: it must hold for every code path that saves).
        for app_label in CONTENT_APPS:
            for model in apps.get_app_config(app_label).get_models():
                post_save.connect(bump_site_version, sender=model)
                post_delete.connect(bump_site_version, sender=model)
        m2m_changed.connect(bump_site_version)

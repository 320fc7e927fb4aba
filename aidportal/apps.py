from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

CONTENT_APPS = ("articles", "projects", "personnel")


class AidportalConfig(AppConfig):
    name = "aidportal"
    verbose_name = _("门户")

    def ready(self):
        from django.apps import apps
        from django.db.models.signals import m2m_changed, post_delete, post_save
        from simple_history.models import HistoricalChanges

        from aidportal import lookups  # noqa: F401 (registers __substring)
        from aidportal.caching import content_changed

        # Any change to content invalidates the cached pages (infrastructure,
        # not domain logic: it must hold for every code path that saves).
        # History rows are written with every change: they add nothing.
        for app_label in CONTENT_APPS:
            for model in apps.get_app_config(app_label).get_models():
                if issubclass(model, HistoricalChanges):
                    continue
                post_save.connect(content_changed, sender=model)
                post_delete.connect(content_changed, sender=model)
                for field in model._meta.local_many_to_many:
                    through = field.remote_field.through
                    m2m_changed.connect(content_changed, sender=through)

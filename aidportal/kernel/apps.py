from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KernelConfig(AppConfig):
    name = "aidportal.kernel"
    label = "kernel"
    verbose_name = _("内核")

    def ready(self):
        from aidportal.kernel import search  # noqa: F401 (registers __substring)
        from aidportal.kernel.caching import connect_invalidation

        connect_invalidation()

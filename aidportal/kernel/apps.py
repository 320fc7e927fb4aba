from axes import apps as axes_apps
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KernelConfig(AppConfig):
    name = "aidportal.kernel"
    label = "kernel"
    verbose_name = _("内核")

    def ready(self):
        # Registered on import: the __substring lookup, the <id> and
        # <file_path> converters every app's URLs use.
        from aidportal.kernel import converters, search  # noqa: F401
        from aidportal.kernel.audit import connect_login_records
        from aidportal.kernel.caching import connect_invalidation

        connect_invalidation()
        connect_login_records()


class LoginThrottlingConfig(axes_apps.AppConfig):
    """django-axes under a Chinese name in the admin (its app has none);
    aidportal.kernel.admin registers its screens for superusers only."""

    default = False
    verbose_name = _("登录限制")

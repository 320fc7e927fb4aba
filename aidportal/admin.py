from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aidportal.kernel.admin import HistoryAdmin
from aidportal.models import SiteRegistry, site_registry


@admin.register(SiteRegistry)
class SiteRegistryAdmin(HistoryAdmin):
    """The site's one record, for superusers only whatever a group is given:
    it speaks for the site's owner. Its list is the row itself (or the form
    that adds it); it is never deleted, only emptied."""

    fieldsets = [
        (
            _("主办与联系"),
            {"fields": ["sponsor", "operator", "address", "phone", "email"]},
        ),
        (
            _("备案与标识"),
            {"fields": ["site_code", "icp_number", "public_security_number"]},
        ),
        (
            _("党政机关网站标识"),
            {"fields": ["gov_badge", "gov_badge_alt", "gov_badge_url"]},
        ),
        (_("页脚"), {"fields": ["footer_note"]}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "gov_badge_url":
            kwargs["assume_scheme"] = "https"
            kwargs["error_messages"] = {
                "invalid": _("标识链接格式不对：应为完整网址，如“https://…”。")
            }
        if db_field.name == "email":
            # Django's own message says “Email” in Latin letters.
            kwargs["error_messages"] = {
                "invalid": _("电子邮箱格式不对：应如“office@example.org”。")
            }
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        # Asked for every admin page's menu: the cached record, no query.
        return request.user.is_superuser and site_registry().pk is None

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        row = SiteRegistry.objects.first()
        if row is None:
            return redirect(reverse("admin:aidportal_siteregistry_add"))
        return redirect(reverse("admin:aidportal_siteregistry_change", args=[row.pk]))

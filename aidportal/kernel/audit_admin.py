"""The audit log in the admin: superusers read it, nobody changes it; and
every deletion through the admin is an entry of it."""

import json

from django.contrib import admin
from django.db import router, transaction
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from aidportal.kernel.audit import AuditAction, AuditEntry, record


class AuditedDeletionsMixin:
    """Each row deleted through the admin (its change form's delete, the bulk
    delete action) is one DELETE entry, written in the deletion's transaction:
    a deletion that fails leaves none. Rows the deletion cascades to are not
    entries of their own: the trash restores them with their parent."""

    def delete_model(self, request, obj):
        with transaction.atomic(using=router.db_for_write(self.model)):
            record(AuditAction.DELETE, request=request, obj=obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic(using=router.db_for_write(self.model)):
            for obj in queryset:
                record(AuditAction.DELETE, request=request, obj=obj)
            super().delete_queryset(request, queryset)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only, and for superusers only, whatever a group is given: the log
    answers for what staff did, so no staff member may edit or remove an
    entry (``manage.py prune_audit_log`` removes old ones)."""

    list_display = [
        "at",
        "username",
        "action",
        "content_type",
        "object_repr",
        "address",
        "comment",
    ]
    list_display_links = ["at"]
    list_filter = [
        "action",
        ("content_type", admin.RelatedOnlyFieldListFilter),
        ("user", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["content_type"]
    date_hierarchy = "at"
    search_fields = ["username", "object_repr", "comment"]
    search_help_text = _("用户名、对象、说明")
    fields = [
        "at",
        "action",
        "user",
        "username",
        "address",
        "content_type",
        "object_id",
        "object_repr",
        "comment",
        "detail_shown",
    ]
    readonly_fields = fields
    # No bulk actions: Django's only one here would be the delete.
    actions = None

    @admin.display(description=_("详情"))
    def detail_shown(self, entry):
        if not entry.detail:
            return "—"
        return format_html(
            "<pre>{}</pre>", json.dumps(entry.detail, ensure_ascii=False, indent=2)
        )

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

"""Admin pieces shared by articles and projects."""

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from aidportal.models import PublishStatus

RECORD_FIELDSET = (
    _("记录"),
    {
        "classes": ["collapse"],
        "fields": ["created_at", "created_by", "updated_at", "updated_by"],
    },
)


class GalleryInline(admin.TabularInline):
    extra = 1
    fields = ["image", "alt", "caption", "position"]


class PublishableAdmin(SimpleHistoryAdmin):
    """Who changed what (history, created/updated by) and the status actions."""

    actions = ["publish", "unpublish", "archive"]
    readonly_fields = ["created_at", "created_by", "updated_at", "updated_by"]
    date_hierarchy = "published_at"

    @admin.display(description=_("题图"))
    def cover_thumbnail(self, obj):
        if not obj.cover:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" width="80" loading="lazy">',
            obj.cover.url,
            obj.cover_alt,
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def _set_status(self, request, queryset, status, done_message):
        # One save per row rather than queryset.update(), so that
        # updated_at/updated_by and the history record the change.
        rows = list(queryset)
        for row in rows:
            row.status = status
            row.updated_by = request.user
            row.save(update_fields=["status", "updated_by", "updated_at"])
        self.message_user(
            request, done_message % {"count": len(rows)}, messages.SUCCESS
        )

    @admin.action(description=_("发布所选内容"))
    def publish(self, request, queryset):
        self._set_status(
            request, queryset, PublishStatus.PUBLISHED, _("已发布 %(count)d 项。")
        )

    @admin.action(description=_("撤回所选内容为草稿"))
    def unpublish(self, request, queryset):
        self._set_status(
            request, queryset, PublishStatus.DRAFT, _("已撤回 %(count)d 项。")
        )

    @admin.action(description=_("归档所选内容"))
    def archive(self, request, queryset):
        self._set_status(
            request, queryset, PublishStatus.ARCHIVED, _("已归档 %(count)d 项。")
        )

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from articles.models import Article, ArticleImage, Channel


@admin.register(Channel)
class ChannelAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "position", "in_navigation"]
    list_editable = ["position", "in_navigation"]
    search_fields = ["name", "slug"]


class ArticleImageInline(admin.TabularInline):
    model = ArticleImage
    extra = 1
    fields = ["image", "alt", "caption", "position"]


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    list_display = [
        "cover_thumbnail",
        "title",
        "channel",
        "status",
        "published_at",
        "featured",
        "updated_by",
    ]
    list_display_links = ["cover_thumbnail", "title"]
    list_filter = ["status", "channel", "featured"]
    list_select_related = ["channel", "updated_by"]
    search_fields = ["title", "summary", "author", "source"]
    date_hierarchy = "published_at"
    actions = ["publish", "unpublish", "archive"]
    inlines = [ArticleImageInline]
    readonly_fields = ["created_at", "created_by", "updated_at", "updated_by"]
    fieldsets = [
        (None, {"fields": ["channel", "title", "subtitle", "summary", "body"]}),
        (_("题图"), {"fields": ["cover", "cover_alt", "cover_caption"]}),
        (_("署名"), {"fields": ["source", "author", "editor"]}),
        (
            _("发布"),
            {"fields": ["status", "published_at", "expires_at", "featured"]},
        ),
        (
            _("记录"),
            {
                "classes": ["collapse"],
                "fields": ["created_at", "created_by", "updated_at", "updated_by"],
            },
        ),
    ]

    @admin.display(description=_("题图"))
    def cover_thumbnail(self, article):
        if not article.cover:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" width="80" loading="lazy">',
            article.cover.url,
            article.cover_alt,
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def _set_status(self, request, queryset, status, done_message):
        # One save per article rather than queryset.update(), so that
        # updated_at/updated_by (and later the history) record the change.
        articles = list(queryset)
        for article in articles:
            article.status = status
            article.updated_by = request.user
            article.save(update_fields=["status", "updated_by", "updated_at"])
        self.message_user(
            request, done_message % {"count": len(articles)}, messages.SUCCESS
        )

    @admin.action(description=_("发布所选文章"))
    def publish(self, request, queryset):
        self._set_status(
            request, queryset, Article.Status.PUBLISHED, _("已发布 %(count)d 篇文章。")
        )

    @admin.action(description=_("撤回所选文章为草稿"))
    def unpublish(self, request, queryset):
        self._set_status(
            request, queryset, Article.Status.DRAFT, _("已撤回 %(count)d 篇文章。")
        )

    @admin.action(description=_("归档所选文章"))
    def archive(self, request, queryset):
        self._set_status(
            request, queryset, Article.Status.ARCHIVED, _("已归档 %(count)d 篇文章。")
        )

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from aidportal.kernel.admin import (
    COVER_FIELDS,
    RECORD_FIELDSET,
    GalleryInline,
    HistoryAdmin,
    PublishableAdmin,
)
from articles.models import Article, ArticleImage, Channel


@admin.register(Channel)
class ChannelAdmin(HistoryAdmin):
    list_display = ["name", "slug", "position", "in_navigation", "update_period_days"]
    list_editable = ["position", "in_navigation"]
    search_fields = ["name", "slug"]


class ArticleImageInline(GalleryInline):
    model = ArticleImage


@admin.register(Article)
class ArticleAdmin(PublishableAdmin):
    list_display = [
        "cover_thumbnail",
        "title",
        "channel",
        "status",
        "published_at",
        "featured",
        "updated_by",
        "preview_link",
    ]
    # The title is the link: the thumbnail is silent (alt=""), a link needs a name.
    list_display_links = ["title"]
    list_filter = ["status", "channel", "featured"]
    list_select_related = ["channel", "updated_by"]
    search_fields = ["title", "summary", "author", "source"]
    autocomplete_fields = ["projects", "people"]
    inlines = [ArticleImageInline]
    fieldsets = [
        (None, {"fields": ["channel", "title", "subtitle", "summary", "body"]}),
        (_("题图"), {"fields": COVER_FIELDS}),
        (_("署名"), {"fields": ["source", "author", "editor"]}),
        (_("关联"), {"fields": ["projects", "people"]}),
        (
            _("发布"),
            {"fields": ["status", "published_at", "expires_at", "featured"]},
        ),
        RECORD_FIELDSET,
    ]

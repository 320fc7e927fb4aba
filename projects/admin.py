from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from aidportal.kernel.admin import (
    COVER_FIELDS,
    RECORD_FIELDSET,
    GalleryInline,
    PublishableAdmin,
)
from projects.models import Project, ProjectImage


class YearFilter(admin.SimpleListFilter):
    title = _("年份")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = (
            Project.objects.exclude(start_date=None, completion_date=None)
            .with_year()
            .values_list("year", flat=True)
            .distinct()
            .order_by("-year")
        )
        return [(str(year), f"{year}年") for year in years]

    def queryset(self, request, queryset):
        value = self.value() or ""
        if value.isascii() and value.isdigit() and 1900 <= int(value) <= 2100:
            return queryset.with_year().filter(year=int(value))
        return queryset


class ProjectImageInline(GalleryInline):
    model = ProjectImage


@admin.register(Project)
class ProjectAdmin(PublishableAdmin):
    list_display = [
        "cover_thumbnail",
        "name",
        "category",
        "sector",
        "stage",
        "investment",
        "start_date",
        "status",
        "preview_link",
    ]
    # The name is the link: the thumbnail is silent (alt=""), a link needs a name.
    list_display_links = ["name"]
    list_filter = ["category", "sector", "stage", "status", YearFilter]
    search_fields = ["name", "location", "partner", "summary"]
    date_hierarchy = "start_date"
    autocomplete_fields = ["people"]
    inlines = [ProjectImageInline]
    fieldsets = [
        (None, {"fields": ["name", "category", "sector", "stage", "summary", "body"]}),
        (
            _("概况"),
            {
                "fields": [
                    "location",
                    ("start_date", "completion_date"),
                    "investment",
                    "floor_area",
                    "jobs_created",
                    "partner",
                ]
            },
        ),
        (_("题图"), {"fields": COVER_FIELDS}),
        (_("关联"), {"fields": ["people"]}),
        (_("发布"), {"fields": ["status", "published_at", "expires_at"]}),
        RECORD_FIELDSET,
    ]

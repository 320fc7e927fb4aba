"""Sitemaps of published content, for the apps to declare theirs."""

from django.contrib.sitemaps import Sitemap


class PublishedSitemap(Sitemap):
    """The published rows of a model, with their last change.

    Not GenericSitemap: its queryset is built once, at import, and
    "published" is decided when the query runs (schedules and expiries).
    """

    def __init__(self, model, *, changefreq: str):
        self.model = model
        self.changefreq = changefreq

    def items(self):
        return self.model.objects.published().only("pk", "updated_at").order_by("pk")

    def lastmod(self, obj):
        return obj.updated_at

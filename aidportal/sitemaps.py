"""The sitemap of the site: its fixed pages, and what each app declares."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from articles.sitemaps import sitemaps as article_sitemaps
from personnel.sitemaps import sitemaps as personnel_sitemaps
from projects.sitemaps import sitemaps as project_sitemaps


class SectionSitemap(Sitemap):
    """The fixed pages: home, the three lists and the bulk downloads."""

    changefreq = "daily"

    def items(self):
        return ["home", "articles:list", "projects:list", "personnel:list", "data"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "sections": SectionSitemap,
    **article_sitemaps,
    **project_sitemaps,
    **personnel_sitemaps,
}

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from articles.models import Article, Channel
from personnel.models import Person
from projects.models import Project


class ArticleSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Article.objects.published().only("pk", "updated_at").order_by("pk")

    def lastmod(self, article):
        return article.updated_at


class ProjectSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Project.objects.published().only("pk", "updated_at").order_by("pk")

    def lastmod(self, project):
        return project.updated_at


class PersonSitemap(Sitemap):
    changefreq = "yearly"

    def items(self):
        return Person.objects.published().only("pk", "updated_at").order_by("pk")

    def lastmod(self, person):
        return person.updated_at


class ChannelSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return Channel.objects.order_by("position", "pk")


class SectionSitemap(Sitemap):
    """The fixed pages: home and the three lists."""

    changefreq = "daily"

    def items(self):
        return ["home", "articles:list", "projects:list", "personnel:list"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "sections": SectionSitemap,
    "channels": ChannelSitemap,
    "articles": ArticleSitemap,
    "projects": ProjectSitemap,
    "people": PersonSitemap,
}

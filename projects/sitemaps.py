from aidportal.kernel.sitemaps import PublishedSitemap
from projects.models import Project

sitemaps = {"projects": PublishedSitemap(Project, changefreq="monthly")}

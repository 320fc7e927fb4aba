from aidportal.kernel.sitemaps import PublishedSitemap
from personnel.models import Person

sitemaps = {"people": PublishedSitemap(Person, changefreq="yearly")}

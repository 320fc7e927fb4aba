from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.generic import RedirectView

from aidportal import views
from aidportal.api import urls as api_urls
from aidportal.kernel.caching import cache_params
from aidportal.kernel.media import media_file
from aidportal.kernel.views import read_only
from aidportal.sitemaps import SITEMAPS
from articles.feeds import ChannelFeed, LatestArticlesFeed

admin.site.site_header = f"{settings.SITE_NAME} · 管理后台"
admin.site.site_title = f"{settings.SITE_NAME} · 管理"
admin.site.index_title = "内容管理"
handler400 = "aidportal.views.bad_request"
handler404 = "aidportal.views.page_not_found"
handler500 = "aidportal.views.server_error"

urlpatterns = [
    path("", read_only(views.HomeView.as_view()), name="home"),
    path("healthz", read_only(views.healthz), name="healthz"),
    path("search/", read_only(views.SearchView.as_view()), name="search"),
    path("site-map/", read_only(views.SiteMapView.as_view()), name="site-map"),
    path("robots.txt", read_only(views.robots_txt), name="robots"),
    path(
        "sitemap.xml",
        read_only(cache_params(sitemap, "p")),
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("data/", read_only(views.DataIndexView.as_view()), name="data"),
    path(
        "data/<slug:name>/",
        read_only(views.DataDictionaryView.as_view()),
        name="data-dictionary",
    ),
    path(
        "data/<slug:name>/datapackage.json",
        read_only(views.data_package),
        name="data-package",
    ),
    path(
        "data/<slug:name>/<slug:stem>.<slug:fmt>",
        read_only(views.data_file),
        name="data-file",
    ),
    path("feeds/articles/", read_only(LatestArticlesFeed()), name="feed"),
    path(
        "feeds/channels/<slug:slug>/",
        read_only(ChannelFeed()),
        name="channel-feed",
    ),
    # Browsers ask for /favicon.ico on every page, including the admin's.
    path(
        "favicon.ico",
        read_only(RedirectView.as_view(url=f"{settings.STATIC_URL}img/favicon.svg")),
    ),
    path("", include("articles.urls")),
    path("personnel/", include("personnel.urls")),
    path("projects/", include("projects.urls")),
    path("api/v1/", api_urls),
    # Before the admin's own URLs, whose catch-all would take it for an app.
    path(
        "admin/site-inspect/",
        admin.site.admin_view(views.site_inspection),
        name="site-inspect",
    ),
    path("admin/", admin.site.urls),
]

# Uploads: the gate serves the pictures of published content (aidportal.kernel.media).
urlpatterns += [
    path("media/<file_path:path>", read_only(media_file), name="media"),
]

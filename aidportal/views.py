import hashlib
import sys
from datetime import UTC, datetime
from itertools import groupby

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import InvalidPage
from django.db.models import Count
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseNotModified,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import render
from django.template import loader
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from aidportal.datasets import DATASETS
from aidportal.forms import SearchForm
from aidportal.inspection import BASIS, site_inspect
from aidportal.kernel import datasets, downloads
from aidportal.kernel.caching import cached_block, current_site_version
from aidportal.kernel.chinese import normalize
from aidportal.kernel.clients import client_address
from aidportal.kernel.health import health
from aidportal.kernel.outages import is_database_outage, unavailable_response
from aidportal.kernel.pagination import CappedPaginator, display_count, first_rows
from aidportal.kernel.traditional import alternates
from aidportal.search import PROVIDERS
from articles.models import Article, Channel
from personnel.models import Assignment, Category
from projects.models import Project

FEATURED_ARTICLES = 4
LATEST_ARTICLES = 8
ARTICLES_PER_CHANNEL_BLOCK = 5
# Findings the admin's self-inspection page lists per check (it counts all):
# a page of 100 000 rows helps no one and takes long to send.
SITE_INSPECT_ROWS = 200
SITE_MAP_ARTICLES_PER_CHANNEL = 5


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        published = Article.objects.published().for_listing()
        return super().get_context_data(
            featured_articles=list(published.filter(featured=True)[:FEATURED_ARTICLES]),
            latest_articles=list(published[:LATEST_ARTICLES]),
            # The window over every article is the costly part: keep it until
            # content changes.
            channel_blocks=cached_block("home-channel-blocks", channel_blocks),
            project_totals=project_totals(),
            roster_figures=cached_roster_figures(),
            **kwargs,
        )


def project_totals():
    """The home page's project figures (``ProjectQuerySet.totals``), kept
    until content changes; /api/v1/stats/ gives the same."""
    return cached_block("project-totals", Project.objects.published().totals)


def cached_roster_figures():
    """``roster_figures``, kept until content changes."""
    return cached_block("roster-figures", roster_figures)


def channel_blocks():
    """[(channel, [newest articles])] for the channels in the navigation."""
    published = Article.objects.published().for_listing()
    per_channel = published.newest_per_channel(ARTICLES_PER_CHANNEL_BLOCK)
    blocks = [
        (channel, list(articles))
        for channel, articles in groupby(per_channel, key=lambda a: a.channel)
        if channel.in_navigation
    ]
    return sorted(blocks, key=lambda block: (block[0].position, block[0].pk))


def roster_figures():
    """People on the public roster by batch and category: one grouped query.

    [{"label": "第十批", "number": 10, "total": 43, "by_category": [(label, n)…]}]
    """
    rows = (
        Assignment.objects.published()
        .order_by()
        .values("batch__number", "batch__label", "person__category")
        .annotate(people=Count("person", distinct=True))
        .order_by("-batch__number", "person__category")
    )
    labels = dict(Category.choices)
    batches = {}
    for row in rows:
        batch = batches.setdefault(
            row["batch__number"],
            {
                "label": row["batch__label"],
                "number": row["batch__number"],
                "total": 0,
                "by_category": [],
            },
        )
        batch["total"] += row["people"]
        batch["by_category"].append((labels[row["person__category"]], row["people"]))
    return list(batches.values())


class SiteMapView(TemplateView):
    """/site-map/: every part of the site on one page, for people (the
    sitemap.xml is for search engines). Its blocks are kept until content
    changes; the page itself is an anonymous page like any other."""

    template_name = "site_map.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            channel_map=cached_block("site-map-channels", site_map_channels),
            roster_figures=cached_roster_figures(),
            project_categories=Project.Category.choices,
            person_categories=Category.choices,
            **kwargs,
        )


def site_map_channels():
    """[(channel, [newest articles])] for every channel in the navigation,
    those without published articles too: two queries however many."""
    channels = list(Channel.objects.filter(in_navigation=True))
    newest = (
        Article.objects.published()
        .for_listing()
        .filter(channel__in=[channel.pk for channel in channels])
        .newest_per_channel(SITE_MAP_ARTICLES_PER_CHANNEL)
    )
    articles = {
        channel_id: list(rows)
        for channel_id, rows in groupby(newest, key=lambda a: a.channel_id)
    }
    return [(channel, articles.get(channel.pk, [])) for channel in channels]


class SearchView(TemplateView):
    """/search/?q=…: every type's count and first results, or one type paged."""

    template_name = "search.html"
    per_group = 5
    per_page = 20
    page_cache_params = ("q", "type", "page")
    page_search_params = ("q",)

    def get(self, request, *args, **kwargs):
        self.form = SearchForm(request.GET)
        if not self.form.is_valid():
            return render(
                request, "400.html", {"form_errors": self.form.errors}, status=400
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        query = self.form.cleaned_data["q"]
        chosen = self.form.cleaned_data["type"]
        context = super().get_context_data(form=self.form, query=query, **kwargs)
        if not normalize(query):
            return context
        groups = [
            {"provider": provider, **self.results(provider.search(query), chosen)}
            for provider in PROVIDERS
            if not chosen or provider.name == chosen
        ]
        return {**context, "groups": groups, "chosen": chosen}

    def results(self, rows, chosen):
        """One group's rows and count: its page when it is the chosen type,
        else its first rows with the count in the same query."""
        if chosen:
            page = self.get_page(rows)
            items, count = list(page), page.paginator.count
        else:
            page = None
            items, count = first_rows(rows, self.per_group)
        return {
            "page": page,
            "items": items,
            "count": count,
            "display_count": display_count(count),
            "more": count > len(items),
        }

    def get_page(self, rows):
        try:
            return CappedPaginator(rows, self.per_page).page(
                self.request.GET.get("page", 1)
            )
        except InvalidPage:
            raise Http404("页码无效") from None


class DataIndexView(TemplateView):
    """/data/: every bulk download, its public rows counted (kept until
    content changes), when its content last changed, and its files."""

    template_name = "data/index.html"

    def get_context_data(self, **kwargs):
        # First: a scheduled change come due moves the version the counts keep.
        version, _next_change = current_site_version()
        counts = cached_block(
            "data-counts", lambda: {name: d.count() for name, d in DATASETS.items()}
        )
        return super().get_context_data(
            datasets=[
                {"dataset": dataset, "rows": counts[name]}
                for name, dataset in DATASETS.items()
            ],
            # The files are as of the site version: the last change to content.
            updated=datetime.fromtimestamp(version / 1_000_000_000, UTC),
            formats=list(datasets.FORMATS),
            **kwargs,
        )


def dataset_or_404(name):
    try:
        return DATASETS[name]
    except KeyError:
        raise Http404("没有这个数据集") from None


class DataDictionaryView(TemplateView):
    """/data/<name>/: every field of a dataset, as its datapackage.json says."""

    template_name = "data/dictionary.html"

    def get_context_data(self, **kwargs):
        dataset = dataset_or_404(self.kwargs["name"])
        return super().get_context_data(
            dataset=dataset,
            fields=dataset.fields(),
            formats=list(datasets.FORMATS),
            **kwargs,
        )


def data_file(request, name, stem, fmt):
    """/data/<name>/<name>.<csv|json>: the file of the current site version,
    built by the first request to ask (aidportal.kernel.datasets)."""
    dataset = dataset_or_404(name)
    if stem != name or fmt not in datasets.FORMATS:
        raise Http404("没有这个文件")
    stored = datasets.file_name(dataset, fmt)
    # A current copy needs neither the file nor its build.
    if not downloads.not_modified(request, stored):
        try:
            stored = datasets.stored_file(dataset, fmt, client=client_address(request))
        except downloads.Later as later:
            return downloads.retry_later(request, later)
    return downloads.file_response(
        request,
        stored,
        filename=f"{name}.{fmt}",
        content_type=datasets.FORMATS[fmt].content_type,
    )


def data_package(request, name):
    """/data/<name>/datapackage.json: the dataset's Frictionless descriptor,
    made from the code alone (no query), revalidated by its ETag."""
    dataset = dataset_or_404(name)
    homepage = request.build_absolute_uri(reverse("data-dictionary", args=[name]))
    body = datasets.data_package_bytes(dataset, homepage=homepage)
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    tags = request.headers.get("If-None-Match", "")
    if etag in [tag.strip() for tag in tags.split(",")]:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=settings.PAGE_MAX_AGE)
    return response


@require_safe
def robots_txt(request):
    sitemap_url = request.build_absolute_uri(
        reverse("django.contrib.sitemaps.views.sitemap")
    )
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        f"Sitemap: {sitemap_url}",
    ]
    return HttpResponse(
        "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8"
    )


@never_cache
@require_safe
def healthz(request):
    """For load balancers: JSON per component (database, cache, storage);
    200 while the database answers, 503 when it does not (docs/deploy.md)."""
    report, status = health()
    return JsonResponse(report, status=status)


def bad_request(request, exception):
    """The 400 page; the API's error in JSON under the API."""
    from aidportal.api import error_page, is_api_request  # the API uses views

    if is_api_request(request):
        return error_page(request, 400)
    return defaults.bad_request(request, exception)


def page_not_found(request, exception):
    """The 404 page. Its 简体/繁體 links name the path alone: a 404 repeats
    nothing of the query it was asked, so the id of a unit only hidden
    people have and an id of none answer the very same page. Under the API,
    the API's error in JSON."""
    from aidportal.api import error_page, is_api_request  # the API uses views

    if is_api_request(request):
        return error_page(request, 404)
    context = {"alternates": alternates(request, query=False)}
    return render(request, "404.html", context, status=404)


def server_error(request):
    """The 500 page: no database, no context processors (either may be what
    failed), the site name from settings. An unreachable database is no
    server error: the 503 page, asking to come back."""
    if is_database_outage(sys.exception()):
        return unavailable_response()
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"site_name": settings.SITE_NAME}))


@never_cache
def site_inspection(request):
    """The self-inspection report in the admin, for superusers: run when asked
    (the button posts), never on opening the page."""
    if not request.user.is_superuser:
        raise PermissionDenied
    report = site_inspect(limit=SITE_INSPECT_ROWS) if request.method == "POST" else None
    return TemplateResponse(
        request,
        "admin/site_inspect.html",
        {
            **admin.site.each_context(request),
            "title": "网站自查",
            "report": report,
            "basis": BASIS,
            "default_days": settings.SITE_INSPECT_CHANNEL_DAYS,
        },
    )

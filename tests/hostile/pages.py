"""Every URL the portal answers outside the admin, and the query parameters
each one reads.

Parameters are read from the real forms and filtersets, so a new filter is
swept and fuzzed without touching these tests; ``url_keys()`` lets a test
fail when a URL is added that is not listed here. The open-data API's
operations and their query parameters are read from its OpenAPI schema, so
an operation an app adds is swept too.
"""

from dataclasses import dataclass

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from aidportal.forms import SearchForm
from articles.filters import ArticleFilter
from articles.models import Article
from personnel.filters import RosterFilter
from personnel.models import Assignment
from projects.filters import ProjectFilter
from projects.models import Project
from tests.api.schema import listed, operations

# A parameter that no view reads: URLs without parameters are swept with it.
UNREAD = "x"


@dataclass(frozen=True)
class Page:
    key: str  # the URL's name as reverse() knows it, or its route when unnamed
    path: object  # site -> path
    params: tuple = ()
    form: object = None  # site -> the form that reads the parameters
    api: bool = False  # answers JSON, errors included

    @property
    def swept_params(self):
        return self.params or (UNREAD,)


def _filter_form(filterset_class, model):
    return lambda site: filterset_class(queryset=model.objects.none()).form


PAGES = [
    Page("home", lambda site: reverse("home")),
    Page("healthz", lambda site: reverse("healthz")),
    Page("robots", lambda site: reverse("robots")),
    Page("site-map", lambda site: reverse("site-map")),
    Page("favicon.ico", lambda site: "/favicon.ico"),
    Page(
        "search",
        lambda site: reverse("search"),
        (*SearchForm.base_fields, "page"),
        lambda site: SearchForm(),
    ),
    Page(
        "django.contrib.sitemaps.views.sitemap",
        lambda site: reverse("django.contrib.sitemaps.views.sitemap"),
        ("p",),
    ),
    Page("feed", lambda site: reverse("feed")),
    Page("channel-feed", lambda site: reverse("channel-feed", args=["news"])),
    Page(
        "articles:list",
        lambda site: reverse("articles:list"),
        (*ArticleFilter.base_filters, "page"),
        _filter_form(ArticleFilter, Article),
    ),
    Page("articles:detail", lambda site: site["article"].get_absolute_url()),
    Page(
        "articles:preview",
        lambda site: reverse("articles:preview", args=[site["draft_article"].pk]),
    ),
    Page(
        "articles:channel",
        lambda site: site["channel"].get_absolute_url(),
        ("page",),
    ),
    Page(
        "personnel:list",
        lambda site: reverse("personnel:list"),
        (*RosterFilter.base_filters, "page"),
        _filter_form(RosterFilter, Assignment),
    ),
    Page(
        "personnel:export-csv",
        lambda site: reverse("personnel:export-csv"),
        tuple(RosterFilter.base_filters),
        _filter_form(RosterFilter, Assignment),
    ),
    Page(
        "personnel:export-xlsx",
        lambda site: reverse("personnel:export-xlsx"),
        tuple(RosterFilter.base_filters),
        _filter_form(RosterFilter, Assignment),
    ),
    Page("personnel:detail", lambda site: site["person"].get_absolute_url()),
    Page(
        "projects:list",
        lambda site: reverse("projects:list"),
        (*ProjectFilter.base_filters, "page"),
        _filter_form(ProjectFilter, Project),
    ),
    Page("projects:detail", lambda site: site["project"].get_absolute_url()),
    Page(
        "projects:preview",
        lambda site: reverse("projects:preview", args=[site["draft_project"].pk]),
    ),
    Page("media", lambda site: site["media_path"]),
    Page("data", lambda site: reverse("data")),
    Page("data-dictionary", lambda site: reverse("data-dictionary", args=["roster"])),
    Page("data-package", lambda site: reverse("data-package", args=["roster"])),
    Page(
        "data-file", lambda site: reverse("data-file", args=["roster", "roster", "csv"])
    ),
]


def _api_path(operation):
    """A real row's address for a detail (the first its list shows), the
    operation's path for a list."""

    def path(site):
        if not operation.path_params:
            return operation.url()
        values = listed(Client(), operation) if operation.collection else []
        (name,) = operation.path_params
        return operation.url(**{name: values[0] if values else 1})

    return path


def _api_other_pages(operation_names):
    """The API's addresses that are no operation of its schema (its index,
    the schema itself, a docs page …), swept as the site's pages are."""
    (api,) = [
        pattern
        for pattern in get_resolver().url_patterns
        if isinstance(pattern, URLResolver) and pattern.namespace == "api"
    ]
    return [
        Page(
            f"api:{pattern.name}",
            lambda site, name=pattern.name: reverse(f"api:{name}"),
        )
        for pattern in api.url_patterns
        if f"api:{pattern.name}" not in operation_names
    ]


_OPERATION_PAGES = [
    Page(operation.url_name(), _api_path(operation), operation.query_params, api=True)
    for operation in operations()
]
API_PAGES = _OPERATION_PAGES + _api_other_pages({p.key for p in _OPERATION_PAGES})
PAGES += API_PAGES
PAGES_BY_KEY = {page.key: page for page in PAGES}

# Path segments a hostile client puts where the URL expects an ID or a slug.
ID_URLS = {
    "articles:detail": "/articles/{}/",
    "articles:preview": "/articles/{}/preview/",
    "personnel:detail": "/personnel/{}/",
    "projects:detail": "/projects/{}/",
    "projects:preview": "/projects/{}/preview/",
}
SLUG_URLS = {
    "articles:channel": "/channels/{}/",
    "channel-feed": "/feeds/channels/{}/",
    "data-dictionary": "/data/{}/",
    "data-package": "/data/{}/datapackage.json",
    "data-file": "/data/{}/roster.csv",
}


def url_keys(patterns=None, namespace=""):
    """The key of every URL outside the admin: name, or route when unnamed."""
    keys = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            prefix = f"{pattern.namespace}:" if pattern.namespace else namespace
            keys |= url_keys(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern):
            if str(pattern.pattern).startswith("admin/"):
                # An admin page of the site's own (网站自查), behind the
                # admin's login like the rest of it.
                continue
            if pattern.name:
                keys.add(namespace + pattern.name)
            else:
                keys.add(str(pattern.pattern))
    return keys


def valid_values(page, param, site):
    """Values the parameter accepts, so that fuzzing also reaches the queries
    behind a valid form (choices, rows of the site, a date, a page number)."""
    if param in ("page", "p"):
        return ["1", "2"]
    if page.form is None or param not in page.form(site).fields:
        return ["1"]
    field = page.form(site).fields[param]
    if hasattr(field, "queryset"):
        to_field = getattr(field, "to_field_name", None) or "pk"
        return [str(value) for value in field.queryset.values_list(to_field, flat=True)]
    if hasattr(field, "choices"):
        return [str(value) for value, _ in field.choices if value]
    return site["valid"].get(param, ["1"])

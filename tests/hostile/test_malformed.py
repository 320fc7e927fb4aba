"""A fixed sweep of hostile input over every public URL: each query parameter
with at least 60 hostile values, hostile IDs, slugs and paths, unsafe methods
and forged Host headers. Every answer is one of ALLOWED_STATUSES; none is a
5xx. Runs on SQLite, and on PostgreSQL when DATABASE_URL names one."""

import pytest
from django.core.cache import cache

from tests.api.schema import operations
from tests.hostile.inputs import (
    ALLOWED_STATUSES,
    API_STATUSES,
    SIXTY_KB,
    answer,
    api_answer,
    hostile_queries,
    read,
    tally,
    whole_queries,
)
from tests.hostile.pages import ID_URLS, PAGES, PAGES_BY_KEY, SLUG_URLS, url_keys

pytestmark = pytest.mark.django_db

MIN_VALUES_PER_PARAMETER = 60
SWEPT = [(page.key, param) for page in PAGES for param in page.swept_params]


def refused(results, allowed=ALLOWED_STATUSES):
    """The inputs whose answer is not an allowed status."""
    return {label: status for label, status in results if status not in allowed}


def getter(client, page):
    """GET query string -> verdict, and the verdicts allowed: the API's
    answers must also be JSON, with a Chinese ``detail`` when an error."""
    if page.api:
        return (lambda path, query: api_answer(client, path, QUERY_STRING=query)), (
            API_STATUSES
        )
    return (lambda path, query: answer(client, "get", path, QUERY_STRING=query)), (
        ALLOWED_STATUSES
    )


def test_every_url_outside_the_admin_is_swept():
    assert url_keys() == set(PAGES_BY_KEY)


@pytest.mark.parametrize(("key", "param"), SWEPT, ids=[f"{k}?{p}" for k, p in SWEPT])
def test_hostile_values_of_every_parameter_get_no_5xx(client, site, key, param):
    page = PAGES_BY_KEY[key]
    path = page.path(site)
    get, allowed = getter(client, page)
    queries = hostile_queries(param)
    assert len(queries) >= MIN_VALUES_PER_PARAMETER
    results = [(label, get(path, query)) for label, query in queries]
    tally["sweep parameters"] += 1
    tally["sweep values"] += len(queries)
    assert refused(results, allowed) == {}


@pytest.mark.parametrize("key", list(PAGES_BY_KEY))
def test_hostile_query_strings_get_no_5xx(client, site, key):
    page = PAGES_BY_KEY[key]
    path = page.path(site)
    get, allowed = getter(client, page)
    results = [
        (label, get(path, query)) for label, query in whole_queries(page.swept_params)
    ]
    assert refused(results, allowed) == {}
    if page.params:
        # Over DATA_UPLOAD_MAX_NUMBER_FIELDS, for a view that reads the query.
        assert dict(results)["2001 parameters"] == 400


HOSTILE_IDS = [
    "0",
    "-1",
    "00000000000000000001",
    "999999999999999999",
    str(2**63 - 1),
    str(2**63),
    str(10**30),
    "1" * SIXTY_KB,
    "1.5",
    "1e3",
    "abc",
    "%00",
    "1%00",
    "%ff%fe",
    "%d9%a1",  # an Arabic-Indic 1
    "..%2f..%2f",
    "%2e%2e",
    "1%20",
    "%09",
]


@pytest.mark.parametrize("key", list(ID_URLS))
def test_hostile_ids_in_the_path_get_no_5xx(client, site, key):
    results = [
        (value[:20], answer(client, "get", ID_URLS[key].format(value)))
        for value in HOSTILE_IDS
    ]
    tally["sweep path values"] += len(results)
    assert refused(results) == {}
    # Too long for a 64-bit column: not a URL of ours.
    assert client.get(ID_URLS[key].format(2**63)).status_code == 404
    assert client.get(ID_URLS[key].format(10**30)).status_code == 404


API_DETAILS = [operation for operation in operations() if operation.path_params]


@pytest.mark.parametrize(
    "path", [o.path for o in API_DETAILS], ids=[o.label for o in API_DETAILS]
)
def test_hostile_values_in_an_api_path_get_json_and_no_5xx(client, site, path):
    (operation,) = [o for o in API_DETAILS if o.path == path]
    values = HOSTILE_IDS + HOSTILE_SLUGS
    results = [
        (
            value[:20],
            api_answer(
                client, operation.url(**dict.fromkeys(operation.path_params, value))
            ),
        )
        for value in values
    ]
    tally["sweep path values"] += len(results)
    # 200 only where the value names a row: 00…01 and “1 ” are row 1.
    assert refused(results, API_STATUSES) == {}


HOSTILE_SLUGS = [
    "unknown",
    "NEWS",
    "news%00",
    "%00",
    "新闻",
    "%e6%96%b0",
    "%ff%fe",
    "a" * SIXTY_KB,
    "..",
    "%2e%2e",
    "..%2f..%2fadmin",
    "news%2f",
    "-",
    "_",
]


@pytest.mark.parametrize("key", list(SLUG_URLS))
def test_hostile_slugs_in_the_path_get_no_5xx(client, site, key):
    results = [
        (value[:20], answer(client, "get", SLUG_URLS[key].format(value)))
        for value in HOSTILE_SLUGS
    ]
    tally["sweep path values"] += len(results)
    assert refused(results) == {}


TRAVERSALS = [
    "/media/../../manage.py",
    "/media/%2e%2e/%2e%2e/manage.py",
    "/media/..%2f..%2fmanage.py",
    "/media/%2e%2e%2f%2e%2e%2fmanage.py",
    "/media/..\\..\\manage.py",
    "/media/..%5c..%5cmanage.py",
    "/media/%c0%ae%c0%ae/%c0%ae%c0%ae/manage.py",
    "/media//etc/passwd",
    "/media/%2fetc%2fpasswd",
    "/media/%00",
    "/media/a%00.jpg",
    "/media/%ff%fe.jpg",
    "/media/",
    "/media/articles/",
    "/media/" + "a" * SIXTY_KB,
    "/static/../manage.py",
    "/static/%2e%2e/manage.py",
    "/static/css/%2e%2e/%2e%2e/manage.py",
    "/static/%00",
    "/../../manage.py",
    "/%2e%2e/%2e%2e/manage.py",
    "/articles/../admin/",
    "/articles/%2e%2e/%2e%2e/etc/passwd",
    "/personnel/..%2f..%2fmanage.py",
    "//evil.example/",
    "/articles//",
    "/%ff%fe/",
    "/%00/",
    "/" + "a" * SIXTY_KB,
    "/feeds/../sitemap.xml",
    "/favicon.ico/../manage.py",
]


def test_path_traversal_gets_no_5xx_and_no_file(client, site):
    failures = {}
    for path in TRAVERSALS:
        tally["sweep path values"] += 1
        tally["requests"] += 1
        try:
            response = client.get(path)
            body = read(response)
        except Exception as error:  # any exception is the finding
            failures[path[:60]] = repr(error)[:200]
            continue
        if response.status_code not in ALLOWED_STATUSES:
            failures[path[:60]] = response.status_code
        elif b"DJANGO_SETTINGS_MODULE" in body or b"root:" in body:
            failures[path[:60]] = "served a file outside MEDIA_ROOT"
    assert failures == {}


UNSAFE_METHODS = ["post", "put", "patch", "delete", "trace"]


@pytest.mark.parametrize("key", list(PAGES_BY_KEY))
def test_unsafe_methods_are_405_even_without_a_csrf_token(csrf_client, site, key):
    path = PAGES_BY_KEY[key].path(site)
    results = {method: answer(csrf_client, method, path) for method in UNSAFE_METHODS}
    assert results == dict.fromkeys(UNSAFE_METHODS, 405)
    assert answer(csrf_client, "options", path) in ALLOWED_STATUSES
    assert answer(csrf_client, "head", path) in ALLOWED_STATUSES


FORGED_HOSTS = [
    "evil.example",
    "127.0.0.1.evil.example",
    "localhost:notaport",
    "exa mple.com",
    "example.com/path",
    "[::1",
    "\x00",
    "a" * 300,
]


@pytest.mark.parametrize("key", list(PAGES_BY_KEY))
def test_forged_host_header_is_400(client, site, key):
    path = PAGES_BY_KEY[key].path(site)
    results = {
        host[:20]: answer(client, "get", path, HTTP_HOST=host) for host in FORGED_HOSTS
    }
    assert results == dict.fromkeys(results, 400)


@pytest.mark.parametrize("key", ["home", "articles:list", "personnel:list", "robots"])
def test_forged_host_header_is_400_from_the_page_cache_too(
    client, site, page_cache, key
):
    path = PAGES_BY_KEY[key].path(site)
    assert client.get(path).status_code == 200
    assert client.get(path, HTTP_HOST="evil.example").status_code == 400
    cache.clear()

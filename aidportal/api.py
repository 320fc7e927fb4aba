"""The open-data API (/api/v1/): read-only JSON with an OpenAPI 3.1 schema,
composed of the apps' routers."""

from csp.decorators import csp_replace
from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_safe
from ninja import NinjaAPI
from ninja.errors import ValidationError

from aidportal.kernel.api import (
    BAD_REQUEST,
    NOT_FOUND,
    ApiError,
    ReadableJSONRenderer,
    error_response,
    public_urls,
    validation_error,
)
from aidportal.stats_api import router as stats_router
from articles.api import router as articles_router
from personnel.api import router as personnel_router
from projects.api import router as projects_router

api = NinjaAPI(
    title="援疆门户开放数据接口",
    version="1",
    description=(
        "只读的开放数据接口：栏目与文章、援建项目、援疆人员名录（人员、任职、单位、"
        "批次），以及首页和项目页面上的统计数字。只给出网站公开的内容："
        "草稿、定时未到、已下线和已归档的内容既不列出，按编号也查不到（404）。"
        "筛选与对应页面相同；名录检索中姓名有无空格均可，支持拼音全拼与首字母、"
        "单位别名；检索词中的繁体字按简体检索。"
        "列表按游标翻页：沿 next 地址翻到底即为全部结果；排序用 ordering 参数。"
        "参数有误时返回 400，detail 说明原因，field 指出参数名。"
    ),
    urls_namespace="api",
    renderer=ReadableJSONRenderer(),
    # Ninja's docs page loads its scripts from a CDN, which the site never does:
    # the site's own (``docs``) serves Swagger UI from static/vendor/.
    docs_url=None,
)
api.add_router("/", articles_router)
api.add_router("/", projects_router)
api.add_router("/", personnel_router)
api.add_router("/", stats_router)


@api.exception_handler(ApiError)
def api_error(request, error):
    return error_response(api, request, error)


@api.exception_handler(ValidationError)
def bad_parameter(request, error):
    return error_response(api, request, validation_error(error))


@api.exception_handler(Http404)
def not_found(request, error):
    return error_response(api, request, ApiError(404, NOT_FOUND))


def is_api_request(request) -> bool:
    return request.path.startswith(reverse("api:api-root"))


def error_page(request, status: int):
    """The API's answer where Django answers an error before any of its
    views (an address it has no route for, too many parameters): JSON."""
    detail = {400: BAD_REQUEST, 404: NOT_FOUND}[status]
    return error_response(api, request, ApiError(status, detail))


def index(request, **kwargs):
    """/api/v1/ itself: where the schema, the docs page, each list and the
    bulk downloads (/data/) are."""
    lists = {
        name: reverse(f"api:{name}")
        for name in (
            "channels",
            "articles",
            "projects",
            "assignments",
            "people",
            "units",
            "batches",
            "stats",
        )
    }
    addresses = {
        "openapi": reverse("api:openapi-json"),
        "docs": reverse("api:docs"),
        **lists,
        "data": reverse("data"),
    }
    return JsonResponse(
        {name: request.build_absolute_uri(url) for name, url in addresses.items()},
        json_dumps_params={"ensure_ascii": False},
    )


@require_safe
# Swagger UI sets its styles through the DOM, which the policy allows without
# the inline style attributes the site's policy permits for the admin.
@csp_replace({"style-src": ["'self'"]})
def docs(request):
    """/api/v1/docs/: the API for people, Swagger UI reading the schema."""
    return render(
        request,
        "api/docs.html",
        {
            "rate_limit": settings.API_RATE_LIMIT,
            "rate_window": settings.API_RATE_WINDOW,
            # /api/ has no 繁體 version (aidportal.kernel.traditional.SIMPLIFIED_ONLY).
            "simplified_only": True,
        },
    )


patterns, app_name, namespace = api.urls
for pattern in patterns:
    # Ninja's root view (which finds where the API is mounted) is a 404.
    if pattern.name == "api-root":
        pattern.callback = index
# A public answer like the API's own (conditional GET, rate limit): /api/ is
# outside the page cache (aidportal.kernel.caching.UNCACHED_PREFIXES).
patterns.insert(0, path("docs/", docs, name="docs"))
urls = (public_urls(patterns), app_name, namespace)

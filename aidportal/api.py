"""The open-data API (/api/v1/): read-only JSON with an OpenAPI 3.1 schema,
composed of the apps' routers."""

from django.http import Http404, JsonResponse
from django.urls import reverse
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
from personnel.api import router as personnel_router

api = NinjaAPI(
    title="援疆门户开放数据接口",
    version="1",
    description=(
        "只读的开放数据接口：援疆人员名录（人员、任职、单位、批次）。"
        "检索与名录页面相同：姓名有无空格均可，支持拼音全拼与首字母、单位别名、繁体字。"
        "列表按游标翻页：沿 next 地址翻到底即为全部结果。"
    ),
    urls_namespace="api",
    renderer=ReadableJSONRenderer(),
    # Ninja's docs page loads its scripts from a CDN, which the site never does.
    docs_url=None,
)
api.add_router("/", personnel_router)


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
    """/api/v1/ itself: where the schema and each list are."""
    lists = {
        name: reverse(f"api:{name}")
        for name in ("assignments", "people", "units", "batches")
    }
    return JsonResponse(
        {
            name: request.build_absolute_uri(path)
            for name, path in {"openapi": reverse("api:openapi-json"), **lists}.items()
        },
        json_dumps_params={"ensure_ascii": False},
    )


patterns, app_name, namespace = api.urls
for pattern in patterns:
    # Ninja's root view (which finds where the API is mounted) is a 404.
    if pattern.name == "api-root":
        pattern.callback = index
urls = (public_urls(patterns), app_name, namespace)

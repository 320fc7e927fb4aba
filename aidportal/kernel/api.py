"""Pieces of the read-only open-data API every app's router uses: errors as
JSON with a Chinese ``detail``, cursor pages over a list's keyset order, the
query parameters an operation accepts, and the HTTP of a public answer
(conditional GET from the site version, Cache-Control, CORS, a rate limit per
client address)."""

import hashlib
import math
import re
import time
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Annotated

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, Path, Schema
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from pydantic import BaseModel, BeforeValidator

from aidportal.kernel.caching import (
    PageCacheMiddleware,
    current_site_version,
    page_validators,
)
from aidportal.kernel.clients import client_address
from aidportal.kernel.forms import NOT_FOUND as NOT_FOUND_CODE
from aidportal.kernel.images import stored_renditions
from aidportal.kernel.pagination import (
    CappedCount,
    CappedPaginator,
    SeekForm,
    cursor,
    seek,
)
from aidportal.kernel.resilient_cache import CacheUnavailable, strictly

# The largest id a database column holds: a larger one is a bad parameter,
# not an overflow in the query.
MAX_ID = 2**63 - 1
CORS_METHODS = "GET, HEAD, OPTIONS"


class ApiError(Exception):
    """An answer other than 200: ``status``, a Chinese ``detail`` and the
    parameter (``field``) at fault, if one is."""

    def __init__(self, status: int, detail: str, field: str | None = None):
        super().__init__(detail)
        self.status, self.detail, self.field = status, str(detail), field


class ErrorOut(Schema):
    detail: str = Field(description="出错原因（中文）。")
    field: str | None = Field(None, description="出错的参数名；与参数无关时为空。")


NOT_FOUND = "没有这一项。"
BAD_REQUEST = "请求无效：参数过多或无法识别。"
NOT_ALLOWED = "只支持 GET、HEAD 和 OPTIONS 请求：接口只读。"
ERROR_RESPONSES = {400: ErrorOut, 404: ErrorOut, 429: ErrorOut}

# The id in a detail's path.
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="编号。")]
# An empty field of a form ("batch=") asks for no filter, as on the pages.
Blank = BeforeValidator(lambda value: None if value == "" else value)
# No database stores a NUL character: a text holding one is a bad parameter.
NO_NUL = r"^[^\x00]*$"


def filter_error(form) -> ApiError:
    """A FilterSet's errors as the API's: a parameter naming a row the public
    may not see is a 404, as on the page (hidden rows cannot be counted);
    any other bad value a 400. The parameter at fault is named."""
    errors = form.errors.as_data()
    for field, found in errors.items():
        if any(error.code == NOT_FOUND_CODE for error in found):
            return ApiError(404, NOT_FOUND, field)
    field, found = next(iter(errors.items()))
    return ApiError(400, found[0].messages[0], field)


def found(rows: QuerySet, pk: int):
    """The row ``pk`` of ``rows`` (what the public may see), or a 404."""
    row = rows.filter(pk=pk).first()
    if row is None:
        raise ApiError(404, NOT_FOUND, "id")
    return row


class RenditionOut(Schema):
    url: str = Field(description="这一缩放版本的地址（相对路径）。")
    width: int = Field(description="宽度（像素）。")
    height: int = Field(description="高度（像素）。")


class PictureOut(Schema):
    alt: str = Field(
        description="替代文字（图片内容的简短描述）；仅作装饰的图片为空字符串。"
    )
    caption: str = Field(description="图片说明；没有时为空字符串。")
    width: int | None = Field(description="原图宽度（像素）；不详时为空。")
    height: int | None = Field(description="原图高度（像素）；不详时为空。")
    webp: list[RenditionOut] = Field(
        description="网站所用的 WebP 缩放版本，由窄到宽（不放大原图）。"
    )
    jpeg: list[RenditionOut] = Field(
        description="网站所用的 JPEG 缩放版本，由窄到宽（不放大原图）。"
    )


def picture(file, renditions: dict, *, alt: str, caption: str, width, height):
    """A picture as ``PictureOut`` reads it, ``renditions`` from
    ``stored_renditions``; None without a file."""
    if not file:
        return None
    sources = renditions.get(file.name, {})
    return {
        "alt": alt,
        "caption": caption,
        "width": width,
        "height": height,
        **{
            kind.lower(): [
                {"url": url, "width": w, "height": h}
                for url, w, h in sources.get(kind, [])
            ]
            for kind in ("WEBP", "JPEG")
        },
    }


def cover(row, renditions: dict):
    """The cover of a publishable ``row`` as ``PictureOut`` reads it."""
    return picture(
        row.cover,
        renditions,
        alt=row.cover_alt,
        caption=row.cover_caption,
        width=row.cover_width,
        height=row.cover_height,
    )


def gallery(images, renditions: dict) -> list:
    """A row's gallery pictures as ``PictureOut`` reads them."""
    return [
        picture(
            image.image,
            renditions,
            alt=image.alt,
            caption=image.caption,
            width=image.width,
            height=image.height,
        )
        for image in images
    ]


def cover_and_gallery(row) -> list:
    """The pictures of a row with a cover and a gallery (``images``, to be
    prefetched): what its detail shows the renditions of."""
    return [row.cover, *(image.image for image in row.images.all())]


def with_renditions(rows: list, files_of: Callable) -> list:
    """``rows``, each with ``renditions``: the stored renditions of every
    picture of the list (``files_of(row)`` gives a row's), one query at most
    for all of them, none when the cache holds them."""
    renditions = stored_renditions(
        [file for row in rows for file in files_of(row) if file]
    )
    for row in rows:
        row.renditions = renditions
    return rows


class PageQuery(Schema):
    """The paging parameters of every list."""

    limit: int = Field(50, ge=1, le=100, description="每页条数，1 到 100，默认 50。")
    cursor: str | None = Field(
        None,
        max_length=2000,
        description="翻页位置：上一页结果中 next 地址所带的值，原样传回即可。",
    )


class ReadableJSONRenderer(JSONRenderer):
    """JSON in UTF-8 as written ("季成", not "\\u5b63\\u6210"): readable in a
    terminal, and a third the size."""

    json_dumps_params = {"ensure_ascii": False}


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """The schema of a cursor page of ``item`` rows, named ``name``."""
    return type(
        name,
        (Schema,),
        {
            "__annotations__": {
                "results": list[item],
                "next": str | None,
                "count": int,
            },
            "results": Field(description="本页的行，按列表的顺序排列。"),
            "next": Field(description="下一页的完整地址；已是最后一页时为空。"),
            "count": Field(
                description=(
                    f"符合条件的总行数，最多计到 {settings.LIST_COUNT_CAP + 1}"
                    f"（即页面上的“{settings.LIST_COUNT_CAP}+”）。"
                )
            ),
        },
    )


def cursor_page(
    request: HttpRequest,
    rows: QuerySet,
    order: list[str],
    page: PageQuery,
    *,
    count: int | None = None,
) -> dict:
    """One page of ``rows`` (ordered by ``order``, ending in a unique column;
    "-name" descending, see ``keyset_order``) after ``page.cursor``: a
    condition on the order's index, so the thousandth page costs what the
    first does. One query: the page, with the capped count of ``rows``
    (unless ``count`` is known) as a column; a second only for a page past
    the end."""
    form = SeekForm({"after": page.cursor or ""}, model=rows.model, order=order)
    if not form.is_valid():
        raise ApiError(400, SeekForm.error, "cursor")
    counted = rows
    if count is None:
        rows = rows.annotate(capped_count=CappedCount(counted))
    if where := form.seek:
        rows = seek(rows, order, where[1])
    fetched = list(rows[: page.limit + 1])
    results = fetched[: page.limit]
    more = len(fetched) > page.limit
    if count is None:
        if fetched:
            count = fetched[0].capped_count
        else:
            count = CappedPaginator(counted, 1).count if form.seek else 0
    return {
        "results": results,
        "next": next_url(request, cursor(results[-1], order)) if more else None,
        "count": count,
    }


def next_url(request: HttpRequest, position: str) -> str:
    query = request.GET.copy()
    query["cursor"] = position
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def accepts(*schemas: type[BaseModel]) -> Callable:
    """An operation that refuses (400) a query parameter none of ``schemas``
    declares: a misspelt filter must not pass for "no filter"."""
    known = {
        field.alias or name
        for schema in schemas
        for name, field in schema.model_fields.items()
    }

    def decorate(operation: Callable) -> Callable:
        @wraps(operation)
        def checked(request, *args, **kwargs):
            if unknown := sorted(set(request.GET) - known):
                # A name is echoed in part: the answer stays short.
                names = "、".join(name[:50] for name in unknown[:10])
                raise ApiError(400, f"不支持的参数：{names}。", unknown[0])
            return operation(request, *args, **kwargs)

        return checked

    return decorate


# Chinese messages for pydantic's error types (the ones query parameters meet).
MESSAGES = {
    "int_parsing": "应为整数。",
    "int_type": "应为整数。",
    "int_from_float": "应为整数。",
    "greater_than_equal": "应不小于 {ge}。",
    "less_than_equal": "应不大于 {le}。",
    "date_parsing": "应为日期，格式如 2021-07-01。",
    "date_from_datetime_parsing": "应为日期，格式如 2021-07-01。",
    "date_type": "应为日期，格式如 2021-07-01。",
    "literal_error": "应为以下之一：{expected}。",
    "enum": "应为以下之一：{expected}。",
    "string_too_long": "最长 {max_length} 个字符。",
    "string_pattern_mismatch": "含有不允许的字符。",
}


def validation_error(error: NinjaValidationError) -> ApiError:
    """The first of ninja's validation errors, as a 400 naming its parameter."""
    first = error.errors[0] if error.errors else {}
    location = [part for part in first.get("loc", ()) if isinstance(part, str)]
    message = MESSAGES.get(first.get("type"), "参数无效。")
    context = dict(first.get("ctx", {}))
    if isinstance(expected := context.get("expected"), str):
        # pydantic lists the choices in English: "'a', 'b' or 'c'".
        context["expected"] = re.sub(r", | or ", "、", expected).replace("'", "")
    try:
        message = message.format(**context)
    except (KeyError, IndexError):
        message = "参数无效。"
    return ApiError(400, message, location[-1] if location else None)


def error_response(api, request: HttpRequest, error: ApiError) -> HttpResponse:
    return api.create_response(
        request, {"detail": error.detail, "field": error.field}, status=error.status
    )


def public_answer(view: Callable) -> Callable:
    """An API view as the public reads it: GET and HEAD answered (HEAD
    without a body), OPTIONS as a CORS preflight, any origin allowed to read
    (never to write: nothing here writes); ``ETag`` and ``Last-Modified``
    from the site version, a 304 when they match, and ``Cache-Control`` as
    public pages have it."""

    @wraps(view)
    def answer(request, *args, **kwargs):
        if request.method == "OPTIONS":
            return with_cors(HttpResponse(status=204))
        # Before the conditional GET: a 304 is a request answered too.
        if wait := rate_limit_wait(request):
            return with_cors(too_many_requests(wait))
        if request.method not in ("GET", "HEAD"):
            # Nothing here writes: refused before any view (the index and the
            # schema's would answer), in JSON as every error of the API.
            response = JsonResponse(
                {"detail": NOT_ALLOWED, "field": None},
                status=405,
                json_dumps_params={"ensure_ascii": False},
            )
            response["Allow"] = CORS_METHODS
            return response
        version, _next_change = current_site_version()
        # Answers hold absolute links: each host has its own validators.
        address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        digest = hashlib.sha256(address.encode()).hexdigest()
        etag, modified = page_validators(version, digest)
        if PageCacheMiddleware.not_modified(request, etag, modified):
            return with_cors(PageCacheMiddleware.not_modified_response(etag, modified))
        head = request.method == "HEAD"
        if head:
            request.method = "GET"
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            PageCacheMiddleware.add_headers(response, etag, modified)
        if head:
            response.content = b""
        return with_cors(response)

    return csrf_exempt(answer)


def with_cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = CORS_METHODS
    response["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
    response["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Retry-After"
    return response


def rate_limit_wait(request: HttpRequest) -> int:
    """Seconds until this client's requests are answered again: 0 while it
    has made at most ``API_RATE_LIMIT`` in the current window of
    ``API_RATE_WINDOW`` seconds (windows start at multiples of it, the same
    on every app server). Counted in the cache; while the cache fails nothing
    is counted, and nobody is refused."""
    limit, window = settings.API_RATE_LIMIT, settings.API_RATE_WINDOW
    if limit <= 0:
        return 0
    now = time.time()
    start = int(now // window) * window
    key = f"api-rate:{client_address(request)}:{start}"
    try:
        if strictly(cache, "add", key, 1, window):
            return 0
        count = strictly(cache, "incr", key)
    except (CacheUnavailable, ValueError):
        # ValueError: the count expired between the two calls.
        return 0
    if count <= limit:
        return 0
    return max(1, math.ceil(start + window - now))


def too_many_requests(wait: int) -> HttpResponse:
    detail = (
        f"请求过于频繁：每个地址每 {settings.API_RATE_WINDOW} 秒"
        f"最多 {settings.API_RATE_LIMIT} 次，请 {wait} 秒后再试。"
    )
    response = JsonResponse(
        {"detail": detail, "field": None},
        status=429,
        content_type="application/json; charset=utf-8",
        json_dumps_params={"ensure_ascii": False},
    )
    response["Retry-After"] = str(wait)
    # This client's answer, now: not for a shared cache, nor to be kept.
    add_never_cache_headers(response)
    return response


def public_urls(patterns: Iterable) -> list:
    """``patterns`` (a NinjaAPI's URLs), each view a ``public_answer``."""
    for pattern in patterns:
        pattern.callback = public_answer(pattern.callback)
    return list(patterns)

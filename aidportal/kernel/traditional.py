"""繁體 pages: /zh-hant/… is the page at /… converted by OpenCC.

Every public page has a traditional version at the same path under
``/zh-hant/``. It is not a second site: the prefix is taken off the path before
the URL is resolved (``TraditionalPathMiddleware``, above the page cache), the
view renders the simplified page, and the HTML is converted with OpenCC on its
way out (``TraditionalPageMiddleware``, below the page cache, which therefore
keeps the converted page under its own address). The prefix becomes Django's
script prefix for the request, so every link ``reverse()`` makes on the page
stays in 繁體; static files, media and the admin have no traditional version
and answer their simplified address.

Taiwan or Hong Kong phrasing (软件 → 軟體 or 軟件) is chosen in settings
(``TRADITIONAL_CHINESE``: "tw" or "hk").
"""

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import get_script_prefix, set_script_prefix

from aidportal.kernel.chinese import converter

SEGMENT = "zh-hant"
PREFIX = f"/{SEGMENT}/"
SIMPLIFIED_LANGUAGE = "zh-Hans"
# Addresses with no traditional version: /zh-hant/admin/ … goes to /admin/ ….
SIMPLIFIED_ONLY = ("/admin/", "/static/", "/media/", "/healthz", "/api/", "/data/")
# What is converted: pages and feeds (files, CSV and JSON are data).
CONVERTED_TYPES = ("text/html", "application/rss+xml")


@dataclass(frozen=True)
class Variant:
    """A regional phrasing of 繁體: its OpenCC configuration, its language
    tag (html lang, hreflang) and its Open Graph locale."""

    config: str
    language: str
    locale: str


VARIANTS = {
    "tw": Variant("s2twp", "zh-Hant-TW", "zh_TW"),
    "hk": Variant("s2hk", "zh-Hant-HK", "zh_HK"),
}


def variant() -> Variant:
    return VARIANTS[settings.TRADITIONAL_CHINESE]


def to_traditional(text: str) -> str:
    """Simplified text in the traditional characters and phrasing of the
    configured region."""
    return converter(variant().config).convert(text)


def is_traditional(request: HttpRequest) -> bool:
    return getattr(request, "traditional", False)


def alternates(request: HttpRequest, *, query: bool = True) -> dict[str, str]:
    """The simplified and the traditional address of this page (path and,
    unless told, query), for the header's switch and the hreflang links."""
    root = request.path[: len(request.path) - len(request.path_info)]
    if is_traditional(request):
        root = root.removesuffix(f"/{SEGMENT}")
    tail = with_query(request, request.path_info) if query else request.path_info
    return {"simplified": root + tail, "traditional": f"{root}/{SEGMENT}{tail}"}


def with_query(request: HttpRequest, path: str) -> str:
    query = request.META.get("QUERY_STRING", "")
    return path + (f"?{query}" if query else "")


class TraditionalPathMiddleware:
    """Takes ``/zh-hant`` off the path before anything resolves it (the page
    cache included) and makes it the script prefix while the request is
    answered; ``request.path`` keeps it, so the page cache, canonical links
    and the print line name the traditional address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.traditional = request.path_info.startswith(PREFIX)
        root = request.path[: len(request.path) - len(request.path_info)]
        if request.path_info == PREFIX.rstrip("/"):
            return HttpResponseRedirect(root + with_query(request, PREFIX))
        if not request.traditional:
            return self.get_response(request)
        rest = request.path_info[len(PREFIX) - 1 :]
        if rest.startswith(SIMPLIFIED_ONLY):
            return HttpResponseRedirect(root + with_query(request, rest))
        request.path_info = rest
        previous = get_script_prefix()
        set_script_prefix(f"{previous}{SEGMENT}/")
        try:
            return self.get_response(request)
        finally:
            set_script_prefix(previous)


class TraditionalPageMiddleware:
    """Converts the traditional version's page to 繁體, below the page cache
    (which keeps it converted) and above the views."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_traditional(request) and is_converted(response):
            charset = response.charset
            response.content = to_traditional(response.content.decode(charset)).encode(
                charset
            )
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
            response["Content-Language"] = variant().language
        return response


def is_converted(response) -> bool:
    return not response.streaming and response.get("Content-Type", "").startswith(
        CONVERTED_TYPES
    )

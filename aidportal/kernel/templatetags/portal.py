import logging
import re
from decimal import Decimal
from urllib.parse import quote_plus

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from js_asset import Media as NonceMedia

from aidportal.kernel.images import renditions
from aidportal.kernel.pictures import expanded_body

logger = logging.getLogger(__name__)

register = template.Library()


# A link elsewhere starts at the first page, not where this one did.
PAGE_PARAMS = ("page", "after", "before")


@register.simple_tag(takes_context=True)
def query_with(context, *pairs, **changes):
    """The current query string with some parameters set (None or "" removes
    them) and the page (its number and cursors) reset: links that keep the
    rest of the search.

    ``{% query_with batch=10 %}``, or ``{% query_with name value %}`` when the
    parameter's name is itself a variable."""
    changes.update(zip(pairs[::2], pairs[1::2], strict=True))
    return _linked(context["request"], changes)


def _linked(request, changes: dict) -> str:
    """The query string QueryDict would give for the request's parameters
    with ``changes``: a changed parameter keeps its place, a new one comes
    last. A roster page has hundreds of such links, so the request's own
    pairs are encoded once (``_encoded_pairs``)."""
    parts, changed = [], set()
    for key, encoded in _encoded_pairs(request):
        if key not in changes:
            parts.append(encoded)
        elif key not in changed:
            changed.add(key)
            if changes[key] not in (None, ""):
                parts.append(_pair(key, changes[key]))
    parts += [
        _pair(key, value)
        for key, value in changes.items()
        if key not in changed and value not in (None, "")
    ]
    return "?" + "&".join(parts)


def _pair(key, value) -> str:
    """``urlencode({key: value})``, without its checks (hundreds per page)."""
    return f"{quote_plus(key)}={quote_plus(str(value))}"


def _encoded_pairs(request) -> list[tuple[str, str]]:
    """[(name, "name=value")] of the request's query string, but the page."""
    if not hasattr(request, "_encoded_pairs"):
        request._encoded_pairs = [
            (key, _pair(key, value))
            for key, values in request.GET.lists()
            if key not in PAGE_PARAMS
            for value in values
        ]
    return request._encoded_pairs


@register.simple_tag(takes_context=True)
def facet_values(context, rows, param, current, suffix=""):
    """The items of a facet's ``rows``: each value a link narrowing the list
    to it (the one chosen marked current), with its count. Built here rather
    than by a template per value: the roster's facets have hundreds."""
    request, current, suffix = context["request"], str(current), escape(suffix)
    items = []
    for row in rows:
        value = row["value"]
        chosen = ' aria-current="true"' if str(value) == current else ""
        hint = f' title="又称：{escape(row["hint"])}"' if row.get("hint") else ""
        link = escape(_linked(request, {param: value}))
        label = f"{escape(row['label'])}{suffix}"
        items.append(
            f'<li><a href="{link}"{chosen}{hint}>{label}</a>'
            f' <span class="count">{row["count"]}</span></li>'
        )
    return mark_safe("".join(items))


def _trimmed(value, places=2):
    """2791.00 → "2791", 35.30 → "35.3"."""
    text = f"{Decimal(value):.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _amount(value, unit: str, ten_thousand: str) -> str:
    """A quantity in ``unit``, in ``ten_thousand`` from 10,000 on; "—" unknown."""
    if value is None or value == "":
        return "—"
    value = Decimal(value)
    if abs(value) >= 10000:
        return f"{_trimmed(value / 10000)}{ten_thousand}"
    return f"{_trimmed(value)}{unit}"


@register.filter
def wan_yuan(value) -> str:
    """An amount in 万元 as people read it: 2791万元, 35.3亿元."""
    return _amount(value, "万元", "亿元")


@register.filter
def square_metres(value) -> str:
    """6794平方米; 12.5万平方米 from 10,000 m² on."""
    return _amount(value, "平方米", "万平方米")


@register.filter
def people_count(value):
    return "—" if value is None else f"{value}人"


# Chinese text may break a line between any two characters, so "35.3亿元"
# can end a line with "35.3亿" and start the next with "元". A figure and its
# unit are kept together with CSS (white-space: nowrap), not with invisible
# joiners, which would travel into whatever a reporter copies from the page.
UNBROKEN = '<span class="unbroken">{}</span>'
UNITS = (
    "平方公里|平方米|公里|千米|米|元|人次|人|个|名|项|所|家|辆|吨|台|例"
    "|次|节|场|对|批|期|岁|倍|户|亩|小时|年|月|日|天|%|％"
)
FIGURE = re.compile(rf"\d+(?:[.,]\d+)*(?:[余多])?(?:[万亿](?:{UNITS})?|{UNITS})")


@register.filter
def unbroken(value) -> str:
    """A figure with its unit (``{{ 353000|wan_yuan|unbroken }}``) on one line."""
    return format_html(UNBROKEN, value)


@register.filter
def unbroken_figures(text) -> str:
    """Plain text (a summary) with each figure kept on one line with its
    unit: "总投资35.3亿元" may break before the figure, never inside it."""
    text = str(text or "")
    parts, last = [], 0
    for match in FIGURE.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(format_html(UNBROKEN, match.group()))
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))


@register.filter
def first_with_cover(items):
    """The first of ``items`` that has a cover: its picture is the one a
    reader of the list sees first."""
    return next((item for item in items if item.cover), None)


@register.filter
def cover_loading(item, lead) -> str:
    """How a card's cover loads: at once for ``lead`` (``first_with_cover``),
    lazily, as it nears the screen, for the rest."""
    return "eager" if lead is not None and item == lead else "lazy"


@register.simple_tag
def breadcrumbs(*trail):
    """The trail after 首页: (URL, label) pairs, then the current page's label.

    ``{% breadcrumbs article.channel.get_absolute_url article.channel.name "正文" %}``
    """
    *links, current = trail
    parts = [
        format_html(' &gt;&gt; <a href="{}">{}</a>', url, label)
        for url, label in zip(links[::2], links[1::2], strict=True)
    ]
    parts.append(format_html(' &gt;&gt; <span aria-current="page">{}</span>', current))
    return mark_safe("".join(parts))


@register.inclusion_tag("includes/_picture.html")
def picture(file, alt="", sizes="100vw", loading="lazy", width=None, height=None):
    """<picture> of an uploaded image: WebP renditions with JPEG fallback,
    width and height set so the page does not jump while it loads.

    ``loading="eager"`` is for the first picture of a page (a cover, the
    first card's): it is also fetched ahead of other pictures
    (fetchpriority), since it is what the reader waits for."""
    try:
        sources = renditions(file)
    except Exception:
        # A missing or unreadable original: show it as stored rather than
        # break the page (the log says why).
        logger.exception("No renditions for %s", file.name)
        sources = {}
    jpeg = sources.get("JPEG") or []
    fallback = jpeg[min(1, len(jpeg) - 1)] if jpeg else (file.url, width, height)
    return {
        "webp": sources.get("WEBP") or [],
        "jpeg": jpeg,
        "fallback": fallback,
        "alt": alt,
        "sizes": sizes,
        "loading": loading,
    }


@register.filter
def with_pictures(body):
    """A rich-text body with its uploaded pictures as <picture> elements
    (renditions, width and height): ``{{ article.body|with_pictures }}``."""
    return expanded_body(body or "")


@register.simple_tag
def social_image_url(file):
    """The URL of the widest JPEG rendition of a picture, for Open Graph: a
    still, stripped picture, never the original upload (an animated GIF, a
    10 MB photo)."""
    try:
        jpeg = renditions(file).get("JPEG") or []
    except Exception:
        logger.exception("No renditions for %s", file.name)
        return ""
    return jpeg[-1][0] if jpeg else ""


@register.simple_tag(takes_context=True)
def media_with_nonce(context, media):
    """Form media rendered with the request's CSP nonce on inline scripts."""
    if not media:
        return ""
    # django-csp's lazy nonce is falsy until read: test for None, not truth.
    nonce = getattr(context.get("request"), "csp_nonce", None)
    nonce = "" if nonce is None else str(nonce)
    return NonceMedia.from_media(media, nonce=nonce).render()

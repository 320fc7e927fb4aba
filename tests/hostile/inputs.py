"""Hostile inputs, the statuses a public URL may answer with, and a tally of
the requests made (printed at the end of the run)."""

import json
import re
from collections import Counter
from urllib.parse import quote

# 204: the API's answer to a CORS preflight (OPTIONS).
ALLOWED_STATUSES = {200, 204, 301, 302, 304, 400, 404, 405}
# The open-data API answers a GET with JSON: its rows, or why not.
API_STATUSES = {200, 400, 404}
CHINESE = re.compile(r"[\u4e00-\u9fff]")
SIXTY_KB = 60 * 1024

# Values as the client means them; they are percent-encoded (UTF-8) when sent.
HOSTILE_VALUES = [
    # numbers and page numbers
    "",
    "abc",
    "0",
    "-1",
    "1.5",
    "99999",
    str(10**25),
    str(2**63),
    str(2**63 - 1),
    str(-(2**63) - 1),
    str(10**30),
    "1e3",
    "NaN",
    "-Infinity",
    "-0",
    "+1",
    " 1 ",
    "0x10",
    "1_000",
    "١٢",  # Arabic-Indic digits: int() reads them
    "１２",  # full-width digits
    "last",
    # NUL and other control characters
    "\x00",
    "a\x00b",
    "1\x00",
    "\x01\x02\x1b\x1f\x7f",
    "\t\n\r\x0b\x0c",
    "\x85\u2028\u2029",
    "\u200b\u200d\ufeff",
    "\u202e\u2066",
    "\ufffd\uffff",
    # text that is odd rather than broken
    " ",
    "\u3000",
    "季 成",
    "𠀀𪚥",
    "😀👩‍⚕️",
    "é" * 3,
    "a" * 51,
    "季" * 51,
    # 60 KB values
    "a" * SIXTY_KB,
    "季" * (SIXTY_KB // 3),
    "1" * SIXTY_KB,
    "%" * SIXTY_KB,
    # injections, wildcards and traversal
    "' OR '1'='1",
    '"; DROP TABLE personnel_person; --',
    "\\",
    "%",
    "_",
    "%_%",
    "*",
    "../../../../etc/passwd",
    "..%2f..%2fetc%2fpasswd",
    "%2e%2e/%2e%2e/",
    "<script>alert(1)</script>",
    "{{ 7|add:7 }}{% debug %}",
    "${jndi:ldap://example.invalid/a}",
    '=HYPERLINK("http://example.invalid")',
    "\r\nSet-Cookie: evil=1",
    "null",
    "[]",
    "{}",
    # dates
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "-2021-01-01",
    "2021-02-30",
    "2021-07-01T00:00:00",
    "2021年7月1日",
]

# Whole query strings for one parameter, sent as they are: malformed and
# invalid UTF-8 percent-escapes, repeated parameters, array syntax.
RAW_FRAGMENTS = [
    "{p}=%ff%fe",
    "{p}=%c0%80",  # overlong NUL
    "{p}=%ed%a0%80",  # an encoded surrogate
    "{p}=%e5%ad",  # a truncated character
    "{p}=%00",
    "{p}=%",
    "{p}=%zz",
    "{p}=%%",
    "{p}",
    "{p}=",
    "{p}==",
    "{p}=1&{p}=abc",
    "{p}=abc&{p}=1",
    "{p}[]=1",
    "{p}=1;{p}=2",
    "{p}=\xff\xfe",  # unescaped bytes, as a careless client sends them
    "%ff{p}=1",
    "{p}=1#fragment",
    "{p}=" + "%ff" * 1000,
]
REPEATS = 1001


def hostile_queries(param):
    """(label, raw query string) pairs for one parameter."""
    name = quote(param, safe="")
    queries = [
        (f"{param}={value[:20]!r}", f"{name}={quote(value, safe='')}")
        for value in HOSTILE_VALUES
    ]
    queries += [(raw[:30], raw.format(p=name)) for raw in RAW_FRAGMENTS]
    queries.append(
        (f"{REPEATS} x {param}", "&".join(f"{name}={i}" for i in range(REPEATS)))
    )
    return queries


def whole_queries(params):
    """Query strings about no one parameter: many names, huge and odd ones."""
    return [
        (
            f"{REPEATS} parameters",
            "&".join(f"f{i}={i}" for i in range(REPEATS)),
        ),
        (
            # Over DATA_UPLOAD_MAX_NUMBER_FIELDS: Django refuses with a 400.
            "2001 parameters",
            "&".join(f"f{i}={i}" for i in range(2001)),
        ),
        ("every parameter twice", "&".join(f"{p}=1&{p}=2" for p in params)),
        ("every parameter NUL", "&".join(f"{p}=%00" for p in params)),
        ("60 KB name", "n" * SIXTY_KB + "=1"),
        ("NUL name", "%00=1"),
        ("invalid UTF-8 name", "%ff%fe=1"),
        ("only separators", "&&&;;=&="),
        ("bare percent", "%"),
    ]


tally = Counter()


def read(response):
    """The body, streamed ones included: a stream that breaks mid-way is an
    error a status code does not show."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def answer(client, method, path, **extra):
    """The response's status, or the exception a 5xx came with."""
    tally["requests"] += 1
    try:
        response = getattr(client, method)(path, **extra)
        read(response)
    except Exception as error:  # any exception is the finding
        return f"{type(error).__name__}: {str(error)[:200]}"
    return response.status_code


def api_answer(client, path, **extra):
    """The status of a GET to the API when its answer is JSON, and a 400 or
    404 an object with a Chinese ``detail``; else what is wrong with it."""
    tally["requests"] += 1
    try:
        response = client.get(path, **extra)
        body = read(response)
    except Exception as error:  # any exception is the finding
        return f"{type(error).__name__}: {str(error)[:200]}"
    status, kind = response.status_code, response.get("Content-Type", "")
    if not kind.startswith("application/json"):
        return f"{status} {kind}: {body[:80]!r}"
    try:
        data = json.loads(body)
    except ValueError:
        return f"{status} not JSON: {body[:80]!r}"
    if status >= 400:
        detail = data.get("detail") if isinstance(data, dict) else None
        if not isinstance(detail, str) or not CHINESE.search(detail):
            return f"{status} without a Chinese detail: {body[:80]!r}"
    return status

"""make bench: search and page speed at a million rows, written as a report.

On PostgreSQL (BENCH_DATABASE_URL, default: the local aidportal_bench
database, created if missing): seeds 1M people/assignments and 100k articles
with seed_bulk when the database holds fewer, then measures in one run
- roster search p50/p95 for 1, 2, 3 and 9 character terms and pinyin, next to
  the naive ``__icontains`` scan of the same query (ratio), with the plan node;
- throughput under gunicorn (production settings, Redis cache) of the home,
  article list and roster pages, cached and uncached, next to a static file
  served by the same server (ratio), with wrk;
- queries per page;
- the open-data API's roster search and a deep page reached by its cursor.
Ratios, not absolute times, are what carry over between machines.
"""

import itertools
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from urllib.parse import urlencode

from common import (
    PRODUCTION_ENV,
    ROOT,
    ensure_database,
    free_port,
    gunicorn,
    manage,
    nginx,
    percentile,
    timed,
    use_database,
)

REPORTS = ROOT / "bench" / "reports"
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/aidportal_bench"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
PEOPLE = int(os.environ.get("BENCH_PEOPLE", "1000000"))
ARTICLES = int(os.environ.get("BENCH_ARTICLES", "100000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))
WRK_SECONDS = int(os.environ.get("BENCH_WRK_SECONDS", "10"))
COMBO_REPEAT = int(os.environ.get("BENCH_COMBO_REPEAT", "10"))
TERMS = {
    "1 character": "王",
    "2 characters": "王伟",
    "3 characters": "杭州市",
    "9 characters": "阿克苏市依镇中心卫",
    "pinyin": "wangwei",
    "initials": "zxm",
}
# The list: (label, term, page); the last has just over 1,000
# matches at 1M rows (seed_bulk's unit names) and is read at its 20th page.
PAGE_TERMS = [
    ("most common unit word", "杭州市", 1),
    ("most common surname", "王", 1),
    ("common name", "王伟", 1),
    ("rare name", "季成", 1),
    ("9-character unit name", "阿克苏市依镇中心卫", 1),
    ("pinyin", "wangwei", 1),
    ("initials", "zxm", 1),
    ("no match", "无此人名", 1),
    ("just over 1,000 matches", "第53实验小学", 20),
]
FILTERS = ("batch", "category", "receiving_unit", "sending_unit", "on")
SORTS = ("unit", "name", "batch")
TARGET_P50, TARGET_P99, TARGET_QUERIES = 20, 60, 4


def search_section(lines):
    from django.conf import settings
    from django.db import connection

    from aidportal.kernel.pagination import CappedPaginator
    from personnel.filters import DEFAULT_SORT, SORT_ORDERS
    from personnel.models import Assignment

    order = ["pk"]
    cap = settings.LIST_COUNT_CAP
    roster_order = SORT_ORDERS[DEFAULT_SORT]
    rows = Assignment.objects.count()
    lines += [
        f"## Roster search ({rows:,} assignments; every match counted)",
        "",
        "`Assignment.objects.search(term).count()` against the naive "
        "`filter(search_text__icontains=term).count()`; then the first page "
        "(50 rows by id) with the index.",
        "",
        "| term | matches | indexed p50 | p95 | naive icontains p50 | p95 | ratio (p50) "
        "| first page p50 | plan node |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    page_lines = [
        "",
        f"## Roster search as the roster page runs it (count capped at {cap + 1:,}, "
        "first 50 rows in roster order)",
        "",
        "| term | indexed p50 | p95 | naive icontains p50 | p95 | ratio (p50) |",
        "|---|---|---|---|---|---|",
    ]
    for label, term in TERMS.items():
        indexed = Assignment.objects.search(term).order_by(*order)
        naive = Assignment.objects.filter(search_text__icontains=term).order_by(*order)
        found = indexed.count()
        fast = timed(indexed.count, REPEAT)
        slow = timed(naive.count, max(3, REPEAT // 6))
        page = timed(lambda q=indexed: list(q[:50]), REPEAT)
        plan = indexed.explain()
        node = next(
            (
                line.strip().split("  (")[0]
                for line in plan.splitlines()
                if "Index Scan" in line
            ),
            "no index scan",
        )
        lines.append(
            f"| {label} `{term}` | {found:,} | {fast[0]:.2f} ms | {fast[1]:.2f} ms "
            f"| {slow[0]:.1f} ms | {slow[1]:.1f} ms | {slow[0] / fast[0]:.0f}× "
            f"| {page[0]:.2f} ms | {node} |"
        )

        def roster_page(rows, indexed):
            # As RosterView: the capped count, then the first page in the
            # order the roster reads it (the same QuerySet method).
            rows = rows.order_by(*roster_order)
            count = CappedPaginator(rows, 50).count
            return count, list(rows.for_page(count=count, searching=indexed)[:50])

        fast = timed(lambda q=indexed: roster_page(q, True), REPEAT)
        slow = timed(lambda q=naive: roster_page(q, False), max(3, REPEAT // 6))
        page_lines.append(
            f"| {label} `{term}` | {fast[0]:.2f} ms | {fast[1]:.2f} ms "
            f"| {slow[0]:.1f} ms | {slow[1]:.1f} ms | {slow[0] / fast[0]:.0f}× |"
        )
    lines += page_lines
    with connection.cursor() as cursor:
        cursor.execute("SHOW lc_ctype")
        lc_ctype = cursor.fetchone()[0]
    lines += [
        "",
        f"Database LC_CTYPE: `{lc_ctype}` (the index does not depend on it).",
        "",
    ]


class SqlClock:
    """Sums the time and counts the queries of what runs while it is on."""

    def __init__(self):
        self.seconds, self.queries, self.statements = 0.0, 0, []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1
            self.statements.append((sql, params))


def page_client():
    """A test client whose responses carry their template context, with the
    page cache off and the roster's sampled facets never kept: every request
    does the page's whole work."""
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    if not getattr(page_client, "ready", False):
        setup_test_environment()
        page_client.ready = True
    settings.ALLOWED_HOSTS = ["*"]
    settings.PAGE_CACHE_SECONDS = 0
    settings.ROSTER_FACET_CACHE_SECONDS = 0
    settings.API_RATE_LIMIT = 0
    return Client()


def measured(client, url, repeat):
    """(SQL ms per request, response ms per request, queries of the last,
    its statements, the last response) of ``repeat`` GETs after one more."""
    from django.db import connection

    client.get(url)
    sql, whole = [], []
    for _ in range(repeat):
        clock = SqlClock()
        with connection.execute_wrapper(clock):
            started = time.perf_counter()
            response = client.get(url)
            whole.append((time.perf_counter() - started) * 1000)
        sql.append(clock.seconds * 1000)
    return sql, whole, clock.queries, clock.statements, response


def p50_p99(values):
    return statistics.median(values), percentile(values, 0.99)


def plan_node(statements, table):
    """The scan of ``table`` in the plan of the heaviest-looking statement
    that reads it with a LIMIT (the page's rows)."""
    from django.db import connection

    pages = [
        (sql, params)
        for sql, params in statements
        if f'FROM "{table}"' in sql and "LIMIT" in sql and "COUNT(" not in sql
    ]
    if not pages:
        return "—"
    sql, params = max(pages, key=lambda statement: len(statement[0]))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
    for line in plan:
        found = re.search(r"((?:Bitmap )?(?:Index|Seq)[ \w]*? (?:using|on) \S+)", line)
        if found and (table in line or "_idx" in line or "pkey" in line):
            node = found.group(1)
            return node + (" + Sort" if any("Sort" in row for row in plan) else "")
    return plan[0].split("  (")[0].strip()


def filter_values(term):
    """Values of each roster filter that leave rows for ``term``: its most
    frequent batch, category and units among its first matches."""
    from django.db.models import Count

    from personnel.models import Assignment

    rows = Assignment.objects.published()
    matches = rows.search(term) if term else rows
    first = Assignment.objects.filter(
        pk__in=list(matches.order_by().values_list("pk", flat=True)[:2000])
    )
    if not first.exists():
        first = Assignment.objects.filter(
            pk__in=list(rows.order_by().values_list("pk", flat=True)[:2000])
        )

    def top(column):
        found = (
            first.values(column).annotate(n=Count("pk")).order_by("-n", column).first()
        )
        return found[column]

    return {
        "batch": top("batch__number"),
        "category": top("person__category"),
        "receiving_unit": top("receiving_unit_id"),
        "sending_unit": top("sending_unit_id"),
        "on": "2021-06-01",
    }


def naive_page(term, page, order):
    """The roster page's work done the naive way: every match by
    ``__icontains`` (no index), counted to the cap, sorted, sampled facets."""
    from django.conf import settings

    from aidportal.kernel.pagination import CappedPaginator
    from personnel.models import Assignment

    rows = Assignment.objects.published().for_listing()
    rows = rows.filter(search_text__icontains=term).order_by(*order)
    count = CappedPaginator(rows, 50).count
    found = list(rows[(page - 1) * 50 : page * 50])
    rows.facets(
        units=settings.ROSTER_FACET_UNITS,
        sample=settings.LIST_COUNT_CAP if count > settings.LIST_COUNT_CAP else None,
    )
    return [row.pk for row in found]


def roster_pages_section(lines):
    """The roster page for each term of the issue and each combination of its
    filters and orders, through the view (page cache off)."""
    from personnel.filters import SORT_ORDERS

    client = page_client()
    client.get("/personnel/")
    lines += [
        "## The roster page at 1M rows: every term, every filter combination",
        "",
        "Through the view with the page cache off. *page path*: the time its "
        "queries take (capped count, the page's rows, the facets), p50 and p99 "
        f"of {REPEAT} requests; *response*: the whole request in-process "
        "(rendering included). The naive page counts, fetches and samples "
        f"with `__icontains` (no index), {max(3, REPEAT // 6)} runs. Targets: "
        f"p50 ≤ {TARGET_P50} ms, p99 ≤ {TARGET_P99} ms, ≤ {TARGET_QUERIES} "
        "queries, the naive page's rows.",
        "",
        "| term | matches | page | page path p50 | p99 | response p50 | queries "
        "| naive p50 | ratio | same rows | plan node |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    combos = [
        subset
        for size in range(len(FILTERS) + 1)
        for subset in itertools.combinations(FILTERS, size)
    ]
    grid, misses = [], []
    for label, term, page in PAGE_TERMS:
        params = {"q": term, **({"page": page} if page > 1 else {})}
        url = "/personnel/?" + urlencode(params)
        sql, whole, queries, statements, response = measured(client, url, REPEAT)
        matches = response.context["paginator"].display_count
        order = SORT_ORDERS["unit"]
        naive_runs = []
        for _ in range(max(3, REPEAT // 6)):
            started = time.perf_counter()
            expected = naive_page(term, page, order)
            naive_runs.append((time.perf_counter() - started) * 1000)
        shown = [row.pk for row in response.context["object_list"]]
        p50, p99 = p50_p99(sql)
        naive = statistics.median(naive_runs)
        lines.append(
            f"| {label} `{term}` | {matches} | {page} | {p50:.1f} ms | {p99:.1f} ms "
            f"| {statistics.median(whole):.0f} ms | {queries} | {naive:.0f} ms "
            f"| {naive / max(p50, 0.01):.0f}× | {'yes' if shown == expected else 'NO'} "
            f"| {plan_node(statements, 'personnel_assignment')} |"
        )
        if page > 1:
            # The same page reached by 下一页 links: it seeks from a cursor.
            cursor_url = url_by_next_links(client, term, page)
            sql, whole, queries, statements, response = measured(
                client, cursor_url, REPEAT
            )
            p50, p99 = p50_p99(sql)
            same = [row.pk for row in response.context["object_list"]] == expected
            lines.append(
                f"| {label} `{term}`, by 下一页 | {matches} | {page} | {p50:.1f} ms "
                f"| {p99:.1f} ms | {statistics.median(whole):.0f} ms | {queries} "
                f"| {naive:.0f} ms | {naive / max(p50, 0.01):.0f}× "
                f"| {'yes' if same else 'NO'} "
                f"| {plan_node(statements, 'personnel_assignment')} |"
            )
        values = filter_values(term)
        worst = (0.0, 0.0, 0, "")
        for combo in combos:
            for sort in SORTS:
                query = {**params, **{name: values[name] for name in combo}}
                if sort != "unit":
                    query["sort"] = sort
                combo_url = "/personnel/?" + urlencode(query)
                sql, _, queries, _, response = measured(client, combo_url, COMBO_REPEAT)
                p50, p99 = p50_p99(sql)
                name = "+".join(combo) or "no filter"
                name += f", sort={sort}"
                grid.append((label, p50, p99, queries))
                if p50 > worst[0]:
                    worst = (p50, p99, queries, name)
                if (
                    response.status_code != 200
                    or p50 > TARGET_P50
                    or p99 > TARGET_P99
                    or queries > TARGET_QUERIES
                ):
                    misses.append(
                        f"| {label} `{term}` | {name} | {response.status_code} "
                        f"| {p50:.1f} ms | {p99:.1f} ms | {queries} |"
                    )
        term_grid = [row for row in grid if row[0] == label]
        lines.append(
            f"| ↳ {len(term_grid)} filter combinations × orders | | | "
            f"worst {worst[0]:.1f} ms ({worst[3]}) "
            f"| worst {max(row[2] for row in term_grid):.1f} ms | | "
            f"max {max(row[3] for row in term_grid)} | | | | |"
        )
    lines += [
        "",
        f"{len(grid)} combinations measured ({len(combos)} filter subsets of "
        f"{', '.join(FILTERS)} × {len(SORTS)} orders × {len(PAGE_TERMS)} terms, "
        f"{COMBO_REPEAT} requests each: p99 is their maximum); "
        f"{len(misses)} miss a target:",
        "",
    ]
    if misses:
        lines += [
            "| term | filters | status | page path p50 | p99 | queries |",
            "|---|---|---|---|---|---|",
            *misses,
        ]
    lines.append("")


def url_by_next_links(client, term, page):
    """The URL the 下一页 links lead to at ``page`` of ``term``."""
    import html

    url = "/personnel/?" + urlencode({"q": term})
    for _ in range(page - 1):
        content = client.get(url).content.decode()
        link = re.search(r'<a href="\?([^"]*)" rel="next">', content)
        url = "/personnel/?" + html.unescape(link.group(1))
    return url


def api_section(lines):
    """The open-data API's roster search (/api/v1/assignments/) for each term,
    against the roster page's first rows, and the deep page reached by
    following ``next`` links (the cursor), against the same rows read by
    OFFSET."""
    import json

    from personnel.filters import SORT_ORDERS

    client = page_client()
    order = SORT_ORDERS["unit"]
    lines += [
        "## The API's roster search at 1M rows",
        "",
        "`/api/v1/assignments/?q=…` (50 rows a page) through the view, conditional "
        f"GET off: *page path* p50/p99 of {REPEAT} requests as above; *naive*: "
        "the roster page's naive work for the same rows (`__icontains`, no index). "
        "*same rows*: the API's ids equal the naive page's. *roster page*: the page "
        "path of `/personnel/?q=…` for the same rows, measured alongside. Deep pages are "
        "reached by following `next` (a cursor, as a script pages through).",
        "",
        "| term | count | page | page path p50 | p99 | response p50 | queries "
        "| roster page p50 | naive p50 | ratio | same rows | plan node |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, term, page in PAGE_TERMS:
        # The roster page's page path for the same rows, reached the same way.
        page_sql = measured(client, url_by_next_links(client, term, page), REPEAT)[0]
        url = "/api/v1/assignments/?" + urlencode({"q": term, "limit": 50})
        reached = 1
        while reached < page:
            following = json.loads(client.get(url).content)["next"]
            if following is None:
                break  # fewer pages than asked for (a small database)
            url, reached = following.split("testserver", 1)[1], reached + 1
        page = reached
        sql, whole, queries, statements, response = measured(client, url, REPEAT)
        body = json.loads(response.content)
        naive_runs = []
        for _ in range(max(3, REPEAT // 6)):
            started = time.perf_counter()
            expected = naive_page(term, page, order)
            naive_runs.append((time.perf_counter() - started) * 1000)
        shown = [row["id"] for row in body["results"]]
        p50, p99 = p50_p99(sql)
        naive = statistics.median(naive_runs)
        lines.append(
            f"| {label} `{term}` | {body['count']} | {page} | {p50:.1f} ms "
            f"| {p99:.1f} ms | {statistics.median(whole):.0f} ms | {queries} "
            f"| {statistics.median(page_sql):.1f} ms "
            f"| {naive:.0f} ms | {naive / max(p50, 0.01):.0f}× "
            f"| {'yes' if shown == expected else 'NO'} "
            f"| {plan_node(statements, 'personnel_assignment')} |"
        )
    lines += [
        "",
        f"Targets as the roster page's: p50 ≤ {TARGET_P50} ms, p99 ≤ {TARGET_P99} ms, "
        f"≤ {TARGET_QUERIES} queries.",
        "",
    ]


def site_search_section(lines):
    client = page_client()
    lines += [
        "## Site search at 1M rows (100k articles)",
        "",
        "`/search/?q=…` through the view: every group's count and first rows "
        f"(articles, projects, people); p50/p99 of the queries' time over {REPEAT} "
        "requests, then one group paged (`type=people`, page 2).",
        "",
        "| term | page path p50 | p99 | response p50 | queries | people page 2 p50 "
        "| p99 | queries | plan node (people) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for label, term, _ in PAGE_TERMS:
        sql, whole, queries, statements, _ = measured(
            client, "/search/?" + urlencode({"q": term}), REPEAT
        )
        paged = measured(
            client,
            "/search/?" + urlencode({"q": term, "type": "people", "page": 2}),
            REPEAT,
        )
        p50, p99 = p50_p99(sql)
        paged_p50, paged_p99 = p50_p99(paged[0])
        lines.append(
            f"| {label} `{term}` | {p50:.1f} ms | {p99:.1f} ms "
            f"| {statistics.median(whole):.0f} ms | {queries} | {paged_p50:.1f} ms "
            f"| {paged_p99:.1f} ms | {paged[2]} "
            f"| {plan_node(statements, 'personnel_person')} |"
        )
    lines.append("")


def query_counts_section(lines):
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from articles.models import Article
    from personnel.models import Person

    settings.ALLOWED_HOSTS = ["*"]
    settings.PAGE_CACHE_SECONDS = 0
    article = Article.objects.published().order_by("-pk").first()
    person = Person.objects.published().order_by("-pk").first()
    pages = [
        "/",
        "/articles/",
        "/projects/",
        "/personnel/",
        "/personnel/?q=王伟",
        "/search/?q=援疆",
    ]
    pages += [article.get_absolute_url(), person.get_absolute_url()]
    lines += [
        "## Queries per page (page cache off; navigation and home blocks warm)",
        "",
        "| page | queries | time |",
        "|---|---|---|",
    ]
    client = Client()
    for page in pages:
        client.get(page)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(page)
            elapsed = (time.perf_counter() - started) * 1000
        lines.append(
            f"| `{page}` ({response.status_code}) | {len(queries)} | {elapsed:.0f} ms |"
        )
    lines.append("")


EXPORT_SCRIPT = """
import io, os, resource, sys, tempfile, time
import django
django.setup()
from django.db.models import Subquery
from aidportal.kernel.downloads import whole_result_plans
from personnel.exports import COLUMNS, roster_rows, roster_values, write_csv, write_xlsx
from personnel.filters import DEFAULT_SORT, SORT_ORDERS
from personnel.models import Assignment

size, fmt, way = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rows = Assignment.objects.published().order_by(*SORT_ORDERS[DEFAULT_SORT])
if size:
    first = Assignment.objects.order_by("pk").values("pk")[:size]
    rows = rows.filter(pk__in=Subquery(first))
started = time.perf_counter()
with tempfile.TemporaryFile() as out:
    if way == "values":
        with whole_result_plans():
            (write_csv if fmt == "csv" else write_xlsx)(roster_values(rows), out)
    else:
        # The export before: model instances, the workbook in memory.
        from openpyxl import Workbook
        instances = list(rows.select_related("person", "batch", "sending_unit", "receiving_unit"))
        values = [(a.person.name, a.person.category, a.batch.label, a.term, a.sending_unit.name,
                   a.receiving_unit.name, a.position, a.arrived_on, a.left_on) for a in instances]
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("x")
        sheet.append(COLUMNS)
        for row in roster_rows(values):
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        out.write(buffer.getvalue())
    written = out.tell()
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"RESULT {elapsed:.2f} {peak:.0f} {written}")
"""


def export_run(size, fmt, way):
    """(seconds, peak MB of the process, bytes) of one export in a fresh process."""
    output = subprocess.run(
        [sys.executable, "-c", EXPORT_SCRIPT, str(size), fmt, way],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": DATABASE_URL},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT"))
    seconds, peak, written = line.split()[1:]
    return float(seconds), float(peak), int(written)


def exports_section(lines):
    from personnel.models import Assignment

    public = Assignment.objects.published().count()
    lines += [
        f"## Roster exports ({public:,} public assignments)",
        "",
        "Each build in a fresh process: wall time, the process's peak memory (Python, "
        "Django and the rows), file size. *values → file* is how exports are built now "
        "(rows read as tuples in chunks of 5,000, written to a file as they come); "
        "*instances in memory* is how they were built before (model instances, the "
        "workbook in memory). A built file is then served from storage until the site "
        "version changes.",
        "",
        "| rows | format | way | time | peak memory | file |",
        "|---|---|---|---|---|---|",
    ]
    runs = [
        (50_000, "xlsx", "instances"),
        (50_000, "xlsx", "values"),
        (50_000, "csv", "values"),
        (0, "csv", "values"),
        (0, "xlsx", "values"),
    ]
    for size, fmt, way in runs:
        seconds, peak, written = export_run(size, fmt, way)
        label = f"{size:,}" if size else f"all ({public:,})"
        name = "values → file" if way == "values" else "instances in memory"
        lines.append(
            f"| {label} | {fmt} | {name} | {seconds:.1f} s | {peak:.0f} MB "
            f"| {written / 2**20:.1f} MB |"
        )
    lines.append("")


def wrk(url):
    # One request first: a cold page cache would otherwise have every
    # connection render the same page at once.
    urllib.request.urlopen(url, timeout=60).read()
    output = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{WRK_SECONDS}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = [line.strip() for line in output.splitlines()]
    rate = float(next(line for line in lines if "Requests/sec" in line).split()[1])
    p50 = next(line for line in lines if line.startswith("50%")).split()[1]
    p99 = next(line for line in lines if line.startswith("99%")).split()[1]
    errors = next(
        (line for line in lines if "Non-2xx" in line or "Socket errors" in line),
        "",
    )
    return rate, p50, p99, errors


THROUGHPUT_PAGES = ("/", "/articles/", "/projects/", "/personnel/")
SEARCH_PAGE = "/personnel/?" + urlencode({"q": "杭州市"})


def throughput_section(lines):
    if not shutil.which("wrk"):
        lines += [
            "## Throughput",
            "",
            "wrk is not installed (apt-get install wrk): skipped.",
            "",
        ]
        return
    env = {**PRODUCTION_ENV, "REDIS_URL": REDIS_URL}
    lines += [
        f"## Throughput (gunicorn 2 workers, wrk 2 threads × 16 connections, "
        f"{WRK_SECONDS} s)",
        "",
        "| server | page | cache | requests/s | p50 | p99 | ratio | errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    rates = {}
    for cached in (True, False):
        port = free_port()
        with gunicorn(port, env, cached=cached):
            base = f"http://127.0.0.1:{port}"
            if cached:
                rate = rates["static"] = wrk(f"{base}/static/css/site.css")[0]
                lines.append(
                    f"| gunicorn | static file `/static/css/site.css` | — "
                    f"| {rate:.0f} | | | 1 | |"
                )
            pages = THROUGHPUT_PAGES if cached else (*THROUGHPUT_PAGES, SEARCH_PAGE)
            for page in pages:
                rate, p50, p99, errors = wrk(base + page)
                rates[page, cached] = rate
                lines.append(
                    f"| gunicorn | `{page}` | {'on' if cached else 'off'} "
                    f"| {rate:.0f} | {p50} | {p99} "
                    f"| {rate / rates['static']:.2f} of static | {errors} |"
                )
    if shutil.which("nginx") or os.path.exists("/usr/sbin/nginx"):
        app_port, port = free_port(), free_port()
        with (
            gunicorn(app_port, {**env, "TRUSTED_PROXY_COUNT": "1"}),
            nginx(port, app_port),
        ):
            base = f"http://127.0.0.1:{port}"
            static = wrk(f"{base}/static/css/site.css")[0]
            lines.append(
                f"| nginx | static file `/static/css/site.css` | — | {static:.0f} "
                "| | | 1 | |"
            )
            for page in THROUGHPUT_PAGES:
                rate, p50, p99, errors = wrk(base + page)
                lines.append(
                    f"| nginx → gunicorn | `{page}` | proxy cache | {rate:.0f} "
                    f"| {p50} | {p99} | {rate / static:.2f} of static | {errors} |"
                )
    else:
        lines.append("| nginx | not installed (apt-get install nginx): skipped | | | |")
    uncached_home = rates.get(("/", False))
    if uncached_home:
        lines += [
            "",
            f"Uncached roster search `{SEARCH_PAGE}` against the uncached home page: "
            f"{rates[SEARCH_PAGE, False] / uncached_home:.2f} (target ≥ 0.5). "
            "Its facets are counted at the first request and kept until content "
            "changes, as in production (the page path above counts them every "
            "time); the home page's blocks are kept likewise.",
        ]
    lines.append("")


def main():
    started = time.monotonic()
    ensure_database(DATABASE_URL)
    use_database(DATABASE_URL)
    from articles.models import Article
    from personnel.models import Assignment

    have_people, have_articles = Assignment.objects.count(), Article.objects.count()
    if have_people < PEOPLE or have_articles < ARTICLES:
        manage(
            "seed_bulk",
            "--people",
            str(max(0, PEOPLE - have_people)),
            "--articles",
            str(max(0, ARTICLES - have_articles)),
        )
    lines = [
        f"# aidportal benchmark, {datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"Machine: {os.cpu_count()} cores; database `{DATABASE_URL.rsplit('/', 1)[1]}`.",
        "",
    ]
    sections = os.environ.get("BENCH_SECTIONS", "").split(",")
    for name, section in [
        ("search", search_section),
        ("roster", roster_pages_section),
        ("site", site_search_section),
        ("api", api_section),
        ("exports", exports_section),
        ("queries", query_counts_section),
        ("throughput", throughput_section),
    ]:
        if sections == [""] or name in sections:
            section(lines)
    lines.append(f"Total run: {time.monotonic() - started:.0f} s.")
    REPORTS.mkdir(parents=True, exist_ok=True)
    report = REPORTS / f"bench-{datetime.now():%Y%m%d-%H%M}.md"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(f"\nReport written to {report.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

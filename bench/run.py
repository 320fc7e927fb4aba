"""make bench: search and page speed at a million rows, written as a report.

On PostgreSQL (BENCH_DATABASE_URL, default: the local aidportal_bench
database, created if missing): seeds 1M people/assignments and 100k articles
with seed_bulk when the database holds fewer, then measures in one run
- roster search p50/p95 for 1, 2, 3 and 9 character terms and pinyin, next to
  the naive ``__icontains`` scan of the same query (ratio), with the plan node;
- throughput under gunicorn (production settings, Redis cache) of the home,
  article list and roster pages, cached and uncached, next to a static file
  served by the same server (ratio), with wrk;
- queries per page.
Ratios, not absolute times, are what carry over between machines.
"""

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from datetime import datetime

from common import (
    PRODUCTION_ENV,
    ROOT,
    ensure_database,
    free_port,
    gunicorn,
    manage,
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
TERMS = {
    "1 character": "王",
    "2 characters": "王伟",
    "3 characters": "杭州市",
    "9 characters": "阿克苏市依镇中心卫",
    "pinyin": "wangwei",
    "initials": "zxm",
}


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
        f"## Throughput under gunicorn (2 workers, wrk 2 threads × 16 connections, {WRK_SECONDS} s)",
        "",
        "| page | cache | requests/s | p50 | p99 | vs static file | errors |",
        "|---|---|---|---|---|---|---|",
    ]
    for cached in (True, False):
        port = free_port()
        with gunicorn(port, env, cached=cached):
            base = f"http://127.0.0.1:{port}"
            static_rate = wrk(f"{base}/static/css/site.css")[0]
            if cached:
                lines.append(
                    f"| static file `/static/css/site.css` | — | {static_rate:.0f} | | | 1 | |"
                )
            for page in ("/", "/articles/", "/projects/", "/personnel/"):
                rate, p50, p99, errors = wrk(base + page)
                lines.append(
                    f"| `{page}` | {'on' if cached else 'off'} | {rate:.0f} | {p50} | {p99} "
                    f"| {rate / static_rate:.2f} | {errors} |"
                )
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
    search_section(lines)
    exports_section(lines)
    query_counts_section(lines)
    throughput_section(lines)
    lines.append(f"Total run: {time.monotonic() - started:.0f} s.")
    REPORTS.mkdir(parents=True, exist_ok=True)
    report = REPORTS / f"bench-{datetime.now():%Y%m%d-%H%M}.md"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(f"\nReport written to {report.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

"""make loadtest: 60 seconds of a mixed public workload against gunicorn.

Starts gunicorn with production settings on PostgreSQL
(LOADTEST_DATABASE_URL, default: the local aidportal_loadtest database, created
and filled with the demo content and a seeded roster when empty) and Redis,
then drives it with wrk on loopback: pages, searches, roster exports and
malformed URLs in turn, on keep-alive connections. Reports requests, rate,
latency p50/p99, the responses by status class and socket errors, and fails
when any response was a 5xx or a socket failed. Not part of ``make test``.
"""

import os
import re
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import common

DATABASE_URL = os.environ.get(
    "LOADTEST_DATABASE_URL",
    "postgres://postgres@127.0.0.1:5432/aidportal_loadtest",
)
REDIS_URL = os.environ.get("LOADTEST_REDIS_URL", "redis://127.0.0.1:6379/13")
SECONDS = int(os.environ.get("LOADTEST_SECONDS", "60"))
CONNECTIONS = int(os.environ.get("LOADTEST_CONNECTIONS", "32"))
WORKERS = os.environ.get("LOADTEST_WORKERS", "3")

# The mixed workload: what visitors, reporters and robots ask for, and what
# scanners send. Each wrk connection walks this list from its own offset.
PATHS = [
    "/",
    "/articles/",
    "/articles/?page=2",
    "/channels/frontline/",
    "/articles/1/",
    "/projects/1/",
    "/personnel/1/",
    "/projects/",
    "/projects/?category=project",
    "/personnel/",
    "/personnel/?q=王伟",
    "/personnel/?q=jicheng",
    "/personnel/?q=季%20成",
    "/personnel/?batch=10&sort=name",
    "/personnel/?q=杭州市&page=3",
    "/search/?q=援疆",
    "/search/?q=阿克苏&type=articles&page=2",
    "/personnel/export.csv?batch=10",
    "/personnel/export.xlsx?q=王",
    "/feeds/articles/",
    "/sitemap.xml",
    "/robots.txt",
    "/healthz",
    # Malformed and hostile: each must be a 4xx, never a 5xx.
    "/personnel/?page=abc",
    "/personnel/?page=99999999999999999999999",
    "/personnel/?q=%00%01",
    "/personnel/?q=%ff%fe",
    "/personnel/?batch=9223372036854775808",
    "/personnel/?receiving_unit=1000000000000000000000000000000",
    "/personnel/?on=2024-13-45",
    "/search/?q=" + "援" * 3000,
    "/search/?type=nothing&q=援疆",
    "/articles/99999999999999999999/",
    "/articles/../../etc/passwd",
    "/media/../../etc/passwd",
    "/projects/?year=-1&page=0",
    "/sitemap.xml?p=abc",
    "/channels/%ff/",
]

LUA = r"""
local paths = {%(paths)s}
local threads = {}
local counter = 1

function setup(thread)
  thread:set("offset", counter)
  counter = counter + 7
  table.insert(threads, thread)
end

function init(args)
  index = offset
  classes = {0, 0, 0, 0, 0}
end

function request()
  index = index %% #paths + 1
  return wrk.format("GET", paths[index])
end

function response(status, headers, body)
  local class = math.floor(status / 100)
  if class >= 1 and class <= 5 then
    classes[class] = classes[class] + 1
  end
end

function done(summary, latency, requests)
  local totals = {0, 0, 0, 0, 0}
  for _, thread in ipairs(threads) do
    local counts = thread:get("classes")
    for class = 1, 5 do
      totals[class] = totals[class] + counts[class]
    end
  end
  io.write(string.format("STATUS 2xx=%%d 3xx=%%d 4xx=%%d 5xx=%%d\n",
    totals[2], totals[3], totals[4], totals[5]))
  io.write(string.format("LATENCY p50=%%d p99=%%d max=%%d\n",
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def prepare_database():
    """The demo content and a seeded roster, written once."""
    env = {"DATABASE_URL": DATABASE_URL}
    if common.ensure_database(DATABASE_URL):
        common.manage("load_demo", **env)
        common.manage("seed_bulk", "--people", "20000", "--articles", "2000", **env)


def main():
    prepare_database()
    port = common.free_port()
    paths = ", ".join(f'"{quote(path, safe="/?&=%:+")}"' for path in PATHS)
    env = {
        **common.PRODUCTION_ENV,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
    }
    with (
        tempfile.TemporaryDirectory() as folder,
        common.gunicorn(port, env, workers=WORKERS),
    ):
        script = Path(folder) / "workload.lua"
        script.write_text(LUA % {"paths": paths})
        output = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{CONNECTIONS}",
                f"-d{SECONDS}s",
                "--timeout",
                "10s",
                "-s",
                script,
                f"http://127.0.0.1:{port}/",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    print(output)
    statuses = dict(re.findall(r"(\dxx)=(\d+)", output))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = dict(re.findall(r"(p50|p99|max)=(\d+)", output))
    socket_errors = re.search(r"Socket errors: (.*)", output)
    summary = [
        f"# aidportal load test, {datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"gunicorn ({WORKERS} workers, production settings, PostgreSQL, Redis), "
        f"wrk 2 threads × {CONNECTIONS} connections for {SECONDS} s over "
        f"{len(PATHS)} paths (pages, searches, exports, malformed URLs).",
        "",
        f"- requests: {requests:,}; rate: {rate:.0f}/s",
        f"- latency p50 {int(latency['p50']) / 1000:.1f} ms, "
        f"p99 {int(latency['p99']) / 1000:.1f} ms, "
        f"max {int(latency['max']) / 1000:.1f} ms",
        "- responses: "
        + ", ".join(f"{key} {int(value):,}" for key, value in statuses.items()),
        f"- socket errors: {socket_errors.group(1) if socket_errors else 'none'}",
    ]
    reports = common.ROOT / "bench" / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    report = reports / f"loadtest-{datetime.now():%Y%m%d-%H%M}.md"
    report.write_text("\n".join(summary) + "\n", encoding="utf-8")
    print("\n".join(summary))
    print(f"\nReport written to {report.relative_to(common.ROOT)}")
    if int(statuses.get("5xx", 0)) or socket_errors:
        sys.exit("load test failed: 5xx responses or socket errors")


if __name__ == "__main__":
    main()

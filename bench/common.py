"""What the benchmark and the load test share: databases, timing, gunicorn, nginx.

Importing this module changes no environment: a script names its database
with ``use_database()`` before Django starts.
"""

import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Production settings for gunicorn on loopback (plain http).
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "bench-" + "x" * 50,
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    "DJANGO_SECURE_SSL_REDIRECT": "0",
}


def use_database(url: str) -> None:
    """Point this process's Django at ``url`` and start it."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidportal.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def manage(*args, **env):
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        check=True,
        env={**os.environ, **env},
    )


def ensure_database(url: str) -> bool:
    """Create the database of ``url`` when missing and migrate it; whether it
    was created."""
    name = url.rsplit("/", 1)[1]
    base = url.rsplit("/", 1)[0]
    exists = subprocess.run(
        [
            "psql",
            f"{base}/postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname='{name}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(
            ["psql", f"{base}/postgres", "-c", f'CREATE DATABASE "{name}"'], check=True
        )
    manage("migrate", "--noinput", "-v0", DATABASE_URL=url)
    return not exists


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed(run, repeat: int = 30) -> tuple[float, float]:
    """(p50, p95) in milliseconds of ``repeat`` calls, after one to warm up."""
    run()  # warm the buffers once
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), percentile(times, 0.95)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(port, env, *, workers=2, cached=True, log=None):
    """gunicorn with production settings on 127.0.0.1:``port`` while the block
    runs (static files collected, the page cache on or off; its output, the
    workers' tracebacks included, into the file ``log`` when given)."""
    env = {**os.environ, **env, "PAGE_CACHE_SECONDS": "300" if cached else "0"}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    with open(log, "ab") if log else nullcontext() as output:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "aidportal.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=output,
            stderr=output,
        )
        try:
            listening(port, server, "gunicorn")
            yield
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def listening(port, server, name, *, log=None):
    """Wait (up to 20 s) until ``server`` accepts connections on ``port``; a
    RuntimeError (with ``log``'s text) if it exits first."""
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if server.poll() is not None:
                text = log.read_text() if log and log.exists() else ""
                raise RuntimeError(f"{name} exited: {text}") from None
            time.sleep(0.2)


@contextmanager
def nginx(port, upstream_port, *, media_root=None, static_root=None, log=None):
    """Debian's nginx on 127.0.0.1:``port`` in front of the app on
    ``upstream_port``, with the repository's configuration (deploy/nginx/):
    static files from ``static_root`` (STATIC_ROOT), anonymous pages from its proxy cache
    (``X-Cache-Status: HIT``), pictures from ``media_root`` when the app
    hands them over (MEDIA_ACCEL_REDIRECT=/protected-media/). It runs as the
    current user, its files in a temporary folder; access log off unless
    ``log`` names a file.

        with gunicorn(app_port, env), nginx(port, app_port):
            # wrk http://127.0.0.1:{port}/ and /static/css/site.css
    """
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from aidportal.management.commands.nginx_config import NGINX, write_config

    with tempfile.TemporaryDirectory(prefix="aidportal-nginx-") as prefix:
        conf = write_config(
            Path(prefix),
            listen=f"127.0.0.1:{port}",
            upstreams=[f"127.0.0.1:{upstream_port}"],
            static_root=static_root
            or os.environ.get("STATIC_ROOT", ROOT / "staticfiles"),
            media_root=media_root or os.environ.get("MEDIA_ROOT", ROOT / "media"),
            access_log=f"{log} cache" if log else "off",
        )
        server = subprocess.Popen(
            [NGINX, "-p", prefix, "-c", conf.name], start_new_session=True
        )
        try:
            listening(port, server, "nginx", log=Path(prefix, "error.log"))
            yield
        finally:
            server.terminate()
            server.wait(timeout=30)

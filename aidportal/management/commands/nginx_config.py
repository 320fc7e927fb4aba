"""nginx in front of gunicorn, from the configuration kept in deploy/nginx/.

``deploy/nginx/aidportal.conf`` is what a server's nginx includes (and what
docs/deploy.md shows); ``deploy/nginx/local.conf`` wraps it for an nginx run
by the current user with everything under one prefix folder: ``make
serve-nginx``, the tests and the benchmark. Their ``${NAME}`` placeholders are
filled in here; nginx's own ``$variables`` are left alone.

    manage.py nginx_config --prefix .serve/nginx --listen 127.0.0.1:8000 \\
        --upstream 127.0.0.1:8001
    nginx -p .serve/nginx -c nginx.conf
"""

import os
import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

TEMPLATES = Path(__file__).resolve().parents[3] / "deploy" / "nginx"
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
PLACEHOLDER = re.compile(r"\$\{([A-Z_]+)\}")


def render(template: str, values: dict[str, str]) -> str:
    """``template`` with each ``${NAME}`` replaced; a name without a value
    is an error, not an empty string."""

    def value(match):
        try:
            return str(values[match.group(1)])
        except KeyError:
            raise KeyError(f"no value for ${{{match.group(1)}}}") from None

    return PLACEHOLDER.sub(value, template)


def write_config(
    prefix: Path,
    *,
    listen: str,
    upstreams: list[str],
    static_root: Path,
    media_root: Path,
    server_name: str = "localhost",
    access_log: str = "logs/access.log cache",
    worker_processes: str = "auto",
) -> Path:
    """Write ``prefix``/nginx.conf and ``prefix``/aidportal.conf and make the
    folders nginx writes to; the path of nginx.conf, to be run as
    ``nginx -p PREFIX -c nginx.conf``."""
    prefix = Path(prefix).resolve()
    for folder in ("temp", "cache", "logs"):
        (prefix / folder).mkdir(parents=True, exist_ok=True)
    site = render(
        (TEMPLATES / "aidportal.conf").read_text(),
        {
            "CACHE_DIR": prefix / "cache",
            "UPSTREAM_SERVERS": " ".join(f"server {up};" for up in upstreams),
            "LISTEN": listen,
            "SERVER_NAME": server_name,
            "STATIC_ROOT": Path(static_root).resolve(),
            "MEDIA_ROOT": Path(media_root).resolve(),
        },
    )
    main = render(
        (TEMPLATES / "local.conf").read_text(),
        {
            "PREFIX": prefix,
            # As root, nginx would hand the workers to "nobody", who may not
            # read the prefix or the static files: they stay the current user.
            "USER": "user root;" if os.geteuid() == 0 else "",
            "WORKER_PROCESSES": worker_processes,
            "ACCESS_LOG": access_log,
        },
    )
    (prefix / "aidportal.conf").write_text(site)
    (prefix / "nginx.conf").write_text(main)
    return prefix / "nginx.conf"


class Command(BaseCommand):
    help = "写出在 gunicorn 前运行 nginx 的配置（deploy/nginx/）。"

    def add_arguments(self, parser):
        parser.add_argument("--prefix", required=True, type=Path)
        parser.add_argument("--listen", required=True)
        parser.add_argument("--upstream", action="append", required=True)
        parser.add_argument("--server-name", default="localhost")
        parser.add_argument("--access-log", default="logs/access.log cache")

    def handle(self, *args, prefix, listen, upstream, server_name, access_log, **o):
        conf = write_config(
            prefix,
            listen=listen,
            upstreams=upstream,
            static_root=settings.STATIC_ROOT,
            media_root=settings.MEDIA_ROOT,
            server_name=server_name,
            access_log=access_log,
        )
        self.stdout.write(f"{NGINX} -p {conf.parent} -c {conf.name}")

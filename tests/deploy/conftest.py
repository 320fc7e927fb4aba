"""Tests of the deployment: Debian's nginx in front of gunicorn, run with the
repository's configuration (deploy/nginx/). Skipped, with the reason, where
nginx is not installed (apt-get install -y nginx; .ci/run installs it)."""

import os

import pytest

from aidportal.management.commands.nginx_config import NGINX


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "nginx: runs Debian's nginx (and gunicorn) on loopback ports"
    )


def pytest_collection_modifyitems(config, items):
    if os.access(NGINX, os.X_OK):
        return
    skip = pytest.mark.skip(
        reason=f"nginx tests skipped: no nginx at {NGINX} "
        "(apt-get install -y --no-install-recommends nginx, or set NGINX)"
    )
    for item in items:
        if item.get_closest_marker("nginx"):
            item.add_marker(skip)

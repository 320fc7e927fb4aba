"""What /healthz tells a load balancer (aidportal.kernel.health)."""

import errno
from unittest import mock

import pytest
from botocore.exceptions import EndpointConnectionError
from django.core.files.storage import default_storage

from aidportal.kernel import health

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (OSError(errno.EROFS, "Read-only file system"), "read-only"),
        (OSError(errno.EACCES, "Permission denied"), "read-only"),
        (OSError(errno.ENOSPC, "No space left on device"), "full"),
        (OSError(errno.ENOTDIR, "Not a directory"), "unavailable"),
        (EndpointConnectionError(endpoint_url="https://s3.example.net"), "unavailable"),
    ],
)
def test_storage_says_how_it_fails(error, status):
    default_storage._setup()
    with mock.patch.object(type(default_storage._wrapped), "_save", side_effect=error):
        assert health.storage_status() == status


def test_the_storage_probe_leaves_no_file(media_root):
    assert health.storage_status() == "ok"
    assert not [path for path in media_root.rglob("*") if path.is_file()]


def test_a_failing_storage_degrades_but_keeps_the_server_in_service():
    with mock.patch.object(health, "storage_status", return_value="read-only"):
        report, status = health.health()
    assert status == 200
    assert report["status"] == "degraded"
    assert report["storage"] == "read-only"


def test_the_database_alone_takes_the_server_out_of_service():
    with mock.patch.object(health, "database_status", return_value="unavailable"):
        report, status = health.health()
    assert status == 503
    assert report["status"] == "unavailable"


def test_a_local_cache_is_no_degradation():
    report, status = health.health()
    assert (report["cache"], report["status"], status) == ("local", "ok", 200)

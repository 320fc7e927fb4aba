"""Storages: roster uploads in the private one; object-storage media behind
the gate."""

from pathlib import Path

import pytest
from django.core.files.storage import storages

from aidportal.kernel.storage import GatedS3Storage, PrivateUploadStorage


def test_an_import_upload_waits_in_the_private_storage():
    upload = PrivateUploadStorage(read_mode="rb")
    upload.save(b"name,unit\n")
    stored = Path(storages["private"].location) / upload.get_full_path()
    assert stored.read_bytes() == b"name,unit\n"
    assert PrivateUploadStorage(name=upload.name, read_mode="rb").read() == (
        b"name,unit\n"
    )
    upload.remove()
    assert not stored.exists()


@pytest.fixture
def bucket():
    return GatedS3Storage(
        bucket_name="media",
        endpoint_url="https://s3.example.net",
        region_name="cn-east-1",
        access_key="key",
        secret_key="secret",
        querystring_expire=300,
    )


def test_pages_link_the_gate_never_the_bucket(bucket, settings):
    assert bucket.url("a/b.jpg") == settings.MEDIA_URL + "a/b.jpg"


def test_the_gate_signs_an_expiring_url(bucket):
    url = bucket.signed_url("a/b.jpg")
    assert url.startswith("https://s3.example.net/media/a/b.jpg?")
    assert "X-Amz-Expires=300" in url
    assert "X-Amz-Signature=" in url

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads of every test go to a temporary folder, never to ./media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def count_queries(client):
    """GET a URL and return (response, number of queries it ran)."""

    def get(url, **kwargs):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, **kwargs)
        return response, len(queries)

    return get

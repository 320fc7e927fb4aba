import pytest
from django.core.cache import caches


@pytest.fixture
def roomy_cache(monkeypatch):
    """A local-memory cache that holds every rendition of a list of many
    pictures (its default 300 entries would evict some, and the site
    version with them): what a query count pins is the operation's own."""
    monkeypatch.setattr(caches["default"], "_max_entries", 100_000, raising=False)

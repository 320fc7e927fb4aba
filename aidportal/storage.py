"""Where files nobody may fetch by URL are kept: the ``private`` storage."""

from django.core.files.storage import storages
from import_export.tmp_storages import MediaStorage


class PrivateUploadStorage(MediaStorage):
    """django-import-export's upload between the preview and the confirm step,
    in the private storage: every app server reads it (the confirm may reach
    another one), nobody can fetch it by URL, and no cache eviction loses it."""

    def _configure_storage(self):
        self._storage = storages["private"]

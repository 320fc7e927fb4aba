"""Storages: the ``private`` one for files nobody may fetch by URL, and the
object-storage backend of the gated uploads."""

from django.conf import settings
from django.core.files.storage import storages
from import_export.tmp_storages import MediaStorage
from storages.backends.s3 import S3Storage


class PrivateUploadStorage(MediaStorage):
    """django-import-export's upload between the preview and the confirm step,
    in the private storage: every app server reads it (the confirm may reach
    another one), nobody can fetch it by URL, and no cache eviction loses it."""

    def _configure_storage(self):
        self._storage = storages["private"]


class GatedS3Storage(S3Storage):
    """Uploads in a private bucket. Pages link the media gate (``/media/``,
    aidportal.kernel.media), never the bucket; the gate decides who may see a file
    and redirects to a signed, expiring URL of it."""

    def __init__(self, **settings):
        super().__init__(**{**settings, "querystring_auth": True})

    def url(self, name, parameters=None, expire=None, http_method=None):
        return settings.MEDIA_URL + name

    def signed_url(self, name):
        return super().url(name, expire=self.querystring_expire)

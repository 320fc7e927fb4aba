"""Storages: the ``private`` one for files nobody may fetch by URL, and the
object-storage backend of the gated uploads."""

from boto3.exceptions import Boto3Error
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.storage import storages
from import_export.tmp_storages import MediaStorage
from storages.backends.s3 import S3Storage

# What a storage raises when it cannot take or give a file: the file system's
# errors (EROFS, ENOSPC, EACCES, ENOTDIR, EIO …), and object storage's (a refused
# request, an endpoint out of reach, an upload that failed).
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError, Boto3Error)


class UploadNotStored(Exception):
    """The upload could not be kept for the confirm step."""


class PrivateUploadStorage(MediaStorage):
    """django-import-export's upload between the preview and the confirm step,
    in the private storage: every app server reads it (the confirm may reach
    another one), nobody can fetch it by URL, and no cache eviction loses it.

    A storage that fails to keep it (read-only, full, unreachable) is told
    when the preview reads the upload back: ``UploadNotStored``, which the
    import form shows as an error on the file (django-import-export reports
    read failures there, not write failures)."""

    failure = None

    def _configure_storage(self):
        self._storage = storages["private"]

    def save(self, data):
        try:
            super().save(data)
        except STORAGE_ERRORS as error:
            self.failure = error

    def read(self):
        if self.failure is not None:
            raise UploadNotStored from self.failure
        return super().read()


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

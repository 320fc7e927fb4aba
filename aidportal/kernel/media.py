"""Uploaded pictures reach the public through one gate: ``/media/<path>``.

A picture, or a rendition of it, is served to anyone while the row that holds
it is published (``published()`` of that model's default manager), and to
staff who may change that model; to anyone else it does not exist (404), so a
draft's cover cannot be fetched before its publication, scheduled ones
included. Stored names are random (``images.upload_folder``), so no URL can be
guessed either.

A yes for a file is kept in the cache until the site version changes.
The bytes come from Django for local files (``django.views.static.serve``), from
the web server when ``MEDIA_ACCEL_REDIRECT`` names an internal location (nginx's
X-Accel-Redirect), or from object storage through a signed, expiring URL. A
file that is not there is a 404; a storage that cannot be read is a 503 with
``Retry-After``, never a 500.
"""

import hashlib
import logging
import mimetypes

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.cache import (
    add_never_cache_headers,
    patch_cache_control,
    patch_vary_headers,
)
from django.views.static import serve

from aidportal.kernel.caching import current_site_version, site_version
from aidportal.kernel.images import STORAGE_ERRORS
from aidportal.kernel.policy import Actor, may_see_unpublished

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait when the storage cannot be read.
STORAGE_RETRY_AFTER = 30


def source_name(path: str) -> str:
    """The uploaded file a media path is, or is a rendition of."""
    prefix = settings.THUMBNAIL_PREFIX
    if path.startswith(prefix):
        source, _, _rendition = path[len(prefix) :].rpartition("/")
        return source
    return path


def owner(name: str) -> tuple[type[models.Model], list[models.Field]] | None:
    """(model, its file fields) of the rows that may hold ``name``, or None."""
    app_label, _, rest = name.partition("/")
    model_name = rest.partition("/")[0]
    try:
        model = apps.get_model(app_label, model_name)
    except (LookupError, ValueError):
        return None
    fields = [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField)
    ]
    return (model, fields) if fields else None


def holders(
    model: type[models.Model], fields: list[models.Field], name: str
) -> models.QuerySet:
    condition = Q()
    for field in fields:
        condition |= Q(**{field.name: name})
    return model._default_manager.filter(condition)


def is_public(name: str) -> bool:
    """Whether a published row holds the file. A yes is kept in the cache
    until content changes; a no is not kept, so junk paths cost one indexed
    query each and no memory."""
    found = owner(name)
    if found is None:
        return False
    model, fields = found
    digest = hashlib.sha256(name.encode()).hexdigest()
    key = f"media:{site_version()}:{digest}"
    if cache.get(key):
        return True
    public = holders(model, fields, name).published().exists()
    if public:
        cache.set(key, True, 3600)
    return public


def staff_may_see(user: Actor, name: str) -> bool:
    """The newsroom sees the files of unpublished rows too (the admin's
    thumbnails, previews)."""
    found = owner(name)
    return found is not None and may_see_unpublished(user, found[0])


def media_file(request: HttpRequest, path: str) -> HttpResponse:
    """The gate of ``/media/<path>``."""
    current_site_version()
    name = source_name(path)
    public = is_public(name)
    if not (public or staff_may_see(request.user, name)):
        raise Http404
    try:
        response = deliver(request, path)
    except STORAGE_ERRORS:
        logger.exception("Media storage could not deliver %s", path)
        return storage_unavailable(request)
    if public:
        patch_cache_control(response, public=True, max_age=settings.PAGE_MAX_AGE)
    else:
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
        patch_vary_headers(response, ["Cookie"])
    return response


def storage_unavailable(request: HttpRequest) -> HttpResponse:
    """A 503 that no cache keeps: the file may be readable again soon."""
    response = render(
        request,
        "503.html",
        {"message": "图片暂时无法读取。", "retry_after": STORAGE_RETRY_AFTER},
        status=503,
    )
    response["Retry-After"] = str(STORAGE_RETRY_AFTER)
    add_never_cache_headers(response)
    return response


def deliver(request: HttpRequest, path: str) -> HttpResponse:
    signed_url = getattr(default_storage, "signed_url", None)
    if signed_url is not None:
        return HttpResponseRedirect(signed_url(path))
    if settings.MEDIA_ACCEL_REDIRECT:
        if not default_storage.exists(path):
            raise Http404
        # nginx sends the file under the Content-Type given here.
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_REDIRECT + path
        return response
    return serve(request, path, document_root=settings.MEDIA_ROOT)

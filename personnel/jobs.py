"""Roster imports too long for one request, as background jobs (django-tasks).

The admin keeps the upload in the private storage and queues the check, a dry
run of ``roster_import`` (the rules and errors of ``import_roster``). After the
owner confirms, the write runs the same import for real, in one transaction:
any bad row and nothing is written. The worker (``manage.py db_worker``) says
how far it is in the ``jobs`` cache, which the server reads; the database
cannot tell while the import's transaction is open.
"""

import logging
import uuid
from datetime import date, timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import TaskResultStatus, task

from aidportal.kernel.policy import Actor
from personnel.importers import RosterFileError, RowError, clean_rows, reader_for
from personnel.models import ImportJob
from personnel.services import roster_import

logger = logging.getLogger(__name__)

# A job's steps report progress this often: about a hundred times.
PROGRESS_STEPS = 100
FAILED_MESSAGE = _("后台任务出错，未导入任何数据；请稍后重新上传，或联系管理员。")


def roster_rows_count(*, name: str, content: bytes) -> int:
    """Rows a roster file holds, unchecked (RosterFileError if unreadable)."""
    return len(reader_for(name)(content))


def roster_job_start(
    *, owner: Actor, name: str, content: bytes, rows: int, options: dict
) -> ImportJob:
    """Keep the upload (of ``rows`` rows, as counted) and queue its check;
    the job to watch."""
    stored = storages["private"].save(
        f"roster-jobs/{uuid.uuid4().hex}{PurePath(name).suffix.lower()}",
        ContentFile(content),
    )
    job = ImportJob.objects.create(
        owner=owner,
        original_name=PurePath(name).name[:255],
        stored_name=stored,
        rows=rows,
        options={
            key: value.isoformat() if isinstance(value, date) else value
            for key, value in options.items()
        },
    )
    # Queued in the same transaction as the job: both or neither.
    job.task_id = roster_job_check.enqueue(job.pk).id
    job.save(update_fields=["task_id"])
    return job


def roster_job_confirm(*, job: ImportJob) -> bool:
    """Queue the write of a checked job; False when it is not (or no longer)
    waiting for it, e.g. a second click."""
    with transaction.atomic():
        claimed = ImportJob.objects.filter(
            pk=job.pk, status=ImportJob.Status.CHECKED
        ).update(status=ImportJob.Status.WRITING)
        if claimed:
            job.task_id = roster_job_write.enqueue(job.pk).id
            ImportJob.objects.filter(pk=job.pk).update(task_id=job.task_id)
    return bool(claimed)


def job_progress(job: ImportJob) -> tuple[int, int]:
    """(rows done, rows in all) of a running job's current step."""
    return caches["jobs"].get(_progress_key(job.pk)) or (0, job.rows)


def job_failed_in_worker(job: ImportJob) -> bool:
    """Whether the task behind a running job ended without saying so (an
    error it could not record, such as the database failing), or has run for
    longer than any import takes."""
    if not (job.is_running and job.task_id):
        return False
    # A worker killed outright leaves its task "running" for ever.
    stale = timedelta(seconds=settings.ROSTER_IMPORT_JOB_STALE_SECONDS)
    if timezone.now() - job.updated_at > stale:
        return True
    running = {
        ImportJob.Status.CHECKING: roster_job_check,
        ImportJob.Status.WRITING: roster_job_write,
    }[job.status]
    try:
        result = running.get_result(job.task_id)
    except Exception:  # a result gone or unreadable: unknown
        return False
    return result.status == TaskResultStatus.FAILED


@task()
def roster_job_check(job_id: int) -> str:
    return _run(job_id, dry_run=True)


@task()
def roster_job_write(job_id: int) -> str:
    return _run(job_id, dry_run=False)


def _progress_key(job_id):
    return f"roster-job-{job_id}"


def _run(job_id, *, dry_run):
    job = ImportJob.objects.select_related("owner").get(pk=job_id)
    storage = storages["private"]
    try:
        with storage.open(job.stored_name, "rb") as upload:
            content = upload.read()
        rows = clean_rows(reader_for(job.original_name)(content))
        job.rows = len(rows)
        options = dict(job.options)
        for key in ("arrived_on", "left_on"):
            options[key] = date.fromisoformat(options[key]) if options[key] else None
        report = roster_import(
            rows=rows,
            **options,
            user=job.owner,
            dry_run=dry_run,
            progress=lambda done, total: caches["jobs"].set(
                _progress_key(job_id), (done, total), 3600
            ),
            progress_every=max(1, len(rows) // PROGRESS_STEPS),
        )
    except RosterFileError as error:
        job.status = ImportJob.Status.REJECTED
        job.errors = [[e.row, e.field, e.reason] for e in error.errors]
    except (DatabaseError, OSError):
        logger.exception("roster import job %s failed", job_id)
        job.status = ImportJob.Status.FAILED
        job.report = str(FAILED_MESSAGE)
    else:
        job.status = ImportJob.Status.CHECKED if dry_run else ImportJob.Status.DONE
        job.report = str(report)
    caches["jobs"].delete(_progress_key(job_id))
    if job.status != ImportJob.Status.CHECKED:
        storage.delete(job.stored_name)
    job.save()
    return job.status


def job_errors(job: ImportJob) -> list[RowError]:
    return [RowError(*error) for error in job.errors]

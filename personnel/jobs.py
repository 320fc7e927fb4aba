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
from aidportal.kernel.storage import STORAGE_ERRORS, UploadNotStored
from personnel.importers import (
    NO_BATCH_ON_FORM,
    RosterFileError,
    RowError,
    clean_rows,
    reader_for,
)
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
    the job to watch. UploadNotStored when the storage cannot keep it."""
    roster_jobs_sweep()
    storage = storages["private"]
    try:
        stored = storage.save(
            f"roster-jobs/{uuid.uuid4().hex}{PurePath(name).suffix.lower()}",
            ContentFile(content),
        )
    except STORAGE_ERRORS as error:
        raise UploadNotStored from error
    try:
        # The database backend queues a task as a row in the same transaction
        # as the job: both or neither.
        with transaction.atomic():
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
            job.task_id = roster_job_check.enqueue(job.pk).id
            job.save(update_fields=["task_id"])
    except Exception:
        _delete_upload(stored)
        raise
    return job


def roster_job_confirm(*, job: ImportJob) -> bool:
    """Queue the write of a checked job; False when it is not (or no longer)
    waiting for it, e.g. a second click."""
    with transaction.atomic():
        # update() skips auto_now: the write's clock starts now, not at the check.
        claimed = ImportJob.objects.filter(
            pk=job.pk, status=ImportJob.Status.CHECKED
        ).update(status=ImportJob.Status.WRITING, updated_at=timezone.now())
        if claimed:
            job.task_id = roster_job_write.enqueue(job.pk).id
            ImportJob.objects.filter(pk=job.pk).update(task_id=job.task_id)
    return bool(claimed)


def roster_job_discard(*, job: ImportJob) -> bool:
    """Drop a checked job and its upload, unwritten; False when it is not (or
    no longer) waiting for the owner's word, e.g. already being written."""
    discarded, _counts = ImportJob.objects.filter(
        pk=job.pk, status=ImportJob.Status.CHECKED
    ).delete()
    if discarded:
        _delete_upload(job.stored_name)
    return bool(discarded)


def job_progress(job: ImportJob) -> tuple[int, int]:
    """(rows done, rows in all) of a running job's current step."""
    return caches["jobs"].get(_progress_key(job)) or (0, job.rows)


class WorkerState:
    """What the task behind a running job is doing, as its page tells it."""

    WAITING = "waiting"  # queued; no worker has taken it yet
    RUNNING = "running"
    FAILED = "failed"  # ended without recording it, or ran past any import


def job_worker_state(job: ImportJob) -> str:
    """The state of the task behind a running job ("" for a job not running).

    A task that raised what the job could not record (the database failing),
    or that has been running for longer than any import takes (a worker
    killed outright leaves it "running" for ever), has failed. Only read:
    ``roster_jobs_sweep`` records it. A task still queued is only waiting,
    however long: no worker may be running yet."""
    if not (job.is_running and job.task_id):
        return ""
    running = {
        ImportJob.Status.CHECKING: roster_job_check,
        ImportJob.Status.WRITING: roster_job_write,
    }[job.status]
    try:
        result = running.get_result(job.task_id)
    except Exception:  # a result gone or unreadable: unknown
        return WorkerState.RUNNING
    stale = timedelta(seconds=settings.ROSTER_IMPORT_JOB_STALE_SECONDS)
    if result.status == TaskResultStatus.READY:
        return WorkerState.WAITING
    if result.status == TaskResultStatus.FAILED or (
        result.status == TaskResultStatus.RUNNING
        and result.started_at
        and timezone.now() - result.started_at > stale
    ):
        return WorkerState.FAILED
    return WorkerState.RUNNING


def roster_jobs_sweep() -> None:
    """Record the running jobs whose task failed (``job_worker_state``) as
    failed and delete their uploads. Run by the steps that write anyway (a
    new upload, each task of the worker), never by a page showing a job: a
    GET changes nothing."""
    running = ImportJob.objects.filter(
        status__in=[ImportJob.Status.CHECKING, ImportJob.Status.WRITING]
    ).exclude(task_id="")
    for job in running:
        if job_worker_state(job) == WorkerState.FAILED:
            _job_failed(job)


def _job_failed(job):
    """Mark a job whose task failed unrecorded as failed, once, and delete
    its upload."""
    marked = ImportJob.objects.filter(
        pk=job.pk, status=job.status, task_id=job.task_id
    ).update(
        status=ImportJob.Status.FAILED,
        report=str(FAILED_MESSAGE),
        updated_at=timezone.now(),
    )
    if marked:
        _delete_upload(job.stored_name)


def _delete_upload(name):
    """Delete a job's upload; a storage that fails is logged, not raised: the
    job's outcome is already recorded."""
    try:
        storages["private"].delete(name)
    except STORAGE_ERRORS:
        logger.exception("roster import upload %s not deleted", name)


@task()
def roster_job_check(job_id: int) -> str:
    return _run_recorded(job_id, dry_run=True)


@task()
def roster_job_write(job_id: int) -> str:
    return _run_recorded(job_id, dry_run=False)


def _run_recorded(job_id, *, dry_run):
    """Run a job's step; the worker records a failure its step did not (and
    those of jobs whose worker died), so no page has to."""
    try:
        roster_jobs_sweep()
    except Exception:  # another job's record: not a reason to fail this one
        logger.exception("roster import jobs not swept")
    try:
        return _run(job_id, dry_run=dry_run)
    except Exception:
        try:
            job = ImportJob.objects.get(pk=job_id)
            if job.is_running:
                _job_failed(job)
        except Exception:  # the database failing: the next sweep records it
            logger.exception("roster import job %s failure not recorded", job_id)
        raise


def _progress_key(job):
    """The job's key in the ``jobs`` cache: its task's id (a UUID), unique
    across databases sharing the cache, unlike the job's id."""
    return f"roster-job-{job.task_id}"


def _run(job_id, *, dry_run):
    job = ImportJob.objects.select_related("owner").get(pk=job_id)
    storage = storages["private"]
    key = _progress_key(job)
    try:
        with storage.open(job.stored_name, "rb") as upload:
            content = upload.read()
        rows = clean_rows(reader_for(job.original_name)(content))
        job.rows = len(rows)
        options = dict(job.options)
        for name in ("arrived_on", "left_on"):
            options[name] = date.fromisoformat(options[name]) if options[name] else None
        report = roster_import(
            rows=rows,
            **options,
            no_batch=NO_BATCH_ON_FORM,
            user=job.owner,
            dry_run=dry_run,
            progress=lambda done, total: caches["jobs"].set(key, (done, total), 3600),
            progress_every=max(1, len(rows) // PROGRESS_STEPS),
            audit_detail={"job": job.pk, "file": job.original_name},
        )
    except RosterFileError as error:
        job.status = ImportJob.Status.REJECTED
        job.errors = [[e.row, e.field, e.reason] for e in error.errors]
    except (DatabaseError, *STORAGE_ERRORS):
        logger.exception("roster import job %s failed", job_id)
        job.status = ImportJob.Status.FAILED
        job.report = str(FAILED_MESSAGE)
    else:
        job.status = ImportJob.Status.CHECKED if dry_run else ImportJob.Status.DONE
        job.report = str(report)
    caches["jobs"].delete(key)
    # The outcome first: a storage failing to delete the upload must not
    # leave a written job "writing".
    job.save()
    if job.status != ImportJob.Status.CHECKED:
        _delete_upload(job.stored_name)
    return job.status


def job_errors(job: ImportJob) -> list[RowError]:
    return [RowError(*error) for error in job.errors]

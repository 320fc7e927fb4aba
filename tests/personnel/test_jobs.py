"""Long roster imports as background jobs: a file past the threshold is
checked and written by the worker (django-tasks' db_worker, driven here
explicitly), all or nothing; its owner watches the progress, leaves and comes
back, and reads every row error; nobody else sees the job."""

import errno
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from botocore.exceptions import ClientError
from django.core.cache import caches
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from aidportal.kernel.audit import AuditAction, AuditEntry
from personnel import jobs
from personnel.models import Assignment, ImportJob, Person
from personnel.services import RosterWriter

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/personnel/assignment/import/"
GOOD_CSV = """姓名,派出单位,对口支援单位,职务
季 成,浙江大学医学院附属第一医院,阿克苏地区第一人民医院,副院长
王芳,杭州第二中学,阿克苏市实验中学,数学教师
陈\u3000晶,萧山区第一人民医院,阿克苏地区第一人民医院,护士长
"""


@pytest.fixture(autouse=True)
def background_from_three_rows(settings, run_worker):
    """Files of three rows or more are jobs."""
    settings.ROSTER_IMPORT_BACKGROUND_ROWS = 2
    caches["jobs"].clear()


def upload(client, text=GOOD_CSV, name="roster.csv"):
    return client.post(
        IMPORT_URL,
        {
            "import_file": SimpleUploadedFile(name, ("\ufeff" + text).encode()),
            "resource": "0",
            "batch": "10",
            "term": "首期",
            "category": "",
        },
    )


def job_page(client, job):
    return client.get(reverse("admin:personnel_assignment_import_job", args=[job.pk]))


def confirm(client, job):
    url = reverse("admin:personnel_assignment_import_job_confirm", args=[job.pk])
    return client.post(url)


def test_a_small_file_is_previewed_in_the_request(login, settings):
    settings.ROSTER_IMPORT_BACKGROUND_ROWS = 3
    response = upload(login("editor"))
    assert response.status_code == 200
    assert "confirm_form" in response.context
    assert not ImportJob.objects.exists()


def test_a_big_file_becomes_a_job_checked_then_written_on_confirm(login, run_worker):
    client = login("editor")
    response = upload(client)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:personnel_assignment_import_job", args=[job.pk]
    )
    assert job.owner == client.user and job.status == ImportJob.Status.CHECKING
    page = job_page(client, job).content.decode()
    assert "检查中" in page and "0 / 3 行" in page
    assert '<meta http-equiv="refresh" content="2">' in page

    run_worker()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED
    assert not Assignment.objects.exists(), "the check writes nothing"
    page = job_page(client, job).content.decode()
    assert "3 行：新增人员 3" in page and "确认导入" in page
    assert 'http-equiv="refresh"' not in page

    assert confirm(client, job).status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.WRITING
    assert confirm(client, job).status_code == 302, "a second click: no second write"
    run_worker()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert Assignment.objects.filter(batch__number=10, term__name="首期").count() == 3
    # An editor's import adds people hidden until a publisher shows them.
    assert not Person.objects.filter(is_public=True).exists()
    assert "已导入：3 行" in job_page(client, job).content.decode()


def test_the_page_shows_how_far_the_running_job_is(login):
    client = login("editor")
    upload(client)
    job = ImportJob.objects.get()
    caches["jobs"].set(jobs._progress_key(job), (120, 300))
    page = job_page(client, job).content.decode()
    assert '<progress id="job-progress" max="300" value="120">' in page
    assert "120 / 300 行" in page


def test_the_worker_reports_progress_as_it_goes(login, monkeypatch, run_worker):
    seen = []
    monkeypatch.setattr(jobs, "PROGRESS_STEPS", 3)
    real_set = caches["jobs"].set
    monkeypatch.setattr(
        caches["jobs"],
        "set",
        lambda key, value, *a: seen.append(value) or real_set(key, value, *a),
    )
    upload(login("editor"))
    run_worker()
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_the_result_page_lists_every_row_error_and_nothing_is_written(
    login, run_worker
):
    client = login("editor")
    text = GOOD_CSV.replace("王芳,杭州第二中学,", "王芳,,").replace("陈\u3000晶,", ",")
    upload(client, text)
    run_worker()
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.REJECTED
    page = job_page(client, job).content.decode()
    assert "共 2 处错误，未导入任何数据" in page
    assert "<td>第3行</td><td>派出单位</td><td>不能为空</td>" in page
    assert "<td>第4行</td><td>姓名</td><td>不能为空</td>" in page
    assert "确认导入" not in page
    assert not Assignment.objects.exists() and not Person.objects.exists()


def test_a_failure_while_writing_rolls_back_every_row(login, monkeypatch, run_worker):
    client = login("editor")
    upload(client)
    run_worker()
    job = ImportJob.objects.get()
    real_save = RosterWriter.save

    def save(writer, row, **options):
        if row.row == 4:
            raise DatabaseError("disk full")
        return real_save(writer, row, **options)

    monkeypatch.setattr(RosterWriter, "save", save)
    confirm(client, job)
    run_worker()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert not Assignment.objects.exists() and not Person.objects.exists()
    page = job_page(client, job)
    assert page.status_code == 200
    assert "后台任务出错，未导入任何数据" in page.content.decode()


def test_a_task_that_fails_records_its_job_failed(login, monkeypatch, run_worker):
    client = login("editor")
    upload(client)

    def crash(job_id, *, dry_run):
        raise RuntimeError("worker lost")

    monkeypatch.setattr(jobs, "_run", crash)
    run_worker()
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED, "recorded by the worker"
    assert uploads() == [], "a failed job's upload is deleted"
    page = job_page(client, job).content.decode()
    assert "后台任务出错，未导入任何数据" in page
    assert 'http-equiv="refresh"' not in page


def test_a_failure_the_task_could_not_record_is_shown_and_changes_nothing(
    login, run_worker
):
    client = login("editor")
    upload(client)
    lost = DatabaseError("server closed the connection unexpectedly")
    with (
        mock.patch.object(jobs, "_run", side_effect=lost),
        mock.patch.object(jobs, "_job_failed", side_effect=lost),
    ):
        run_worker()
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.CHECKING
    page = shown_without_change(client, job)
    assert "后台任务出错，未导入任何数据" in page
    assert "任务出错，未导入" in page and "检查中" not in page
    assert 'http-equiv="refresh"' not in page
    upload(client)  # the next upload records it
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.report == str(jobs.FAILED_MESSAGE)
    assert len(uploads()) == 1, "only the new job's upload is kept"


def shown_without_change(client, job):
    """The job's page, as text; the GET changed no job, task or file."""
    before = jobs_state()
    page = job_page(client, job)
    assert page.status_code == 200
    assert jobs_state() == before
    return page.content.decode()


def jobs_state():
    return (
        list(ImportJob.objects.order_by("pk").values()),
        list(DBTaskResult.objects.order_by("id").values()),
        uploads(),
    )


def test_only_the_owner_or_a_superuser_sees_a_job(login, admin_client, run_worker):
    owner = login("editor")
    upload(owner)
    job = ImportJob.objects.get()
    other = login("editor")
    assert job_page(other, job).status_code == 404
    assert confirm(other, job).status_code == 404
    assert (
        job.original_name
        not in other.get(
            reverse("admin:personnel_assignment_import_jobs")
        ).content.decode()
    )
    assert job_page(login("reporter"), job).status_code == 404
    assert job_page(admin_client, job).status_code == 200
    run_worker()
    assert confirm(other, job).status_code == 404
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED


def test_a_job_outlives_the_session_that_started_it(login, run_worker):
    client = login("editor")
    upload(client, name="第十批.csv")
    job = ImportJob.objects.get()
    client.logout()
    run_worker()

    again = Client()
    again.force_login(client.user)
    listing = again.get(reverse("admin:personnel_assignment_import_jobs"))
    page = listing.content.decode()
    url = reverse("admin:personnel_assignment_import_job", args=[job.pk])
    assert f'<a href="{url}">第十批.csv</a>' in page
    assert "检查通过，待确认导入" in page
    assert "确认导入" in job_page(again, job).content.decode()


def test_job_pages_run_a_fixed_number_of_queries(
    login, django_assert_max_num_queries, run_worker
):
    client = login("editor")
    for _ in range(3):
        upload(client)
    run_worker()
    job = ImportJob.objects.first()
    with django_assert_max_num_queries(8):
        assert (
            client.get(reverse("admin:personnel_assignment_import_jobs")).status_code
            == 200
        )
    with django_assert_max_num_queries(8):
        assert job_page(client, job).status_code == 200


def test_the_task_queue_is_not_an_admin_page(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert "Tasks Database Backend" not in page
    assert "Task Results" not in page


def uploads():
    """The files kept in the private storage."""
    root = Path(storages["private"].location)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def started(job, ago):
    """The job's task taken by a worker ``ago`` before now, never finished."""
    DBTaskResult.objects.filter(id=job.task_id).update(
        status="RUNNING", started_at=timezone.now() - ago
    )


def test_a_job_whose_worker_was_killed_stops_waiting(login, run_worker):
    client = login("editor")
    upload(client)
    upload(client)  # another job, queued behind
    killed, queued = ImportJob.objects.order_by("pk")
    assert len(uploads()) == 2
    started(killed, timedelta(minutes=30))
    assert "检查中" in shown_without_change(client, killed)
    started(killed, timedelta(hours=2))
    page = shown_without_change(client, killed)
    assert "后台任务出错，未导入任何数据" in page
    assert "任务出错，未导入" in page and "检查中" not in page
    assert 'http-equiv="refresh"' not in page
    run_worker()  # the queued job's task records the killed one first
    killed.refresh_from_db()
    assert killed.status == ImportJob.Status.FAILED
    queued.refresh_from_db()
    assert queued.status == ImportJob.Status.CHECKED
    assert [path.name for path in uploads()] == [Path(queued.stored_name).name]


def test_a_job_still_queued_after_an_hour_is_waiting_not_failed(login, run_worker):
    client = login("editor")
    upload(client)
    job = ImportJob.objects.get()
    ImportJob.objects.update(updated_at=timezone.now() - timedelta(hours=3))
    page = job_page(client, job).content.decode()
    assert "等待后台任务启动" in page and "后台任务出错" not in page
    assert '<meta http-equiv="refresh" content="2">' in page
    run_worker()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED


def test_a_job_confirmed_hours_after_its_check_is_not_called_failed(login, run_worker):
    client = login("editor")
    upload(client)
    run_worker()
    job = ImportJob.objects.get()
    long_ago = timezone.now() - timedelta(hours=3)
    ImportJob.objects.update(updated_at=long_ago)
    confirm(client, job)
    job.refresh_from_db()
    assert job.updated_at > long_ago + timedelta(hours=2), "the write's clock starts"
    # Its task taken by a worker a minute ago: running, not stale.
    started(job, timedelta(minutes=1))
    page = job_page(client, job).content.decode()
    assert "导入中" in page and "后台任务出错" not in page
    DBTaskResult.objects.filter(id=job.task_id).update(status="READY")
    run_worker()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE


def test_an_upload_that_cannot_be_deleted_leaves_the_job_done(
    login, run_worker, caplog
):
    client = login("editor")
    upload(client)
    run_worker()
    job = ImportJob.objects.get()
    confirm(client, job)
    refused = ClientError({"Error": {"Code": "503"}}, "DeleteObject")
    with mock.patch.object(type(storages["private"]), "delete", side_effect=refused):
        run_worker()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert "已导入：3 行" in job_page(client, job).content.decode()
    assert "not deleted" in caplog.text


def test_an_object_storage_error_while_reading_is_a_failed_job(login, run_worker):
    client = login("editor")
    upload(client)
    refused = ClientError({"Error": {"Code": "503"}}, "GetObject")
    with mock.patch.object(type(storages["private"]), "open", side_effect=refused):
        run_worker()
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert "后台任务出错，未导入任何数据" in job_page(client, job).content.decode()


def test_a_job_not_queued_is_not_kept(login, monkeypatch):
    user = login("editor").user

    def refuse(task, *args):
        raise DatabaseError("queue table gone")

    monkeypatch.setattr(type(jobs.roster_job_check), "enqueue", refuse)
    with pytest.raises(DatabaseError):
        jobs.roster_job_start(
            owner=user, name="名单.csv", content=b"x", rows=3, options={}
        )
    assert not ImportJob.objects.exists()
    assert uploads() == []


def test_an_upload_the_storage_cannot_keep_is_a_form_error(login):
    client = login("editor")
    read_only = OSError(errno.EROFS, "Read-only file system")
    with mock.patch.object(type(storages["private"]), "_save", side_effect=read_only):
        response = upload(client)
    assert response.status_code == 200
    (error,) = response.context["form"].errors["import_file"]
    assert error == "文件未能暂存：服务器存储暂时不可写，请稍后重新上传。"
    assert not ImportJob.objects.exists()


def discard(client, job):
    url = reverse("admin:personnel_assignment_import_job_discard", args=[job.pk])
    return client.post(url)


def test_giving_up_a_checked_job_deletes_it_and_its_upload(
    login, admin_client, run_worker
):
    client = login("editor")
    upload(client)
    run_worker()
    job = ImportJob.objects.get()
    page = job_page(client, job).content.decode()
    url = reverse("admin:personnel_assignment_import_job_discard", args=[job.pk])
    assert f'formaction="{url}" value="放弃，重新上传"' in page
    assert client.get(url).status_code == 405
    assert discard(login("editor"), job).status_code == 404
    assert discard(admin_client, job).status_code == 404, "the owner's alone"
    assert ImportJob.objects.exists() and len(uploads()) == 1

    response = discard(client, job)
    assert response.status_code == 302
    assert response["Location"] == IMPORT_URL
    assert not ImportJob.objects.exists()
    assert uploads() == []
    assert not Assignment.objects.exists()


def test_a_job_being_written_cannot_be_given_up(login, run_worker):
    client = login("editor")
    upload(client)
    run_worker()
    job = ImportJob.objects.get()
    confirm(client, job)
    assert discard(client, job)["Location"] == reverse(
        "admin:personnel_assignment_import_job", args=[job.pk]
    )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.WRITING
    run_worker()
    assert Assignment.objects.count() == 3


def test_progress_is_keyed_by_the_task_not_the_job_id(login):
    """Another database's job of the same id, sharing the cache, is not
    this one."""
    client = login("editor")
    upload(client)
    job = ImportJob.objects.get()
    caches["jobs"].set(f"roster-job-{job.pk}", (120, 300))
    assert "0 / 3 行" in job_page(client, job).content.decode()


def test_rows_without_a_batch_are_told_to_fill_in_the_form(login, run_worker):
    client = login("editor")
    client.post(
        IMPORT_URL,
        {
            "import_file": SimpleUploadedFile("名单.csv", GOOD_CSV.encode()),
            "resource": "0",
            "batch": "",
            "term": "",
            "category": "",
        },
    )
    run_worker()
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.REJECTED
    page = job_page(client, job).content.decode()
    assert "请在“批次”中填写，或在文件中加“批次”列" in page
    assert "--batch" not in page


def test_a_job_written_is_an_entry_of_the_audit_log_and_its_check_none(
    login, run_worker
):
    client = login("editor")
    upload(client)
    run_worker()
    assert not AuditEntry.objects.filter(action=AuditAction.IMPORT).exists()
    job = ImportJob.objects.get()
    confirm(client, job)
    run_worker()
    [entry] = AuditEntry.objects.filter(action=AuditAction.IMPORT)
    assert (entry.user, entry.username) == (client.user, client.user.username)
    assert entry.content_type.model_class() is Assignment
    assert entry.detail == {
        "job": job.pk,
        "file": "roster.csv",
        "rows": 3,
        "added": 3,
        "changed": 0,
        "people_added": 3,
        "units_added": 5,
    }


def test_a_job_that_fails_while_writing_leaves_no_entry(login, monkeypatch, run_worker):
    client = login("editor")
    upload(client)
    run_worker()
    job = ImportJob.objects.get()
    real_save = RosterWriter.save

    def save(writer, row, **options):
        if row.row == 4:
            raise DatabaseError("disk full")
        return real_save(writer, row, **options)

    monkeypatch.setattr(RosterWriter, "save", save)
    confirm(client, job)
    run_worker()
    assert not AuditEntry.objects.filter(action=AuditAction.IMPORT).exists()

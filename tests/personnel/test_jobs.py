"""Long roster imports as background jobs: a file past the threshold is
checked and written by the worker (django-tasks' db_worker, driven here
explicitly), all or nothing; its owner watches the progress, leaves and comes
back, and reads every row error; nobody else sees the job."""

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse

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
    caches["jobs"].set(jobs._progress_key(job.pk), (120, 300))
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


def test_a_worker_that_dies_with_the_job_is_told_in_chinese(
    login, monkeypatch, run_worker
):
    client = login("editor")
    upload(client)

    def crash(job_id, *, dry_run):
        raise RuntimeError("worker lost")

    monkeypatch.setattr(jobs, "_run", crash)
    run_worker()
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.CHECKING
    page = job_page(client, job).content.decode()
    assert "后台任务出错，未导入任何数据" in page
    assert 'http-equiv="refresh"' not in page


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


def test_a_job_whose_worker_was_killed_stops_waiting(login, settings):
    client = login("editor")
    upload(client)
    job = ImportJob.objects.get()
    assert "检查中" in job_page(client, job).content.decode()
    settings.ROSTER_IMPORT_JOB_STALE_SECONDS = 0
    page = job_page(client, job).content.decode()
    assert "后台任务出错，未导入任何数据" in page
    assert 'http-equiv="refresh"' not in page

"""Imports, admin edits and readers at the same time.

PostgreSQL: two imports of overlapping rosters and an admin edit start
together (a barrier); no unit or person is duplicated, and each import either
writes all of its rows or fails and writes none. Two saves of one version of
an article at once: one is saved, the other refused as out of date. SQLite:
while one connection holds the write lock, public pages still answer 200 and a
second writer waits instead of failing with "database is locked" — on a
database file, in a separate process, since the test database is in memory.
"""

import io
import json
import os
import re
import subprocess
import sys
import threading
from html import unescape
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.db.models import Count
from django.test import Client

from personnel.models import Assignment, Person, Unit
from tests.builders import article_post, make_article, unit_form

ROOT = Path(__file__).resolve().parents[2]
HEADER = "姓名,派出单位,对口支援单位,职务\n"
HIDDEN_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def roster_csv(path, numbers):
    lines = [
        f"人员{n:04d},杭州市第{n % 7 + 1}人民医院,阿克苏市第{n % 5 + 1}中学,教师\n"
        for n in numbers
    ]
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def run_together(*jobs):
    """Run the callables in threads started at once; return what each
    returned or raised."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except Exception as error:  # the test inspects it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


def importer(path):
    def job():
        call_command("import_roster", str(path), "--batch", "10", stdout=io.StringIO())
        return "ok"

    return job


def assert_no_duplicates():
    units = Unit.objects.values("name_key").annotate(n=Count("pk")).filter(n__gt=1)
    assert list(units) == []
    people = (
        Assignment.objects.values("person__name_key", "sending_unit")
        .annotate(n=Count("person", distinct=True))
        .filter(n__gt=1)
    )
    assert list(people) == []
    assert not Person.objects.filter(assignments__isnull=True).exists()


def imported_numbers():
    return {int(name[2:]) for name in Person.objects.values_list("name", flat=True)}


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_imports_and_an_admin_edit_at_once(tmp_path, admin_user):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time: see the SQLite test")
    # Every unit exists already: the imports race on people, not on units.
    seed = range(1000, 1035)
    call_command(
        "import_roster", str(roster_csv(tmp_path / "0.csv", seed)), "--batch", "10"
    )
    unit = Unit.objects.get(name_key="阿克苏市第1中学")
    first = roster_csv(tmp_path / "a.csv", range(0, 300))
    second = roster_csv(tmp_path / "b.csv", range(150, 450))
    admin = Client()
    admin.force_login(admin_user)
    # The form as opened before the imports start.
    form = unit_form(unit, short_name="一中", aliases="", kind="school")

    def edit_unit():
        response = admin.post(f"/admin/personnel/unit/{unit.pk}/change/", form)
        return response.status_code

    results = run_together(importer(first), importer(second), edit_unit)

    assert results[2] == 302
    assert_no_duplicates()
    done = {
        number
        for ok, numbers in zip(
            results[:2], (range(0, 300), range(150, 450)), strict=True
        )
        if ok == "ok"
        for number in numbers
    }
    assert "ok" in results[:2], results
    for result in results[:2]:
        assert result == "ok" or isinstance(result, CommandError | DatabaseError), (
            result
        )
    assert imported_numbers() == done | set(seed)
    assert Unit.objects.get(pk=unit.pk).short_name == "一中"


@pytest.mark.django_db(transaction=True)
def test_two_admin_imports_of_the_same_file_at_once(tmp_path, admin_user):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time: see the SQLite test")
    seed = roster_csv(tmp_path / "0.csv", range(1000, 1035))
    call_command("import_roster", str(seed), "--batch", "10", stdout=io.StringIO())
    content = HEADER + "".join(
        f"人员{n:04d},杭州市第{n % 7 + 1}人民医院,阿克苏市第{n % 5 + 1}中学,教师\n"
        for n in range(200)
    )
    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(admin_user)
        clients.append(client)

    def confirm(client):
        from django.core.files.uploadedfile import SimpleUploadedFile

        def job():
            preview = client.post(
                "/admin/personnel/assignment/import/",
                {
                    "import_file": SimpleUploadedFile("r.csv", content.encode()),
                    "format": "0",
                    "resource": "0",
                    "batch": "10",
                    "term": "",
                    "category": "",
                },
            )
            assert preview.status_code == 200
            # From the page, not response.context: the test client collects
            # the context of every thread's templates through one signal.
            data = dict(HIDDEN_INPUT.findall(preview.content.decode()))
            data = {k: unescape(v) for k, v in data.items()}
            return client.post(
                "/admin/personnel/assignment/process_import/", data
            ).status_code

        return job

    results = run_together(confirm(clients[0]), confirm(clients[1]))
    assert results == [302, 302]
    assert_no_duplicates()
    assert Assignment.objects.count() == 200 + 35


@pytest.mark.django_db(transaction=True)
def test_two_saves_of_one_version_at_once_one_is_refused(django_user_model):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time (IMMEDIATE transactions)")
    article = make_article(title="原来的标题")
    url = f"/admin/articles/article/{article.pk}/change/"
    history = article.history.count()

    def save(name):
        client = Client()
        client.force_login(django_user_model.objects.create_superuser(name))
        # Both forms opened before either is saved: one version.
        form = article_post(article, title=f"{name}的标题")
        return lambda: client.post(url, form).status_code

    results = run_together(save("zhangsan"), save("lisi"))

    # The second waits for the first to commit, then finds its form out of
    # date (without the row lock both would pass the check and save).
    assert sorted(results) == [200, 302]
    article.refresh_from_db()
    winner = ["zhangsan", "lisi"][results.index(302)]
    assert article.title == f"{winner}的标题"
    assert article.history.count() == history + 1


SCENARIO = """
import json, sys, threading, time
import django
django.setup()
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
from tests.builders import make_article
from personnel.models import Unit

call_command("migrate", verbosity=0)
call_command("import_roster", sys.argv[1], "--batch", "10", verbosity=0)
article = make_article(title="并发读者")
with connection.cursor() as cursor:
    journal = cursor.execute("PRAGMA journal_mode").fetchone()[0]
connection.close()

holding, release = threading.Event(), threading.Event()
result = {"journal_mode": journal, "pages": [], "second_writer": None}

def writer():
    with transaction.atomic():
        Unit.objects.create(name="并发写入单位甲")
        holding.set()
        release.wait(30)
        time.sleep(1.5)
    connection.close()

def second_writer():
    holding.wait(30)
    started = time.monotonic()
    try:
        with transaction.atomic():
            Unit.objects.create(name="并发写入单位乙")
        result["second_writer"] = ["ok", round(time.monotonic() - started, 2)]
    except Exception as error:
        result["second_writer"] = ["error", repr(error)]
    connection.close()

def reader():
    holding.wait(30)
    client = Client(raise_request_exception=False)
    for url in ["/", "/articles/", f"/articles/{article.pk}/", "/personnel/",
                "/personnel/?q=jc", "/search/?q=并发", "/projects/", "/sitemap.xml",
                "/personnel/export.csv", "/feeds/articles/", "/healthz"]:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        result["pages"].append([url, response.status_code])
    release.set()
    connection.close()

threads = [threading.Thread(target=f) for f in (writer, second_writer, reader)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join(60)
print(json.dumps(result))
"""


def test_sqlite_readers_and_a_second_writer_wait_for_a_writer(tmp_path):
    """A file database, the settings as deployed (WAL, IMMEDIATE, timeout)."""
    roster = roster_csv(tmp_path / "r.csv", range(40))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "aidportal.settings",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PAGE_CACHE_SECONDS": "0",
    }
    done = subprocess.run(
        [sys.executable, "-c", SCENARIO, str(roster)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["journal_mode"] == "wal"
    assert [status for _, status in result["pages"]] == [200] * 11, result["pages"]
    assert result["second_writer"][0] == "ok", result["second_writer"]

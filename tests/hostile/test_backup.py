"""A portable backup: dumpdata, flush, loaddata gives back every row.

The commands are those docs/deploy.md gives for moving content between
databases (SQLite ↔ PostgreSQL).
"""

import io

import pytest
from django.apps import apps
from django.core.management import call_command

from aidportal.search import site_search
from personnel.models import Assignment

EXCLUDED = ["contenttypes", "auth.permission", "sessions", "admin.logentry", "axes"]
QUERIES = ["阿克苏", "医院", "jc", "季成", "援疆", "教师"]


def row_counts():
    labels = ("aidportal", "articles", "projects", "personnel", "auth")
    return {
        model._meta.label: model._default_manager.count()
        for label in labels
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if model._meta.label != "auth.Permission"
    }


def search_results():
    results = {}
    for query in QUERIES:
        found = site_search(query)
        results[query] = {
            name: list(rows.values_list("pk", flat=True))
            for name, rows in found.items()
        }
        results[query]["roster"] = list(
            Assignment.objects.published().search(query).values_list("pk", flat=True)
        )
    return results


@pytest.mark.django_db(transaction=True)
def test_dumpdata_flush_loaddata_gives_back_every_row(tmp_path, admin_user, settings):
    call_command("load_demo", stdout=io.StringIO())
    counts, results = row_counts(), search_results()
    assert counts["articles.Article"] and counts["personnel.Person"]
    assert counts["personnel.HistoricalPerson"] and counts["auth.User"]
    assert any(results[q]["people"] for q in QUERIES)

    dump = tmp_path / "content.json"
    call_command(
        "dumpdata",
        "--natural-foreign",
        "--natural-primary",
        *(f"--exclude={label}" for label in EXCLUDED),
        output=str(dump),
        stdout=io.StringIO(),
    )
    call_command("flush", interactive=False)
    assert row_counts()["personnel.Person"] == 0
    # As docs/deploy.md says: SIMPLE_HISTORY_ENABLED=0 manage.py loaddata …
    settings.SIMPLE_HISTORY_ENABLED = False
    call_command("loaddata", str(dump), stdout=io.StringIO())

    assert row_counts() == counts
    assert search_results() == results

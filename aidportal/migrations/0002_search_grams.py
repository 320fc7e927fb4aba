"""Index keys of every search text, and their GIN indexes on PostgreSQL.

SQLite has no such index: the same ``__substring`` lookup scans there.
"""

from django.db import migrations

from aidportal.kernel.search import (
    create_gram_indexes,
    drop_gram_indexes,
    search_document,
    text_grams,
)

# The tables as they were when this migration was written.
TABLES = [
    "personnel_assignment",
    "personnel_person",
    "personnel_unit",
    "articles_article",
    "projects_project",
]
SEARCHABLE = [
    ("personnel", "Unit"),
    ("personnel", "Person"),
    ("personnel", "Assignment"),
    ("articles", "Article"),
    ("projects", "Project"),
]


def fill(apps, schema_editor):
    Person = apps.get_model("personnel", "Person")
    for person in Person.objects.filter(search_text=""):
        person.search_text, _ = search_document(
            [person.name_key, person.pinyin, person.initials]
        )
        person.save(update_fields=["search_text"])
    for app_label, name in SEARCHABLE:
        model = apps.get_model(app_label, name)
        rows = list(model.objects.only("search_text"))
        for row in rows:
            row.search_grams = text_grams(row.search_text)
        model.objects.bulk_update(rows, ["search_grams"], batch_size=1000)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        create_gram_indexes(schema_editor, TABLES)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        drop_gram_indexes(schema_editor, TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("aidportal", "0001_roles"),
        ("articles", "0002_search_grams"),
        ("personnel", "0003_search_grams"),
        ("projects", "0002_search_grams"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(create_indexes, drop_indexes),
    ]

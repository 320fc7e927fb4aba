"""People's names in their canonical form: the padding a press release puts
between the characters of a short name ("季 成", "季\u3000成") is typography,
not the name (aidportal.kernel.chinese.canonical_name).

The search texts, name keys and pinyin stay as they are: ``normalize`` of a
canonical name is that of the name (tested in tests/kernel/test_chinese.py),
so nothing needs deriving again. Each name changed gets a history record by
no one, with the reason: the earlier records keep the name as it was
written. The cached pages and roster downloads are invalidated.
"""

from django.db import migrations, models
from django.utils import timezone

from aidportal.kernel import caching
from aidportal.kernel.chinese import canonical_name

REASON = "姓名改为规范写法（去掉排版空格）"
CHUNK = 2000


def pages(Person):
    """Every person's values, CHUNK rows at a time (a page is read whole
    before any is written)."""
    last = 0
    while page := list(
        Person.objects.filter(pk__gt=last).order_by("pk").values()[:CHUNK]
    ):
        yield page
        last = page[-1]["id"]


def make_names_canonical(apps, schema_editor):
    Person = apps.get_model("personnel", "Person")
    HistoricalPerson = apps.get_model("personnel", "HistoricalPerson")
    recorded = [
        field.attname
        for field in HistoricalPerson._meta.concrete_fields
        if not field.attname.startswith("history_")
    ]
    now = timezone.now()
    changed = 0
    for page in pages(Person):
        people, records = [], []
        for values in page:
            name = canonical_name(values["name"])
            if name == values["name"]:
                continue
            values.update(name=name, updated_at=now)
            people.append(Person(id=values["id"], name=name, updated_at=now))
            records.append(
                HistoricalPerson(
                    **{attname: values[attname] for attname in recorded},
                    history_date=now,
                    history_type="~",
                    history_change_reason=REASON,
                )
            )
        Person.objects.bulk_update(people, ["name", "updated_at"])
        HistoricalPerson.objects.bulk_create(records)
        changed += len(people)
    if changed:
        caching.invalidate_on_commit(schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("personnel", "0009_full_width_punctuation"),
    ]

    operations = [
        migrations.AlterField(
            model_name="historicalperson",
            name="name",
            field=models.CharField(
                help_text="按公开发布的写法填写；两字姓名中间的排版空格（如“季 成”）保存时自动去掉，间隔号统一为“·”。检索时有无空格都能找到。",
                max_length=50,
                verbose_name="姓名",
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="name",
            field=models.CharField(
                help_text="按公开发布的写法填写；两字姓名中间的排版空格（如“季 成”）保存时自动去掉，间隔号统一为“·”。检索时有无空格都能找到。",
                max_length=50,
                verbose_name="姓名",
            ),
        ),
        migrations.RunPython(make_names_canonical, migrations.RunPython.noop),
    ]

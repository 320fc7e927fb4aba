"""The roster's name and batch orders read copies of the person's pinyin and
the batch's number on the assignment, each order served by an index."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_order_keys(apps, schema_editor):
    Assignment = apps.get_model("personnel", "Assignment")
    Batch = apps.get_model("personnel", "Batch")
    Person = apps.get_model("personnel", "Person")
    Assignment.objects.update(
        name_order=Subquery(
            Person.objects.filter(pk=OuterRef("person_id")).values("pinyin")[:1]
        ),
        batch_order=-Subquery(
            Batch.objects.filter(pk=OuterRef("batch_id")).values("number")[:1]
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("personnel", "0013_person_status"),
    ]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="batch_order",
            field=models.SmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="assignment",
            name="name_order",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(copy_order_keys, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(
                fields=["name_order", "id"], name="assignment_name_order_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(
                fields=["batch_order", "receiving_unit", "id"],
                name="assignment_batch_order_idx",
            ),
        ),
    ]

"""Search texts get the simplified form of any character folded from a
traditional one (乾 → 干), as search_document now adds it: queries are folded
to simplified characters (aidportal.kernel.chinese.search_key)."""

from django.db import migrations

from aidportal.kernel.search import add_folded_forms


def add_forms(apps, schema_editor):
    for name in ("Article",):
        add_folded_forms(apps.get_model("articles", name).objects.all())


class Migration(migrations.Migration):
    dependencies = [("articles", "0008_channel_update_period")]

    operations = [migrations.RunPython(add_forms, migrations.RunPython.noop)]

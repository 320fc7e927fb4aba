"""Batches and terms carry start and end dates, each known to the day, the
month or the year (kept as the first and last day it may be).

- A batch's years become the spans of those years (2020 → 2020-01-01 …
  2020-12-31), and back again on reversal.
- The term an assignment named in text (首期) becomes a Term row of its batch,
  which it refers to; one Term per batch and name, for the assignments and
  their history. On reversal the text comes back from the Term. A history
  row whose batch no longer exists keeps no term (there is no batch to hang
  it on).
"""

from datetime import date

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models
from django.db.models import Q


def _dates(**fields):
    return models.DateField(blank=True, editable=False, null=True, **fields)


PERIOD_FIELDS = [
    ("start_earliest", "开始日期（最早）"),
    ("start_latest", "开始日期（最晚）"),
    ("end_earliest", "结束日期（最早）"),
    ("end_latest", "结束日期（最晚）"),
]


def _period_constraints(prefix):
    def known_together(first, then, name):
        return models.CheckConstraint(
            condition=Q(**{f"{first}__isnull": True, f"{then}__isnull": True})
            | Q(**{f"{first}__isnull": False, f"{then}__isnull": False}),
            name=name,
        )

    def in_order(first, then, name, message):
        return models.CheckConstraint(
            condition=Q(**{f"{then}__isnull": True})
            | Q(**{f"{first}__isnull": True})
            | Q(**{f"{then}__gte": models.F(first)}),
            name=name,
            violation_error_message=message,
        )

    return [
        known_together("start_earliest", "start_latest", f"{prefix}_start_whole"),
        known_together("end_earliest", "end_latest", f"{prefix}_end_whole"),
        in_order(
            "start_earliest", "start_latest", f"{prefix}_start_in_order", "开始日期有误。"
        ),
        in_order("end_earliest", "end_latest", f"{prefix}_end_in_order", "结束日期有误。"),
        in_order(
            "start_earliest",
            "end_latest",
            f"{prefix}_ends_after_start",
            "结束日期不能早于开始日期。",
        ),
    ]


BATCH_MODELS = ("batch", "historicalbatch")
ASSIGNMENT_MODELS = ("assignment", "historicalassignment")


def batch_years_to_spans(apps, schema_editor):
    for name in BATCH_MODELS:
        model = apps.get_model("personnel", name)
        dated = model.objects.filter(
            Q(start_year__isnull=False) | Q(end_year__isnull=False)
        )
        for pk, start, end in dated.values_list("pk", "start_year", "end_year"):
            spans = {}
            if start:
                spans.update(
                    start_earliest=date(start, 1, 1), start_latest=date(start, 12, 31)
                )
            if end:
                spans.update(end_earliest=date(end, 1, 1), end_latest=date(end, 12, 31))
            model.objects.filter(pk=pk).update(**spans)


def batch_spans_to_years(apps, schema_editor):
    for name in BATCH_MODELS:
        model = apps.get_model("personnel", name)
        dated = model.objects.filter(
            Q(start_earliest__isnull=False) | Q(end_latest__isnull=False)
        )
        for pk, start, end in dated.values_list("pk", "start_earliest", "end_latest"):
            model.objects.filter(pk=pk).update(
                start_year=start.year if start else None,
                end_year=end.year if end else None,
            )


def terms_from_names(apps, schema_editor):
    Term = apps.get_model("personnel", "Term")
    batches = set(apps.get_model("personnel", "Batch").objects.values_list("pk", flat=True))
    models_ = [apps.get_model("personnel", name) for name in ASSIGNMENT_MODELS]
    pairs = set()
    for model in models_:
        pairs.update(
            model.objects.exclude(term_name="")
            .values_list("batch_id", "term_name")
            .distinct()
        )
    for batch_id, name in sorted(pairs):
        if batch_id not in batches:
            continue
        term, _ = Term.objects.get_or_create(batch_id=batch_id, name=name)
        for model in models_:
            model.objects.filter(batch_id=batch_id, term_name=name).update(term=term)


def names_from_terms(apps, schema_editor):
    Term = apps.get_model("personnel", "Term")
    for model in (apps.get_model("personnel", name) for name in ASSIGNMENT_MODELS):
        for pk, name in Term.objects.values_list("pk", "name"):
            model.objects.filter(term_id=pk).update(term_name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("personnel", "0010_canonical_person_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Terms.
        migrations.CreateModel(
            name="Term",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                *[(name, _dates(verbose_name=label)) for name, label in PERIOD_FIELDS],
                (
                    "name",
                    models.CharField(
                        help_text="例如：首期、二期。", max_length=20, verbose_name="期"
                    ),
                ),
                (
                    "batch",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="terms",
                        to="personnel.batch",
                        verbose_name="批次",
                    ),
                ),
            ],
            options={
                "verbose_name": "期",
                "verbose_name_plural": "期",
                "ordering": ["batch", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("batch", "name"),
                        name="term_unique_batch_name",
                        violation_error_message="该批次已有同名的期。",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("name", ""), _negated=True),
                        name="term_name_not_blank",
                        violation_error_message="期的名称不能为空。",
                    ),
                    *_period_constraints("term"),
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalTerm",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                *[(name, _dates(verbose_name=label)) for name, label in PERIOD_FIELDS],
                (
                    "name",
                    models.CharField(
                        help_text="例如：首期、二期。", max_length=20, verbose_name="期"
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                (
                    "history_change_reason",
                    models.CharField(max_length=100, null=True),
                ),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                        max_length=1,
                    ),
                ),
                (
                    "batch",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="personnel.batch",
                        verbose_name="批次",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical 期",
                "verbose_name_plural": "historical 期",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        # A batch's years become spans.
        *[
            migrations.AddField(
                model_name=model, name=name, field=_dates(verbose_name=label)
            )
            for model in BATCH_MODELS
            for name, label in PERIOD_FIELDS
        ],
        migrations.RunPython(batch_years_to_spans, batch_spans_to_years),
        migrations.RemoveConstraint(model_name="batch", name="batch_years_in_order"),
        *[
            migrations.RemoveField(model_name=model, name=name)
            for model in BATCH_MODELS
            for name in ("start_year", "end_year")
        ],
        *[
            migrations.AddConstraint(model_name="batch", constraint=constraint)
            for constraint in _period_constraints("batch")
        ],
        # An assignment's term text becomes a Term.
        *[
            migrations.RenameField(
                model_name=model, old_name="term", new_name="term_name"
            )
            for model in ASSIGNMENT_MODELS
        ],
        migrations.AddField(
            model_name="assignment",
            name="term",
            field=models.ForeignKey(
                blank=True,
                help_text="须属于所选批次。",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="assignments",
                to="personnel.term",
                verbose_name="期",
            ),
        ),
        migrations.AddField(
            model_name="historicalassignment",
            name="term",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="须属于所选批次。",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="personnel.term",
                verbose_name="期",
            ),
        ),
        migrations.RunPython(terms_from_names, names_from_terms),
        *[
            migrations.RemoveField(model_name=model, name="term_name")
            for model in ASSIGNMENT_MODELS
        ],
        # What a blank date of an assignment now means.
        *[
            migrations.AlterField(
                model_name=model,
                name="arrived_on",
                field=models.DateField(
                    blank=True,
                    help_text="留空则按所在期（或批次）的开始日期。",
                    null=True,
                    verbose_name="到岗日期",
                ),
            )
            for model in ASSIGNMENT_MODELS
        ],
        *[
            migrations.AlterField(
                model_name=model,
                name="left_on",
                field=models.DateField(
                    blank=True,
                    help_text=(
                        "留空则按所在期（或批次）的结束日期；都没有时，填了到岗日期即表示仍在岗，"
                        "否则在岗统计中计为“日期不详”。"
                    ),
                    null=True,
                    verbose_name="离岗日期",
                ),
            )
            for model in ASSIGNMENT_MODELS
        ],
    ]

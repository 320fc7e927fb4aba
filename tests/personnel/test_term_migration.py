"""The migration that dates batches and terms keeps what every row says, both
ways. It is found by what it does (it creates Term), not by its number."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.operations import CreateModel

pytestmark = pytest.mark.django_db(transaction=True)

WHEN = datetime(2021, 1, 1, tzinfo=UTC)


def term_migration(loader):
    """(the migration creating Term, the personnel migration before it)."""
    (key,) = (
        key
        for key, migration in loader.disk_migrations.items()
        if key[0] == "personnel"
        and any(
            isinstance(op, CreateModel) and op.name == "Term"
            for op in migration.operations
        )
    )
    (parent,) = (
        dep for dep in loader.disk_migrations[key].dependencies if dep[0] == "personnel"
    )
    return key, parent


@pytest.fixture
def migrate():
    """``migrate(target)`` → the models of the personnel app at ``target``;
    every migration is applied again at the end."""
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()

    def migrate(target):
        executor = MigrationExecutor(connection)
        executor.migrate([target])
        return executor.loader.project_state([target]).apps

    yield migrate
    MigrationExecutor(connection).migrate(latest)


def create(model, **values):
    """A row with every required text field not given left empty."""
    for field in model._meta.concrete_fields:
        required_text = field.get_internal_type() in ("CharField", "TextField")
        if required_text and not (field.null or field.has_default()):
            values.setdefault(field.attname, "")
    return model.objects.create(**values)


def texts_and_years(apps):
    def rows(name, *fields):
        model = apps.get_model("personnel", name)
        return sorted(model.objects.values_list(*fields))

    return (
        rows("Batch", "number", "start_year", "end_year"),
        rows("HistoricalBatch", "number", "start_year", "end_year"),
        rows("Assignment", "batch__number", "receiving_unit__name", "term"),
        rows("HistoricalAssignment", "history_id", "batch_id", "term"),
    )


def test_the_term_dates_migration_keeps_every_row_s_meaning_both_ways(migrate):
    new, old = term_migration(MigrationExecutor(connection).loader)
    apps = migrate(old)
    model = lambda name: apps.get_model("personnel", name)  # noqa: E731
    ten = create(
        model("Batch"), number=10, label="第十批", start_year=2020, end_year=2022
    )
    nine = create(model("Batch"), number=9, label="第九批")
    create(
        model("HistoricalBatch"),
        id=ten.pk,
        number=10,
        start_year=2019,
        history_date=WHEN,
        history_type="~",
    )
    person = create(
        model("Person"), name="季成", name_key="季成", created_at=WHEN, updated_at=WHEN
    )
    units = [
        create(model("Unit"), name=name, name_key=name) for name in ("甲", "乙", "丙")
    ]
    for batch, term, unit in (
        (ten, "首期", units[0]),
        (ten, "", units[1]),
        (nine, "首期", units[2]),
    ):
        create(
            model("Assignment"),
            person=person,
            batch=batch,
            term=term,
            sending_unit=units[0],
            receiving_unit=unit,
        )
    create(
        model("HistoricalAssignment"),
        history_id=1,
        id=1,
        person_id=person.pk,
        batch_id=ten.pk,
        term="旧期",  # a name only the history still holds
        sending_unit_id=units[0].pk,
        receiving_unit_id=units[0].pk,
        history_date=WHEN,
        history_type="~",
    )
    before = texts_and_years(apps)

    apps = migrate(new)
    Batch, Term = (apps.get_model("personnel", name) for name in ("Batch", "Term"))
    assert list(
        Batch.objects.filter(number=10).values_list(
            "start_earliest", "start_latest", "end_earliest", "end_latest"
        )
    ) == [(date(2020, 1, 1), date(2020, 12, 31), date(2022, 1, 1), date(2022, 12, 31))]
    assert sorted(Term.objects.values_list("batch__number", "name")) == [
        (9, "首期"),
        (10, "旧期"),
        (10, "首期"),
    ]
    assignments = apps.get_model("personnel", "Assignment").objects
    assert sorted(
        assignments.values_list(
            "receiving_unit__name", "term__batch__number", "term__name"
        )
    ) == [("丙", 9, "首期"), ("乙", None, None), ("甲", 10, "首期")]
    history = apps.get_model("personnel", "HistoricalAssignment").objects.get()
    assert Term.objects.get(pk=history.term_id).name == "旧期"

    assert texts_and_years(migrate(old)) == before

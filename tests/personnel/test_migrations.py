"""Data migrations of the roster, run from the state before them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from aidportal.kernel import caching
from aidportal.kernel.chinese import name_pinyin, normalize
from aidportal.kernel.search import search_document
from personnel.models import Assignment, Person


def migration_named(executor, suffix):
    """(app, name) of the personnel migration whose name ends in ``suffix``
    (its number may change when branches are merged)."""
    return next(
        key
        for key in executor.loader.disk_migrations
        if key[0] == "personnel" and key[1].endswith(suffix)
    )


def state_before(suffix):
    """The database as it was before the personnel migration ending in
    ``suffix``, with its models (no save() of today's rules runs); migrates
    forward again at the end."""
    executor = MigrationExecutor(connection)
    target = migration_named(executor, suffix)
    before = executor.loader.graph.node_map[target].parents
    (previous,) = [parent.key for parent in before if parent.key[0] == "personnel"]
    executor.migrate([previous])
    yield executor.loader.project_state([previous]).apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def before_canonical_names(transactional_db):
    yield from state_before("_canonical_person_names")


def old_person(apps, name):
    """A person written as the importer wrote them before: the name as
    printed, its derived fields as save() derived them, and the history
    record of its creation."""
    key = normalize(name)
    full, initials = name_pinyin(name)
    text, grams = search_document([key, " ".join(full), " ".join(initials)])
    person = apps.get_model("personnel", "Person").objects.create(
        name=name,
        name_key=key,
        pinyin=" ".join(full),
        initials=" ".join(initials),
        search_text=text,
        search_grams=grams,
    )
    apps.get_model("personnel", "HistoricalPerson").objects.create(
        id=person.pk,
        name=name,
        created_at=person.created_at,
        updated_at=person.updated_at,
        history_date=person.created_at,
        history_type="+",
    )
    return person


def migrate_forward():
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_stored_padded_names_become_canonical(before_canonical_names, monkeypatch):
    invalidated = []
    monkeypatch.setattr(caching, "invalidate_on_commit", invalidated.append)
    apps = before_canonical_names
    printed = {
        "季 成": "季成",
        "陈\u00a0晶": "陈晶",
        "赵\u3000科": "赵科",
        "阿依古丽 • 买买提": "阿依古丽·买买提",
        "田春来": "田春来",
        "Anna Li": "Anna Li",
    }
    ids = {old_person(apps, name).pk: name for name in printed}
    derived_before = {
        row["id"]: row
        for row in apps.get_model("personnel", "Person")
        .objects.values("id", "name_key", "pinyin", "initials", "search_text")
        .order_by()
    }

    migrate_forward()

    for person in Person.objects.all():
        assert person.name == printed[ids[person.pk]]
        # The keys and search texts were right already: nothing to derive.
        derived = derived_before[person.pk]
        assert (person.name_key, person.pinyin, person.initials) == (
            derived["name_key"],
            derived["pinyin"],
            derived["initials"],
        )
        assert person.search_text == derived["search_text"]
    ji = Person.objects.get(name="季成")
    assert [p.name for p in Person.objects.search("季 成")] == ["季成"]
    assert [p.name for p in Person.objects.search("季成")] == ["季成"]
    # History: the record of the import keeps what was printed; the change
    # is recorded, by no one, with its reason.
    latest, imported = ji.history.order_by("-history_date", "-history_id")
    assert (imported.name, imported.history_type) == ("季 成", "+")
    assert (latest.name, latest.history_type, latest.history_user) == (
        "季成",
        "~",
        None,
    )
    assert "规范" in latest.history_change_reason
    assert (latest.category, latest.is_public) == (ji.category, ji.is_public)
    assert ji.updated_at == latest.updated_at > imported.updated_at
    assert Person.objects.get(name="田春来").history.count() == 1
    assert invalidated, "cached pages and downloads showing the old names"


def test_the_migration_without_padded_names_changes_nothing(
    before_canonical_names, monkeypatch
):
    invalidated = []
    monkeypatch.setattr(caching, "invalidate_on_commit", invalidated.append)
    person = old_person(before_canonical_names, "田春来")
    migrate_forward()
    assert Person.objects.get().updated_at == person.updated_at
    assert Person.history.count() == 1
    assert not invalidated


@pytest.fixture
def before_person_status(transactional_db):
    """The database before people had a review state (``is_public`` only)."""
    yield from state_before("_person_status")


def test_hidden_people_become_drafts_and_public_ones_published(before_person_status):
    old = before_person_status.get_model("personnel", "Person")
    shown = old.objects.create(name="张林", name_key="张林", is_public=True)
    hidden = old.objects.create(name="李平", name_key="李平", is_public=False)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Person.objects.get(pk=shown.pk).status == Person.Status.PUBLISHED
    assert Person.objects.get(pk=hidden.pk).status == Person.Status.DRAFT


@pytest.fixture
def before_order_keys(transactional_db):
    """The database before assignments kept the roster's order keys."""
    yield from state_before("_roster_order_keys")


def test_assignments_get_their_persons_pinyin_and_batchs_number(before_order_keys):
    apps = before_order_keys
    unit = apps.get_model("personnel", "Unit").objects.create(name="温宿县人民医院")
    rows = []
    for name, pinyin, number in [("安然", "an ran", 9), ("周正", "zhou zheng", 11)]:
        person = apps.get_model("personnel", "Person").objects.create(
            name=name, name_key=name, pinyin=pinyin
        )
        batch = apps.get_model("personnel", "Batch").objects.create(
            number=number, label=f"第{number}批"
        )
        rows.append(
            apps.get_model("personnel", "Assignment").objects.create(
                person=person, batch=batch, sending_unit=unit, receiving_unit=unit
            )
        )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    keys = Assignment.objects.order_by("pk").values_list("name_order", "batch_order")
    assert list(keys) == [("an ran", -9), ("zhou zheng", -11)]


@pytest.fixture
def before_folded_texts(transactional_db):
    """The database before search texts kept their folded form."""
    yield from state_before("_folded_search_texts")


def test_stored_texts_get_their_folded_form_once(before_folded_texts):
    """于乾 was stored before queries were folded (乾 → 干): after the
    migration the folded query finds it; other texts are left as they were."""
    apps = before_folded_texts
    people = apps.get_model("personnel", "Person").objects
    for name in ("于乾", "季成"):
        text, grams = "\n".join([name, "pinyin"]), ""
        people.create(name=name, name_key=name, search_text=text, search_grams=grams)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    texts = dict(Person.objects.values_list("name", "search_text"))
    assert texts == {"于乾": "于乾\npinyin\n于干\npinyin", "季成": "季成\npinyin"}
    assert list(Person.objects.search("乾").values_list("name", flat=True)) == ["于乾"]
    grams = Person.objects.get(name="于乾").search_grams.split()
    assert {"于干", "乾"} <= set(grams)

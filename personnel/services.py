from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from aidportal.kernel import downloads
from aidportal.kernel.audit import AuditAction, record
from aidportal.kernel.chinese import normalize
from aidportal.kernel.policy import Actor, may_change, unpublished_unless_allowed
from aidportal.kernel.search import derive_again
from personnel.exports import roster_values, write_csv, write_xlsx
from personnel.importers import (
    NO_BATCH,
    RosterFileError,
    RosterRow,
    RowError,
    roster_check,
)
from personnel.models import Assignment, Batch, Category, Person, Term, Unit

# Receiving-unit words → the category of the people sent there.
CATEGORY_HINTS = [
    (("医院", "卫生院", "保健院", "卫健委", "疾控"), Category.MEDICAL),
    (
        ("学校", "中学", "小学", "教研室", "教科局", "幼儿园", "学院", "大学"),
        Category.EDUCATION,
    ),
]
UNIT_KIND_HINTS = [
    (("医院", "卫生院", "保健院"), Unit.Kind.HOSPITAL),
    (
        ("学校", "中学", "小学", "幼儿园", "学院", "大学", "教研室", "辅导站"),
        Unit.Kind.SCHOOL,
    ),
    (
        ("局", "委员会", "政府", "办公室", "指挥部", "街道", "管委会"),
        Unit.Kind.GOVERNMENT,
    ),
]


def _first_hint(name, hints, default):
    return next(
        (value for words, value in hints if any(w in name for w in words)), default
    )


def category_infer(*, receiving_unit_name: str) -> str:
    return _first_hint(receiving_unit_name, CATEGORY_HINTS, Category.OTHER)


@dataclass
class ImportReport:
    rows: int = 0
    units_created: list = field(default_factory=list)
    people_created: int = 0
    people_reused: int = 0
    assignments_created: int = 0
    assignments_updated: int = 0

    def __str__(self):
        return (
            f"{self.rows} 行：新增人员 {self.people_created}，沿用已有人员 "
            f"{self.people_reused}；新增任职 {self.assignments_created}，更新任职 "
            f"{self.assignments_updated}；新增单位 {len(self.units_created)}"
        )


class RosterWriter:
    """Saves checked roster rows, reusing units, batches and people.

    A unit is one row per normalised name; a person already on the roster with
    the same normalised name and sending unit is reused; an assignment is one
    per (person, batch, receiving unit) and is updated when imported again.
    Shared by ``import_roster`` and the admin import.
    """

    def __init__(self, *, user: Actor = None, report: ImportReport | None = None):
        # The publishing policy holds: an editor's import adds people hidden
        # until a publisher makes them public, and cannot change public ones.
        # No user (the import_roster command): the system, which may.
        self.user = user
        self.report = report or ImportReport()
        self.units, self.batches, self.terms, self.people = {}, {}, {}, {}
        # (name key, sending unit pk) of people already on the roster, when
        # primed: any other name is new and needs no lookup.
        self.existing = None
        # Keys of the people this import created: they have no assignments yet.
        self.new_people = set()

    def prime(self, names: Iterable[str]) -> None:
        """Look up in a few queries which of ``names`` are on the roster."""
        keys = sorted({normalize(name) for name in names} - {""})
        self.existing = set()
        for start in range(0, len(keys), 500):
            self.existing.update(
                Assignment.objects.filter(
                    person__name_key__in=keys[start : start + 500]
                ).values_list("person__name_key", "sending_unit_id")
            )

    def unit(self, name: str) -> Unit:
        key = normalize(name)
        if key not in self.units:
            unit = Unit.objects.filter(name_key=key).first()
            if unit is None:
                unit = Unit.objects.create(
                    name=name, kind=_first_hint(name, UNIT_KIND_HINTS, Unit.Kind.OTHER)
                )
                self.report.units_created.append(unit.name)
            self.units[key] = unit
        return self.units[key]

    def batch(self, number: int) -> Batch:
        if number not in self.batches:
            self.batches[number], _ = Batch.objects.get_or_create(number=number)
        return self.batches[number]

    def term(self, batch: Batch, name: str) -> Term | None:
        """The batch's term of that name, created if new (None: no name)."""
        if not name:
            return None
        key = (batch.pk, name)
        if key not in self.terms:
            self.terms[key], _ = Term.objects.get_or_create(batch=batch, name=name)
        return self.terms[key]

    def person(self, *, name: str, sending_unit: Unit, category: str) -> Person:
        key = (normalize(name), sending_unit.pk)
        if key in self.people:
            return self.people[key]
        person = None
        if self.existing is None or key in self.existing:
            person = (
                Person.objects.filter(
                    name_key=key[0], assignments__sending_unit=sending_unit
                )
                .order_by("pk")
                .first()
            )
        if person is None:
            person = Person(name=name, category=category)
            unpublished_unless_allowed(self.user, person)
            person.save()
            self.new_people.add(person.pk)
            self.report.people_created += 1
        elif not may_change(self.user, person):
            raise ValidationError(
                {"name": _("%(name)s 已公开，只有发布人可以修改。") % {"name": name}}
            )
        else:
            self.report.people_reused += 1
        self.people[key] = person
        return person

    def resolve(
        self,
        row: RosterRow,
        *,
        batch_number: int | None = None,
        term: str = "",
        category: str = "",
        arrived_on: date | None = None,
        left_on: date | None = None,
    ) -> tuple[Assignment, bool, dict]:
        """The assignment a row names, and the values the row gives it.

        Units, the batch, its term and the person are found or created; the
        assignment is the existing one for (person, batch, receiving unit) or
        a new, unsaved one. The import's ``term``, ``arrived_on`` and
        ``left_on`` stand for what the row does not say. Returns (assignment,
        created, values).
        """
        sending_unit = self.unit(row.sending_unit)
        receiving_unit = self.unit(row.receiving_unit)
        chosen_category = (
            row.category
            or category
            or category_infer(receiving_unit_name=receiving_unit.name)
        )
        person = self.person(
            name=row.name, sending_unit=sending_unit, category=chosen_category
        )
        if (row.category or category) and person.category != chosen_category:
            person.category = chosen_category
            person.save()
        batch = self.batch(row.batch or batch_number)
        keys = {"person": person, "batch": batch, "receiving_unit": receiving_unit}
        assignment = None
        if person.pk not in self.new_people:
            assignment = Assignment.objects.filter(**keys).first()
        created = assignment is None
        if created:
            assignment = Assignment(**keys)
        values = {
            "sending_unit": sending_unit,
            "position": row.position,
            "term": self.term(batch, row.term or term),
            "arrived_on": row.arrived_on or arrived_on,
            "left_on": row.left_on or left_on,
        }
        self.report.rows += 1
        if created:
            self.report.assignments_created += 1
        else:
            self.report.assignments_updated += 1
        return assignment, created, values

    def save(self, row: RosterRow, **options) -> Assignment:
        assignment, _, values = self.resolve(row, **options)
        for name, value in values.items():
            setattr(assignment, name, value)
        assignment.save()
        return assignment


# Any fixed number: the key of the PostgreSQL advisory lock of roster imports.
ROSTER_LOCK = 0x524F53544552


def roster_lock() -> None:
    """Hold the roster import lock until the current transaction ends.

    Two imports at once would each find a person missing and both create
    them (people have no unique key: the same name may be two people).
    SQLite already lets one writer in at a time (transaction_mode IMMEDIATE).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROSTER_LOCK])


def roster_import(
    *,
    rows: list[RosterRow],
    batch_number: int | None = None,
    term: str = "",
    category: str = "",
    arrived_on: date | None = None,
    left_on: date | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    progress_every: int = 1000,
    user: Actor = None,
    no_batch: str = NO_BATCH,
    audit_detail: dict | None = None,
) -> ImportReport:
    """Save checked rows all-or-nothing; with dry_run, report and roll back.
    ``batch_number``, ``term``, ``category``, ``arrived_on`` and ``left_on``
    stand for what a row does not say; a row without dates and without
    ``arrived_on`` / ``left_on`` takes its term's (or batch's) when counted.

    ``progress(done, total)`` is called every ``progress_every`` rows;
    ``user`` is who imports, for the rules on what they may change;
    ``no_batch`` is the error of a row without a batch when none is given
    (the command line's words by default); ``audit_detail`` is added to the
    audit log's entry of the import (the file, the job), written in its
    transaction.

    Raises RosterFileError (and writes nothing) when any row is bad.
    """
    errors = roster_check(
        rows=rows,
        batch_number=batch_number,
        arrived_on=arrived_on,
        left_on=left_on,
        no_batch=no_batch,
    )
    if errors:
        raise RosterFileError(errors)
    writer = RosterWriter(user=user)
    options = {
        "batch_number": batch_number,
        "term": term,
        "category": category,
        "arrived_on": arrived_on,
        "left_on": left_on,
    }
    refused = []
    with transaction.atomic():
        roster_lock()
        writer.prime(row.name for row in rows)
        for index, row in enumerate(rows, start=1):
            try:
                writer.save(row, **options)
            except ValidationError as error:
                # What the user may not change (a public person): every such
                # row is reported, and the transaction rolls back.
                refused.extend(
                    RowError(row.row, field, message)
                    for field, messages in error.message_dict.items()
                    for message in messages
                )
            if progress and index % progress_every == 0:
                progress(index, len(rows))
        if refused:
            raise RosterFileError(refused)
        if dry_run:
            transaction.set_rollback(True)
        else:
            report = writer.report
            record(
                AuditAction.IMPORT,
                user=user,
                obj=Assignment,
                detail={
                    **(audit_detail or {}),
                    "rows": report.rows,
                    "added": report.assignments_created,
                    "changed": report.assignments_updated,
                    "people_added": report.people_created,
                    "units_added": len(report.units_created),
                },
            )
    return writer.report


def assignments_refresh_search(
    *, units: Iterable[Unit] = (), people: Iterable[Person] = ()
) -> int:
    """Derive again the search texts of the assignments of ``units`` and
    ``people``, which repeat their names, aliases and pinyin: after one of
    them changed. Returns how many."""
    condition = (
        Q(sending_unit__in=units) | Q(receiving_unit__in=units) | Q(person__in=people)
    )
    return derive_again(Assignment.objects.filter(condition))


def assignments_mark_returned(
    *, assignments: QuerySet, left_on: date
) -> tuple[int, int]:
    """Set ``left_on`` on open assignments; returns (changed, skipped).

    An assignment that began after ``left_on`` is skipped rather than given an
    impossible date.
    """
    changed = skipped = 0
    with transaction.atomic():
        for assignment in assignments.filter(left_on__isnull=True).select_related(
            "person", "sending_unit", "receiving_unit"
        ):
            if assignment.arrived_on and assignment.arrived_on > left_on:
                skipped += 1
                continue
            assignment.left_on = left_on
            assignment.save()
            changed += 1
    return changed, skipped


# Exports


@dataclass(frozen=True)
class ExportFormat:
    suffix: str
    content_type: str
    write: Callable
    # Rows a sheet holds at most (Excel: 1,048,576 with the header).
    sheet_rows: int | None = None


EXPORT_FORMATS = {
    "csv": ExportFormat("csv", "text/csv; charset=utf-8", write_csv),
    "xlsx": ExportFormat(
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        write_xlsx,
        sheet_rows=1_048_575,
    ),
}


class ExportTooLarge(Exception):
    def __init__(self, limit: int):
        super().__init__(limit)
        self.limit = limit


def roster_export(
    *,
    assignments: QuerySet[Assignment],
    params: str,
    fmt: str,
    client: str,
    wait: bool = False,
) -> str:
    """The stored file of an export of ``assignments`` (the roster narrowed
    by ``params``, its canonical filters; "" is the whole roster), built now
    if this site version has none.

    The size is counted (capped) before any row is read. A selection holds at
    most ROSTER_EXPORT_MAX_ROWS rows, else ExportTooLarge; the whole roster
    what its format holds, and past ROSTER_EXPORT_MAX_ROWS rows it is built in
    the background (downloads.Preparing) unless ``wait``. Raises
    downloads.Busy when the build must wait for another.
    """
    spec = EXPORT_FORMATS[fmt]
    name = downloads.current_name(kind="roster", params=params, suffix=spec.suffix)
    if downloads.exists(name):
        return name
    selection_limit = settings.ROSTER_EXPORT_MAX_ROWS
    if downloads.being_built(name):
        # Nothing to count or build: it is on its way.
        raise downloads.Busy if params else downloads.Preparing
    limit = selection_limit if params else spec.sheet_rows
    cap = max(limit or 0, selection_limit)

    def write(out):
        spec.write(roster_values(assignments), out)

    with downloads.client_slot(client):
        rows = downloads.row_count(
            name, lambda: assignments.order_by()[: cap + 1].count()
        )
        if limit is not None and rows > limit:
            raise ExportTooLarge(limit)
        if rows > selection_limit and not wait:
            downloads.build_in_background(name, write)
        with downloads.build_slot(name):
            if downloads.exists(name):
                return name
            return downloads.build(name, write)

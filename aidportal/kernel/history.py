"""The trash: deleted content recovered from its history (django-simple-history)."""

from datetime import timedelta

from django.apps import apps
from django.db import IntegrityError, models, transaction

from aidportal.kernel.edits import changed_fields
from aidportal.kernel.policy import Actor, Guarded, unpublished_unless_allowed

# Rows deleted by the same cascade are recorded within this window.
CASCADE_WINDOW = timedelta(minutes=1)


class StaleVersion(Exception):
    """The row's history moved on from the version a form was built from:
    ``latest`` is its newest record, ``changed`` the fields that differ."""

    def __init__(self, latest, changed: list[str]):
        super().__init__(f"history moved on to record {latest.history_id}")
        self.latest, self.changed = latest, changed


def deleted_records(model: type[models.Model], *, limit: int = 100) -> list:
    """The last history record (type "-") of each deleted row, newest first."""
    existing = model.objects.values("pk")
    records, seen = [], set()
    deletions = model.history.filter(history_type="-").exclude(id__in=existing)
    for record in deletions.order_by("-history_date")[: limit * 2]:
        if record.id not in seen:
            seen.add(record.id)
            records.append(record)
    return records[:limit]


def _cascaded_children(model):
    """(child model, foreign key) of history-keeping rows deleted with ``model``."""
    for relation in model._meta.related_objects:
        child = relation.related_model
        if (
            relation.one_to_many
            and relation.on_delete is models.CASCADE
            and hasattr(child, "history")
        ):
            yield child, relation.field.attname


def _incoming_many_to_many(model):
    """(other model, field) of tracked many-to-many fields pointing at ``model``."""
    for other in apps.get_models():
        history = getattr(other, "history", None)
        for field in getattr(
            getattr(history, "model", None), "_history_m2m_fields", []
        ):
            if field.related_model is model:
                yield other, field


@transaction.atomic
def deleted_restore(
    *, model: type[models.Model], pk: int, user: Actor, version: int | None = None
) -> models.Model:
    """Bring a deleted row back as it was: its fields, its many-to-many links
    both ways, and the rows its deletion cascaded to (gallery pictures,
    assignments). Content restored by someone without the publish permission
    comes back unpublished. Returns the restored instance.

    ``version``: the deletion record the trash showed. When the row's history
    has moved on since (restored, changed or deleted again by someone else),
    nothing is restored: StaleVersion."""
    if version is None:
        record = model.history.filter(id=pk).latest("history_date")
    else:
        record = _current_deletion(model, pk, version)
    if record.history_type != "-" or model.objects.filter(pk=pk).exists():
        raise ValueError(f"{model._meta.verbose_name} {pk} is not deleted")
    instance = _restore_row(record, user)
    if isinstance(instance, Guarded) and unpublished_unless_allowed(user, instance):
        instance.save()

    # The deletion record's many-to-many snapshot is empty (Django removes the
    # links first); the record before it has them.
    snapshot = record.prev_record or record
    for field in getattr(model.history.model, "_history_m2m_fields", []):
        target = field.related_model
        linked = getattr(snapshot, field.name).values_list(
            f"{target._meta.model_name}_id", flat=True
        )
        getattr(instance, field.name).set(target.objects.filter(pk__in=linked))

    _restore_incoming_links(model, pk, instance)

    for child, foreign_key in _cascaded_children(model):
        deletions = child.history.filter(
            history_type="-",
            history_date__gte=record.history_date - CASCADE_WINDOW,
            **{foreign_key: pk},
        )
        for child_pk in set(deletions.values_list("id", flat=True)):
            if child.objects.filter(pk=child_pk).exists():
                continue
            try:
                with transaction.atomic():
                    deleted_restore(model=child, pk=child_pk, user=user)
            except IntegrityError:
                # A row it pointed to is gone too (e.g. a deleted unit):
                # restore what can be restored, leave this one in history.
                continue
    return instance


def _current_deletion(model, pk, version):
    """The deletion record ``version`` of row ``pk`` if it is still the row's
    newest record (locked, so that two restores of one row take turns);
    StaleVersion if another came after it."""
    # Newest first by id: insertion order, whatever the clocks of the servers.
    history = model.history.filter(id=pk).order_by("-history_id")
    chosen = history.get(history_id=version, history_type="-")
    # Wait for a restore of the row in flight, then read what it committed.
    history.select_for_update().first()
    latest = history.select_related("history_user").first()
    if latest.history_id != chosen.history_id:
        # Deletion records keep no many-to-many links: compare the fields.
        raise StaleVersion(latest, changed_fields(model, chosen, latest))
    return chosen


def _restore_row(record, user: Actor) -> models.Model:
    instance = record.instance
    instance._history_user = user
    instance.save(force_insert=True)
    # The insert stamped auto_now_add fields with today: put the history's back.
    created = {
        field.attname: getattr(record, field.attname)
        for field in instance._meta.concrete_fields
        if getattr(field, "auto_now_add", False)
    }
    if created:
        type(instance).objects.filter(pk=instance.pk).update(**created)
        for name, value in created.items():
            setattr(instance, name, value)
    return instance


def _restore_incoming_links(model, pk, instance):
    """Re-link rows whose latest history still lists the restored row in a
    many-to-many field (deleting a row removes those links without a record)."""
    for other, field in _incoming_many_to_many(model):
        historical_links = getattr(other.history.model, field.name).model
        column = f"{model._meta.model_name}_id"
        owner = f"{other._meta.model_name}_id"
        candidates = set(
            historical_links.objects.filter(**{column: pk}).values_list(
                owner, flat=True
            )
        )
        for row in other.objects.filter(pk__in=candidates):
            latest = row.history.latest("history_date")
            if getattr(latest, field.name).filter(**{column: pk}).exists():
                getattr(row, field.name).add(instance)

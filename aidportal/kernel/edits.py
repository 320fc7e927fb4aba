"""No lost edits: a form is saved only over the version of the row it was
built from, and staff see who else has a row's form open.

A version is one short digest per field staff edit and one per kind of child
row the form edits with it (an article's gallery, a person's assignments),
read from the database: a change counts whether or not it left history (an
``update()`` too), and a refusal can say which fields differ. The history
says who made the latest change, and when.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# What each kind of change in the history is called in a refusal.
HISTORY_VERBS = {
    "+": gettext_lazy("恢复"),
    "~": gettext_lazy("修改"),
    "-": gettext_lazy("删除"),
}
# Keys of a version that mark the newest history record seen, not a value.
SEEN = "#"


def edited_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields staff edit: derived and bookkeeping fields are not editable."""
    fields = [*model._meta.concrete_fields, *model._meta.many_to_many]
    return [field for field in fields if field.editable and not field.primary_key]


def _stored(obj: models.Model, field: models.Field):
    """A field's value as its form shows it: a time to the second (a form
    saved unchanged drops the microseconds of a row written by code)."""
    if field.many_to_many:
        return sorted(getattr(obj, field.name).values_list("pk", flat=True))
    value = field.value_from_object(obj)
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    return field.value_to_string(obj)


def changed_fields(model: type[models.Model], old, new) -> list[str]:
    """The fields staff edit (but many-to-many ones) whose values differ
    between two rows or history records of ``model``."""
    return [
        field.name
        for field in edited_fields(model)
        if not field.many_to_many and _stored(old, field) != _stored(new, field)
    ]


def _digest(value) -> str:
    return hashlib.blake2b(repr(value).encode(), digest_size=5).hexdigest()


@dataclass(frozen=True)
class EditedRow:
    """A row as a form edits it, with ``children`` ((model, foreign key to
    the row) of the rows edited with it, such as an admin's inlines).

    Its version is {field name or child model label: digest of the stored
    values} plus {"#" + model label: id of the newest history record}: the
    digests decide whether a form is out of date, the marks tell which
    changes the form's user has not seen."""

    model: type[models.Model]
    children: tuple[tuple[type[models.Model], models.ForeignKey], ...] = ()

    def version(self, pk, *, lock: bool = False) -> dict[str, str]:
        """The version stored now (no digests when there is no such row).
        With ``lock``, the row and its children are held until the
        transaction ends (on SQLite the write transaction already is)."""
        rows = self.model._base_manager.filter(pk=pk)
        obj = (rows.select_for_update() if lock else rows).first()
        version = {}
        if obj is not None:
            for field in edited_fields(self.model):
                version[field.name] = _digest(_stored(obj, field))
            for child, key in self.children:
                rows = child._base_manager.filter(**{key.name: pk}).order_by("pk")
                fields = [field for field in edited_fields(child) if field != key]
                values = [
                    (row.pk, *(_stored(row, field) for field in fields))
                    for row in (rows.select_for_update() if lock else rows)
                ]
                version[child._meta.label_lower] = _digest(values)
        for label, history in self._histories(pk):
            newest = history.aggregate(newest=Max("history_id"))["newest"]
            version[SEEN + label] = str(newest or 0)
        return version

    def token(self, pk) -> str:
        """The version stored now, as a form carries it (a hidden field)."""
        return _token(self.version(pk))

    def refusal(self, pk, token: str) -> tuple[str, str] | None:
        """None when ``token`` is of the version stored now, which is then
        locked until the transaction ends; else why a save is refused, and
        the token of the version stored now."""
        current = self.version(pk, lock=True)
        try:
            loaded = dict(part.split("=", 1) for part in token.split(";"))
        except ValueError:
            return UNVERSIONED_FORM_MESSAGE, _token(current)
        changed = [
            key
            for key in {*loaded, *current}
            if not key.startswith(SEEN) and loaded.get(key) != current.get(key)
        ]
        if not changed:
            return None
        record = self.last_change(pk, seen=loaded)
        message = stale_form_message(record, self.labels(loaded, current))
        return message, _token(current)

    def labels(self, loaded: dict, current: dict) -> list[str]:
        """What staff call the fields and child rows that differ between two
        versions (none when one of them is of no row)."""
        names = {field.name: field.verbose_name for field in edited_fields(self.model)}
        if not (names.keys() & loaded.keys() and names.keys() & current.keys()):
            return []
        for child, _key in self.children:
            names[child._meta.label_lower] = child._meta.verbose_name_plural
        return [
            str(label)
            for key, label in names.items()
            if loaded.get(key) != current.get(key)
        ]

    def last_change(self, pk, *, seen: dict):
        """The newest history record of the row or of its child rows that is
        not among those ``seen`` (a version's marks), or None."""
        records = []
        for label, history in self._histories(pk):
            newest_seen = seen.get(SEEN + label, "0")
            if newest_seen.isdigit():
                history = history.filter(history_id__gt=int(newest_seen))
            records.append(
                history.select_related("history_user").order_by("-history_id").first()
            )
        return max(
            (record for record in records if record is not None),
            key=lambda record: record.history_date,
            default=None,
        )

    def _histories(self, pk):
        """(model label, history records) of the row and of its child rows."""
        model = self.model
        yield (
            model._meta.label_lower,
            model.history.filter(**{model._meta.pk.attname: pk}),
        )
        for child, key in self.children:
            if hasattr(child, "history"):
                yield child._meta.label_lower, child.history.filter(**{key.attname: pk})


def _token(version: dict[str, str]) -> str:
    return ";".join(f"{key}={value}" for key, value in version.items())


def staff_name(user) -> str:
    """A staff member as colleagues call them: family name then given name
    (张三), else the user name."""
    if user is None:
        return _("其他同事")
    family, given = user.last_name.strip(), user.first_name.strip()
    if (family + given).isascii():
        return user.get_full_name() or user.get_username()
    return family + given


def when(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def _changed_by(record, labels: list[str], *, verb: str = "") -> str:
    """Who changed the row when, and what: "张三于2026年11月30日 10:05修改了这条
    记录（标题、正文）"."""
    fields = _("（%(fields)s）") % {"fields": "、".join(labels)} if labels else ""
    if record is None:
        return _("这条记录在你打开后已被修改%(fields)s") % {"fields": fields}
    return _("%(who)s于%(when)s%(verb)s了这条记录%(fields)s") % {
        "who": staff_name(record.history_user),
        "when": when(record.history_date),
        "verb": verb or HISTORY_VERBS["~"],
        "fields": fields,
    }


def stale_form_message(record, labels: list[str]) -> str:
    """The refusal of a form built from an earlier version of its row."""
    return _(
        "保存未成功：%(change)s。你填写的内容仍在下方；核对后再次保存将覆盖对方的修改。"
    ) % {"change": _changed_by(record, labels)}


UNVERSIONED_FORM_MESSAGE = gettext_lazy(
    "保存未成功：这份表单没有版本信息，无法确认你打开后是否有人修改过这条记录。"
    "你填写的内容仍在下方；核对后再次保存即可。"
)


def stale_restore_message(record, labels: list[str]) -> str:
    """The refusal of a restore chosen from an earlier state of the trash."""
    verb = HISTORY_VERBS.get(record.history_type, HISTORY_VERBS["~"])
    return _("恢复未成功：%(change)s。请按回收站现在的内容核对后再操作。") % {
        "change": _changed_by(record, labels, verb=verb)
    }


# Who else has a row's form open


def _editors(model: type[models.Model], pk, change: Callable) -> dict:
    """Apply ``change(editors, now)`` to the staff who opened the row's form
    in the last ADMIN_EDITING_SECONDS ({user pk: {name, since, seen}}) and
    keep them in the cache. The cache only informs here: when it fails, there
    is no one to tell about ({})."""
    key = f"admin-editing:{model._meta.label_lower}:{pk}"
    window = settings.ADMIN_EDITING_SECONDS
    now = timezone.now().timestamp()
    try:
        editors = {
            user: entry
            for user, entry in (cache.get(key) or {}).items()
            if entry["seen"] > now - window
        }
        change(editors, now)
        cache.set(key, editors, window)
    except Exception:
        return {}
    return editors


def editing_notice(user, obj: models.Model) -> str | None:
    """Note that ``user`` opened ``obj``'s form; say who else opened it
    lately and since when ("李四自10:02起也在编辑这条记录。"), or None."""

    def opened(editors, now):
        since = editors.get(user.pk, {}).get("since", now)
        editors[user.pk] = {"name": staff_name(user), "since": since, "seen": now}

    others = [
        entry
        for pk, entry in _editors(type(obj), obj.pk, opened).items()
        if pk != user.pk
    ]
    if not others:
        return None
    names = "、".join(
        _("%(name)s自%(since)s起")
        % {"name": entry["name"], "since": _clock(entry["since"])}
        for entry in sorted(others, key=lambda entry: entry["since"])
    )
    return _("%(names)s也在编辑这条记录。") % {"names": names}


def _clock(timestamp: float) -> str:
    return f"{timezone.localtime(datetime.fromtimestamp(timestamp, UTC)):%H:%M}"


def editing_done(user, model: type[models.Model], pk) -> None:
    """``user`` saved the row's form and left it."""
    _editors(model, pk, lambda editors, now: editors.pop(user.pk, None))

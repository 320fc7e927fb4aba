"""What a working copy changes, field by field, as a reviewer reads it.

Text is compared character by character (Chinese has no spaces to split
words on), rich text as the paragraphs a reader sees; pictures are shown as
thumbnails; related rows, choices and yes/no by their names.
"""

import html
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.db import models
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django_prose_editor.fields import ProseEditorField

from aidportal.kernel.images import thumbnail

# Where a paragraph ends in rich text: a reader sees a line break there.
BLOCK_END = re.compile(r"</(p|h[2-6]|li|blockquote|figcaption)>|<br\s*/?>", re.I)


@dataclass
class FieldChange:
    label: str
    # Either one text with deletions and insertions marked, or before/after.
    marked: SafeString | None = None
    before: SafeString | None = None
    after: SafeString | None = None


def readable(value: str, field: models.Field) -> str:
    """The text a reader sees of a field's value."""
    if isinstance(field, ProseEditorField):
        value = html.unescape(strip_tags(BLOCK_END.sub("\n", value or "")))
        return "\n".join(line.strip() for line in value.splitlines() if line.strip())
    return str(value or "")


def marked_text(old: str, new: str) -> SafeString:
    """``new`` with what it drops from ``old`` struck out and what it adds
    underlined (<del>, <ins>), paragraph breaks kept."""
    parts = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(html.escape(new[b1:b2]))
            continue
        if a2 > a1:
            parts.append(f"<del>{html.escape(old[a1:a2])}</del>")
        if b2 > b1:
            parts.append(f"<ins>{html.escape(new[b1:b2])}</ins>")
    return mark_safe("".join(parts).replace("\n", "<br>"))


def _shown(obj: models.Model, field: models.Field) -> SafeString:
    """A value that is not text, as the admin shows it."""
    value = getattr(obj, field.name)
    if isinstance(field, models.FileField):
        if not value:
            return mark_safe(_("（无）"))
        return thumbnail(value).img(
            160,
            alt=_("%(field)s：%(name)s")
            % {"field": field.verbose_name, "name": value.name},
            css_class="review-picture",
        )
    if isinstance(field, models.BooleanField):
        return mark_safe(_("是") if value else _("否"))
    if value is None or value == "":
        return mark_safe(_("（空）"))
    if field.choices:
        return format_html("{}", getattr(obj, f"get_{field.name}_display")())
    if isinstance(field, models.DateTimeField):
        return format_html("{}", localize(localtime(value)))
    return format_html("{}", localize(value))


def _names(model: type[models.Model], pks) -> SafeString:
    rows = model._default_manager.filter(pk__in=pks)
    if not pks:
        return mark_safe(_("（无）"))
    return format_html_join("、", "{}", ((str(row),) for row in rows))


def field_changes(
    live: models.Model,
    copy: models.Model,
    chosen: dict[str, list],
    fields: list[models.Field],
) -> list[FieldChange]:
    """The fields of ``fields`` in which ``copy`` (with many-to-many choices
    ``chosen``) differs from ``live``, in the order of ``fields``."""
    changes = []
    for field in fields:
        label = str(field.verbose_name)
        if field.many_to_many:
            old = sorted(
                str(pk) for pk in getattr(live, field.name).values_list("pk", flat=True)
            )
            new = sorted(str(pk) for pk in chosen.get(field.name, []))
            if old != new:
                model = field.related_model
                changes.append(
                    FieldChange(
                        label, before=_names(model, old), after=_names(model, new)
                    )
                )
            continue
        old, new = field.value_from_object(live), field.value_from_object(copy)
        if isinstance(field, models.FileField):
            old, new = getattr(old, "name", old) or "", getattr(new, "name", new) or ""
        if old == new:
            continue
        if (
            isinstance(field, (models.CharField, models.TextField))
            and not field.choices
        ):
            changes.append(
                FieldChange(
                    label,
                    marked=marked_text(readable(old, field), readable(new, field)),
                )
            )
        else:
            changes.append(
                FieldChange(
                    label, before=_shown(live, field), after=_shown(copy, field)
                )
            )
    return changes

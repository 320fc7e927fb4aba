"""Who may change, publish, delete or restore what: the one answer.

Drafts are anyone's with the model's permission (the groups 编辑 and 发布).
A row the public sees, or saw (``is_guarded``: live, scheduled, expired,
archived; a public person, a unit or batch of public people, an assignment
of a public person), is changed, deleted or restored as it was only by who
may publish it: whatever an editor does to it would change, or bring back,
what the public sees. A row an editor adds or restores starts unpublished.

The admin (change forms, inlines, actions, history revert), the trash, the
roster imports, previews and the media gate ask here. ``user`` None is the
system itself (a management command): it may do everything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

# Who acts: a signed-in user, an anonymous visitor, or None (the system).
Actor: TypeAlias = "AbstractBaseUser | AnonymousUser | None"


class Guarded:
    """The interface of a model whose rows the public sees (publishing).

    ``is_live``: on the public site now or on schedule. ``is_archived``: was
    public and is kept off it. ``take_down()``: make the row unpublished.
    ``publish_permission()``: the permission that publishing needs.
    """

    @property
    def is_live(self) -> bool:
        raise NotImplementedError

    @property
    def is_archived(self) -> bool:
        return False

    def take_down(self) -> None:
        """Make the row unpublished (not saved). A row whose visibility
        follows others' (a unit, an assignment) has nothing to take down."""

    @classmethod
    def publish_permission(cls) -> str:
        meta = cls._meta
        return f"{meta.app_label}.publish_{meta.model_name}"


def is_guarded(obj: Guarded) -> bool:
    """Whether changing ``obj`` changes what the public sees or saw."""
    return obj.is_live or obj.is_archived


def may_publish(user: Actor, model: type[models.Model]) -> bool:
    return user is None or user.has_perm(model.publish_permission())


def may_see_unpublished(user: Actor, model: type[models.Model]) -> bool:
    """Previews of drafts and the pictures of unpublished rows: for the
    newsroom (active staff who may change the model), not for reporters."""
    meta = model._meta
    return bool(
        user.is_active
        and user.is_staff
        and user.has_perm(f"{meta.app_label}.change_{meta.model_name}")
    )


def may_change(user: Actor, obj: models.Model | None) -> bool:
    """Change or delete ``obj`` (None: any row of the model, as the admin's
    changelist asks), besides the model permission."""
    if obj is None or not isinstance(obj, Guarded) or not is_guarded(obj):
        return True
    return may_publish(user, type(obj))


def unpublished_unless_allowed(user: Actor, obj: Guarded) -> bool:
    """A row ``user`` adds or brings back (trash, history) comes unpublished
    unless ``user`` may publish it. Returns whether it was taken down."""
    if is_guarded(obj) and not may_publish(user, type(obj)):
        obj.take_down()
        return True
    return False

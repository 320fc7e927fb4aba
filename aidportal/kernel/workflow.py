"""Review before publishing: states, transitions, working copies, comments.

Articles, projects and people move through 草稿 → 待审核 → 已发布, 已发布 →
已撤回 / 已归档, and 待审核 → 草稿 when a publisher sends them back. The
transitions are django-fsm-2's, declared once on ``Workflow`` with who may
take them (``policy``); every path that changes a status (change forms, list
actions, the review page) takes them through ``transition()`` here.

An editor cannot change what the public sees: an edit of a live row is saved
as a ``Submission`` holding the edited values (a working copy), and the live
row changes only when a publisher approves it, in one transaction. A draft
an editor submits is a ``Submission`` without values (the row itself is
proposed). One submission per row at a time. ``ReviewComment`` keeps what
reviewers said; only staff ever see it.

E-mails go after commit: publishers hear of a submission, its author of the
verdict (Django's mail API; a failing mail server costs the mail, not the
request).
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Iterable
from datetime import datetime, time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mass_mail
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import FSMField, can_proceed, has_transition_perm, transition

from aidportal.kernel import audit
from aidportal.kernel.edits import edited_fields, staff_name
from aidportal.kernel.policy import Actor, may_publish

logger = logging.getLogger(__name__)


class PublishStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("草稿")
    REVIEW = "review", gettext_lazy("待审核")
    PUBLISHED = "published", gettext_lazy("已发布")
    WITHDRAWN = "withdrawn", gettext_lazy("已撤回")
    ARCHIVED = "archived", gettext_lazy("已归档")


class StatusField(FSMField):
    """django-fsm-2 finds a model's transitions by the field object they
    were last matched to; the models here share one set (``Workflow``) on
    fields of one name, so each matches them by that name."""

    def _collect_transitions(self, *args, **kwargs):
        sender = kwargs["sender"]
        if issubclass(sender, Workflow) and issubclass(sender, self.base_cls):
            for _name, method in inspect.getmembers(Workflow, inspect.isfunction):
                if hasattr(method, "_django_fsm"):
                    method._django_fsm.field = self.name
        super()._collect_transitions(*args, **kwargs)


def status_field(default: str = PublishStatus.DRAFT) -> StatusField:
    return StatusField(
        gettext_lazy("状态"),
        max_length=10,
        choices=PublishStatus.choices,
        default=default,
        db_index=True,
    )


def _may_edit(instance, user) -> bool:
    meta = instance._meta
    return user.has_perm(f"{meta.app_label}.change_{meta.model_name}")


def _may_review(instance, user) -> bool:
    return may_publish(user, type(instance))


S = PublishStatus


class Workflow:
    """The transitions of a model with a ``status`` field (``status_field()``).
    Each only moves the state; ``transition()`` saves and records it."""

    @transition(
        "status", source=[S.DRAFT, S.WITHDRAWN], target=S.REVIEW, permission=_may_edit
    )
    def submit(self):
        """送审：an editor asks for the row to be published."""

    @transition("status", source=S.REVIEW, target=S.DRAFT, permission=_may_review)
    def reject(self):
        """退回修改：back to its author, with the reviewer's comment."""

    @transition(
        "status",
        source=[S.DRAFT, S.REVIEW, S.WITHDRAWN, S.ARCHIVED],
        target=S.PUBLISHED,
        permission=_may_review,
    )
    def publish(self):
        """发布 (审核通过 from 待审核): at ``published_at`` if the row has one."""

    @transition(
        "status", source=S.PUBLISHED, target=S.WITHDRAWN, permission=_may_review
    )
    def withdraw(self):
        """撤回：off the public site, for now."""

    @transition(
        "status",
        source=[S.PUBLISHED, S.WITHDRAWN],
        target=S.ARCHIVED,
        permission=_may_review,
    )
    def archive(self):
        """归档：off the public site, kept for the record."""


# The transitions by name, as list actions and the review page call them,
# with what the audit log calls them.
TRANSITIONS = {
    "submit": audit.AuditAction.SUBMIT,
    "reject": audit.AuditAction.REJECT,
    "publish": audit.AuditAction.PUBLISH,
    "withdraw": audit.AuditAction.WITHDRAW,
    "archive": audit.AuditAction.ARCHIVE,
}


class TransitionRefused(Exception):
    """The transition is not open from the row's state, or not to this user;
    ``message`` says which, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Submission(models.Model):
    """A row proposed for publishing: a draft sent to review (``data`` None),
    or a working copy of a live row (``data``: the edited field values, as
    Django's serialiser writes them). ``submitted_at`` None: its author is
    still working on it (a working copy saved, or a submission sent back)."""

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("作者"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(gettext_lazy("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(gettext_lazy("修改时间"), auto_now=True)
    submitted_at = models.DateTimeField(gettext_lazy("送审时间"), null=True, blank=True)
    data = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("送审稿")
        verbose_name_plural = gettext_lazy("送审稿")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="one_submission_per_row"
            )
        ]

    def __str__(self):
        return f"{self.content_type} {self.object_id}"

    @property
    def is_working_copy(self) -> bool:
        return self.data is not None

    def target(self) -> models.Model | None:
        model = self.content_type.model_class()
        return model._base_manager.filter(pk=self.object_id).first()

    def state_label(self) -> str:
        if self.is_working_copy:
            return _("修改稿（待审核）") if self.submitted_at else _("修改稿（未送审）")
        # A draft's submission back with its author was sent back.
        return _("待审核") if self.submitted_at else _("已退回修改")


class ReviewComment(models.Model):
    """What a reviewer or an author said about a draft or a working copy."""

    class Verdict(models.TextChoices):
        COMMENT = "comment", gettext_lazy("意见")
        APPROVE = "approve", gettext_lazy("审核通过")
        REJECT = "reject", gettext_lazy("退回修改")

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("作者"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(gettext_lazy("时间"), default=timezone.now)
    verdict = models.CharField(
        gettext_lazy("类型"),
        max_length=10,
        choices=Verdict.choices,
        default=Verdict.COMMENT,
    )
    text = models.TextField(gettext_lazy("意见"), blank=True)

    class Meta:
        verbose_name = gettext_lazy("审核意见")
        verbose_name_plural = gettext_lazy("审核意见")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return self.text[:50]

    @property
    def author_name(self) -> str:
        return staff_name(self.author)


def _of(obj: models.Model) -> dict:
    return {
        "content_type": ContentType.objects.get_for_model(obj),
        "object_id": obj.pk,
    }


def submission_of(obj: models.Model, *, lock: bool = False) -> Submission | None:
    rows = Submission.objects.select_related("author").filter(**_of(obj))
    # Only the submission is locked: PostgreSQL locks no row of the outer
    # join to its (nullable) author.
    return (rows.select_for_update(of=("self",)) if lock else rows).first()


def comments_of(obj: models.Model) -> list[ReviewComment]:
    return list(ReviewComment.objects.select_related("author").filter(**_of(obj)))


def comment_add(*, obj: models.Model, user: Actor, text: str, verdict: str = "comment"):
    if text.strip() or verdict != ReviewComment.Verdict.COMMENT:
        ReviewComment.objects.create(
            **_of(obj), author=user, text=text.strip(), verdict=verdict
        )


# Transitions


def transition(
    obj: models.Model,
    name: str,
    *,
    user: Actor,
    request=None,
    comment: str = "",
    publish_at: datetime | None = None,
) -> None:
    """Take transition ``name`` of ``obj`` for ``user`` and save the row,
    with the submission, the comment, the audit entry and the e-mails that
    go with it: all or nothing. TransitionRefused when the transition is not
    open from the row's state or to the user."""
    method = getattr(obj, name)
    if not can_proceed(method):
        raise TransitionRefused(
            _("“%(obj)s”现在是%(state)s，不能%(action)s。")
            % {
                "obj": obj,
                "state": obj.get_status_display(),
                "action": TRANSITIONS[name].label,
            }
        )
    if user is not None and not has_transition_perm(method, user):
        raise PermissionDenied
    if name == "reject" and not comment.strip():
        raise TransitionRefused(_("退回修改请写明意见，作者会看到它。"))
    source = obj.status
    with transaction.atomic():
        submission = submission_of(obj, lock=True)
        method()
        fields = ["status"]
        if name == "publish":
            if publish_at is not None and hasattr(obj, "published_at"):
                obj.published_at = publish_at
                fields.append("published_at")
            if hasattr(obj, "reviewed_by"):
                obj.reviewed_by = user
                fields.append("reviewed_by")
        if hasattr(obj, "updated_by") and user is not None:
            obj.updated_by = user
            fields += ["updated_by", "updated_at"]
        obj._history_user = user
        obj.save(update_fields=fields)
        action = TRANSITIONS[name]
        if name == "publish" and source == S.REVIEW:
            action = audit.AuditAction.APPROVE
        verdict = {
            audit.AuditAction.APPROVE: ReviewComment.Verdict.APPROVE,
            audit.AuditAction.REJECT: ReviewComment.Verdict.REJECT,
        }.get(action, ReviewComment.Verdict.COMMENT)
        comment_add(obj=obj, user=user, text=comment, verdict=verdict)
        audit.record(action, user=user, obj=obj, request=request, comment=comment)
        author = submission.author if submission else None
        if name == "submit":
            _submitted(obj, submission, user)
        elif submission is not None and not submission.is_working_copy:
            if name == "reject":
                submission.submitted_at = None
                submission.save(update_fields=["submitted_at", "updated_at"])
            elif name == "publish":
                submission.delete()
        if name == "submit":
            _mail_publishers(obj, user)
        elif action in (audit.AuditAction.APPROVE, audit.AuditAction.REJECT):
            _mail_author(obj, author, action, comment, user)


def _submitted(obj, submission: Submission | None, user: Actor) -> None:
    now = timezone.now()
    if submission is None:
        Submission.objects.create(**_of(obj), author=user, submitted_at=now)
    else:
        submission.submitted_at = now
        submission.save(update_fields=["submitted_at", "updated_at"])


def transition_many(
    rows: Iterable[models.Model], name: str, *, user: Actor, request=None
) -> tuple[int, int]:
    """Take ``name`` for each row it is open to; (done, skipped)."""
    done = skipped = 0
    for row in rows:
        try:
            transition(row, name, user=user, request=request)
        except (TransitionRefused, PermissionDenied):
            skipped += 1
        else:
            done += 1
    return done, skipped


def open_transitions(obj: models.Model, user: Actor) -> list[str]:
    """The names of the transitions ``user`` may take from the row's state."""
    return [
        found.name
        for found in obj.get_available_user_status_transitions(user)
        if found.name in TRANSITIONS
    ]


# Working copies


def copied_fields(model: type[models.Model], kept: Iterable[str]) -> list[models.Field]:
    """The fields a working copy holds: what staff edit, but the state
    (``kept``: the publish fields), which only transitions change."""
    return [field for field in edited_fields(model) if field.name not in kept]


def copy_values(obj: models.Model, form, fields: list[models.Field]) -> dict:
    """The edited values of ``obj`` (built by ``form``, not saved) as the
    serialiser writes them; files uploaded are stored first."""
    for field in fields:
        if isinstance(field, models.FileField):
            field.pre_save(obj, add=False)
    plain = [field.name for field in fields if not field.many_to_many]
    # As JSON writes them (times as ISO text), which the JSON column keeps.
    values = json.loads(serializers.serialize("json", [obj], fields=plain))[0]["fields"]
    for field in fields:
        value = field.value_from_object(obj)
        if isinstance(value, (datetime, time)):
            # The JSON serialiser keeps milliseconds only; the copy keeps it whole.
            values[field.name] = value.isoformat()
    for field in fields:
        if field.many_to_many:
            chosen = form.cleaned_data.get(field.name, [])
            values[field.name] = sorted(str(row.pk) for row in chosen)
    return values


def with_copy(obj: models.Model, data: dict) -> tuple[models.Model, dict]:
    """A copy of ``obj`` (not saved) with a working copy's values, and the
    working copy's many-to-many choices ({field name: [pk, …]})."""
    record = {"model": obj._meta.label_lower, "pk": obj.pk, "fields": data}
    restored = next(serializers.deserialize("python", [record], ignorenonexistent=True))
    copy = restored.object
    for field in obj._meta.concrete_fields:
        if field.name not in data:
            setattr(copy, field.attname, getattr(obj, field.attname))
    copy._state.adding, copy._state.db = False, obj._state.db
    return copy, {name: list(pks) for name, pks in restored.m2m_data.items()}


def working_copy_save(*, obj, form, user: Actor, kept: Iterable[str], submit: bool):
    """Save ``user``'s edit of live ``obj`` as its working copy (the live row
    is left as it is), sent to review when ``submit``. Another author's
    working copy is not overwritten: TransitionRefused."""
    fields = copied_fields(type(obj), kept)
    with transaction.atomic():
        submission = submission_of(obj, lock=True)
        if submission is not None and submission.author_id not in (None, user.pk):
            raise TransitionRefused(other_author_message(submission))
        _keep_stored_times(obj, submission, fields)
        values = copy_values(obj, form, fields)
        if submission is None:
            submission = Submission(**_of(obj), author=user)
        submission.data = values
        submission.author = user
        if submit:
            submission.submitted_at = timezone.now()
        try:
            with transaction.atomic():
                submission.save()
        except IntegrityError:
            # Another editor's first working copy of the row came in first.
            raise TransitionRefused(other_author_message(submission_of(obj))) from None
        audit.record(
            audit.AuditAction.SUBMIT if submit else audit.AuditAction.WORKING_COPY,
            user=user,
            obj=obj,
        )
        if submit:
            _mail_publishers(obj, user)
    return submission


def _keep_stored_times(obj, submission: Submission | None, fields) -> None:
    """The admin form shows times to the minute: a time the editor left as
    it was keeps its seconds (as the publish transition stamps them), so the
    reviewer sees no change nobody made and approval writes none."""
    stored = type(obj)._base_manager.get(pk=obj.pk)
    if submission is not None and submission.is_working_copy:
        stored, _chosen = with_copy(stored, submission.data)
    for field in fields:
        if field.many_to_many:
            continue
        old = field.value_from_object(stored)
        if isinstance(old, (datetime, time)):
            shown = (old.replace(microsecond=0), old.replace(second=0, microsecond=0))
            if field.value_from_object(obj) in shown:
                setattr(obj, field.attname, old)


def other_author_message(submission: Submission) -> str:
    return _(
        "保存未成功：%(who)s自%(since)s起有一份这条记录的修改稿%(state)s。"
        "一条记录同时只能有一份修改稿：请等它审核完，或请%(who)s修改。"
    ) % {
        "who": staff_name(submission.author),
        "since": _when(submission.created_at),
        "state": _("（待审核）") if submission.submitted_at else "",
    }


def _when(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


class StaleSubmission(Exception):
    """The working copy changed after the reviewer opened it."""


def working_copy_approve(
    *, obj: models.Model, user: Actor, request=None, seen: str, comment: str = ""
) -> None:
    """Apply the working copy to live ``obj`` and drop it, in one
    transaction: a failure leaves the live row and the copy as they were.
    ``seen``: the copy's version the reviewer saw (``copy_version``)."""
    if not may_publish(user, type(obj)):
        raise PermissionDenied
    with transaction.atomic():
        live = type(obj)._base_manager.select_for_update().get(pk=obj.pk)
        submission = submission_of(live, lock=True)
        if not _in_review(submission):
            raise TransitionRefused(_("这条记录没有待审核的修改稿。"))
        if copy_version(submission) != seen:
            raise StaleSubmission
        copy, chosen = with_copy(live, submission.data)
        if hasattr(copy, "updated_by"):
            copy.updated_by = submission.author
        if hasattr(copy, "reviewed_by"):
            copy.reviewed_by = user
        copy._history_user = user
        copy.save()
        for name, pks in chosen.items():
            getattr(copy, name).set(pks)
        author = submission.author
        submission.delete()
        comment_add(
            obj=live, user=user, text=comment, verdict=ReviewComment.Verdict.APPROVE
        )
        audit.record(
            audit.AuditAction.APPROVE,
            user=user,
            obj=live,
            request=request,
            comment=comment,
            detail={"working_copy": True},
        )
        _mail_author(live, author, audit.AuditAction.APPROVE, comment, user)


def working_copy_reject(
    *, obj: models.Model, user: Actor, request=None, comment: str
) -> None:
    """Send the working copy back to its author with ``comment``."""
    if not may_publish(user, type(obj)):
        raise PermissionDenied
    if not comment.strip():
        raise TransitionRefused(_("退回修改请写明意见，作者会看到它。"))
    with transaction.atomic():
        submission = submission_of(obj, lock=True)
        if not _in_review(submission):
            raise TransitionRefused(_("这条记录没有待审核的修改稿。"))
        submission.submitted_at = None
        submission.save(update_fields=["submitted_at", "updated_at"])
        comment_add(
            obj=obj, user=user, text=comment, verdict=ReviewComment.Verdict.REJECT
        )
        audit.record(
            audit.AuditAction.REJECT,
            user=user,
            obj=obj,
            request=request,
            comment=comment,
            detail={"working_copy": True},
        )
        _mail_author(obj, submission.author, audit.AuditAction.REJECT, comment, user)


def working_copy_discard(*, obj: models.Model, user: Actor) -> None:
    """The author (or a publisher) drops a working copy."""
    with transaction.atomic():
        submission = submission_of(obj, lock=True)
        if submission is None or not submission.is_working_copy:
            return
        if submission.author_id != user.pk and not may_publish(user, type(obj)):
            raise PermissionDenied
        submission.delete()


def _in_review(submission: Submission | None) -> bool:
    """A working copy its author sent to review (one still being written
    is theirs, not the reviewer's)."""
    return bool(submission and submission.is_working_copy and submission.submitted_at)


def copy_version(submission: Submission) -> str:
    return submission.updated_at.isoformat()


# Queues


def review_queue(user: Actor) -> list[Submission]:
    """What waits for ``user``'s review: submissions of the models they may
    publish, oldest first."""
    types = [
        ContentType.objects.get_for_model(model)
        for model in workflow_models()
        if may_publish(user, model)
    ]
    return list(
        Submission.objects.filter(content_type__in=types, submitted_at__isnull=False)
        .select_related("author", "content_type")
        .order_by("submitted_at")
    )


def my_submissions(user: Actor) -> list[Submission]:
    """``user``'s own drafts in review and working copies, newest first."""
    return list(
        Submission.objects.filter(author=user)
        .select_related("author", "content_type")
        .order_by("-updated_at")
    )


def latest_comments(
    submissions: list[Submission],
) -> dict[tuple[int, int], ReviewComment]:
    """The latest comment on each submission's row, in one query."""
    if not submissions:
        return {}
    wanted = Q(pk__in=[])
    for row in submissions:
        wanted |= Q(content_type_id=row.content_type_id, object_id=row.object_id)
    latest = {}
    for comment in ReviewComment.objects.filter(wanted).select_related("author"):
        latest[(comment.content_type_id, comment.object_id)] = comment
    return latest


def workflow_models() -> list[type[models.Model]]:
    from django.apps import apps

    return [model for model in apps.get_models() if issubclass(model, Workflow)]


# E-mail


def _admin_link(obj: models.Model, view: str = "review") -> str:
    meta = obj._meta
    path = reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=[obj.pk])
    return settings.SITE_URL.rstrip("/") + path


def _mail_publishers(obj: models.Model, user: Actor) -> None:
    meta = obj._meta
    codename = f"publish_{meta.model_name}"
    publishers = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(
            Q(is_superuser=True)
            | Q(user_permissions__codename=codename)
            | Q(groups__permissions__codename=codename)
        )
        .exclude(email="")
        .distinct()
    )
    recipients = [person.email for person in publishers if person != user]
    subject = _("【待审核】%(obj)s") % {"obj": obj}
    body = _("%(who)s提交了%(kind)s“%(obj)s”，请审核：%(link)s") % {
        "who": staff_name(user),
        "kind": meta.verbose_name,
        "obj": obj,
        "link": _admin_link(obj),
    }
    _mail(subject, body, recipients)


def _mail_author(obj, author, action, comment: str, user: Actor) -> None:
    if author is None or not author.email or author == user:
        return
    verdict = action.label
    subject = _("【%(verdict)s】%(obj)s") % {"verdict": verdict, "obj": obj}
    body = _("%(who)s对“%(obj)s”的审核结果：%(verdict)s。%(comment)s\n%(link)s") % {
        "who": staff_name(user),
        "obj": obj,
        "verdict": verdict,
        "comment": _("意见：%(text)s") % {"text": comment} if comment else "",
        "link": _admin_link(obj, "change"),
    }
    _mail(subject, body, [author.email])


def _mail(subject: str, body: str, recipients: list[str]) -> None:
    if not recipients:
        return
    messages = [(subject, body, None, [address]) for address in recipients]

    def send():
        try:
            send_mass_mail(messages, fail_silently=False)
        except Exception:
            # A mail server down costs the notice, never the approval.
            logger.exception("review mail not sent")

    transaction.on_commit(send)

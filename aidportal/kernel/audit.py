"""The audit log: who did what to which row, when, from where, and why.

Whoever publishes answers for it (谁发布谁负责): every workflow transition,
approval and rejection, every revert, restore, deletion, import and staff
export, and every login, logout and failed login is one ``AuditEntry``.
Entries are written with ``record()`` by the code that acts, inside its
transaction (a change that rolls back leaves no entry), and are never
changed: superusers read them in the admin, ``manage.py prune_audit_log``
removes those older than ``AUDIT_LOG_RETENTION_DAYS``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aidportal.kernel.clients import client_address


class AuditAction(models.TextChoices):
    SUBMIT = "submit", _("提交审核")
    APPROVE = "approve", _("审核通过")
    REJECT = "reject", _("退回修改")
    PUBLISH = "publish", _("发布")
    WITHDRAW = "withdraw", _("撤回")
    ARCHIVE = "archive", _("归档")
    WORKING_COPY = "working_copy", _("保存修改稿")
    REVERT = "revert", _("回退到历史版本")
    RESTORE = "restore", _("从回收站恢复")
    DELETE = "delete", _("删除")
    IMPORT = "import", _("导入")
    EXPORT = "export", _("导出")
    LOGIN = "login", _("登录")
    LOGOUT = "logout", _("退出登录")
    LOGIN_FAILED = "login_failed", _("登录失败")


class AuditEntry(models.Model):
    """One thing one person did (or tried to do, a failed login)."""

    Action = AuditAction

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    action = models.CharField(_("操作"), max_length=20, choices=AuditAction.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept as typed: the account may be renamed or deleted later, and a
    # failed login names an account that may not exist.
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("对象类型"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    comment = models.TextField(_("说明"), blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("操作日志")
        verbose_name_plural = _("操作日志")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.username or '—'} {self.get_action_display()} {self.object_repr}"


def record(
    action: str,
    *,
    user=None,
    obj: models.Model | None = None,
    request=None,
    comment: str = "",
    detail: dict | None = None,
    username: str = "",
) -> AuditEntry:
    """Write one entry. ``user`` defaults to the request's user; ``obj`` is
    the row acted on (a model class for an act on many rows, such as an
    import); the address is the request's client, read through trusted
    proxies. ``user`` None and no request: the system itself."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    entry = AuditEntry(
        action=action,
        user=user,
        username=username or (user.get_username() if user else ""),
        address=(client_address(request) or None) if request is not None else None,
        comment=comment,
        detail=detail or {},
    )
    if obj is not None:
        entry.content_type = ContentType.objects.get_for_model(obj)
        if isinstance(obj, models.Model):
            entry.object_id = str(obj.pk)
            entry.object_repr = str(obj)[:200]
        else:
            entry.object_repr = str(obj._meta.verbose_name_plural)[:200]
    entry.save()
    return entry


def _logged_in(sender, request, user, **kwargs):
    record(AuditAction.LOGIN, user=user, request=request)


def _logged_out(sender, request, user, **kwargs):
    # A logout without a session (user None) is no one's: nothing to record.
    if user is not None:
        record(AuditAction.LOGOUT, user=user, request=request)


def _login_failed(sender, credentials, request=None, **kwargs):
    # Only the name typed: Django masks the password in ``credentials``, and
    # it is not kept even masked.
    username = str(credentials.get("username") or "")[:150]
    record(
        AuditAction.LOGIN_FAILED,
        user=None,
        username=username,
        request=request,
        detail={"locked_out": bool(getattr(request, "axes_locked_out", False))},
    )


def connect_login_records() -> None:
    """Every login, logout and failed login (a locked-out one too: django-axes
    refuses it by a PermissionDenied, and Django sends the signal then)."""
    from django.contrib.auth import signals

    signals.user_logged_in.connect(_logged_in, dispatch_uid="audit-login")
    signals.user_logged_out.connect(_logged_out, dispatch_uid="audit-logout")
    signals.user_login_failed.connect(_login_failed, dispatch_uid="audit-failed")

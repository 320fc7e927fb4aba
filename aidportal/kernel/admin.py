"""Admin pieces shared by articles and projects."""

from contextlib import contextmanager
from datetime import date, datetime

from axes import admin as axes_admin
from axes.conf import settings as axes_settings
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminFileWidget
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.models import Group, User
from django.core import signing
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import models, router, transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format, localize
from django.utils.html import format_html
from django.utils.timezone import is_aware
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from aidportal.kernel import diffs, edits, workflow
from aidportal.kernel.audit import AuditAction, record
from aidportal.kernel.audit_admin import AuditedDeletionsMixin
from aidportal.kernel.forms import with_errors
from aidportal.kernel.history import StaleVersion, deleted_records, deleted_restore
from aidportal.kernel.images import (
    PictureField,
    PictureNotStored,
    pictures_undone_on_error,
    stored_thumbnail,
    stored_thumbnails,
    thumbnail,
)
from aidportal.kernel.pictures import BodyPicture, file_reference
from aidportal.kernel.policy import (
    Actor,
    is_guarded,
    may_change,
    may_publish,
    unpublished_unless_allowed,
)
from aidportal.kernel.publishing import GalleryImage, PublishStatus
from aidportal.kernel.storage import UploadNotStored
from aidportal.kernel.typos import Typo

# What the admin shows for a value that is not there (Django's lists use "-").
EMPTY_VALUE = "—"
COVER_FIELDS = ["cover", "cover_alt", "cover_decorative", "cover_caption"]
RECORD_FIELDSET = (
    _("记录"),
    {
        "classes": ["collapse"],
        "fields": ["created_at", "created_by", "updated_at", "updated_by"],
    },
)


class PictureInput(AdminFileWidget):
    """A picture's file input showing the stored picture as a thumbnail (its
    smallest rendition), not only its path."""

    template_name = "kernel/widgets/picture_file_input.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # Looked up, never made: a picture not stored (shown again after the
        # storage refused it) has no rendition, so no thumbnail.
        if context["widget"]["is_initial"]:
            shown = stored_thumbnail(value)
            context["widget"]["thumbnail"] = shown and shown.img(
                120, css_class="picture-thumbnail"
            )
        return context


# Every admin form shows a stored picture as a thumbnail.
PICTURE_WIDGETS = {PictureField: {"widget": PictureInput}}


def row_thumbnail(file) -> str:
    """A list row's thumbnail: small, lazy, and silent for screen readers
    (alt="", the row names what it shows)."""
    if not file:
        return "—"
    return thumbnail(file).img(60, css_class="row-thumbnail")


class RowThumbnailsMixin:
    """List rows show thumbnails of ``thumbnail_fields``, whose renditions are
    looked up for the whole page at once rather than row by row."""

    thumbnail_fields = ()

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        stored_thumbnails(
            getattr(row, field)
            for row in changelist.result_list
            for field in self.thumbnail_fields
        )
        return changelist


class MayChangeMixin:
    """Change and delete need ``policy.may_change`` on the row (for an
    inline: on its parent row) besides the model permission."""

    def has_change_permission(self, request, obj=None):
        return self.may_change_row(request, obj) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return may_change(request.user, obj) and super().has_delete_permission(
            request, obj
        )

    def may_change_row(self, request, obj) -> bool:
        return may_change(request.user, obj)


class PublicOnlyForReadersMixin:
    """Staff who may read a model but not change it (reporters) see the rows
    the public sees (``published()``), and no history, nothing the newsroom
    keeps back."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not self.has_change_permission(request):
            queryset = queryset.published()
        return queryset

    def check_history_access(self, request, object_id):
        # Earlier versions of a public row may hold what the public does not
        # see (a person hidden then, a unit only hidden people used).
        if not self.has_change_permission(request):
            raise Http404
        super().check_history_access(request, object_id)


class LiveContentInlineMixin(MayChangeMixin):
    """An inline is read-only on a parent the user may not change."""

    def has_add_permission(self, request, obj=None):
        return may_change(request.user, obj) and super().has_add_permission(
            request, obj
        )


@contextmanager
def picture_errors_on(*forms):
    """A picture the storage refused, placed on the form of its row (by the
    field's prefixed name), else on the change form as a whole."""
    try:
        yield
    except PictureNotStored as failure:
        holders = [form for form in forms if form.instance is failure.instance]
        failure.form_field = (
            holders[0].add_prefix(failure.field_name) if holders else NON_FIELD_ERRORS
        )
        raise


class PictureStorageMixin:
    """A picture the storage refuses (full, read-only, unreachable) is an error
    on its field, never a 500 and never half a save.

    The save is rolled back as a whole (the row, its inline rows, history,
    relations, the admin log), every file it stored is deleted again, and the
    form is shown once more from the same POST, the user's input kept, with
    the error on that picture's field (of its inline row, for a gallery). The
    second pass stops at validation: it stores nothing.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self.picture_errors_shown(
            super().changeform_view, request, object_id, form_url, extra_context
        )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        view = super().history_form_view
        if request.method == "POST":
            # django-simple-history saves a version outside any transaction;
            # in one, a refused picture rolls back like the change form's.
            view = transaction.atomic(using=router.db_for_write(self.model))(view)
        return self.picture_errors_shown(
            view, request, object_id, version_id, extra_context
        )

    def picture_errors_shown(self, view, request, *args):
        try:
            with pictures_undone_on_error():
                return view(request, *args)
        except PictureNotStored as failure:
            where = getattr(failure, "form_field", NON_FIELD_ERRORS)
            request.picture_errors = {where: failure.message}
            return view(request, *args)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        errors = getattr(request, "picture_errors", None)
        return with_errors(form, errors) if errors else form

    def get_formsets_with_inlines(self, request, obj=None):
        errors = getattr(request, "picture_errors", None)
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            if errors:
                form = with_errors(formset.form, errors)
                formset = type(formset.__name__, (formset,), {"form": form})
            yield formset, inline

    formfield_overrides = PICTURE_WIDGETS

    class Media:
        css = {"all": ["css/admin-pictures.css"]}

    def save_model(self, request, obj, form, change):
        with picture_errors_on(form):
            super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        with picture_errors_on(*formset.forms):
            super().save_formset(request, form, formset, change)


class VersionField(forms.CharField):
    """The version of the row a form was built from: hidden, and never a
    change of its own (the admin log names the fields staff changed)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def has_changed(self, initial, data):
        return False


class EditVersionMixin:
    """No lost edits: a change form, and the history's revert form, is saved
    only over the version of the row (and of the inline rows) it was built
    from. Otherwise the save is refused and the form shown again with what
    was typed, who changed the row when and which fields, and the version now
    stored: saving again then overwrites on purpose.

    The row is locked (on PostgreSQL; SQLite's write transaction serialises)
    from the check until the save is committed, so two saves take turns.
    Opening a change form also tells who else opened it lately (the cache
    keeps that; without a cache there is no notice)."""

    version_field = "edit_version"

    def edited_row(self):
        """The row as its change form edits it: with its inlines' rows,
        whatever the user may do with them."""
        children = []
        for inline in self.inlines:
            keys = [
                field
                for field in inline.model._meta.fields
                if field.many_to_one
                and field.related_model is self.model
                and inline.fk_name in (None, field.name)
            ]
            children.append((inline.model, keys[0]))
        return edits.EditedRow(self.model, tuple(children))

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None:
            return form
        name, edited_row = self.version_field, self.edited_row()

        class VersionedForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                # Added here, not declared: then it is no row of the admin's
                # fieldsets, and templates/admin/change_form.html renders it.
                self.fields[name] = VersionField()
                if not self.is_bound:
                    self.initial[name] = edited_row.token(self.instance.pk)

            def clean(self):
                cleaned_data = super().clean()
                token = self.data.get(name, "")
                if refusal := edited_row.refusal(self.instance.pk, token):
                    message, current = refusal
                    # Shown again, the form carries the version stored now:
                    # saving it again overwrites on purpose.
                    self.data = self.data.copy()
                    self.data[name] = current
                    raise ValidationError(message)
                return cleaned_data

        return VersionedForm

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        context = getattr(response, "context_data", None) or {}
        if request.method == "GET" and context.get("has_change_permission"):
            notice = edits.editing_notice(request.user, context["original"])
            if notice:
                self.message_user(request, notice, messages.WARNING)
        saved = request.method == "POST" and response.status_code == 302
        if saved and "_continue" not in request.POST:  # and left the form
            edits.editing_done(request.user, self.model, unquote(object_id))
        return response


class ChangedValues(HistoricalRecordContextHelper):
    """The old and new values of a version's changes as the admin shows
    values: a choice by its label, 是/否, a date in Chinese, related rows
    joined with 、, and an empty value as "—" (never "None", "True", "[]")."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        if isinstance(value, list):
            value = "、".join(str(item) for item in value)
        elif getattr(field, "flatchoices", None) and value not in (None, ""):
            value = dict(field.flatchoices).get(value, value)
        elif isinstance(value, bool):
            value = _("是") if value else _("否")
        elif isinstance(value, datetime):
            value = localize(timezone.localtime(value) if is_aware(value) else value)
        elif isinstance(value, date):
            value = localize(value)
        return EMPTY_VALUE if value is None or value == "" else value


class HistoryAdmin(
    AuditedDeletionsMixin, EditVersionMixin, PictureStorageMixin, SimpleHistoryAdmin
):
    """django-simple-history's admin, with the revert form held to the same
    rules as the change form: saving a version needs the change permission on
    the row as it is now (or the add permission, for a deleted row), and the
    row unchanged since the form was opened. The base of every admin of
    content, so versions are checked and pictures stored by one rule each.

    Its change forms are the ones whose text static/js/admin.js keeps when a
    save meets an expired session (templates/admin/change_form.html marks
    them); other admin forms, such as users' passwords, are never kept."""

    keeps_drafts = True

    def get_historical_record_context_helper(self, request, historical_record):
        return ChangedValues(self.model, historical_record)

    def history_view(self, request, object_id, extra_context=None):
        self.check_history_access(request, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self.check_history_access(request, object_id)
        # A revert brings back what staff wrote, never a state: states change
        # by their transitions only (PublishGuardMixin keeps them).
        request.reverting = True
        if request.method == "POST":
            current = self.get_object(request, unquote(object_id))
            allowed = (
                self.has_add_permission(request)
                if current is None
                else self.has_change_permission(request, current)
            )
            if not allowed:
                raise PermissionDenied
            # The version check locks the row until the save is committed.
            with transaction.atomic(using=router.db_for_write(self.model)):
                response = super().history_form_view(
                    request, object_id, version_id, extra_context=extra_context
                )
                # A redirect is a saved version; a form shown again saved none.
                if response.status_code == 302:
                    record(
                        AuditAction.REVERT,
                        request=request,
                        obj=self.get_object(request, unquote(object_id)),
                        detail={"history_id": int(version_id)},
                    )
                return response
        return super().history_form_view(
            request, object_id, version_id, extra_context=extra_context
        )

    def check_history_access(self, request, object_id):
        """Raise Http404 where the user may not see this row's history."""


class PublishGuardMixin(MayChangeMixin):
    """Editors work on drafts; publishing needs the publish permission.

    Without it the publish fields are read-only (a forged POST cannot set
    them), live rows are read-only and cannot be deleted, and the actions
    marked ``permissions=["publish"]`` are neither shown nor run.
    """

    publish_fields = ()

    def has_publish_permission(self, request):
        return may_publish(request.user, self.model)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            fields += [f for f in self.publish_fields if f not in fields]
        return fields

    def save_model(self, request, obj, form, change):
        if not self.has_publish_permission(request) or getattr(
            request, "reverting", False
        ):
            self.keep_publish_fields(request.user, obj)
        super().save_model(request, obj, form, change)

    def keep_publish_fields(self, user: Actor, obj: models.Model) -> None:
        """Without the publish permission, whatever path the form came by (a
        forged POST, a history version), the publish fields keep their stored
        values, and a new or restored row starts unpublished."""
        stored = None
        if obj.pk is not None:
            stored = type(obj).objects.filter(pk=obj.pk).values(*self.publish_fields)
            stored = stored.first()
        if stored is None:
            unpublished_unless_allowed(user, obj)
            return
        for field in self.publish_fields:
            setattr(obj, field, stored[field])


class RestoreDeletedMixin:
    """A 回收站 (trash) page per model: rows deleted from the admin, each
    restorable from its history with its relations."""

    change_list_template = "admin/change_list_with_trash.html"

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_deleted"
        view = self.admin_site.admin_view(self.deleted_view)
        return [path("deleted/", view, name=name), *super().get_urls()]

    def deleted_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            return self.restore(
                request, request.POST.get("pk", ""), request.POST.get("version", "")
            )
        return TemplateResponse(
            request,
            "admin/deleted_list.html",
            {
                **self.admin_site.each_context(request),
                "title": _("已删除的%(name)s") % {"name": self.opts.verbose_name},
                "opts": self.opts,
                "records": deleted_records(self.model),
            },
        )

    def restore(self, request, pk, version):
        """Restore the row as the trash showed it (``version``, its deletion
        record): not when its history has moved on since."""
        trash = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_deleted")
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                obj = deleted_restore(
                    model=self.model,
                    pk=int(pk),
                    version=int(version),
                    user=request.user,
                )
                record(
                    AuditAction.RESTORE,
                    request=request,
                    obj=obj,
                    detail={"history_id": int(version)},
                )
        except (ValueError, ObjectDoesNotExist):
            self.message_user(request, _("没有找到这条已删除的记录。"), messages.ERROR)
            return redirect(trash)
        except StaleVersion as stale:
            labels = [
                str(self.opts.get_field(name).verbose_name) for name in stale.changed
            ]
            message = edits.stale_restore_message(stale.latest, labels)
            self.message_user(request, message, messages.ERROR)
            return redirect(trash)
        self.log_addition(request, obj, [{"added": {}}])
        self.message_user(
            request, _("已恢复：%(obj)s") % {"obj": obj}, messages.SUCCESS
        )
        return redirect(
            reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=[obj.pk],
            )
        )


def _signable(value):
    """A form value as a signed token's JSON holds it: a date (an import
    option) as the ISO text its form reads back."""
    return value.isoformat() if isinstance(value, date) else value


class SignedImportMixin:
    """django-import-export's preview and confirm steps, without trusting the
    confirm form.

    The preview keeps the upload in the private storage and gives the confirm
    form one signed token: the stored name, the format, the resource, the
    options (``confirm_option_fields``) and the user who previewed it. A forged
    or altered confirm cannot name another file or another user's upload, nor
    change what was previewed, and a token expires. An upload that is gone or
    can no longer be read is a message asking for the file again, not a 500.
    """

    confirm_option_fields = ()
    upload_token_max_age = 24 * 3600
    upload_token_salt = "aidportal.admin.import-upload"
    signed_fields = ("import_file_name", "original_file_name", "format", "resource")

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, UploadNotStored):
            form.add_error(
                "import_file",
                _("文件未能暂存：服务器存储暂时不可写，请稍后重新上传。"),
            )
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is None:
            return initial
        for name in self.confirm_option_fields:
            initial[name] = import_form.cleaned_data.get(name)
        return {**initial, "import_file_name": self.upload_token(request, initial)}

    def upload_token(self, request, values):
        fields = (*self.signed_fields, *self.confirm_option_fields)
        payload = {name: _signable(values.get(name)) for name in fields}
        return signing.dumps(
            {"user": request.user.pk, "form": payload},
            salt=self.upload_token_salt,
            compress=True,
        )

    def read_upload_token(self, request, token):
        """The confirm form's values the token holds, or None."""
        try:
            signed = signing.loads(
                token, salt=self.upload_token_salt, max_age=self.upload_token_max_age
            )
        except signing.BadSignature:
            return None
        if signed.get("user") != request.user.pk:
            return None
        return {
            name: "" if value is None else str(value)
            for name, value in signed["form"].items()
        }

    def get_confirm_form_kwargs(self, request, import_form=None):
        kwargs = super().get_confirm_form_kwargs(request, import_form)
        if kwargs["data"] is not None:
            token = kwargs["data"].get("import_file_name", "")
            # Without a valid token the form is invalid (no file name).
            kwargs["data"] = self.read_upload_token(request, token) or {}
        return kwargs

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_confirm_form(request)
        upload = self.confirmed_upload(form) if form.is_valid() else None
        dataset = self.read_dataset(upload) if upload is not None else None
        if dataset is None:
            self.message_user(
                request,
                _("导入文件已失效或无法读取（可能已经导入过）；请重新选择文件导入。"),
                messages.ERROR,
            )
            opts = self.model._meta
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_import")
        with transaction.atomic(using=router.db_for_write(self.model)):
            result = self.process_dataset(dataset, form, request, **kwargs)
            # An import with a bad row was rolled back: no entry either.
            if not (result.has_errors() or result.has_validation_errors()):
                record(
                    AuditAction.IMPORT,
                    request=request,
                    obj=self.model,
                    detail={
                        "file": form.cleaned_data.get("original_file_name", ""),
                        "format": upload[1].get_title(),
                        "rows": result.total_rows,
                        "added": result.totals.get("new", 0),
                        "changed": result.totals.get("update", 0),
                    },
                )
        upload[0].remove()
        return self.process_result(result, request)

    def confirmed_upload(self, form):
        """(stored upload, format) a valid confirm form names, or None."""
        formats = self.get_import_formats()
        index = form.cleaned_data["format"]
        if not (index.isdigit() and int(index) < len(formats)):
            return None
        input_format = formats[int(index)](encoding=self.from_encoding)
        storage = self.get_tmp_storage_class()(
            name=form.cleaned_data["import_file_name"],
            encoding=None if input_format.is_binary() else self.from_encoding,
            read_mode=input_format.get_read_mode(),
            **self.get_tmp_storage_class_kwargs(),
        )
        return storage, input_format

    def read_dataset(self, upload):
        storage, input_format = upload
        try:
            return input_format.create_dataset(storage.read())
        # The file was read at the preview; anything wrong now (gone, changed
        # on disk, unreadable) means: upload it again.
        except Exception:
            return None


class GalleryInline(LiveContentInlineMixin, admin.TabularInline):
    extra = 1
    formfield_overrides = PICTURE_WIDGETS
    fields = ["image", "alt", "decorative", "caption", "position"]


class PicturePickerForm(forms.ModelForm):
    class Meta:
        model = BodyPicture
        fields = ["image", "alt", "decorative", "caption"]


class BodyPicturesMixin:
    """Pictures in the rich-text body: the editor's figure dialog opens a
    picker (``pictures/`` under the model's admin) where staff upload a
    picture, checked and stored like a cover, or pick one uploaded earlier or
    from the row's gallery. The picker answers the dialog the way its
    ``pickerUrl`` option expects (django-prose-editor's figure extension)."""

    body_field = "body"
    pictures_shown = 48

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_pictures"
        view = self.admin_site.admin_view(self.pictures_view)
        return [path("pictures/", view, name=name), *super().get_urls()]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        field = form.base_fields.get(self.body_field)
        config = getattr(field and field.widget, "config", None)
        if config and "Figure" in config.get("extensions", {}):
            url = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_pictures"
            )
            if obj is not None and obj.pk is not None:
                url += f"?owner={obj.pk}"
            extensions = {**config["extensions"], "Figure": {"pickerUrl": url}}
            field.widget.config = {**config, "extensions": extensions}
        return form

    def may_add_pictures(self, request) -> bool:
        """Who writes this model's bodies and may upload: the same right the
        media gate asks before it shows an upload not yet public."""
        may_write = self.has_add_permission(request) or self.has_change_permission(
            request
        )
        return may_write and request.user.has_perms(
            ["kernel.add_bodypicture", "kernel.change_bodypicture"]
        )

    def gallery_pictures(self, request, owner_pk: str) -> list[GalleryImage]:
        """The pictures of the row's gallery (its inlines of GalleryImage)."""
        if not owner_pk.isdigit():
            return []
        owner = self.get_object(request, owner_pk)
        if owner is None or not self.has_view_permission(request, owner):
            return []
        return [
            picture
            for inline in self.inlines
            if issubclass(inline.model, GalleryImage)
            for picture in inline.model.objects.filter(
                **{inline.model.owner_field: owner}
            ).exclude(image="")
        ]

    def pictures_view(self, request):
        if not self.may_add_pictures(request):
            raise PermissionDenied
        form, picked = PicturePickerForm(), None
        if request.method == "POST":
            form = PicturePickerForm(request.POST, request.FILES)
            if form.is_valid():
                form.instance.uploaded_by = request.user
                try:
                    with pictures_undone_on_error(), transaction.atomic():
                        picked = form.save()
                except PictureNotStored as failure:
                    form.add_error("image", failure.message)
        owner_pk = request.GET.get("owner", "")
        choices = [
            (_("本篇组图"), self.gallery_pictures(request, owner_pk)),
            (_("已上传的图片"), list(BodyPicture.objects.all()[: self.pictures_shown])),
        ]
        stored_thumbnails(row.image for _label, rows in choices for row in rows)
        return TemplateResponse(
            request,
            "admin/pictures/picker.html",
            {
                **self.admin_site.each_context(request),
                "title": _("插入图片"),
                "opts": self.opts,
                "is_popup": True,
                "form": form,
                "picked": picked and picker_choice(picked),
                "choices": [
                    (label, [picker_choice(row) for row in rows])
                    for label, rows in choices
                ],
            },
        )


def picker_choice(row) -> dict:
    """What the picker shows of a picture and hands to the editor."""
    file = row.image
    return {
        "url": file.url,
        "thumbnail": thumbnail(file).img(120),
        "reference": file_reference(row),
        "alt": row.alt,
        "decorative": row.decorative,
        "caption": row.caption,
    }


class ReviewForm(forms.Form):
    """The review page's verdict: approve (now, or at a time for a draft) or
    reject with a comment; or only a comment."""

    verdict = forms.ChoiceField(
        choices=[
            ("approve", _("审核通过")),
            ("reject", _("退回修改")),
            ("comment", _("只发表意见")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("审核意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("退回修改时必填，作者会看到它；意见只有工作人员能看到。"),
    )
    publish_at = forms.SplitDateTimeField(
        label=_("发布时间"),
        required=False,
        widget=admin.widgets.AdminSplitDateTime,
        help_text=_("设为将来的时间即定时发布。"),
    )
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        cleaned_data = super().clean()
        verdict = cleaned_data.get("verdict")
        if (
            verdict in ("reject", "comment")
            and not cleaned_data.get("comment", "").strip()
        ):
            self.add_error("comment", _("请填写审核意见。"))
        return cleaned_data


class ReviewMixin:
    """Review before publishing (``aidportal.kernel.workflow``).

    Editors open live rows too: what they save is the row's working copy,
    the public page unchanged; 保存并提交审核 sends a draft or a working copy
    to review. Publishers review on the row's 审核 page (a field-by-field
    diff, approve now or at a time, or reject with a comment) and change
    states by the transitions only: the status select offers the states open
    from the stored one, the list actions skip rows a transition is not open
    to. Every change of state is in the audit log."""

    actions = ["submit", "publish", "withdraw", "archive"]
    publish_fields = ["status"]

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_review"
        view = self.admin_site.admin_view(self.review_view)
        return [path("<path:object_id>/review/", view, name=name), *super().get_urls()]

    # Working copies

    def saves_working_copy(self, request, obj) -> bool:
        return (
            obj is not None
            and is_guarded(obj)
            and not may_publish(request.user, self.model)
        )

    def may_change_row(self, request, obj) -> bool:
        # The change form of a live row is open to editors: they save a working copy.
        opening_form = getattr(request, "working_copy_form", False)
        return super().may_change_row(request, obj) or (
            opening_form and self.saves_working_copy(request, obj)
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        request.working_copy_form = True
        extra_context = extra_context or {}
        if object_id is not None:
            live = self.get_object(request, unquote(object_id))
            if live is not None:
                extra_context["review"] = self.review_context(request, live)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None or not getattr(request, "working_copy_form", False):
            return obj
        if not self.saves_working_copy(request, obj):
            return obj
        submission = workflow.submission_of(obj)
        if submission is None or not submission.is_working_copy:
            return obj
        if submission.author_id != request.user.pk:
            return obj
        # The editor goes on with their working copy, not the live row.
        copy, request.working_copy_chosen = workflow.with_copy(obj, submission.data)
        return copy

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        chosen = getattr(request, "working_copy_chosen", None)
        status_choices = self.status_choices(request, obj)
        other = None
        if obj is not None and self.saves_working_copy(request, obj):
            submission = workflow.submission_of(obj)
            if submission and submission.author_id not in (None, request.user.pk):
                other = workflow.other_author_message(submission)

        class ReviewedForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                if chosen and not self.is_bound:
                    self.initial.update(chosen)
                if status_choices and "status" in self.fields:
                    self.fields["status"].choices = status_choices

            def clean(self):
                if other:
                    raise ValidationError(other)
                return super().clean()

        return ReviewedForm

    def render_change_form(
        self, request, context, add=False, change=False, form_url="", obj=None
    ):
        context["review_submit"] = self.review_submit_help(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def review_submit_help(self, request, obj) -> str:
        """What 保存并提交审核 does here, or "" where it is not offered."""
        if obj is None:
            return (
                _("保存为草稿，并请发布人员审核。")
                if self.has_add_permission(request)
                else ""
            )
        if not self.has_change_permission(request, obj):
            return ""
        if self.saves_working_copy(request, obj):
            return _("保存为修改稿并送审：审核通过后，网站上的内容才会改变。")
        if obj.status in (PublishStatus.DRAFT, PublishStatus.WITHDRAWN):
            return _("保存，并请发布人员审核。")
        return ""

    def status_choices(self, request, obj) -> list | None:
        """The states a publisher may pick in the form: the stored one and
        those a transition opens from it (not 退回, which needs a comment on
        the review page)."""
        if not may_publish(request.user, self.model):
            return None
        labels = dict(PublishStatus.choices)
        if obj is None:
            states = [PublishStatus.DRAFT, PublishStatus.PUBLISHED]
        else:
            targets = {
                getattr(obj, name)._django_fsm.next_state(obj.status)
                for name in workflow.open_transitions(obj, request.user)
                if name != "reject"
            }
            states = [obj.status, *sorted(targets - {obj.status})]
        return [(state, labels[state]) for state in states]

    def save_model(self, request, obj, form, change):
        submit = "_submit" in request.POST
        if change and self.saves_working_copy(request, obj):
            try:
                with picture_errors_on(form):
                    request.working_copy = workflow.working_copy_save(
                        obj=obj,
                        form=form,
                        user=request.user,
                        kept=self.publish_fields,
                        submit=submit,
                    )
            except workflow.TransitionRefused:
                # Another editor's copy came in after the form was checked.
                raise PermissionDenied from None
            return
        stored = None
        if change:
            stored = (
                type(obj)
                ._base_manager.filter(pk=obj.pk)
                .values_list("status", flat=True)
                .first()
            )
        chosen = obj.status
        if getattr(request, "reverting", False):
            chosen = stored or obj.status
        if chosen != (stored or PublishStatus.DRAFT) and may_publish(
            request.user, self.model
        ):
            # A state picked in the form is reached by its transition.
            obj.status = stored or PublishStatus.DRAFT
        super().save_model(request, obj, form, change)
        name = {
            PublishStatus.PUBLISHED: "publish",
            PublishStatus.WITHDRAWN: "withdraw",
            PublishStatus.ARCHIVED: "archive",
            PublishStatus.REVIEW: "submit",
        }.get(chosen)
        if chosen != obj.status and name and may_publish(request.user, self.model):
            workflow.transition(obj, name, user=request.user, request=request)
        if submit and obj.status in (PublishStatus.DRAFT, PublishStatus.WITHDRAWN):
            workflow.transition(obj, "submit", user=request.user, request=request)

    def save_related(self, request, form, formsets, change):
        if getattr(request, "working_copy", None) is None:
            super().save_related(request, form, formsets, change)

    def construct_change_message(self, request, form, formsets, add=False):
        if getattr(request, "working_copy", None) is None:
            return super().construct_change_message(request, form, formsets, add)
        return []

    def log_change(self, request, obj, message):
        # A working copy changes nothing yet: the audit log has it.
        if getattr(request, "working_copy", None) is None:
            return super().log_change(request, obj, message)
        return None

    def response_change(self, request, obj):
        submission = getattr(request, "working_copy", None)
        if submission is None:
            return super().response_change(request, obj)
        if submission.submitted_at:
            message = _("修改稿已提交审核：发布人员审核通过后，网站上的内容才会改变。")
        else:
            message = _(
                "修改稿已保存，网站上的内容没有改变。改完后请点“保存并提交审核”。"
            )
        self.message_user(request, message, messages.SUCCESS)
        return redirect(
            reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=[obj.pk],
            )
        )

    def review_context(self, request, live) -> dict:
        """What the change form and the review page show of the row's review."""
        submission = workflow.submission_of(live)
        return {
            "submission": submission,
            "author": submission and edits.staff_name(submission.author),
            "since": submission and edits.when(submission.created_at),
            "comments": workflow.comments_of(live),
            "may_review": may_publish(request.user, self.model),
            "url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_review",
                args=[live.pk],
            ),
        }

    # The review page

    def review_view(self, request, object_id):
        live = self.get_object(request, unquote(object_id))
        if live is None:
            raise Http404
        if not (
            self.has_view_permission(request, live)
            and request.user.has_perm(
                f"{self.opts.app_label}.change_{self.opts.model_name}"
            )
        ):
            raise PermissionDenied
        submission = workflow.submission_of(live)
        may_review = may_publish(request.user, self.model)
        form = ReviewForm(initial=self.review_initial(live, submission))
        if request.method == "POST":
            form = ReviewForm(request.POST)
            if form.is_valid():
                done = self.review_verdict(request, live, submission, form)
                if done is not None:
                    return done
        return TemplateResponse(
            request,
            "admin/review.html",
            {
                **self.admin_site.each_context(request),
                "title": _("审核：%(obj)s") % {"obj": live},
                "opts": self.opts,
                "original": live,
                "form": form,
                "media": self.media + form.media,
                "may_review": may_review,
                "changes": self.review_changes(live, submission),
                "schedulable": hasattr(live, "published_at")
                and not (submission and submission.is_working_copy),
                **self.review_context(request, live),
            },
        )

    def review_initial(self, live, submission) -> dict:
        if submission is not None and submission.is_working_copy:
            seen = workflow.copy_version(submission)
        else:
            seen = self.edited_row().token(live.pk)
        initial = {"seen": seen, "verdict": "approve"}
        if getattr(live, "published_at", None) and live.published_at > timezone.now():
            initial["publish_at"] = live.published_at
        return initial

    def review_changes(self, live, submission):
        """The working copy's changes, or None for a draft (shown whole)."""
        if submission is None or not submission.is_working_copy:
            return None
        copy, chosen = workflow.with_copy(live, submission.data)
        fields = workflow.copied_fields(self.model, self.publish_fields)
        return diffs.field_changes(live, copy, chosen, fields)

    def review_verdict(self, request, live, submission, form):
        """Carry out the verdict; a redirect, or None with the form's error."""
        verdict = form.cleaned_data["verdict"]
        comment = form.cleaned_data["comment"]
        if verdict == "comment":
            workflow.comment_add(obj=live, user=request.user, text=comment)
            self.message_user(request, _("意见已发表。"), messages.SUCCESS)
            return redirect(request.path)
        if not may_publish(request.user, self.model):
            raise PermissionDenied
        working_copy = submission is not None and submission.is_working_copy
        seen = form.cleaned_data["seen"]
        try:
            if working_copy and verdict == "approve":
                workflow.working_copy_approve(
                    obj=live,
                    user=request.user,
                    request=request,
                    seen=seen,
                    comment=comment,
                )
            elif working_copy:
                workflow.working_copy_reject(
                    obj=live, user=request.user, request=request, comment=comment
                )
            else:
                with transaction.atomic():
                    if verdict == "approve" and self.edited_row().refusal(
                        live.pk, seen
                    ):
                        raise workflow.StaleSubmission
                    workflow.transition(
                        live,
                        "publish" if verdict == "approve" else "reject",
                        user=request.user,
                        request=request,
                        comment=comment,
                        publish_at=form.cleaned_data["publish_at"],
                    )
        except workflow.StaleSubmission:
            form.add_error(
                None,
                _(
                    "审核未完成：你打开这一页后，内容又被修改过。请看过现在的内容再审核。"
                ),
            )
            return None
        except workflow.TransitionRefused as refused:
            form.add_error(None, refused.message)
            return None
        done = (
            _("已审核通过：%(obj)s")
            if verdict == "approve"
            else _("已退回修改：%(obj)s")
        )
        self.message_user(request, done % {"obj": live}, messages.SUCCESS)
        return redirect("admin:index")

    # List actions

    def _transition_rows(self, request, queryset, name, done_message):
        done, skipped = workflow.transition_many(
            queryset, name, user=request.user, request=request
        )
        self.message_user(request, done_message % {"count": done}, messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                _("%(count)d 项的状态不能这样改，未处理。") % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(description=_("提交所选内容审核"), permissions=["change"])
    def submit(self, request, queryset):
        self._transition_rows(
            request, queryset, "submit", _("已提交审核 %(count)d 项。")
        )

    @admin.action(description=_("发布所选内容"), permissions=["publish"])
    def publish(self, request, queryset):
        self._transition_rows(request, queryset, "publish", _("已发布 %(count)d 项。"))

    @admin.action(description=_("撤回所选内容"), permissions=["publish"])
    def withdraw(self, request, queryset):
        self._transition_rows(request, queryset, "withdraw", _("已撤回 %(count)d 项。"))

    @admin.action(description=_("归档所选内容"), permissions=["publish"])
    def archive(self, request, queryset):
        self._transition_rows(request, queryset, "archive", _("已归档 %(count)d 项。"))


class PublishableAdmin(
    # First: its form's body widget is configured on the form ReviewMixin
    # makes (a ModelForm subclass builds its fields afresh).
    BodyPicturesMixin,
    ReviewMixin,
    RowThumbnailsMixin,
    RestoreDeletedMixin,
    PublishGuardMixin,
    HistoryAdmin,
):
    """Who changed what (history, created/updated by), review before
    publishing, and the preview of drafts."""

    thumbnail_fields = ["cover"]

    def view_on_site(self, obj):
        # "在站点上查看" opens the preview: it works for drafts too.
        return obj.get_preview_url()

    @admin.display(description=_("预览"))
    def preview_link(self, obj):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">预览</a>',
            obj.get_preview_url(),
        )

    readonly_fields = ["created_at", "created_by", "updated_at", "updated_by"]
    date_hierarchy = "published_at"

    @admin.display(description=_("题图"))
    def cover_thumbnail(self, obj):
        return row_thumbnail(obj.cover)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


# Django writes a yes/no icon's text in English (alt="True", "False", "None"),
# which a screen reader reads out in every list and read-only field; the admin
# looks the function up in admin_list at each call.


def boolean_icon(value):
    name, text = {True: ("yes", _("是")), False: ("no", _("否"))}.get(
        value, ("unknown", _("未知"))
    )
    return format_html(
        '<img src="{}" alt="{}">', static(f"admin/img/icon-{name}.svg"), text
    )


admin_list._boolean_icon = boolean_icon


# Permissions are stored with English names ("Can add 文章"), written when
# they were created; the group and user forms name them in Chinese instead.
PERMISSION_ACTIONS = {
    "add": _("增加"),
    "change": _("修改"),
    "delete": _("删除"),
    "view": _("查看"),
}


def permission_label(permission):
    """ "文章｜文章｜增加" for add_article: app, model and action by their
    verbose names (a history model's as "文章的历史记录")."""
    content_type = permission.content_type
    model = content_type.model_class()
    if model is None:
        return permission.name
    original = getattr(model, "instance_type", None)
    model_name = (
        _("%(model)s的历史记录") % {"model": original._meta.verbose_name}
        if original
        else untranslated(model._meta.verbose_name)
    )
    action, _separator, rest = permission.codename.partition("_")
    label = (
        PERMISSION_ACTIONS[action]
        if action in PERMISSION_ACTIONS and rest == model._meta.model_name
        else permission.name
    )
    app_name = untranslated(model._meta.app_config.verbose_name)
    return f"{app_name}｜{model_name}｜{label}"


def untranslated(name):
    """A name a package left in English as a plain string (a model without a
    verbose name of its own, such as django-axes' "access attempt
    expiration"), looked up in the project's catalogue."""
    return gettext(name) if isinstance(name, str) else name


class PermissionLabelsMixin:
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "permissions" or db_field.name == "user_permissions":
            field.label_from_instance = permission_label
            field.queryset = field.queryset.select_related("content_type")
        return field


class GroupAdmin(AuditedDeletionsMixin, PermissionLabelsMixin, auth_admin.GroupAdmin):
    pass


class UserAdmin(AuditedDeletionsMixin, PermissionLabelsMixin, auth_admin.UserAdmin):
    pass


admin.site.unregister(Group)
admin.site.register(Group, GroupAdmin)
admin.site.unregister(User)
admin.site.register(User, UserAdmin)


# django-axes' screens (who tried to log in, from which address, with which
# browser) are for superusers only, whatever permissions a group is given:
# AXES_ENABLE_ADMIN is off and they are registered here instead.


class SuperuserOnlyMixin(AuditedDeletionsMixin):
    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class LoginRecordLabelMixin:
    """A row's checkbox is read out by who tried to log in and when: the
    rows' own names are English ("Access Log for … @ …")."""

    def action_checkbox(self, obj):
        return super().action_checkbox(LoginRecordLabel(obj))


class LoginRecordLabel:
    def __init__(self, record):
        self.pk = record.pk
        self.text = f"{record.username or '—'}，{date_format(record.attempt_time)}"

    def __str__(self):
        return self.text


class AccessAttemptAdmin(
    SuperuserOnlyMixin, LoginRecordLabelMixin, axes_admin.AccessAttemptAdmin
):
    @admin.display(description=_("到期时间"))
    def expiration(self, obj):
        return super().expiration(obj)

    @admin.display(description=_("状态"))
    def status(self, obj):
        remaining = axes_settings.AXES_FAILURE_LIMIT - obj.failures_since_start
        if remaining > 0:
            return _("还可尝试 %(count)d 次") % {"count": remaining}
        return _("已锁定")


class AccessLogAdmin(
    SuperuserOnlyMixin, LoginRecordLabelMixin, axes_admin.AccessLogAdmin
):
    pass


class AccessFailureLogAdmin(
    SuperuserOnlyMixin, LoginRecordLabelMixin, axes_admin.AccessFailureLogAdmin
):
    pass


admin.site.register(AccessAttempt, AccessAttemptAdmin)
admin.site.register(AccessLog, AccessLogAdmin)
admin.site.register(AccessFailureLog, AccessFailureLogAdmin)


class TypoAdmin(AuditedDeletionsMixin, admin.ModelAdmin):
    """The list the self-inspection looks for: kept by the staff whose role
    has its permissions (发布 by default)."""

    list_display = ["wrong", "right", "severe", "note"]
    list_filter = ["severe"]
    search_fields = ["wrong", "right", "note"]


admin.site.register(Typo, TypoAdmin)

import io

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AdminDateWidget
from django.contrib.auth import get_permission_codename
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_tasks_db.models import DBTaskResult
from import_export.admin import ImportMixin

from aidportal.kernel.admin import (
    HistoryAdmin,
    LiveContentInlineMixin,
    MayChangeMixin,
    PublicOnlyForReadersMixin,
    PublishGuardMixin,
    RestoreDeletedMixin,
    ReviewMixin,
    RowThumbnailsMixin,
    SignedImportMixin,
    row_thumbnail,
)
from aidportal.kernel.chinese import normalize, search_key
from aidportal.kernel.forms import NameField
from aidportal.kernel.periods import PeriodForm
from aidportal.kernel.policy import may_change
from aidportal.kernel.storage import UploadNotStored
from personnel.exports import write_csv, write_xlsx
from personnel.importers import FIELD_LABELS, RosterFileError, read_roster
from personnel.jobs import (
    FAILED_MESSAGE,
    WorkerState,
    job_errors,
    job_progress,
    job_worker_state,
    roster_job_confirm,
    roster_job_discard,
    roster_job_start,
    roster_rows_count,
)
from personnel.models import (
    Assignment,
    Batch,
    ImportJob,
    Person,
    PostStatus,
    Term,
    Unit,
)
from personnel.resources import (
    OPTION_FIELDS,
    RosterConfirmImportForm,
    RosterCSV,
    RosterImportForm,
    RosterResource,
    RosterTXT,
    RosterXLSX,
)
from personnel.services import (
    assignments_mark_returned,
    assignments_refresh_search,
    category_infer,
)

# The task queue's own admin (English, raw arguments and tracebacks) is no tool
# for staff: import jobs have their pages (AssignmentAdmin.job_view).
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)

# The sample rosters the import page offers: the demo press release, and the
# same people as the columns of a CSV or XLSX file (as the export writes them).
SAMPLE_ROSTER = settings.BASE_DIR / "demo" / "roster-batch10-term1.txt"
SAMPLE_TYPES = {
    "txt": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

SEARCH_HINT = _("姓名、拼音、首字母")


class NormalizedSearchMixin:
    """Admin search on normalised text: "季 成", "季\u3000成" and "季成" are alike,
    and pinyin and initials match too."""

    search_lookups = ()

    def get_search_results(self, request, queryset, search_term):
        key = search_key(search_term)
        if not key:
            return queryset, False
        condition = Q()
        for lookup in self.search_lookups:
            condition |= Q(**{f"{lookup}__substring": key})
        return queryset.filter(condition), False


class InPostFilter(admin.SimpleListFilter):
    """Assignments by where they stand today: in post, left, not yet arrived,
    or dates that cannot tell."""

    title = _("今天在岗情况")
    parameter_name = "in_post"

    def lookups(self, request, model_admin):
        return PostStatus.choices

    def queryset(self, request, queryset):
        if self.value() not in PostStatus.values:
            return queryset
        today = timezone.localdate()
        return queryset.with_post_status(today).filter(post_status=self.value())


class PersonInPostFilter(InPostFilter):
    """People by where they stand today: in post with any assignment; else
    日期不详 with any that cannot tell; else not yet arrived for any; else
    left from all (people without any assignment are none of these)."""

    ORDER = [
        PostStatus.IN_POST,
        PostStatus.UNKNOWN,
        PostStatus.NOT_YET,
        PostStatus.LEFT,
    ]

    def queryset(self, request, queryset):
        if self.value() not in PostStatus.values:
            return queryset
        status = PostStatus(self.value())
        before = self.ORDER[: self.ORDER.index(status)]
        statuses = Assignment.objects.filter(person=OuterRef("pk")).with_post_status(
            timezone.localdate()
        )
        return queryset.filter(
            Exists(statuses.filter(post_status=status)),
            ~Exists(statuses.filter(post_status__in=before)),
        )


class MarkReturnedForm(forms.Form):
    left_on = forms.DateField(label=_("离岗日期"), widget=AdminDateWidget)


class MarkReturnedMixin:
    """Bulk action: set the leaving date of open assignments, after asking it."""

    def open_assignments(self, queryset):
        raise NotImplementedError

    @admin.action(
        description=_("标记为已返回（填写离岗日期）"), permissions=["publish"]
    )
    def mark_returned(self, request, queryset):
        if "apply" in request.POST:
            form = MarkReturnedForm(request.POST)
            if form.is_valid():
                changed, skipped = assignments_mark_returned(
                    assignments=self.open_assignments(queryset),
                    left_on=form.cleaned_data["left_on"],
                )
                self.message_user(
                    request,
                    _("已标记 %(changed)d 条任职为已返回。") % {"changed": changed},
                    messages.SUCCESS,
                )
                if skipped:
                    self.message_user(
                        request,
                        _("%(skipped)d 条任职的到岗日期晚于所填日期，未修改。")
                        % {"skipped": skipped},
                        messages.WARNING,
                    )
                return None
        else:
            form = MarkReturnedForm(initial={"left_on": timezone.localdate()})
        return TemplateResponse(
            request,
            "admin/personnel/mark_returned.html",
            {
                **self.admin_site.each_context(request),
                "title": _("标记为已返回"),
                "opts": self.model._meta,
                "form": form,
                "media": self.media + form.media,
                "queryset": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )


class AssignmentTextsMixin:
    """Assignments repeat the names, aliases and pinyin of their people and
    units in their search text: after one changes, theirs are derived again
    (a service, not the model's save())."""

    assignments_of = ""  # "units" or "people"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            assignments_refresh_search(**{self.assignments_of: [obj]})


class UnitForm(forms.ModelForm):
    def clean_name(self):
        name = self.cleaned_data["name"]
        same = Unit.objects.filter(name_key=normalize(name)).exclude(
            pk=self.instance.pk
        )
        if existing := same.first():
            raise ValidationError(
                _("已有单位“%(name)s”（空格、全角字符不算区别）。"),
                params={"name": existing.name},
            )
        return name


class PersonForm(forms.ModelForm):
    class Meta:
        field_classes = {"name": NameField}


@admin.register(Unit)
class UnitAdmin(
    PublicOnlyForReadersMixin,
    MayChangeMixin,
    AssignmentTextsMixin,
    NormalizedSearchMixin,
    HistoryAdmin,
):
    form = UnitForm
    assignments_of = "units"
    list_display = ["name", "short_name", "aliases", "kind", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["name"]
    search_lookups = ["search_text"]
    fields = ["name", "short_name", "aliases", "kind", "region"]


class BatchPartInlineMixin:
    """An inline of rows that are part of their batch (its terms): who may
    read or change the batch may read or change them, with no permissions of
    their own for the roles to grant."""

    def _batch_permission(self, request, action):
        opts = Batch._meta
        codename = get_permission_codename(action, opts)
        return request.user.has_perm(f"{opts.app_label}.{codename}")

    def has_view_permission(self, request, obj=None):
        return self._batch_permission(request, "view") or self.has_change_permission(
            request, obj
        )

    def has_add_permission(self, request, obj):
        return self._batch_permission(request, "change")

    def has_change_permission(self, request, obj=None):
        return self._batch_permission(request, "change")

    def has_delete_permission(self, request, obj=None):
        return self._batch_permission(request, "change")


class TermForm(PeriodForm):
    class Meta:
        model = Term
        fields = ["name"]


class TermFormSet(BaseInlineFormSet):
    def get_unique_error_message(self, unique_check):
        # Django's names the field ("name") in English.
        return _("同一批次中不能有两个同名的期。")


class TermInline(LiveContentInlineMixin, BatchPartInlineMixin, admin.TabularInline):
    model = Term
    form = TermForm
    formset = TermFormSet
    extra = 1
    fields = ["name", "start", "end"]


class BatchForm(PeriodForm):
    class Meta:
        model = Batch
        fields = ["number", "label"]


@admin.register(Batch)
class BatchAdmin(PublicOnlyForReadersMixin, MayChangeMixin, HistoryAdmin):
    form = BatchForm
    list_display = ["label", "number", "start_shown", "end_shown"]
    search_fields = ["label", "number"]
    fields = ["number", "label", "start", "end"]
    inlines = [TermInline]

    @admin.display(description=_("开始日期"))
    def start_shown(self, batch):
        return batch.start_text or "—"

    @admin.display(description=_("结束日期"))
    def end_shown(self, batch):
        return batch.end_text or "—"


class TermChoiceMixin:
    """An assignment's term is chosen by batch and name ("第十批首期"): names
    repeat from batch to batch."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name != "term":
            return super().formfield_for_foreignkey(db_field, request, **kwargs)
        kwargs["queryset"] = Term.objects.select_related("batch").order_by(
            "-batch__number", "id"
        )
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        field.label_from_instance = lambda term: term.full_label
        return field


# What an assignment says, as the inline edits it and the list shows it.
ASSIGNMENT_FIELDS = [
    "batch",
    "term",
    "sending_unit",
    "receiving_unit",
    "position",
    "arrived_on",
    "left_on",
]


class AssignmentInline(TermChoiceMixin, LiveContentInlineMixin, admin.TabularInline):
    model = Assignment
    extra = 1
    autocomplete_fields = ["batch", "sending_unit", "receiving_unit"]
    fields = ASSIGNMENT_FIELDS


@admin.register(Person)
class PersonAdmin(
    PublicOnlyForReadersMixin,
    ReviewMixin,
    RowThumbnailsMixin,
    RestoreDeletedMixin,
    PublishGuardMixin,
    AssignmentTextsMixin,
    MarkReturnedMixin,
    NormalizedSearchMixin,
    HistoryAdmin,
):
    form = PersonForm
    list_display = [
        "photo_thumbnail",
        "name",
        "category",
        "assignment_summary",
        "status",
        "updated_at",
    ]
    # The name is the link: the thumbnail is silent (alt=""), a link needs a name.
    list_display_links = ["name"]
    list_filter = [
        "category",
        "status",
        ("assignments__batch", admin.RelatedOnlyFieldListFilter),
        ("assignments__receiving_unit", admin.RelatedOnlyFieldListFilter),
        ("assignments__sending_unit", admin.RelatedOnlyFieldListFilter),
        PersonInPostFilter,
    ]
    search_fields = ["name"]
    search_lookups = ["search_text"]
    search_help_text = SEARCH_HINT
    # By pinyin (the surname's usual reading first), as a roster is read,
    # not by code point; the column is on the row, so no query per row.
    ordering = ["pinyin", "name_key", "id"]
    readonly_fields = ["pinyin", "initials", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "category", "status", "bio"]}),
        (_("照片"), {"fields": ["photo", "photo_alt"]}),
        (
            _("检索与记录"),
            {
                "classes": ["collapse"],
                "fields": ["pinyin", "initials", "created_at", "updated_at"],
            },
        ),
    ]
    inlines = [AssignmentInline]
    actions = [*ReviewMixin.actions, "mark_returned"]
    assignments_of = "people"
    thumbnail_fields = ["photo"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "assignments",
                    queryset=Assignment.objects.select_related(
                        "batch", "receiving_unit"
                    ),
                )
            )
        )

    @admin.display(description=_("照片"))
    def photo_thumbnail(self, obj):
        return row_thumbnail(obj.photo)

    @admin.display(description=_("任职"))
    def assignment_summary(self, person):
        return ";".join(
            f"{a.batch} · {a.receiving_unit.display_name}"
            for a in person.assignments.all()
        )

    def open_assignments(self, queryset):
        return Assignment.objects.filter(person__in=queryset, left_on__isnull=True)


@admin.register(Assignment)
class AssignmentAdmin(
    TermChoiceMixin,
    PublicOnlyForReadersMixin,
    PublishGuardMixin,
    SignedImportMixin,
    ImportMixin,
    MarkReturnedMixin,
    NormalizedSearchMixin,
    HistoryAdmin,
):
    list_display = ["person", *ASSIGNMENT_FIELDS]
    list_filter = [
        ("batch", admin.RelatedOnlyFieldListFilter),
        "person__category",
        ("receiving_unit", admin.RelatedOnlyFieldListFilter),
        ("sending_unit", admin.RelatedOnlyFieldListFilter),
        InPostFilter,
    ]
    list_select_related = ["person", "batch", "term", "sending_unit", "receiving_unit"]
    search_fields = ["position"]
    search_lookups = ["search_text"]
    search_help_text = SEARCH_HINT
    autocomplete_fields = ["person", "batch", "sending_unit", "receiving_unit"]
    actions = ["mark_returned"]
    resource_classes = [RosterResource]
    import_formats = [RosterTXT, RosterCSV, RosterXLSX]
    import_form_class = RosterImportForm
    confirm_form_class = RosterConfirmImportForm
    confirm_option_fields = OPTION_FIELDS
    import_template_name = "admin/personnel/assignment/import.html"

    def open_assignments(self, queryset):
        return queryset.filter(left_on__isnull=True)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if self.has_publish_permission(request) or "person" not in form.base_fields:
            return form

        user = request.user

        class DraftAssignmentForm(form):
            def clean_person(self):
                person = self.cleaned_data["person"]
                if person is not None and not may_change(user, person):
                    raise ValidationError(
                        _("%(name)s 已公开；只有发布人可以为其添加或修改任职。"),
                        params={"name": person},
                    )
                return person

        return DraftAssignmentForm

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, RosterFileError):
            for error in e.errors:
                form.add_error("import_file", error.for_staff)
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def process_result(self, result, request):
        # A row that became invalid between preview and confirm rolled the
        # whole import back: say so, and log nothing.
        if result.has_errors() or result.has_validation_errors():
            self.message_user(
                request,
                _("导入未完成：有记录无效，未写入任何数据。请重新导入。"),
                messages.ERROR,
            )
            return redirect(reverse("admin:personnel_assignment_import"))
        return super().process_result(result, request)

    @staticmethod
    def import_options(form):
        """What the form says for rows that do not say it themselves."""
        return {
            "batch_number": form.cleaned_data.get("batch"),
            "term": (form.cleaned_data.get("term") or "").strip(),
            "category": form.cleaned_data.get("category") or "",
            "arrived_on": form.cleaned_data.get("arrived_on"),
            "left_on": form.cleaned_data.get("left_on"),
        }

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        options = {}
        if form is not None and form.is_valid():
            options = self.import_options(form)
        options["user"] = request.user
        return {**super().get_import_resource_kwargs(request, **kwargs), **options}

    def get_import_data_kwargs(self, **kwargs):
        # All or nothing: a row that fails validation rolls the whole file back,
        # on the confirm step too.
        return {
            **super().get_import_data_kwargs(**kwargs),
            "rollback_on_validation_errors": True,
        }

    # A file of many rows: a background job instead of the preview (jobs.py).

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        views = [
            ("import/sample.<str:extension>", self.sample_view, "import_sample"),
            ("import/jobs/", self.jobs_view, "import_jobs"),
            ("import/jobs/<int:pk>/", self.job_view, "import_job"),
            (
                "import/jobs/<int:pk>/confirm/",
                self.job_confirm_view,
                "import_job_confirm",
            ),
            (
                "import/jobs/<int:pk>/discard/",
                self.job_discard_view,
                "import_job_discard",
            ),
        ]
        return [
            *(
                path(route, self.admin_site.admin_view(view), name=f"{info}_{name}")
                for route, view, name in views
            ),
            *super().get_urls(),
        ]

    def import_action(self, request, **kwargs):
        if request.method == "POST" and self.has_import_permission(request):
            form = self.create_import_form(request)
            if form.is_valid():
                upload = form.cleaned_data["import_file"]
                content = upload.read()
                upload.seek(0)
                try:
                    rows = roster_rows_count(name=upload.name, content=content)
                except RosterFileError:
                    rows = 0  # the preview says what is wrong with the file
                if rows > settings.ROSTER_IMPORT_BACKGROUND_ROWS:
                    try:
                        job = roster_job_start(
                            owner=request.user,
                            name=upload.name,
                            content=content,
                            rows=rows,
                            options=self.import_options(form),
                        )
                    except UploadNotStored as error:
                        # The form again, with the small files' error on it.
                        self.add_data_read_fail_error_to_form(form, error)
                        request.roster_import_form = form
                    else:
                        return redirect(self.job_url(job))
        return super().import_action(request, **kwargs)

    def create_import_form(self, request):
        """The form import_action already checked, if any: one reading of the
        upload, and the errors it found."""
        form = getattr(request, "roster_import_form", None)
        return form if form is not None else super().create_import_form(request)

    def get_import_context_data(self, **kwargs):
        return {
            **super().get_import_context_data(**kwargs),
            "field_labels": FIELD_LABELS,
            "background_rows": settings.ROSTER_IMPORT_BACKGROUND_ROWS,
        }

    def job_url(self, job):
        return reverse("admin:personnel_assignment_import_job", args=[job.pk])

    def owned_job(self, request, pk):
        """The job, if it is the user's own (any job for a superuser); 404
        otherwise, so nobody learns of another's upload."""
        if not self.has_import_permission(request):
            raise Http404
        jobs = ImportJob.objects.all()
        if not request.user.is_superuser:
            jobs = jobs.filter(owner=request.user)
        return get_object_or_404(jobs, pk=pk)

    def job_context(self, request, title):
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
        }

    def jobs_view(self, request):
        if not self.has_import_permission(request):
            raise Http404
        jobs = ImportJob.objects.filter(owner=request.user)[:20]
        return TemplateResponse(
            request,
            "admin/personnel/assignment/import_jobs.html",
            {
                **self.job_context(request, _("我的名单导入任务")),
                "jobs": jobs,
                "background_rows": settings.ROSTER_IMPORT_BACKGROUND_ROWS,
            },
        )

    def job_view(self, request, pk):
        job = self.owned_job(request, pk)
        # Only read: a job whose task failed unrecorded is shown failed here
        # and recorded so by the worker or the next upload (jobs.py).
        state = job_worker_state(job)
        failed = state == WorkerState.FAILED
        done, total = job_progress(job) if job.is_running and not failed else (0, 0)
        return TemplateResponse(
            request,
            "admin/personnel/assignment/import_job.html",
            {
                **self.job_context(request, _("名单导入任务")),
                "job": job,
                "failed": failed,
                "status": ImportJob.Status.FAILED.label
                if failed
                else job.get_status_display(),
                "waiting": state == WorkerState.WAITING,
                "failed_message": FAILED_MESSAGE,
                "done": done,
                "total": total,
                "errors": job_errors(job),
            },
        )

    @method_decorator(require_POST)
    def job_confirm_view(self, request, pk):
        job = self.owned_job(request, pk)
        if not roster_job_confirm(job=job):
            self.message_user(
                request, _("该任务不在待确认状态，未再次导入。"), messages.WARNING
            )
        return redirect(self.job_url(job))

    @method_decorator(require_POST)
    def job_discard_view(self, request, pk):
        """Give up a checked job: it and its upload are deleted, nothing is
        written. Only its owner may."""
        if not self.has_import_permission(request):
            raise Http404
        job = get_object_or_404(ImportJob, pk=pk, owner=request.user)
        if not roster_job_discard(job=job):
            self.message_user(
                request, _("该任务不在待确认状态，不能放弃。"), messages.WARNING
            )
            return redirect(self.job_url(job))
        self.message_user(request, _("已放弃该任务，未导入任何数据；可以重新上传。"))
        return redirect(reverse("admin:personnel_assignment_import"))

    def sample_view(self, request, extension):
        """A sample roster to download: the demo press release (.txt), or its
        people as a table (.csv, .xlsx) with the columns the import reads."""
        if extension not in SAMPLE_TYPES or not self.has_import_permission(request):
            raise Http404
        if extension == "txt":
            content = SAMPLE_ROSTER.read_bytes()
        else:
            values = (
                (
                    row.name,
                    category_infer(receiving_unit_name=row.receiving_unit),
                    "第十批",
                    "首期",
                    row.sending_unit,
                    row.receiving_unit,
                    row.position,
                    None,
                    None,
                )
                for row in read_roster(SAMPLE_ROSTER)
            )
            out = io.BytesIO()
            (write_csv if extension == "csv" else write_xlsx)(values, out)
            content = out.getvalue()
        response = HttpResponse(content, content_type=SAMPLE_TYPES[extension])
        response["Content-Disposition"] = (
            f'attachment; filename="roster-sample.{extension}"'
        )
        return response

"""The roster import of the admin (django-import-export), on the same rules as
``import_roster``: the same headers, row checks and RosterWriter."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.forms import ConfirmImportForm, ImportForm

from aidportal.chinese import normalize
from personnel.importers import (
    FIELD_LABELS,
    RosterFileError,
    RowError,
    clean_row,
    map_headers,
)
from personnel.models import Assignment, Category
from personnel.services import RosterWriter, roster_check


class RosterOptionsMixin(forms.Form):
    batch = forms.IntegerField(
        label=_("批次"),
        min_value=1,
        max_value=999,
        required=False,
        help_text=_("文件没有“批次”列时必填,例如 10。"),
    )
    term = forms.CharField(
        label=_("期"), max_length=20, required=False, help_text=_("例如:首期。")
    )
    category = forms.ChoiceField(
        label=_("类别"),
        choices=[("", _("按受援单位推断")), *list(Category.choices)],
        required=False,
    )


class RosterImportForm(RosterOptionsMixin, ImportForm):
    pass


class RosterConfirmImportForm(RosterOptionsMixin, ConfirmImportForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("batch", "term", "category"):
            self.fields[name].widget = forms.HiddenInput()


def _row_validation_error(row_errors):
    return ValidationError(
        {
            f"{FIELD_LABELS.get(error.field, error.field)}({error.field})": [
                error.reason
            ]
            for error in row_errors
        }
    )


class RosterResource(resources.ModelResource):
    name = fields.Field(attribute="person__name", column_name="姓名")
    sending_unit = fields.Field(attribute="sending_unit__name", column_name="派出单位")
    receiving_unit = fields.Field(
        attribute="receiving_unit__name", column_name="对口支援单位"
    )
    position = fields.Field(attribute="position", column_name="职务")
    batch = fields.Field(attribute="batch__label", column_name="批次")
    term = fields.Field(attribute="term", column_name="期")
    arrived_on = fields.Field(attribute="arrived_on", column_name="到岗日期")
    left_on = fields.Field(attribute="left_on", column_name="离岗日期")

    class Meta:
        model = Assignment
        fields = (
            "name",
            "sending_unit",
            "receiving_unit",
            "position",
            "batch",
            "term",
            "arrived_on",
            "left_on",
        )
        skip_unchanged = False
        report_skipped = True

    def __init__(
        self, *, batch_number=None, term="", category="", publish=True, **kwargs
    ):
        super().__init__(**kwargs)
        self.options = {
            "batch_number": batch_number,
            "term": term,
            "category": category,
        }
        self.writer = RosterWriter(publish=publish)
        self.seen = {}

    def before_import(self, dataset, **kwargs):
        try:
            self.mapping = map_headers(dataset.headers or [])
        except RosterFileError:
            # Nothing to import row by row: report the header once.
            dataset.wipe()
            raise
        if not len(dataset):
            raise RosterFileError([RowError(1, "file", "文件中没有任何人员记录")])

    def before_import_row(self, row, row_number=None, **kwargs):
        cells = list(row.values())
        values = {
            field: cells[index] if index < len(cells) else None
            for index, field in self.mapping.items()
        }
        # File line numbers, as import_roster reports them: the header is line 1.
        cleaned, errors = clean_row(row_number + 1, values)
        if not errors:
            errors = roster_check(
                rows=[cleaned], batch_number=self.options["batch_number"]
            )
            key = (
                normalize(cleaned.name),
                normalize(cleaned.sending_unit),
                normalize(cleaned.receiving_unit),
                cleaned.batch or self.options["batch_number"],
            )
            if not errors and key in self.seen:
                errors = [RowError(cleaned.row, "name", f"与第{self.seen[key]}行重复")]
            self.seen.setdefault(key, cleaned.row)
        if errors:
            raise _row_validation_error(errors)
        self.current = cleaned

    def get_or_init_instance(self, instance_loader, row):
        assignment, created, self.values = self.writer.resolve(
            self.current, **self.options
        )
        return assignment, created

    def import_instance(self, instance, row, **kwargs):
        for name, value in self.values.items():
            setattr(instance, name, value)

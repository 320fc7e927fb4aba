"""The roster import of the admin (django-import-export), on the same rules as
``import_roster``: the same headers, row checks and RosterWriter."""

import csv
import io
from datetime import date
from functools import partial
from pathlib import PurePath

import tablib
from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.formats.base_formats import CSV, XLSX, Format
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.results import Result

from aidportal.kernel.policy import Actor
from personnel.importers import (
    EMPTY_FILE,
    FIELD_LABELS,
    NO_BATCH_ON_FORM,
    NO_ROWS,
    NOT_XLSX,
    RosterCheck,
    RosterFileError,
    RowError,
    clean_row,
    decode_text,
    map_headers,
    read_press_release,
    values_of,
)
from personnel.models import Assignment, Category
from personnel.services import RosterWriter, roster_lock


class RosterOptionsMixin(forms.Form):
    batch = forms.IntegerField(
        label=_("批次"),
        min_value=1,
        max_value=999,
        required=False,
        help_text=_("文件没有“批次”列时必填，例如 10。"),
    )
    term = forms.CharField(
        label=_("期"), max_length=20, required=False, help_text=_("例如：首期。")
    )
    category = forms.ChoiceField(
        label=_("类别"),
        choices=[("", _("按受援单位推断")), *list(Category.choices)],
        required=False,
    )
    arrived_on = forms.DateField(
        label=_("到岗日期"),
        required=False,
        widget=AdminDateWidget,
        help_text=_("用于文件中没有到岗日期的行；留空则按所在期（或批次）的日期。"),
    )
    left_on = forms.DateField(
        label=_("离岗日期"),
        required=False,
        widget=AdminDateWidget,
        help_text=_("用于文件中没有离岗日期的行；留空则按所在期（或批次）的日期。"),
    )

    def clean(self):
        cleaned = super().clean()
        arrived, left = cleaned.get("arrived_on"), cleaned.get("left_on")
        if arrived and left and left < arrived:
            self.add_error("left_on", _("离岗日期不能早于到岗日期。"))
        return cleaned


OPTION_FIELDS = ("batch", "term", "category", "arrived_on", "left_on")


class RosterImportForm(RosterOptionsMixin, ImportForm):
    """The import form without a format to pick: the file's extension says it
    (.txt press release, .csv, .xlsx), as ``import_roster`` reads it."""

    def __init__(self, formats, resources, **kwargs):
        kwargs.setdefault("label_suffix", "：")
        super().__init__(formats, resources, **kwargs)
        self.extensions = {
            f".{f().get_extension()}": str(i) for i, f in enumerate(formats)
        }
        self.fields["import_file"].label = _("名单文件")
        self.fields["import_file"].help_text = _(
            "新闻稿名单（.txt）、CSV（.csv）或 Excel（.xlsx），"
            "按文件扩展名识别格式；不超过 %(size)d MB。"
        ) % {"size": settings.ROSTER_IMPORT_MAX_BYTES // 2**20}
        self.fields["import_file"].widget.attrs["accept"] = ",".join(self.extensions)
        self.fields["format"].required = False
        self.fields["format"].widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("import_file")
        if upload is None:
            return cleaned
        extension = PurePath(upload.name).suffix.lower()
        if extension not in self.extensions:
            self.add_error(
                "import_file",
                _("不支持“%(ext)s”文件：请上传 .txt（新闻稿名单）、.csv 或 .xlsx。")
                % {"ext": extension or _("无扩展名")},
            )
        elif upload.size > settings.ROSTER_IMPORT_MAX_BYTES:
            self.add_error(
                "import_file",
                _("文件过大（%(size).1f MB）：最多 %(limit)d MB。")
                % {
                    "size": upload.size / 2**20,
                    "limit": settings.ROSTER_IMPORT_MAX_BYTES // 2**20,
                },
            )
        else:
            cleaned["format"] = self.extensions[extension]
        if (
            extension == ".txt"
            and not cleaned.get("batch")
            and "batch" not in self.errors
        ):
            # A press release never says its batch: the form must.
            self.add_error(
                "batch", _("新闻稿名单（.txt）没有“批次”列：请填写批次，例如 10。")
            )
        return cleaned


class RosterConfirmImportForm(RosterOptionsMixin, ConfirmImportForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in OPTION_FIELDS:
            self.fields[name].widget = forms.HiddenInput()


def _row_validation_error(row_errors):
    return ValidationError({error.label: [error.reason] for error in row_errors})


def _no_rows(dataset):
    if not dataset.height:
        raise RosterFileError([NO_ROWS])
    return dataset


class RosterCSV(CSV):
    """A CSV read as bytes and decoded as ``import_roster`` decodes it: UTF-8
    with or without a BOM, and the line of the first bad byte named."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        text = decode_text(in_stream)
        # tablib's errors say neither the line nor the reason (a NUL byte, a
        # cell past the field size limit): read it once to find them.
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            for _row in reader:
                pass
        except csv.Error as error:
            raise RosterFileError(
                [RowError(reader.line_num, "file", str(error))]
            ) from None
        return _no_rows(super().create_dataset(text, **kwargs))


class RosterTXT(Format):
    """A roster printed as in a press release, read by ``import_roster``'s
    reader; the dataset remembers each row's line in the file."""

    HEADERS = ("name", "sending_unit", "receiving_unit", "position")

    def __init__(self, encoding=None):
        self.encoding = encoding

    @classmethod
    def is_available(cls):
        return True

    def get_content_type(self):
        return "text/plain"

    def get_title(self):
        return "txt"

    def get_extension(self):
        return "txt"

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def can_import(self):
        return True

    def can_export(self):
        return False

    def create_dataset(self, in_stream, **kwargs):
        rows = read_press_release(in_stream)
        dataset = tablib.Dataset(
            *([values[field] for field in self.HEADERS] for _line, values in rows),
            headers=[FIELD_LABELS[field] for field in self.HEADERS],
        )
        dataset.line_numbers = [line for line, _values in rows]
        return _no_rows(dataset)


class RosterXLSX(XLSX):
    def create_dataset(self, in_stream):
        if not in_stream:
            raise RosterFileError([EMPTY_FILE])
        try:
            dataset = super().create_dataset(in_stream)
        # openpyxl fails on a damaged workbook with many kinds of error.
        except Exception:
            raise RosterFileError([NOT_XLSX]) from None
        return _no_rows(dataset)


class RosterResult(Result):
    """Rows numbered as lines of the file, as ``import_roster`` and Excel
    number them: in a table the header is line 1; a press release says where
    each person's line is. django-import-export counts from the first data row."""

    def __init__(self, *, resource=None):
        super().__init__()
        self.resource = resource

    def line(self, number):
        return self.resource.line_of(number) if self.resource else number + 1

    def append_invalid_row(self, number, row, validation_error):
        super().append_invalid_row(self.line(number), row, validation_error)

    def append_error_row(self, number, row, errors):
        super().append_error_row(self.line(number), row, errors)


class RosterResource(resources.ModelResource):
    name = fields.Field(attribute="person__name", column_name="姓名")
    sending_unit = fields.Field(attribute="sending_unit__name", column_name="派出单位")
    receiving_unit = fields.Field(
        attribute="receiving_unit__name", column_name="对口支援单位"
    )
    position = fields.Field(attribute="position", column_name="职务")
    batch = fields.Field(attribute="batch__label", column_name="批次")
    term = fields.Field(attribute="term__name", column_name="期")
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
        self,
        *,
        batch_number: int | None = None,
        term: str = "",
        category: str = "",
        arrived_on: date | None = None,
        left_on: date | None = None,
        user: Actor = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.options = {
            "batch_number": batch_number,
            "term": term,
            "category": category,
            "arrived_on": arrived_on,
            "left_on": left_on,
        }
        self.writer = RosterWriter(user=user)
        self.check = RosterCheck(
            batch_number=batch_number,
            arrived_on=arrived_on,
            left_on=left_on,
            no_batch=NO_BATCH_ON_FORM,
        )

    def get_result_class(self):
        return partial(RosterResult, resource=self)

    def line_of(self, number):
        """The file's line of the dataset's row ``number`` (from 1)."""
        return self.line_numbers[number - 1]

    def before_import(self, dataset, **kwargs):
        try:
            self.mapping = map_headers(dataset.headers or [])
        except RosterFileError:
            # Nothing to import row by row: report the header once.
            dataset.wipe()
            raise
        _no_rows(dataset)
        # Every row is checked before any is written. With a bad row anywhere
        # nothing will be saved, so the good rows are not even looked up.
        # File line numbers, as import_roster reports them.
        self.line_numbers = getattr(dataset, "line_numbers", None) or range(
            2, dataset.height + 2
        )
        self.checked = {
            number: self.check_row(self.line_of(number), cells)
            for number, cells in enumerate(dataset, start=1)
        }
        self.file_has_errors = any(errors for _, errors in self.checked.values())
        if not self.file_has_errors:
            # In the import's transaction (IMPORT_EXPORT_USE_TRANSACTIONS).
            roster_lock()
            self.writer.prime(row.name for row, _ in self.checked.values())

    def check_row(self, number, cells):
        """(RosterRow, []) or (None, [RowError, …]) for one line of the file."""
        cleaned, errors = clean_row(number, values_of(self.mapping, cells))
        if not errors:
            errors = self.check.errors(cleaned)
        return (None, errors) if errors else (cleaned, [])

    def before_import_row(self, row, row_number=None, **kwargs):
        self.current, errors = self.checked[row_number]
        if errors:
            raise _row_validation_error(errors)

    def get_or_init_instance(self, instance_loader, row):
        if self.file_has_errors:
            self.values = {}
            return Assignment(), True
        assignment, created, self.values = self.writer.resolve(
            self.current, **self.options
        )
        return assignment, created

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return self.file_has_errors or super().skip_row(
            instance, original, row, import_validation_errors
        )

    def import_instance(self, instance, row, **kwargs):
        for name, value in self.values.items():
            setattr(instance, name, value)

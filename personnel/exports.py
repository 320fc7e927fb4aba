"""The roster as spreadsheet files: public fields only, safe to open in Excel."""

import csv
import io

from openpyxl import Workbook

from personnel.models import Category

COLUMNS = [
    "姓名",
    "类别",
    "批次",
    "期",
    "派出单位",
    "对口支援单位",
    "职务",
    "到岗日期",
    "离岗日期",
]
# A cell Excel would read as a formula (or DDE) is written as text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CATEGORY_LABELS = dict(Category.choices)


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def roster_rows(assignments):
    """One list of cell values per assignment, in COLUMNS order."""
    for a in assignments:
        yield [
            safe_cell(value)
            for value in (
                a.person.name,
                str(CATEGORY_LABELS.get(a.person.category, "")),
                a.batch.label,
                a.term,
                a.sending_unit.name,
                a.receiving_unit.name,
                a.position,
                a.arrived_on,
                a.left_on,
            )
        ]


class _Echo:
    def write(self, value):
        return value


def roster_csv_lines(assignments):
    """CSV lines for streaming: UTF-8 with a BOM, so Excel reads the Chinese."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(COLUMNS)
    for row in roster_rows(assignments):
        yield writer.writerow(
            [
                "" if v is None else v.isoformat() if hasattr(v, "isoformat") else v
                for v in row
            ]
        )


def roster_xlsx(assignments):
    """The bytes of an XLSX workbook of the rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("援疆人员名单")
    sheet.append(COLUMNS)
    for row in roster_rows(assignments):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

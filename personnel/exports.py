"""The roster as spreadsheet files: public fields only, safe to open in Excel.

Rows are read as tuples of values, a few thousand at a time, and written to
a file as they come: memory stays flat whatever the size. The views build
each file once per site version (aidportal.kernel.downloads).
"""

import csv
import io
from collections.abc import Iterable, Iterator
from typing import IO

import xlsxwriter

from aidportal.kernel.downloads import safe_cell
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
# The values of each row, in COLUMNS order.
VALUES = [
    "person__name",
    "person__category",
    "batch__label",
    "term__name",
    "sending_unit__name",
    "receiving_unit__name",
    "position",
    "arrived_on",
    "left_on",
]
CHUNK = 5000
CATEGORY_LABELS = {value: str(label) for value, label in Category.choices}


def roster_values(assignments) -> Iterator[tuple]:
    """The export's values of each assignment, never a model instance."""
    return assignments.values_list(*VALUES).iterator(chunk_size=CHUNK)


def roster_rows(values: Iterable[tuple]) -> Iterator[list]:
    """One list of cell values per row of values, in COLUMNS order."""
    for name, category, *rest in values:
        yield [
            safe_cell(value)
            for value in (name, CATEGORY_LABELS.get(category, ""), *rest)
        ]


def write_csv(values: Iterable[tuple], out: IO[bytes]) -> None:
    """CSV in UTF-8 with a BOM, so Excel reads the Chinese."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(COLUMNS)
    for row in roster_rows(values):
        writer.writerow(
            [
                "" if v is None else v.isoformat() if hasattr(v, "isoformat") else v
                for v in row
            ]
        )
    text.flush()
    text.detach()


def write_xlsx(values: Iterable[tuple], out: IO[bytes]) -> None:
    """An XLSX workbook written row by row in constant memory: text as text
    (never a formula), dates as dates."""
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True})
    sheet = workbook.add_worksheet("援疆人员名单")
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, COLUMNS)
    for number, row in enumerate(roster_rows(values), start=1):
        for column, value in enumerate(row):
            if value is None:
                continue
            if hasattr(value, "isoformat"):
                sheet.write_datetime(number, column, value, date)
            else:
                sheet.write_string(number, column, value)
    workbook.close()

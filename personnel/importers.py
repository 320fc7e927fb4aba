"""Reading rosters: press-release text, CSV and XLSX, into checked rows.

Nothing here writes to the database (that is ``services.roster_import``). A
reader returns ``(row_number, {field: value})`` pairs; ``clean_row`` turns one
into a ``RosterRow`` or a list of ``RowError`` naming the field and the reason.
"""

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePath

from aidportal.kernel.chinese import (
    canonical_name,
    normalize,
    parse_chinese_number,
    parse_date,
)
from personnel.models import Category

# Canonical field → the header printed on Chinese rosters.
FIELD_LABELS = {
    "name": "姓名",
    "sending_unit": "派出单位",
    "receiving_unit": "对口支援单位",
    "position": "职务",
    "category": "类别",
    "batch": "批次",
    "term": "期",
    "arrived_on": "到岗日期",
    "left_on": "离岗日期",
}
REQUIRED_HEADERS = ("name", "sending_unit", "receiving_unit")
HEADER_ALIASES = {
    **{normalize(label): field for field, label in FIELD_LABELS.items()},
    **{field: field for field in FIELD_LABELS},
    "对口支援单位职务": "position",
    "受援单位": "receiving_unit",
    "期次": "term",
    "sendingunit": "sending_unit",
    "receivingunit": "receiving_unit",
    "arrivedon": "arrived_on",
    "lefton": "left_on",
}
MAX_LENGTHS = {
    "name": 50,
    "sending_unit": 100,
    "receiving_unit": 100,
    "position": 200,
    "term": 20,
}
CATEGORY_VALUES = {
    **{normalize(str(label)): value for value, label in Category.choices},
    **{value: value for value in Category.values},
}
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
DATE_HINT = "请用 2021-07-01、2021/7/1、2021.7.1 或 2021年7月1日"


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    reason: str

    @property
    def label(self):
        """The field as the roster's header names it ("file": the file)."""
        return {**FIELD_LABELS, "file": "文件"}.get(self.field, self.field)

    def __str__(self):
        return f"第{self.row}行 {self.label}（{self.field}）：{self.reason}"

    @property
    def for_staff(self):
        """As the admin shows it: in Chinese only, without the field's code."""
        return f"第{self.row}行 {self.label}：{self.reason}"


@dataclass(frozen=True)
class RosterRow:
    row: int
    name: str
    sending_unit: str
    receiving_unit: str
    position: str = ""
    category: str = ""
    batch: int | None = None
    term: str = ""
    arrived_on: date | None = None
    left_on: date | None = None


# Errors of a whole file, whichever path reads it (import_roster, the admin).
EMPTY_FILE = RowError(1, "file", "文件是空的")
NO_ROWS = RowError(1, "file", "文件中没有任何人员记录")
NOT_XLSX = RowError(1, "file", "不是有效的 .xlsx 文件（请用 Excel 另存为 .xlsx）")
UNSUPPORTED = RowError(1, "file", "只支持 .txt（新闻稿名单）、.csv 和 .xlsx 文件")


class RosterFileError(Exception):
    """The file cannot be read as a roster; ``errors`` says where and why."""

    def __init__(self, errors):
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


def map_headers(headers, *, row=1):
    """Column index → field for a header row, or RosterFileError."""
    mapping, errors = {}, []
    for index, header in enumerate(headers):
        key = normalize(str(header or ""))
        if not key:
            continue
        field = HEADER_ALIASES.get(key)
        if field is None:
            errors.append(RowError(row, str(header).strip(), "无法识别的列名"))
        elif field in mapping.values():
            errors.append(RowError(row, field, "列名重复"))
        else:
            mapping[index] = field
    for field in REQUIRED_HEADERS:
        if field not in mapping.values():
            errors.append(RowError(row, field, "缺少此列"))
    if errors:
        raise RosterFileError(errors)
    return mapping


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def _batch_number(text):
    match = re.fullmatch(r"第?\s*(\d{1,4})\s*批?", unicodedata.normalize("NFKC", text))
    if not match:
        chinese = re.fullmatch(r"第?([一二三四五六七八九十]{1,3})批?", text)
        if not chinese:
            raise ValueError(text)
        return parse_chinese_number(chinese.group(1))
    return int(match.group(1))


def clean_row(row_number, values):
    """Check one row; return (RosterRow, []) or (None, [RowError, …])."""
    errors, cleaned = [], {}
    for field in FIELD_LABELS:
        raw = values.get(field)
        if field in ("arrived_on", "left_on"):
            try:
                cleaned[field] = parse_date(raw)
            except ValueError:
                errors.append(
                    RowError(row_number, field, f"无法识别的日期“{raw}”，{DATE_HINT}")
                )
            continue
        text = _text(raw)
        if CONTROL_CHARACTERS.search(text):
            errors.append(RowError(row_number, field, "含有控制字符（如 NUL）"))
            continue
        if field == "name":
            # The padding of a press release ("季 成") is no part of the name.
            text = canonical_name(text)
        if len(text) > MAX_LENGTHS.get(field, 50):
            limit = MAX_LENGTHS.get(field, 50)
            errors.append(RowError(row_number, field, f"超过 {limit} 个字符"))
            continue
        cleaned[field] = text

    for field in REQUIRED_HEADERS:
        if field in cleaned and not normalize(cleaned[field]):
            errors.append(RowError(row_number, field, "不能为空"))
    if cleaned.get("category"):
        category = CATEGORY_VALUES.get(normalize(cleaned["category"]))
        if category is None:
            choices = "、".join(str(label) for label in Category.labels)
            errors.append(RowError(row_number, "category", f"应为{choices}之一"))
        cleaned["category"] = category or ""
    if cleaned.get("batch"):
        try:
            cleaned["batch"] = _batch_number(cleaned["batch"])
        except (ValueError, IndexError):
            errors.append(RowError(row_number, "batch", "应为数字，如 10 或 第十批"))
        else:
            if not 0 < cleaned["batch"] < 1000:
                errors.append(RowError(row_number, "batch", "应在 1 到 999 之间"))
    else:
        cleaned["batch"] = None
    arrived, left = cleaned.get("arrived_on"), cleaned.get("left_on")
    if arrived and left and left < arrived:
        errors.append(RowError(row_number, "left_on", "离岗日期早于到岗日期"))
    if errors:
        return None, errors
    return RosterRow(row=row_number, **cleaned), []


# A row with no batch, and none given for the import: what to do, in the
# words of the command line (``import_roster``) or of the admin's form.
NO_BATCH = "未指定批次（用 --batch 或“批次”列）"
NO_BATCH_ON_FORM = "未指定批次：请在“批次”中填写，或在文件中加“批次”列"


class RosterCheck:
    """What no single row shows, row after row: a missing batch (neither in
    the row nor given for the import), the same person twice in the file, a
    row's date out of order with the import's (``arrived_on``, ``left_on``)."""

    def __init__(
        self,
        *,
        batch_number: int | None = None,
        arrived_on: date | None = None,
        left_on: date | None = None,
        no_batch: str = NO_BATCH,
    ):
        self.batch_number = batch_number
        self.no_batch = no_batch
        self.arrived_on, self.left_on = arrived_on, left_on
        self.seen = {}

    def errors(self, row: RosterRow) -> list[RowError]:
        batch = row.batch or self.batch_number
        if not batch:
            return [RowError(row.row, "batch", self.no_batch)]
        errors = self.date_errors(row)
        key = (
            normalize(row.name),
            normalize(row.sending_unit),
            normalize(row.receiving_unit),
            batch,
        )
        if key in self.seen:
            errors.append(RowError(row.row, "name", f"与第{self.seen[key]}行重复"))
        else:
            self.seen[key] = row.row
        return errors

    def date_errors(self, row: RosterRow) -> list[RowError]:
        """A row's own date before or after the import's: out of order.
        (Both of the row's own are checked by ``clean_row``.)"""
        arrived, left = row.arrived_on or self.arrived_on, row.left_on or self.left_on
        if not (arrived and left and left < arrived):
            return []
        field = "left_on" if row.left_on else "arrived_on"
        return [
            RowError(
                row.row,
                field,
                f"离岗日期（{left.isoformat()}）早于到岗日期（{arrived.isoformat()}）",
            )
        ]


def roster_check(
    *,
    rows: list[RosterRow],
    batch_number=None,
    arrived_on=None,
    left_on=None,
    no_batch=NO_BATCH,
) -> list[RowError]:
    check = RosterCheck(
        batch_number=batch_number,
        arrived_on=arrived_on,
        left_on=left_on,
        no_batch=no_batch,
    )
    return [error for row in rows for error in check.errors(row)]


def values_of(mapping: dict[int, str], cells) -> dict:
    """{field: cell} of one line of a table, by the header's mapping."""
    return {field: cells[i] if i < len(cells) else None for i, field in mapping.items()}


def clean_rows(numbered_values) -> list[RosterRow]:
    """All rows checked; RosterFileError with every bad row if any is bad."""
    rows, errors = [], []
    for row_number, values in numbered_values:
        row, row_errors = clean_row(row_number, values)
        if row_errors:
            errors.extend(row_errors)
        else:
            rows.append(row)
    if errors:
        raise RosterFileError(errors)
    if not rows:
        raise RosterFileError([NO_ROWS])
    return rows


# Readers


def reader_for(name):
    """The reader of a roster file by its extension: .txt (press release),
    .csv or .xlsx; RosterFileError for any other."""
    readers = {".txt": read_press_release, ".csv": read_csv, ".xlsx": read_xlsx}
    reader = readers.get(PurePath(name).suffix.lower())
    if reader is None:
        raise RosterFileError([UNSUPPORTED])
    return reader


def read_roster(path):
    """Rows of a roster file, checked: .txt (press release), .csv or .xlsx."""
    path = Path(path)
    reader = reader_for(path)
    try:
        content = path.read_bytes()
    except OSError as error:
        raise RosterFileError(
            [RowError(1, "file", f"无法读取：{error.strerror}")]
        ) from None
    return clean_rows(reader(content))


def decode_text(content):
    if not content.strip():
        raise RosterFileError([EMPTY_FILE])
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise RosterFileError(
            [RowError(line, "file", "不是 UTF-8 编码；请在 Excel 中另存为“CSV UTF-8”")]
        ) from None


UNIT_LINE = re.compile(r"^对口支援单位\s*[:：]\s*(?P<unit>\S.*)$")
END_LINE = re.compile(r"^(来源|作者|编辑|责任编辑)\s*[:：]")
HEADER_CELLS = {"姓名", "派出单位", "对口支援单位职务", "职务"}
# Cells on one line are separated by tabs, a spaced slash or bar, or a run of
# two or more spaces; a single space is padding inside a name ("季 成").
CELL_SEPARATOR = re.compile(r"\t+|\s+[/|｜]\s+|[ \u3000\u00a0]{2,}")


def read_press_release(content):
    """(line number, values) of a roster printed as in a press release.

    Layout: a line ``对口支援单位:<unit>``, an optional header (姓名 / 派出单位 /
    对口支援单位职务), then name, sending unit and position, one per line or
    three on one line. Text before the first unit line and from a
    ``来源:`` / ``编辑:`` line on is the article around the list.
    """
    text = decode_text(content)
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise RosterFileError([RowError(line, "file", "含有 NUL 字符，不是文本文件")])
    rows, errors, cells, receiving_unit = [], [], [], None

    def flush(line_number):
        if cells:
            errors.append(
                RowError(
                    cells[0][0],
                    "position" if len(cells) == 2 else "sending_unit",
                    "这一行的姓名、派出单位、职务不完整（应为三项）",
                )
            )
            cells.clear()

    for line_number, line in enumerate(text.splitlines(), start=1):
        line = line.strip(" \t\u00a0\u3000\ufeff")
        if not line:
            continue
        if END_LINE.match(line):
            break
        unit = UNIT_LINE.match(unicodedata.normalize("NFKC", line))
        if unit:
            flush(line_number)
            receiving_unit = unit.group("unit").strip()
            continue
        if receiving_unit is None:
            continue
        parts = [part.strip() for part in CELL_SEPARATOR.split(line)]
        if all(normalize(part) in HEADER_CELLS for part in parts):
            continue
        if len(parts) == 3:
            flush(line_number)
            cells.extend((line_number, part) for part in parts)
        else:
            cells.append((line_number, line))
        if len(cells) == 3:
            (row_number, name), (_, sending), (_, position) = cells
            rows.append(
                (
                    row_number,
                    {
                        "name": name,
                        "sending_unit": sending,
                        "receiving_unit": receiving_unit,
                        "position": position,
                    },
                )
            )
            cells.clear()
    flush(None)
    if errors:
        raise RosterFileError(errors)
    return rows


def _numbered_rows(header, body):
    """Map a header and (row number, cells) pairs to (row number, values)."""
    mapping = map_headers(header)
    for row_number, cells in body:
        if any(_text(cell) for cell in cells):
            yield row_number, values_of(mapping, cells)


def read_csv(content):
    text = decode_text(content)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
        body = [(reader.line_num, cells) for cells in reader]
    except csv.Error as error:
        raise RosterFileError([RowError(reader.line_num, "file", str(error))]) from None
    return list(_numbered_rows(header, body))


def read_xlsx(content):
    from openpyxl import load_workbook

    if not content:
        raise RosterFileError([EMPTY_FILE])
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise RosterFileError([NOT_XLSX]) from None
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise RosterFileError([EMPTY_FILE])
        body = list(enumerate(rows, start=2))
    finally:
        workbook.close()
    return list(_numbered_rows(header, body))

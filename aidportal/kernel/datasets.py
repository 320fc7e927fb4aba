"""Bulk downloads of public data (/data/): tables described once and written
as CSV and JSON, each with a Frictionless Data Package (v1) descriptor.

A dataset is a list of columns read from a query of public rows. A column's
type and description are not written again: they are those of a field of a
pydantic schema (the open-data API's, where it has one), named by its dotted
path (``sending_unit.name``). Its files are built once per site version
(``aidportal.kernel.downloads``): a change to content makes the next request
build new ones, so a takedown is never served from an old file.
"""

import csv
import io
import json
import types
import typing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import IO, Any, Literal

from django.conf import settings
from django.db.models import QuerySet
from pydantic import BaseModel

from aidportal.kernel import downloads

CHUNK = 5000


@dataclass(frozen=True)
class Format:
    suffix: str
    content_type: str
    mediatype: str
    write: Callable[["Dataset", IO[bytes]], None]


@dataclass(frozen=True)
class Column:
    """One column: its name (the CSV header and the JSON key), its Chinese
    title, the ``values_list`` lookup that reads it, and the schema field
    (dotted path; the name by default) that gives its type and description."""

    name: str
    title: str
    lookup: str
    about: str = ""
    # Said after the schema's description (how a file writes the value).
    note: str = ""
    # The value as written, from the value read (e.g. a code's label).
    convert: Callable[[Any], Any] | None = None
    # The schema of ``about`` when not the dataset's (a related row's).
    schema: type[BaseModel] | None = None


@dataclass(frozen=True)
class Dataset:
    """A table of public rows: ``rows()`` is the query of them, in order."""

    name: str
    title: str
    description: str
    schema: type[BaseModel]
    columns: tuple[Column, ...]
    rows: Callable[[], QuerySet]
    primary_key: tuple[str, ...] = field(default=())

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]

    def fields(self) -> list[dict]:
        """The Table Schema fields: name, type, title, description."""
        return [table_field(self.schema, column) for column in self.columns]

    def values(self) -> Iterator[tuple]:
        """The rows' values as written, in column order, a chunk at a time."""
        converters = [column.convert for column in self.columns]
        rows = self.rows().values_list(*(c.lookup for c in self.columns))
        for row in rows.iterator(chunk_size=CHUNK):
            yield tuple(
                convert(value) if convert else value
                for convert, value in zip(converters, row, strict=True)
            )

    def count(self) -> int:
        return self.rows().order_by().count()


# The schema's fields


def schema_field(schema: type[BaseModel], path: str) -> tuple[Any, list[str]]:
    """(annotation, descriptions along the path) of the field ``path`` names
    in ``schema``, through nested schemas and lists of them."""
    descriptions = []
    annotation: Any = schema
    for part in path.split("."):
        info = _model_of(annotation).model_fields[part]
        descriptions.append(info.description or "")
        annotation = info.annotation
    return annotation, descriptions


def _without_none(annotation):
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) in (
        typing.Union,
    ):
        kept = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return kept[0] if len(kept) == 1 else annotation
    return annotation


def _model_of(annotation):
    annotation = _without_none(annotation)
    if typing.get_origin(annotation) is list:
        (annotation,) = typing.get_args(annotation)
    return _without_none(annotation)


TYPES = [
    # bool before int: a bool is an int.
    (bool, "boolean"),
    (int, "integer"),
    (Decimal, "number"),
    (float, "number"),
    (datetime, "datetime"),
    (date, "date"),
    (str, "string"),
]


def field_type(annotation) -> tuple[str, list | None]:
    """(Table Schema type, allowed values or None) of an annotation."""
    annotation = _model_of(annotation)
    if typing.get_origin(annotation) is Literal:
        return "string", list(typing.get_args(annotation))
    for python_type, name in TYPES:
        if isinstance(annotation, type) and issubclass(annotation, python_type):
            return name, None
    raise TypeError(f"No Table Schema type for {annotation!r}")


def table_field(schema: type[BaseModel], column: Column) -> dict:
    annotation, descriptions = schema_field(
        column.schema or schema, column.about or column.name
    )
    kind, allowed = field_type(annotation)
    # "派出单位。" and "单位全称。" say "派出单位的单位全称。"
    *outer, own = [text.rstrip("。") for text in descriptions]
    description = "".join(f"{text.split('，')[0]}的" for text in outer) + own + "。"
    if column.note:
        description += column.note
    described = {
        "name": column.name,
        "type": kind,
        "title": column.title,
        "description": description,
    }
    if allowed:
        described["constraints"] = {"enum": allowed}
    return described


# Writing the files


def cell_text(value) -> str:
    """A value as the CSV and the Table Schema write it: ISO dates, times in
    UTC ("Z"), numbers in full, nothing for a missing value."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def json_value(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return cell_text(value)


def write_csv(dataset: Dataset, out: IO[bytes]) -> None:
    """CSV in UTF-8 with a BOM (Excel reads the Chinese), the field names as
    the header, a cell Excel would read as a formula written as text."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(dataset.names)
    for row in dataset.values():
        writer.writerow([downloads.safe_cell(cell_text(value)) for value in row])
    text.flush()
    text.detach()


def write_json(dataset: Dataset, out: IO[bytes]) -> None:
    """A JSON array of objects keyed by the field names, one row a line."""
    names = dataset.names
    out.write(b"[")
    separator = b"\n"
    for row in dataset.values():
        record = {
            name: json_value(value) for name, value in zip(names, row, strict=True)
        }
        out.write(separator + json.dumps(record, ensure_ascii=False).encode())
        separator = b",\n"
    out.write(b"\n]\n")


FORMATS = {
    "csv": Format("csv", "text/csv; charset=utf-8", "text/csv", write_csv),
    "json": Format(
        "json", "application/json; charset=utf-8", "application/json", write_json
    ),
}


def file_name(dataset: Dataset, fmt: str) -> str:
    """The name of the dataset's file in ``fmt`` at the current site version."""
    return downloads.current_name(kind="data", params=dataset.name, suffix=fmt)


def stored_file(dataset: Dataset, fmt: str, *, client: str, wait: bool = False) -> str:
    """The stored file of ``dataset`` in ``fmt`` at the current site version,
    built now if there is none; past DATA_BUILD_WAIT_ROWS rows it is built in
    the background (downloads.Preparing) unless ``wait``. Raises
    downloads.Busy when the build must wait for another."""
    spec = FORMATS[fmt]
    name = file_name(dataset, fmt)
    if downloads.exists(name):
        return name
    if downloads.being_built(name):
        raise downloads.Preparing

    def write(out):
        spec.write(dataset, out)

    with downloads.client_slot(client):
        rows = downloads.row_count(name, dataset.count)
        if rows > settings.DATA_BUILD_WAIT_ROWS and not wait:
            downloads.build_in_background(name, write)
        with downloads.build_slot(name):
            if downloads.exists(name):
                return name
            return downloads.build(name, write)


# The Data Package


def data_package(dataset: Dataset, *, homepage: str = "") -> dict:
    """The Frictionless Data Package (v1) of ``dataset``: its CSV and its
    JSON, one Table Schema for both; paths relative to the descriptor."""
    schema = {"fields": dataset.fields(), "missingValues": [""]}
    if dataset.primary_key:
        schema["primaryKey"] = list(dataset.primary_key)
    resources = []
    for spec in FORMATS.values():
        resource = {
            "profile": "tabular-data-resource",
            "name": f"{dataset.name}-{spec.suffix}",
            "path": f"{dataset.name}.{spec.suffix}",
            "title": f"{dataset.title}（{spec.suffix.upper()}）",
            "format": spec.suffix,
            "mediatype": spec.mediatype,
            "encoding": "utf-8",
            "schema": schema,
        }
        if spec.suffix == "csv":
            resource["description"] = (
                "UTF-8 编码，文件开头带 BOM（便于 Excel 打开）；首行为字段名（name）。"
                "以 = + - @ 开头的单元格前加英文单引号，以免被电子表格当作公式。"
            )
            resource["dialect"] = {
                "delimiter": ",",
                "lineTerminator": "\r\n",
                "quoteChar": '"',
                "doubleQuote": True,
                "header": True,
            }
        else:
            resource["description"] = "JSON 数组，每行一个对象，键为字段名（name）。"
        resources.append(resource)
    package = {
        "profile": "tabular-data-package",
        "name": dataset.name,
        "title": dataset.title,
        "description": dataset.description,
        "resources": resources,
    }
    if homepage:
        package["homepage"] = homepage
    return package


def data_package_bytes(dataset: Dataset, *, homepage: str = "") -> bytes:
    package = data_package(dataset, homepage=homepage)
    return json.dumps(package, ensure_ascii=False, indent=2).encode() + b"\n"


def datasets_by_name(datasets: Iterable[Dataset]) -> dict[str, Dataset]:
    """The datasets by name; a name given twice is a mistake, said at once."""
    named = {}
    for dataset in datasets:
        if dataset.name in named:
            raise ValueError(f"Two datasets named {dataset.name!r}")
        named[dataset.name] = dataset
    return named

"""Parse uploaded tables (CSV, Excel, JSON, Parquet) into columns, typed rows and errors.

Pure Python (no Django). ``parse_table`` either returns a ``ParsedTable`` or raises
``TableError`` whose ``errors`` say what was wrong and where (row, field), so the upload can
be refused before anything is stored.

Text files are decoded as UTF-8 with BOM, UTF-8, or GBK (as its superset GB18030), in that
order; a file that is none of these, or holds NUL bytes, is refused as corrupt.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

FORMATS = ("CSV", "XLSX", "JSON", "PARQUET")
MAX_ERRORS = 50
_INT = re.compile(r"^[+-]?\d{1,18}$")
_NUM = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BOOL = {"true": True, "false": False, "是": True, "否": False}
# a column typed boolean also takes 1/0 and yes/no (inference leaves 1/0 columns integers)
_BOOL_GIVEN = {**_BOOL, "1": True, "0": False, "yes": True, "no": False}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # integer | number | boolean | date | string
    required: bool = False
    description: str = ""


def gettext_noop(message: str) -> str:
    """Marks a message for translation (``makemessages`` collects it); the Django shell
    translates ``template % params`` when it shows the error."""
    return message


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based data row number (the header is row 0)
    field: str
    template: str
    params: dict[str, Any] = dataclass_field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.template % self.params if self.params else self.template

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", field “{self.field}”" if self.field else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ParsedTable:
    format: str
    encoding: str
    columns: tuple[Column, ...]
    rows: tuple[dict[str, Any], ...]


@dataclass
class TableError(Exception):
    template: str
    errors: list[RowError] = dataclass_field(default_factory=list)
    params: dict[str, Any] = dataclass_field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.template % self.params if self.params else self.template

    def __str__(self) -> str:
        if not self.errors:
            return self.message
        return self.message + "; " + "; ".join(str(e) for e in self.errors[:5])


def detect_format(filename: str, declared: str = "") -> str:
    declared = declared.strip().upper()
    if declared in ("XLS", "EXCEL"):
        declared = "XLSX"
    if declared in FORMATS:
        return declared
    ext = filename.rsplit(".", 1)[-1].upper() if "." in filename else ""
    if ext in ("XLSX", "XLSM"):
        return "XLSX"
    if ext in FORMATS:
        return ext
    return ""


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name) of a text file, or TableError."""
    if b"\x00" in data:
        raise TableError(
            gettext_noop("The file contains binary data (NUL bytes); it is not a text table.")
        )
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise TableError(
                gettext_noop("The file starts as UTF-8 but byte %(offset)s is invalid."),
                params={"offset": exc.start},
            ) from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gbk"
    except UnicodeDecodeError as exc:
        raise TableError(
            gettext_noop(
                "The file is neither UTF-8 nor GBK text (invalid byte at offset %(offset)s)."
            ),
            params={"offset": exc.start},
        ) from exc


def parse_table(
    data: bytes, *, filename: str, declared_format: str = "", schema: Sequence[Column] = ()
) -> ParsedTable:
    fmt = detect_format(filename, declared_format)
    if not fmt:
        raise TableError(
            gettext_noop(
                "“%(file)s” is not a table format this platform reads (CSV, Excel, JSON, Parquet)."
            ),
            params={"file": filename},
        )
    if not data:
        raise TableError(gettext_noop("The file is empty."))
    encoding = ""
    if fmt == "CSV":
        text, encoding = decode(data)
        header, raw_rows = _read_csv(text)
    elif fmt == "JSON":
        text, encoding = decode(data)
        header, raw_rows = _read_json(text)
    elif fmt == "XLSX":
        header, raw_rows = _read_xlsx(data)
    else:
        header, raw_rows = _read_parquet(data)
    _check_header(header)
    columns = tuple(schema) if schema else _infer(header, raw_rows)
    rows = _validate(columns, header, raw_rows)
    return ParsedTable(format=fmt, encoding=encoding, columns=columns, rows=rows)


MAX_NAME = 200  # characters in a column name


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a column name (a message template with ``%(name)s``), or None.

    A leading "_" is kept for the store's own fields (``_id``); SQLite's JSON paths cannot hold
    a double quote in a key, so rows could not be queried by such a field; PostgreSQL's text
    cannot hold a NUL character."""
    if name.startswith("_") or '"' in name or "\x00" in name or len(name) > MAX_NAME:
        return gettext_noop(
            "Column name “%(name)s” may not start with “_”, contain a double quote or a NUL "
            "character, or pass 200 characters."
        )
    return None


def _check_header(header: list[str]) -> None:
    if not header:
        raise TableError(gettext_noop("The table has no header row."))
    seen: set[str] = set()
    for position, name in enumerate(header, start=1):
        if not name:
            raise TableError(
                gettext_noop("Column %(n)s of the header has no name."), params={"n": position}
            )
        problem = name_problem(name)
        if problem is not None:
            raise TableError(problem, params={"name": name})
        if name in seen:
            raise TableError(
                gettext_noop("Column name “%(name)s” appears twice in the header."),
                params={"name": name},
            )
        seen.add(name)


def _read_csv(text: str) -> tuple[list[str], list[list[Any]]]:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        all_rows = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise TableError(
            gettext_noop("The CSV file is malformed at line %(line)s: %(error)s."),
            params={"line": reader.line_num, "error": exc},
        ) from exc
    if not all_rows:
        raise TableError(gettext_noop("The file has no rows."))
    header = [cell.strip() for cell in all_rows[0]]
    errors = [
        RowError(
            n,
            "",
            gettext_noop("expected %(expected)s fields, found %(found)s"),
            {"expected": len(header), "found": len(row)},
        )
        for n, row in enumerate(all_rows[1:], start=1)
        if len(row) != len(header)
    ]
    if errors:
        raise TableError(gettext_noop("Some rows do not match the header."), errors[:MAX_ERRORS])
    return header, [list(row) for row in all_rows[1:]]


def _read_json(text: str) -> tuple[list[str], list[list[Any]]]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TableError(
            gettext_noop("The JSON is malformed at line %(line)s, column %(column)s: %(error)s."),
            params={"line": exc.lineno, "column": exc.colno, "error": exc.msg},
        ) from exc
    if isinstance(doc, dict):
        doc = doc.get("records", doc.get("data"))
    if not isinstance(doc, list) or not all(isinstance(item, dict) for item in doc):
        raise TableError(gettext_noop('The JSON must be a list of objects (or {"records": […]}).'))
    header: list[str] = []
    for item in doc:
        for key in item:
            if key not in header:
                header.append(str(key))
    errors = [
        RowError(n, str(key), gettext_noop("nested values are not allowed in a table"))
        for n, item in enumerate(doc, start=1)
        for key, value in item.items()
        if isinstance(value, dict | list)
    ]
    if errors:
        raise TableError(gettext_noop("Some records are not flat."), errors[:MAX_ERRORS])
    return header, [[item.get(name) for name in header] for item in doc]


def _read_xlsx(data: bytes) -> tuple[list[str], list[list[Any]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise TableError(
            gettext_noop("The Excel file cannot be opened (%(error)s); it may be corrupt."),
            params={"error": type(exc).__name__},
        ) from exc
    sheet = book.worksheets[0]
    all_rows = [
        list(row)
        for row in sheet.iter_rows(values_only=True)
        if any(v not in (None, "") for v in row)
    ]
    book.close()
    if not all_rows:
        raise TableError(gettext_noop("The first sheet has no rows."))
    header = [str(v).strip() if v is not None else "" for v in all_rows[0]]
    while header and header[-1] == "":
        header.pop()
    return header, [row[: len(header)] for row in all_rows[1:]]


def _read_parquet(data: bytes) -> tuple[list[str], list[list[Any]]]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data))
    except Exception as exc:
        raise TableError(
            gettext_noop("The Parquet file cannot be read (%(error)s); it may be corrupt."),
            params={"error": exc},
        ) from exc
    header = [str(name) for name in table.column_names]
    records = table.to_pylist()
    return header, [[record.get(name) for name in header] for record in records]


def _kind(value: Any) -> str | None:
    """The narrowest type a single value fits, or None when empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, dt.datetime | dt.date):
        return "date"
    text = str(value).strip()
    if text == "":
        return None
    if _INT.match(text):
        return "integer"
    if _NUM.match(text):
        return "number"
    if text.lower() in _BOOL:
        return "boolean"
    if _DATE.match(text):
        return "date"
    return "string"


_WIDEN = {("integer", "number"): "number", ("number", "integer"): "number"}


def _infer(header: list[str], rows: list[list[Any]]) -> tuple[Column, ...]:
    columns = []
    for index, name in enumerate(header):
        found: str | None = None
        for row in rows:
            kind = _kind(row[index] if index < len(row) else None)
            if kind is None or kind == found:
                continue
            found = kind if found is None else _WIDEN.get((found, kind), "string")
            if found == "string":
                break
        columns.append(Column(name=name, type=found or "string"))
    return tuple(columns)


class ConversionError(ValueError):
    """A value that does not fit its column type; ``str()`` gives the English message."""

    def __init__(self, template: str, value: Any) -> None:
        self.template = template
        self.params = {"value": value}
        super().__init__(template % self.params)


def convert(value: Any, type_: str) -> Any:
    """``value`` as ``type_``; raises ValueError with a readable message."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if type_ == "string":
        if isinstance(value, dt.datetime | dt.date):
            return value.isoformat()
        return str(value)
    if type_ == "integer":
        if isinstance(value, bool):
            raise ConversionError(gettext_noop("“%(value)s” is not an integer"), value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int):
            return value
        text = str(value).strip()
        if not _INT.match(text):
            raise ConversionError(gettext_noop("“%(value)s” is not an integer"), text)
        return int(text)
    if type_ == "number":
        if isinstance(value, float) and not math.isfinite(value):  # NaN or Infinity from JSON
            raise ConversionError(gettext_noop("“%(value)s” is not a number"), value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        text = str(value).strip()
        if not _NUM.match(text):
            raise ConversionError(gettext_noop("“%(value)s” is not a number"), text)
        return float(text)
    if type_ == "boolean":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text not in _BOOL_GIVEN:
            raise ConversionError(gettext_noop("“%(value)s” is not true/false"), value)
        return _BOOL_GIVEN[text]
    if type_ == "date":
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        text = str(value).strip()
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ConversionError(
                gettext_noop("“%(value)s” is not a date (YYYY-MM-DD)"), text
            ) from None
    raise ConversionError(gettext_noop("unknown type “%(value)s”"), type_)


def _validate(
    columns: Sequence[Column], header: list[str], raw_rows: list[list[Any]]
) -> tuple[dict[str, Any], ...]:
    positions = {name: i for i, name in enumerate(header)}
    errors: list[RowError] = []
    missing = [c.name for c in columns if c.name not in positions]
    if missing:
        raise TableError(
            gettext_noop("The file lacks fields the schema requires: %(fields)s."),
            params={"fields": ", ".join(missing)},
        )
    rows: list[dict[str, Any]] = []
    for number, raw in enumerate(raw_rows, start=1):
        row: dict[str, Any] = {}
        for column in columns:
            value = raw[positions[column.name]] if positions[column.name] < len(raw) else None
            try:
                converted = convert(value, column.type)
            except ConversionError as exc:
                errors.append(RowError(number, column.name, exc.template, exc.params))
                continue
            if converted is None and column.required:
                errors.append(RowError(number, column.name, gettext_noop("a value is required")))
            row[column.name] = converted
        rows.append(row)
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        raise TableError(gettext_noop("Some rows do not match the schema."), errors)
    return tuple(rows)

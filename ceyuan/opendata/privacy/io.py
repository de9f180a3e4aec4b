"""Reading and writing release files: encoding detection, streaming, atomic output.

Formats: CSV, Excel (.xlsx), JSON (an array of objects, or one object), JSON Lines and plain
text. CSV, JSONL, text and Excel are streamed in chunks, so files larger than memory work;
JSON is parsed whole (the format has no record boundaries to stream on).

Encodings: UTF-8, UTF-8 with BOM and GBK/GB18030 (GB18030 is a superset of GBK and
decodes it). Detection reads a sample; decoding is strict afterwards, so a corrupt byte or a
line in another encoding later in the file raises ``InputError`` naming the file, the line
and the byte offset. Output is written to a temporary file beside the target and renamed
into place only when complete: nothing is ever half-written.
"""

from __future__ import annotations

import codecs
import csv
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TextIO

FORMATS = ("csv", "xlsx", "json", "jsonl", "text")
_SAMPLE_BYTES = 1 << 20
_CSV_FIELD_LIMIT = 1 << 30


class InputError(ValueError):
    """A file cannot be read as asked; the message says which file and where."""


def detect_format(path: Path, explicit: str | None = None) -> str:
    if explicit:
        if explicit not in FORMATS:
            raise InputError(
                f"{path}: unknown format {explicit!r}; use one of {', '.join(FORMATS)}"
            )
        return explicit
    suffix = path.suffix.lower()
    return {
        ".csv": "csv",
        ".tsv": "csv",
        ".xlsx": "xlsx",
        ".xlsm": "xlsx",
        ".json": "json",
        ".jsonl": "jsonl",
        ".ndjson": "jsonl",
    }.get(suffix, "text")


def _line_col(data: bytes, pos: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, pos) + 1
    return line, pos - (data.rfind(b"\n", 0, pos) + 1)


def _valid_utf8_nonascii(line: bytes) -> bool:
    if line.isascii():
        return False
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path, sample_bytes: int = _SAMPLE_BYTES) -> str:
    """'utf-8-sig', 'utf-8' or 'gb18030', judged on a sample; raises InputError if none fits."""
    with open(path, "rb") as fh:
        sample = fh.read(sample_bytes)
        at_eof = not fh.read(1)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(f"{path}: the file is UTF-16; save it as UTF-8 or GB18030")
    if not at_eof:
        cut = sample.rfind(b"\n")
        sample = sample[: cut + 1] if cut > 0 else sample
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=at_eof)
        return "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        sample.decode("gb18030")
    except UnicodeDecodeError as exc:
        line, col = _line_col(sample, utf8_error.start)
        raise InputError(
            f"{path}: line {line}, byte {utf8_error.start} (column {col}): "
            "the bytes are neither UTF-8 "
            f"nor GBK/GB18030; the file is corrupt or in an unsupported encoding"
        ) from exc
    for i, line_bytes in enumerate(sample.split(b"\n"), start=1):
        if _valid_utf8_nonascii(line_bytes):
            first_bad = utf8_error.start
            bad_line, _ = _line_col(sample, first_bad)
            raise InputError(
                f"{path}: mixed encodings: line {i} is UTF-8 but line {bad_line} "
                f"(byte {first_bad}) is "
                f"GBK/GB18030; convert the whole file to one encoding"
            )
    return "gb18030"


@dataclass(frozen=True, slots=True)
class Line:
    number: int  # 1-based
    byte_offset: int
    text: str  # with its line ending


def iter_lines(path: Path, encoding: str, progress: Progress | None = None) -> Iterator[Line]:
    """Decode ``path`` line by line, strictly; errors name line and byte offset."""
    offset = 0
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            enc = encoding
            if number == 1 and encoding == "utf-8-sig":
                enc = "utf-8-sig"
            elif encoding == "utf-8-sig":
                enc = "utf-8"
            try:
                text = raw.decode(enc)
            except UnicodeDecodeError as exc:
                hint = ""
                if encoding.startswith("utf-8"):
                    try:
                        raw.decode("gb18030")
                        hint = (
                            "; this line looks like GBK/GB18030 while earlier lines "
                            "are UTF-8 (mixed encodings)"
                        )
                    except UnicodeDecodeError:
                        hint = "; the file is corrupt"
                raise InputError(
                    f"{path}: line {number}, byte {offset + exc.start}: "
                    f"invalid {encoding} data{hint}"
                ) from exc
            if encoding == "gb18030" and _valid_utf8_nonascii(raw):
                raise InputError(
                    f"{path}: line {number}, byte {offset}: this line is UTF-8 "
                    "while the file was read "
                    f"as GBK/GB18030 (mixed encodings); convert the whole file to one encoding"
                )
            yield Line(number, offset, text)
            offset += len(raw)
            if progress is not None:
                progress.update(offset)


class Progress:
    """Prints progress to a stream (stderr), at most every ``interval`` seconds."""

    def __init__(
        self,
        label: str,
        total: int,
        stream: TextIO | None = None,
        interval: float = 1.0,
        enabled: bool = True,
    ) -> None:
        self.label = label
        self.total = max(total, 1)
        self.stream = stream if stream is not None else sys.stderr
        self.interval = interval
        self.enabled = enabled
        self._last = 0.0
        self.done = 0

    def update(self, done: int) -> None:
        self.done = done
        now = time.monotonic()
        if self.enabled and now - self._last >= self.interval:
            self._last = now
            self.stream.write(
                f"\r{self.label}: {done / 1e6:.1f} MB / {self.total / 1e6:.1f} MB "
                f"({100 * done / self.total:.0f}%)"
            )
            self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self.stream.write(f"\r{self.label}: {self.total / 1e6:.1f} MB (100%)\n")
            self.stream.flush()


@dataclass(frozen=True, slots=True)
class Chunk:
    """Rows of a table (``columns`` set) or lines of text (``columns`` empty)."""

    columns: tuple[str, ...]
    rows: list[list[Any]]
    first_row: int  # 0-based index of the first row in the file's data
    lines: tuple[int, ...] = ()  # source line of each row, where known


def read_chunks(
    path: Path,
    fmt: str,
    encoding: str | None,
    chunk_rows: int = 10_000,
    progress: Progress | None = None,
) -> Iterator[Chunk]:
    if fmt == "xlsx":
        yield from _read_xlsx(path, chunk_rows)
        return
    enc = encoding or detect_encoding(path)
    lines = iter_lines(path, enc, progress)
    if fmt == "csv":
        yield from _read_csv(path, lines, chunk_rows)
    elif fmt == "jsonl":
        yield from _read_jsonl(path, lines, chunk_rows)
    elif fmt == "json":
        text = "".join(line.text for line in lines)
        yield from _read_json(path, text, chunk_rows)
    else:
        batch: list[list[Any]] = []
        numbers: list[int] = []
        first = 0
        for line in lines:
            batch.append([line.text])
            numbers.append(line.number)
            if len(batch) >= chunk_rows:
                yield Chunk((), batch, first, tuple(numbers))
                first += len(batch)
                batch, numbers = [], []
        if batch:
            yield Chunk((), batch, first, tuple(numbers))


def _read_csv(path: Path, lines: Iterator[Line], chunk_rows: int) -> Iterator[Chunk]:
    current = [0]

    def texts() -> Iterator[str]:
        for line in lines:
            current[0] = line.number
            yield line.text

    # Free-text cells can be long; the csv module's limit is process-wide, so raise it only
    # when a CSV is actually read (idempotent, never lowered).
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    reader = csv.reader(texts())
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise InputError(f"{path}: line {current[0]}: bad CSV: {exc}") from exc
    width = len(header)
    batch: list[list[Any]] = []
    numbers: list[int] = []
    first = 0
    try:
        for row in reader:
            if not row:
                continue
            if len(row) != width:
                raise InputError(
                    f"{path}: line {current[0]}: {len(row)} fields, the header has {width}"
                )
            batch.append([v if v != "" else None for v in row])
            numbers.append(current[0])
            if len(batch) >= chunk_rows:
                yield Chunk(tuple(header), batch, first, tuple(numbers))
                first += len(batch)
                batch, numbers = [], []
    except csv.Error as exc:
        raise InputError(f"{path}: line {current[0]}: bad CSV: {exc}") from exc
    if batch or first == 0:
        yield Chunk(tuple(header), batch, first, tuple(numbers))


def _records_to_chunk(
    records: Sequence[dict[str, Any]], columns: list[str], first: int, numbers: Sequence[int]
) -> Chunk:
    for rec in records:
        for key in rec:
            if key not in columns:
                columns.append(key)
    rows = [[_scalar(rec.get(c)) for c in columns] for rec in records]
    return Chunk(tuple(columns), rows, first, tuple(numbers))


def _scalar(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _read_jsonl(path: Path, lines: Iterator[Line], chunk_rows: int) -> Iterator[Chunk]:
    columns: list[str] = []
    batch: list[dict[str, Any]] = []
    numbers: list[int] = []
    first = 0
    for line in lines:
        if not line.text.strip():
            continue
        try:
            rec = json.loads(line.text)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{path}: line {line.number}: invalid JSON: {exc.msg} at column {exc.colno}"
            ) from exc
        if not isinstance(rec, dict):
            raise InputError(f"{path}: line {line.number}: each line must be a JSON object")
        batch.append(rec)
        numbers.append(line.number)
        if len(batch) >= chunk_rows:
            yield _records_to_chunk(batch, columns, first, numbers)
            first += len(batch)
            batch, numbers = [], []
    if batch:
        yield _records_to_chunk(batch, columns, first, numbers)


def _read_json(path: Path, text: str, chunk_rows: int) -> Iterator[Chunk]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: line {exc.lineno}, column {exc.colno}: invalid JSON: {exc.msg}"
        ) from exc
    records = data if isinstance(data, list) else [data]
    if not all(isinstance(r, dict) for r in records):
        raise InputError(f"{path}: JSON must be an object or an array of objects")
    columns: list[str] = []
    for i in range(0, max(len(records), 1), chunk_rows):
        part = records[i : i + chunk_rows]
        yield _records_to_chunk(part, columns, i, [])


def _read_xlsx(path: Path, chunk_rows: int) -> Iterator[Chunk]:
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise InputError(f"{path}: not a readable Excel (.xlsx) file: {exc}") from exc
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            return
        header = tuple("" if h is None else str(h) for h in header_row)
        batch: list[list[Any]] = []
        first = 0
        for r in rows:
            batch.append(list(r))
            if len(batch) >= chunk_rows:
                yield Chunk(header, batch, first)
                first += len(batch)
                batch = []
        if batch or first == 0:
            yield Chunk(header, batch, first)
    finally:
        wb.close()


@contextmanager
def atomic_output(
    target: Path, mode: str = "w", encoding: str | None = "utf-8"
) -> Iterator[IO[Any]]:
    """Yield a temporary file beside ``target``; rename it into place only on success."""
    target = Path(target)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or Path(".")
    )
    try:
        kwargs: dict[str, Any] = {"newline": ""} if "b" not in mode else {}
        with os.fdopen(fd, mode, encoding=encoding if "b" not in mode else None, **kwargs) as fh:
            yield fh
        os.replace(tmp, target)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


class ChunkWriter:
    """Writes chunks in one format into an open temporary file (or Excel workbook path)."""

    def __init__(self, fmt: str, fh: IO[Any]) -> None:
        self.fmt = fmt
        self.fh = fh
        self._csv: Any = None
        self._first = True
        self._wb: Any = None
        self._ws: Any = None
        if fmt == "xlsx":
            from openpyxl import Workbook

            self._wb = Workbook(write_only=True)
            self._ws = self._wb.create_sheet()

    def write(self, chunk: Chunk) -> None:
        if self.fmt == "csv":
            if self._csv is None:
                self._csv = csv.writer(self.fh)
                self._csv.writerow(chunk.columns)
            self._csv.writerows([["" if v is None else v for v in row] for row in chunk.rows])
        elif self.fmt == "xlsx":
            if self._first:
                self._ws.append(list(chunk.columns))
                self._first = False
            for row in chunk.rows:
                self._ws.append(row)
        elif self.fmt in ("jsonl", "json"):
            for row in chunk.rows:
                rec = json.dumps(
                    dict(zip(chunk.columns, row, strict=True)), ensure_ascii=False, default=str
                )
                if self.fmt == "jsonl":
                    self.fh.write(rec + "\n")
                else:
                    self.fh.write(("[\n" if self._first else ",\n") + rec)
                    self._first = False
        else:
            for row in chunk.rows:
                self.fh.write("" if row[0] is None else str(row[0]))

    def close(self) -> None:
        if self.fmt == "json":
            self.fh.write("[]\n" if self._first else "\n]\n")
        elif self.fmt == "xlsx":
            self._wb.save(self.fh)

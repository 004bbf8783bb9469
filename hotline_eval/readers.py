"""Reading export files (CSV in UTF-8 or GBK/GB18030, XLSX, Parquet) into DuckDB.

Every reader registers a DuckDB view of the file's columns as text plus `_row`, the row number
a person sees when opening the file (header rows included), so that every rejected record can
be named by file and row.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
from python_calamine import CalamineWorkbook

from hotline_eval.errors import InputError
from hotline_eval.mapping import ReadOptions

SNIFF_ROWS = 30
CHUNK = 1 << 20


@dataclass
class Source:
    """A registered source file: its view name in DuckDB and its header columns."""

    path: Path
    view: str
    columns: list[str]
    header_row: int
    encoding: str | None = None
    extra_field_columns: list[str] = field(default_factory=list)


def register(
    con: duckdb.DuckDBPyConnection, path: Path, options: ReadOptions, expected: list[str], view: str, work_dir: Path
) -> Source:
    """Register `path` as view `view`; `expected` are the source columns the mapping reads."""
    if not path.is_file():
        raise InputError(path, "file not found")
    if path.stat().st_size == 0:
        raise InputError(path, "the file is empty (0 bytes)", fix="export the data again")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return _register_csv(con, path, options, expected, view, work_dir)
    if suffix in (".xlsx", ".xlsm"):
        return _register_xlsx(con, path, options, expected, view)
    if suffix == ".parquet":
        return _register_parquet(con, path, view)
    raise InputError(path, f"unsupported file type '{suffix}'", fix="export as .csv, .xlsx or .parquet")


def detect_encoding(path: Path, declared: str) -> str:
    """The file's text encoding: the declared one, or UTF-8 (with or without BOM) else GB18030."""
    if declared not in ("auto", None):
        return declared
    with path.open("rb") as fh:
        if fh.read(3) == codecs.BOM_UTF8:
            return "utf-8-sig"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := fh.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            return "gb18030"


def pick_header(rows: list[list[str]], expected: list[str], declared: int | str) -> int:
    """1-based header row: the declared one, or the first row holding most expected columns."""
    if declared != "auto":
        return int(declared)
    wanted = set(expected)
    best, best_hits = 1, -1
    for i, row in enumerate(rows[:SNIFF_ROWS], start=1):
        hits = len(wanted & {str(c).strip() for c in row if c is not None})
        if hits > best_hits:
            best, best_hits = i, hits
    return best


def _register_csv(con, path: Path, options: ReadOptions, expected: list[str], view: str, work_dir: Path) -> Source:
    encoding = detect_encoding(path, options.encoding)
    text_path = path
    if encoding not in ("utf-8", "utf-8-sig"):
        text_path = _transcode(path, encoding, work_dir / f"{view}.csv")
    head = _head_rows(text_path, options.delimiter)
    if not head:
        raise InputError(path, "the file has no header row", fix="export the data again with column names")
    header_row = pick_header(head, expected, options.header_row)
    header = [c.strip().lstrip("\ufeff") for c in head[header_row - 1]]
    _check_header(path, header)
    nulls = ", ".join(_quote(v) for v in options.null_values)
    types = ", ".join(f"{_quote(c or f'_blank{i}')}: 'VARCHAR'" for i, c in enumerate(header))
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT {header_row} + row_number() OVER () AS _row, * "
            f"FROM read_csv({_quote(str(text_path))}, header=true, skip={header_row - 1}, auto_detect=false, "
            f"columns={{{types}}}, delim={_quote(options.delimiter)}, quote='\"', escape='\"', "
            f"null_padding=true, strict_mode=false, parallel=false, nullstr=[{nulls}])"
        )
        columns = [r[0] for r in con.execute(f"DESCRIBE {view}").fetchall()]
    except duckdb.Error as exc:
        raise InputError(
            path, f"cannot be read as CSV: {_first_line(exc)}", fix="check the delimiter and that the file is complete"
        ) from exc
    extra = [c for c in columns if c not in header and c != "_row"]
    return Source(path, view, header, header_row, encoding, extra)


def _head_rows(path: Path, delimiter: str) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        lines = [line for _, line in zip(range(SNIFF_ROWS), fh, strict=False)]
    return list(csv.reader(io.StringIO("".join(lines)), delimiter=delimiter))


def _check_header(path: Path, header: list[str]) -> None:
    seen: set[str] = set()
    for i, name in enumerate(header, start=1):
        if not name:
            continue
        if name in seen:
            raise InputError(
                path,
                f"column name '{name}' appears twice in the header (column {i})",
                fix="rename one of the two columns in the export",
            )
        seen.add(name)


def _transcode(path: Path, encoding: str, target: Path) -> Path:
    """Re-encode a GBK/GB18030 file as UTF-8 (DuckDB reads UTF-8), streaming."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open(encoding=encoding, newline="") as src, target.open("w", encoding="utf-8", newline="") as dst:
            while chunk := src.read(CHUNK):
                dst.write(chunk)
    except UnicodeDecodeError as exc:
        raise InputError(
            path,
            f"not valid {encoding} text near byte {exc.start}",
            fix="save the export as UTF-8 or GB18030, or set read.encoding in the mapping",
        ) from exc
    return target


def _register_xlsx(con, path: Path, options: ReadOptions, expected: list[str], view: str) -> Source:
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise InputError(
            path, f"cannot be opened as an Excel workbook: {exc}", fix="open it in Excel and save it again as .xlsx"
        ) from exc
    sheet = options.sheet or wb.sheet_names[0]
    if sheet not in wb.sheet_names:
        raise InputError(path, f"no sheet named '{sheet}'; sheets: {', '.join(wb.sheet_names)}")
    ws = wb.get_sheet_by_name(sheet)
    rows = [[_cell_text(v) for v in row] for row in ws.to_python(skip_empty_area=False)]
    _fill_merged(rows, ws.merged_cell_ranges or [])
    if not rows:
        raise InputError(path, "the sheet is empty", fix="export the data again")
    header_row = pick_header(rows, expected, options.header_row)
    header = [(c or "").strip() for c in rows[header_row - 1]]
    _check_header(path, header)
    body = rows[header_row:]
    nulls = set(options.null_values)
    data: dict[str, list] = {"_row": list(range(header_row + 1, header_row + 1 + len(body)))}
    for j, name in enumerate(header):
        if name:
            data[name] = [_null(r[j] if j < len(r) else None, nulls) for r in body]
    table = pa.table({k: pa.array(v, type=pa.int64() if k == "_row" else pa.string()) for k, v in data.items()})
    con.register(f"{view}_arrow", table)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT * FROM {view}_arrow")
    return Source(path, view, [h for h in header if h], header_row, None, [])


def _cell_text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _null(value: str | None, nulls: set[str]) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return None if value in nulls else value


def _fill_merged(rows: list[list[str | None]], ranges: list) -> None:
    """Give every cell of a merged range the value of its top-left cell (as a reader sees it)."""
    for (row0, col0), (row1, col1) in ranges:
        if row0 >= len(rows):
            continue
        top = rows[row0]
        value = top[col0] if col0 < len(top) else None
        for r in range(row0, min(row1, len(rows) - 1) + 1):
            row = rows[r]
            row.extend([None] * (col1 + 1 - len(row)))
            row[col0 : col1 + 1] = [value] * (col1 - col0 + 1)


def _register_parquet(con, path: Path, view: str) -> Source:
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT file_row_number + 2 AS _row, * EXCLUDE (file_row_number) "
            f"FROM read_parquet({_quote(str(path))}, file_row_number=true)"
        )
        columns = [r[0] for r in con.execute(f"DESCRIBE {view}").fetchall() if r[0] != "_row"]
    except duckdb.Error as exc:
        raise InputError(path, f"cannot be read as Parquet: {_first_line(exc)}") from exc
    return Source(path, view, columns, 1)


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]

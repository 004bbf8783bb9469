"""Reading export files (CSV in UTF-8, GBK/GB18030 or UTF-16, XLSX, Parquet) for ingest.

Every export becomes a *staged* Parquet file in a private work folder: the columns the mapping
reads, as text, plus `__row`, the row number a person sees when opening the export (header and
title rows included, blank rows counted as in Excel). Phone numbers are hashed while staging, and
personal columns the mapping does not read are never staged, so no plain personal data is written
anywhere. Parquet exports are read in place.

Nothing is dropped silently:

- a row the CSV parser cannot split (too many or too few fields, bytes that are not valid text in
  the file's encoding, a stray quote) becomes a *structural rejection* with its row number;
- blank rows are counted;
- a quoted value that is never closed, which would swallow the rest of the file, is an error;
- so are an empty file, a file without the expected header, a damaged workbook and a file mixing
  two encodings line by line.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from python_calamine import CalamineWorkbook

from hotline_eval.errors import InputError
from hotline_eval.mapping import ReadOptions
from hotline_eval.masking import phone_hash_sql, phone_mask_sql

SNIFF_ROWS = 30
CHUNK = 1 << 20
ROW = "__row"
SHAPE = "__shape"  # a staged CSV row with a field too many or too few: the DuckDB error type
TAIL = "__tail"
MASKED = "__masked__"  # prefix of the staged, masked display copy of a hashed phone column
BOMS = [(codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]
MIN_FOREIGN_CHARS = 4  # a GB18030 file's line counts as UTF-8 when it holds this many valid UTF-8 characters

# Why the CSV parser set a row aside, in the words of the rejects file (DuckDB error types).
STRUCTURAL = {
    "MISSING COLUMNS": ("字段数少于表头（行不完整，或值中的逗号、换行未加引号）", "核对该行；文件不完整时请重新导出"),
    "TOO MANY COLUMNS": ("字段数多于表头（值中的逗号未加引号，或行错位）", "给含逗号的值加引号后重新导出"),
    "UNQUOTED VALUE": ("引号使用不规范（引号后还有未加引号的字符）", "修正该行的引号后重新导出"),
    "INVALID ENCODING": (
        "含有不符合文件编码的字节（文件混用了多种编码，或值被截断在一个汉字中间）",
        "把整个文件统一另存为 UTF-8 后重新导入",
    ),
    "LINE SIZE OVER MAXIMUM": ("该行超过 2 MB（可能缺少换行或引号未闭合）", "核对该行的换行和引号"),
}


@dataclass(frozen=True)
class StructuralReject:
    """A row the CSV parser could not split into the header's columns."""

    row: int
    column: str | None
    kind: str

    @property
    def reason(self) -> str:
        return STRUCTURAL.get(self.kind, (f"无法按表头解析（{self.kind}）", "核对该行"))[0]

    @property
    def fix(self) -> str:
        return STRUCTURAL.get(self.kind, ("", "核对该行"))[1]


@dataclass
class Source:
    """A staged export: where ingest reads it and what reading it found."""

    path: Path
    parquet: Path
    columns: list[str]
    header_row: int
    encoding: str | None = None
    staged: bool = True
    lossy: bool = False  # text decoded with replacement characters (checked per row by ingest)
    blank_rows: int = 0
    structural: list[StructuralReject] = field(default_factory=list)
    types: dict[str, str] = field(default_factory=dict)
    shaped: bool = False  # a staged CSV: SHAPE flags rows with a field too many or too few

    def row_sql(self) -> str:
        """SQL for the row number over this source's Parquet file (read with file_row_number)."""
        return ROW if self.staged else "file_row_number + 2"


@dataclass(frozen=True)
class Wanted:
    """The source columns a mapping reads from an export, and those holding phone numbers."""

    columns: tuple[str, ...]
    phones: tuple[str, ...] = ()
    salt: str = ""


def stage(
    con: duckdb.DuckDBPyConnection, path: Path, options: ReadOptions, wanted: Wanted, work: Path, name: str
) -> Source:
    """Check an export file and stage it as Parquet under `work` (Parquet exports stay in place)."""
    if not path.is_file():
        raise InputError(path, "file not found")
    if path.stat().st_size == 0:
        raise InputError(path, "the file is empty (0 bytes)", fix="export the data again")
    suffix = path.suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        raise InputError(path, f"unsupported file type '{suffix}'", fix="export as .csv, .xlsx or .parquet")
    return reader(con, path, options, wanted, work, name)


# ---------------------------------------------------------------------------------------------
# CSV


@dataclass
class TextScan:
    """What one pass over a CSV file's bytes found."""

    encoding: str
    lossy: bool = False
    mixed_newlines: bool = False
    odd_quotes: bool = False
    inner_blank: bool = False  # a blank line with content after it (row numbers must skip it)
    trailing_blank: int = 0


def detect_encoding(path: Path, declared: str = "auto") -> str:
    """The file's text encoding: the declared one, else from its BOM, else UTF-8 or GB18030.

    Without a BOM the header line decides when it holds Chinese; an all-ASCII header lets the
    majority of the file's non-ASCII characters decide. A UTF-8 file with a few broken bytes stays
    UTF-8: its broken rows are rejected one by one.
    """
    if declared not in ("auto", None):
        return declared
    with path.open("rb") as fh:
        head = fh.read(4)
        for bom, name in BOMS:
            if head.startswith(bom):
                return name
        fh.seek(0)
        first_line = fh.readline()
        if not first_line.isascii():
            return "utf-8" if _valid_utf8(first_line) else "gb18030"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        good = bad = 0
        while chunk := fh.read(CHUNK):
            text = decoder.decode(chunk)
            wrong = text.count("\ufffd")
            bad += wrong
            good += len(text) - len(text.encode("ascii", "ignore")) - wrong
    return "utf-8" if good >= bad else "gb18030"


def _check_declared(path: Path, declared: str) -> None:
    """A mapping that names the encoding must match the file, or every value would be garbled."""
    with path.open("rb") as fh:
        first = fh.readline()
    if first.isascii() or first.startswith(codecs.BOM_UTF16_LE) or first.startswith(codecs.BOM_UTF16_BE):
        return
    utf8 = _valid_utf8(first)
    if declared in ("gb18030", "gbk") and utf8:
        actual, wrong = "UTF-8", declared
    elif declared.startswith("utf-8") and not utf8:
        actual, wrong = "GB18030 (GBK)", declared
    else:
        return
    raise InputError(
        path,
        f"the mapping declares encoding {wrong}, but the file's header is {actual}",
        row=1,
        fix="set read.encoding: auto (or the right encoding) in the mapping, or save the file in the declared one",
    )


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def scan_text(path: Path, encoding: str) -> TextScan:
    """Line endings, quote balance and blank lines, at C speed (valid for UTF-8 and GB18030 bytes)."""
    scan = TextScan(encoding)
    crlf = lf = quotes = 0
    tail = b""
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            data = tail + chunk
            lf += chunk.count(b"\n")
            crlf += data.count(b"\r\n") - tail.count(b"\r\n")
            quotes += chunk.count(b'"')
            body = data.rstrip(b"\r\n")
            scan.inner_blank = scan.inner_blank or b"\n\n" in body or b"\n\r\n" in body
            tail = data[-4:]
    with path.open("rb") as fh:
        fh.seek(max(path.stat().st_size - 4096, 0))
        end = fh.read()
    scan.trailing_blank = max(end[len(end.rstrip(b"\r\n")) :].count(b"\n") - 1, 0)
    scan.mixed_newlines = 0 < crlf < lf
    scan.odd_quotes = quotes % 2 == 1
    return scan


def _register_csv(con, path: Path, options: ReadOptions, wanted: Wanted, work: Path, name: str) -> Source:
    encoding = detect_encoding(path, options.encoding)
    if options.encoding != "auto":
        _check_declared(path, encoding)
    if encoding.startswith("utf-16"):
        text_path, lossy = _to_utf8(path, encoding, work / f"{name}.csv", normalise=True)
        scan = scan_text(text_path, "utf-8")
    else:
        scan = scan_text(path, encoding)
        text_path, lossy = path, False
        if encoding not in ("utf-8", "utf-8-sig") or scan.mixed_newlines:
            text_path, lossy = _to_utf8(path, encoding, work / f"{name}.csv", normalise=scan.mixed_newlines)
            scan = scan_text(text_path, "utf-8") if scan.mixed_newlines else scan
    try:
        return _stage_csv(con, path, text_path, options, wanted, work, name, encoding, lossy, scan)
    finally:
        if text_path != path:
            text_path.unlink(missing_ok=True)  # the transcoded copy still holds personal data


def _stage_csv(
    con,
    path: Path,
    text_path: Path,
    options: ReadOptions,
    wanted: Wanted,
    work: Path,
    name: str,
    encoding: str,
    lossy: bool,
    scan: TextScan,
) -> Source:
    head = _head_rows(text_path, options.delimiter)
    if not any(head):
        raise InputError(path, "the file has no header row", fix="export the data again with column names")
    header_row = pick_header(head, wanted.columns, options.header_row, path)
    header = [c.strip().lstrip("\ufeff") for c in head[header_row - 1]]
    _check_header(path, header)
    names = [c or f"_blank{i}" for i, c in enumerate(header, start=1)]
    # One column more than the header, and no null strings while parsing: a row with a field too
    # many fills TAIL (DuckDB would otherwise take an empty extra field for a trailing delimiter
    # and shift nothing into view), a row with a field too few leaves its last column NULL where
    # a present but empty field is ''. The mapping's null values are applied afterwards.
    types = ", ".join(f"{_quote(c)}: 'VARCHAR'" for c in [*names, TAIL])
    reader = (
        f"read_csv({_quote(str(text_path))}, header=true, skip={header_row - 1}, auto_detect=false, "
        f"columns={{{types}}}, delim={_quote(options.delimiter)}, quote='\"', escape='\"', "
        f"null_padding=true, strict_mode=true, parallel=false, nullstr=['\x01'], "
        f"store_rejects=true, rejects_table='csv_errors', rejects_scan='csv_scans')"
    )
    target = work / f"{name}.parquet"
    shape = (
        f"CASE WHEN {TAIL} IS NOT NULL THEN 'TOO MANY COLUMNS' "
        f"WHEN {_ident(names[-1])} IS NULL THEN 'MISSING COLUMNS' END AS {SHAPE}"
    )
    cleaned = _null_mapped(header, wanted, options.null_values)
    try:
        con.execute(
            f"COPY (SELECT {ROW}, {_staged_columns(header, wanted)}, {SHAPE} FROM ("
            f"SELECT {header_row} + row_number() OVER () AS {ROW}, {cleaned}, {shape} FROM {reader} OFFSET 0)) "
            f"TO {_quote(str(target))} (FORMAT parquet)"
        )
        errors = con.execute(
            "SELECT line, column_name, error_type FROM csv_errors ORDER BY line, column_idx"
        ).fetchall()
        produced = con.execute(f"SELECT count(*) FROM read_parquet({_quote(str(target))})").fetchone()[0]
        con.execute("DROP TABLE IF EXISTS csv_errors; DROP TABLE IF EXISTS csv_scans")
    except duckdb.Error as exc:
        raise InputError(
            path, f"cannot be read as CSV: {_first_line(exc)}", fix="check the delimiter and that the file is complete"
        ) from exc
    structural = _first_per_row(errors)
    blank: list[int] = []
    if scan.inner_blank or scan.odd_quotes:
        records, blank, unclosed = _count_records(text_path, options.delimiter, header_row)
        if unclosed is not None:
            raise InputError(
                path,
                "a quoted value starting in this row is never closed, so the rest of the file cannot be split "
                "into rows",
                row=unclosed,
                fix='the file is probably truncated: export it again, or remove the stray quote (") in that row',
            )
        if records != produced + len(structural):
            raise InputError(
                path,
                f"the rows cannot be counted reliably ({records} by one reading, "
                f"{produced + len(structural)} by another): quotes or line breaks are malformed",
                fix="open the file in a spreadsheet program, check the quotes, and save it again as CSV",
            )
    skipped = sorted({r.row for r in structural} | set(blank))
    if skipped:
        _renumber(con, target, skipped)
    columns = [c for c in header if c]
    return Source(
        path,
        target,
        columns,
        header_row,
        encoding=encoding,
        lossy=lossy,
        blank_rows=len(blank) + scan.trailing_blank,
        structural=structural,
        types=dict.fromkeys(columns, "VARCHAR"),
        shaped=True,
    )


def _null_mapped(header: list[str], wanted: Wanted, nulls: list[str]) -> str:
    """The wanted columns with the mapping's null values (and the empty text) as NULL."""
    # A simple CASE is many times faster in DuckDB than `x IN (...)`.
    whens = " ".join(f"WHEN {_quote(v)} THEN NULL" for v in dict.fromkeys(["", *nulls]))
    parts = [f"CASE {_ident(c)} {whens} ELSE {_ident(c)} END AS {_ident(c)}" for c in header if c in wanted.columns]
    return ", ".join(parts) or "NULL::VARCHAR AS __none"


def _staged_columns(header: list[str], wanted: Wanted) -> str:
    """The SELECT list of a staged file: wanted columns as text, phone columns hashed and masked."""
    parts = []
    for column in header:
        if column not in wanted.columns:
            continue  # names, ID numbers, addresses and other unused columns are never staged
        ident = _ident(column)
        if column in wanted.phones:
            parts.append(f"{phone_hash_sql(ident, wanted.salt)} AS {ident}")
            parts.append(f"{phone_mask_sql(ident)} AS {_ident(MASKED + column)}")
        else:
            parts.append(ident)
    return ", ".join(parts) or "NULL::VARCHAR AS __none"


def _first_per_row(errors: list[tuple]) -> list[StructuralReject]:
    out: dict[int, StructuralReject] = {}
    for line, column, kind in errors:
        out.setdefault(int(line), StructuralReject(int(line), column, str(kind)))
    return list(out.values())


def _renumber(con, target: Path, skipped: list[int]) -> None:
    """Shift provisional row numbers past rows the parser skipped (blank or rejected rows)."""
    # A staged row numbered p (header_row + its ordinal) lies after the j-th skipped row s_j
    # exactly when p > s_j - j; its true number is p + (the largest such j).
    con.execute("CREATE OR REPLACE TEMP TABLE skips (after BIGINT, shift BIGINT)")
    con.executemany("INSERT INTO skips VALUES (?, ?)", [(s - j, j) for j, s in enumerate(skipped, start=1)])
    tmp = target.with_name(target.name + ".renumbered")
    con.execute(
        f"COPY (SELECT s.* REPLACE (s.{ROW} + coalesce(k.shift, 0) AS {ROW}) "
        f"FROM read_parquet({_quote(str(target))}) s ASOF LEFT JOIN skips k ON s.{ROW} > k.after "
        f"ORDER BY s.{ROW}) TO {_quote(str(tmp))} (FORMAT parquet)"
    )
    tmp.replace(target)


def _count_records(path: Path, delimiter: str, header_row: int) -> tuple[int, list[int], int | None]:
    """Data records after the header, row numbers of blank rows, and the row whose quoted value
    is never closed (None if all are), by Python's csv module in strict mode."""
    records, blank, number = 0, [], 0
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter, strict=True)
        while True:
            number += 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                if "unexpected end of data" in str(exc):
                    return records, blank, number
                row = ["(malformed)"]  # DuckDB rejects it too (a stray quote): still one row
            if number <= header_row:
                continue
            if row:
                records += 1
            else:
                blank.append(number)
    while blank and blank[-1] == header_row + records + len(blank):
        blank.pop()  # trailing blank rows are counted by scan_text
    return records, blank, None


def _to_utf8(path: Path, encoding: str, target: Path, *, normalise: bool) -> tuple[Path, bool]:
    """Re-encode as UTF-8 (DuckDB reads UTF-8), streaming; returns (path, lossy).

    Bytes that are not valid in the file's encoding become U+FFFD (ingest rejects those rows).
    A GB18030 file that holds UTF-8 lines mixes two encodings and cannot be read reliably.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    lossy = False
    line = 1
    by_line = not encoding.startswith("utf-16")  # in UTF-16 a newline byte may be half a character
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    with path.open("rb") as src, target.open("w", encoding="utf-8", newline="") as dst:
        carry, held = b"", ""
        while True:
            chunk = src.read(CHUNK)
            data = carry + chunk
            cut = data.rfind(b"\n") + 1 if chunk and by_line else len(data)
            block, carry = data[:cut], data[cut:]
            if encoding in ("gb18030", "gbk"):
                _refuse_utf8_lines(path, block, line)
                line += block.count(b"\n")
            text = held + decoder.decode(block, final=not chunk)
            held = ""
            lossy = lossy or "\ufffd" in text
            if normalise:
                if chunk and text.endswith("\r"):
                    text, held = text[:-1], "\r"  # keep a CR with the LF that may follow
                text = text.replace("\r\n", "\n")
            dst.write(text)
            if not chunk:
                break
    return target, lossy


FOREIGN_LINE = re.compile(
    r"(?m)^(?:[\x00-\x09\x0b-\x7f]*[\u0080-\ufffc\ufffe\uffff\U00010000-\U0010ffff]){"
    + str(MIN_FOREIGN_CHARS)
    + r"}[^\n\ufffd]*$"
)


def _refuse_utf8_lines(path: Path, block: bytes, first_line: int) -> None:
    """A GB18030 file whose line is valid UTF-8 Chinese mixes encodings: a clear error, not mojibake."""
    if block.isascii():
        return
    text = block.decode("utf-8", errors="replace")
    found = FOREIGN_LINE.search(text)
    if found:
        row = first_line + text.count("\n", 0, found.start())
        raise InputError(
            path,
            "the file mixes encodings: it starts in GB18030 (GBK) but this line is UTF-8",
            row=row,
            fix="save the whole file in one encoding (UTF-8 recommended) and import it again",
        )


def _head_rows(path: Path, delimiter: str) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        lines = [line for _, line in zip(range(SNIFF_ROWS), fh, strict=False)]
    return list(csv.reader(io.StringIO("".join(lines)), delimiter=delimiter))


def pick_header(rows: list[list], expected: tuple[str, ...] | list[str], declared: int | str, path: Path) -> int:
    """1-based header row: the declared one, or the first row holding most expected columns."""
    if declared != "auto":
        if int(declared) > len(rows):
            raise InputError(path, f"the header row {declared} set in the mapping is beyond the file's end")
        return int(declared)
    wanted = set(expected)
    best, best_hits = 1, 0
    for i, row in enumerate(rows[:SNIFF_ROWS], start=1):
        hits = len(wanted & {str(c).strip().lstrip("\ufeff") for c in row if c is not None})
        if hits > best_hits:
            best, best_hits = i, hits
    if best_hits == 0 and wanted:
        shown = ", ".join(sorted(wanted)[:8]) + (" …" if len(wanted) > 8 else "")
        raise InputError(
            path,
            f"no header row found in the first {SNIFF_ROWS} rows: none of the expected columns ({shown}) appears",
            fix="check that this is the right export for the mapping, and that it is not garbled "
            "(if so set read.encoding or read.delimiter in the mapping)",
        )
    return best


def _check_header(path: Path, header: list[str]) -> None:
    seen: set[str] = set()
    for i, name in enumerate(header, start=1):
        if not name:
            continue
        if name in seen:
            raise InputError(
                path,
                f"column name '{name}' appears twice in the header (column {i})",
                column=name,
                fix="rename one of the two columns in the export",
            )
        seen.add(name)


def missing_column_hint(column: str, header: list[str], delimiter: str) -> str:
    """What to tell a user whose export lacks a column: a near name, or a delimiter problem."""
    if len(header) == 1:
        for other in ("\t", ";", "|", ","):
            if other != delimiter and other in header[0]:
                return f"the header is one single column: the file seems to use {other!r} as delimiter"
    near = difflib.get_close_matches(column, header, n=1, cutoff=0.5)
    return f"did you mean '{near[0]}'?" if near else ""


# ---------------------------------------------------------------------------------------------
# XLSX


def _register_xlsx(con, path: Path, options: ReadOptions, wanted: Wanted, work: Path, name: str) -> Source:
    try:
        wb = CalamineWorkbook.from_path(str(path))
        sheet = options.sheet or wb.sheet_names[0]
        if sheet not in wb.sheet_names:
            raise InputError(path, f"no sheet named '{sheet}'; sheets: {', '.join(wb.sheet_names)}")
        ws = wb.get_sheet_by_name(sheet)
        rows = ws.to_python(skip_empty_area=False)
        merged = ws.merged_cell_ranges or []
    except InputError:
        raise
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise InputError(
            path, f"cannot be opened as an Excel workbook: {exc}", fix="open it in Excel and save it again as .xlsx"
        ) from exc
    if not rows:
        raise InputError(path, "the sheet is empty", fix="export the data again")
    _fill_merged(rows, merged)
    header_row = pick_header(rows[:SNIFF_ROWS], wanted.columns, options.header_row, path)
    header = [_header_text(c) for c in rows[header_row - 1]]
    _check_header(path, header)
    body = rows[header_row:]
    width = len(header)
    grid = _grid(body, width)
    grid[grid == ""] = None
    filled = (grid != None).any(axis=1) if len(body) else np.zeros(0, bool)  # noqa: E711 (elementwise)
    row_numbers = np.arange(header_row + 1, header_row + 1 + len(body))[filled]
    grid = grid[filled]
    nulls = list(options.null_values)
    data: dict[str, pa.Array] = {ROW: pa.array(row_numbers, pa.int64())}
    for j, column in enumerate(header):
        if column in wanted.columns:
            data[column] = column_text(grid[:, j], nulls)
    table = pa.table(data)
    con.register("sheet", table)
    target = work / f"{name}.parquet"
    selected = _staged_columns(header, wanted)
    con.execute(f"COPY (SELECT {ROW}, {selected} FROM sheet) TO {_quote(str(target))} (FORMAT parquet)")
    con.unregister("sheet")
    columns = [h for h in header if h]
    return Source(
        path, target, columns, header_row, blank_rows=int((~filled).sum()), types=dict.fromkeys(columns, "VARCHAR")
    )


def _grid(rows: list[list], width: int) -> np.ndarray:
    """The body of a sheet as a 2-D object array `width` columns wide (rows are usually even)."""
    if rows and all(len(r) == width for r in rows):
        grid = np.empty((len(rows), width), dtype=object)
        grid[:] = rows
        return grid
    grid = np.empty((len(rows), width), dtype=object)
    for i, row in enumerate(rows):
        grid[i, : min(len(row), width)] = row[:width]
    return grid


def _header_text(value: object) -> str:
    text = cell_text(value)
    return (text or "").strip()


def column_text(values: np.ndarray, nulls: list[str]) -> pa.Array:
    """One worksheet column as text, as `cell_text` writes each cell (then trimmed, nulls as NULL).

    Vectorised when every cell has the same Python type; a column mixing types (dates and
    date-times, numbers and text) is converted cell by cell, because Arrow would coerce it
    (a date first makes every later date-time lose its time of day).
    """
    kinds = {type(v) for v in values} - {type(None)}
    convert = VECTORISED.get(kinds.pop()) if len(kinds) == 1 else None
    arr = None
    if convert is not None:
        try:
            arr = convert(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            arr = None
    if arr is None:
        arr = pa.array([cell_text(v) for v in values], pa.string())
    arr = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.is_in(arr, value_set=pa.array(nulls, pa.string())), pa.scalar(None, pa.string()), arr)


def _datetimes(values: np.ndarray) -> pa.Array:
    stamps = pa.array(values, pa.timestamp("us"))
    rounded = pc.floor_temporal(pc.add(stamps, pa.scalar(500_000, pa.duration("us"))), unit="second")
    return pc.strftime(rounded.cast(pa.timestamp("s")), format="%Y-%m-%d %H:%M:%S")


def _floats(values: np.ndarray) -> pa.Array | None:
    arr = pa.array(values, pa.float64())
    whole = pc.and_(pc.equal(arr, pc.floor(arr)), pc.less(pc.abs(arr), 2.0**53))
    if not pc.all(pc.or_(whole, pc.is_null(arr))).as_py():
        return None  # Python and Arrow write fractions differently: cell by cell
    return pc.cast(pc.cast(arr, pa.int64()), pa.string())


VECTORISED = {
    str: lambda v: pa.array(v, pa.string()),
    dt.datetime: _datetimes,
    dt.date: lambda v: pa.array(v, pa.date32()).cast(pa.string()),
    int: lambda v: pa.array(v, pa.int64()).cast(pa.string()),
    bool: lambda v: pa.array(v, pa.bool_()).cast(pa.string()),
    float: _floats,
}


def cell_text(value: object) -> str | None:
    """A worksheet cell as text: date-times to the second (rounded), whole numbers without .0."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return (value + dt.timedelta(microseconds=500_000)).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _fill_merged(rows: list[list], ranges: list) -> None:
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


# ---------------------------------------------------------------------------------------------
# Parquet


def _register_parquet(con, path: Path, options: ReadOptions, wanted: Wanted, work: Path, name: str) -> Source:
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM read_parquet({_quote(str(path))})").fetchall()
    except duckdb.Error as exc:
        raise InputError(
            path, f"cannot be read as Parquet: {_first_line(exc)}", fix="export the file again (it may be truncated)"
        ) from exc
    types = {r[0]: r[1] for r in described}
    return Source(path, path, list(types), 1, staged=False, types=types)


READERS = {
    ".csv": _register_csv,
    ".txt": _register_csv,
    ".xlsx": _register_xlsx,
    ".xlsm": _register_xlsx,
    ".parquet": _register_parquet,
}


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]

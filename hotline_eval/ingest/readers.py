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

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
from python_calamine import CalamineWorkbook

from hotline_eval.config.mapping import ReadOptions
from hotline_eval.core.errors import InputError
from hotline_eval.core.masking import id_hash_sql, id_mask_sql, phone_hash_sql, phone_mask_sql
from hotline_eval.ingest.excel_cells import column_text, fill_merged, header_text, object_grid
from hotline_eval.ingest.textfiles import (
    SNIFF_ROWS,
    WHITESPACE,
    TextScan,
    check_declared,
    count_records,
    detect_encoding,
    head_rows,
    scan_text,
    to_utf8,
)

ROW = "__row"
SHAPE = "__shape"  # a staged CSV row with a field too many or too few: the DuckDB error type
TAIL = "__tail"
MASKED = "__masked__"  # prefix of the staged, masked display copy of a hashed phone column
DELIMITERS_ZH = {"\t": "制表符（Tab）", ";": "分号（;）", "|": "竖线（|）", ",": "逗号（,）"}

# Why the CSV parser set a row aside, in the words of the rejects file (DuckDB error types).
STRUCTURAL = {
    "MISSING COLUMNS": ("字段数少于表头（行不完整，或值中的逗号、换行未加引号）", "核对该行；文件不完整时请重新导出"),
    "TOO MANY COLUMNS": ("字段数多于表头（值中的逗号未加引号，或行错位）", "给含逗号的值加引号后重新导出"),
    "UNQUOTED VALUE": ("引号使用不规范（引号后还有未加引号的字符）", "修正该行的引号后重新导出"),
    "INVALID ENCODING": (
        "含有不符合文件编码的字节（文件混用了多种编码，或值被截断在一个汉字中间）",
        "把整个文件统一另存为 UTF-8 后重新导入",
    ),
    "REPEATED HEADER": ("表头行在文件中间再次出现（多个导出文件拼接而成）", "无需处理：该行不是记录；也可删除该行"),
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
class StagedExport:
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
    """The source columns a mapping reads from an export, those holding phone numbers and those
    holding other personal identifiers (`mask: id`)."""

    columns: tuple[str, ...]
    phones: tuple[str, ...] = ()
    salt: str = ""
    ids: tuple[str, ...] = ()


def stage(
    con: duckdb.DuckDBPyConnection, path: Path, options: ReadOptions, wanted: Wanted, work: Path, name: str
) -> StagedExport:
    """Check an export file and stage it as Parquet under `work` (Parquet exports stay in place)."""
    if not path.is_file():
        raise InputError(path, "未找到文件")
    if path.stat().st_size == 0:
        raise InputError(path, "文件为空（0字节）", fix="请重新导出数据")
    suffix = path.suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        raise InputError(path, f"不支持的文件类型 '{suffix}'", fix="请导出为 .csv、.xlsx 或 .parquet 文件")
    return reader(con, path, options, wanted, work, name)


# ---------------------------------------------------------------------------------------------
# CSV


def _register_csv(con, path: Path, options: ReadOptions, wanted: Wanted, work: Path, name: str) -> StagedExport:
    encoding = detect_encoding(path, options.encoding)
    if options.encoding != "auto":
        check_declared(path, encoding)
    if encoding.startswith("utf-16"):
        text_path, lossy = to_utf8(path, encoding, work / f"{name}.csv", normalise=True)
        scan = scan_text(text_path, "utf-8")
    else:
        scan = scan_text(path, encoding)
        text_path, lossy = path, False
        if encoding not in ("utf-8", "utf-8-sig") or scan.irregular_newlines:
            text_path, lossy = to_utf8(path, encoding, work / f"{name}.csv", normalise=scan.irregular_newlines)
            scan = scan_text(text_path, "utf-8")  # its whitespace bytes are UTF-8's now
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
) -> StagedExport:
    head = head_rows(text_path, options.delimiter)
    if not any(head):
        raise InputError(path, "文件没有表头行", fix="请重新导出数据，并包含列名")
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
        f"WHEN {_ident(names[-1])} IS NULL THEN 'MISSING COLUMNS' "
        f"WHEN {_repeated_header(header)} THEN 'REPEATED HEADER' END AS {SHAPE}"
    )
    cleaned = _null_mapped(header, wanted, options.null_values, scan.wide_space)
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
        raise InputError(path, f"无法按 CSV 读取（{_first_line(exc)}）", fix="请检查分隔符，并确认文件完整") from exc
    structural = _first_per_row(errors)
    blank: list[int] = []
    if scan.inner_blank or scan.odd_quotes or not produced + len(structural):
        # (a file that gave no row at all is counted again: rows under its header must not vanish)
        records, blank, unclosed = count_records(text_path, options.delimiter, header_row)
        if unclosed is not None:
            raise InputError(
                path,
                "从该行开始的带引号的值没有结束引号，文件其余部分无法分行",
                row=unclosed,
                fix='文件可能不完整：请重新导出，或删除该行中多余的引号（"）',
            )
        if records != produced + len(structural):
            raise InputError(
                path,
                f"无法可靠地统计行数（一种读法为{records}行，另一种为{produced + len(structural)}行）："
                "引号或换行符有误",
                fix="请用电子表格软件打开文件，检查引号后重新另存为 CSV",
            )
    skipped = sorted({r.row for r in structural} | set(blank))
    if skipped:
        _renumber(con, target, skipped)
    columns = [c for c in header if c]
    return StagedExport(
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


def _repeated_header(header: list[str]) -> str:
    """SQL: the row repeats the header (files joined together keep each one's header)."""
    named = [c for c in header if c]
    return " AND ".join(f"trim({_ident(c)}) = {_quote(c)}" for c in named) or "false"


def _null_mapped(header: list[str], wanted: Wanted, nulls: list[str], wide: bool) -> str:
    """The wanted columns trimmed, with the mapping's null values (and empty text) as NULL.

    `wide`: the file holds whitespace other than spaces (or quotes), so all of WHITESPACE is
    trimmed; otherwise the cheaper trim of spaces gives the same values.
    """
    # A simple CASE is many times faster in DuckDB than `x IN (...)`.
    whens = " ".join(f"WHEN {_quote(v)} THEN NULL" for v in dict.fromkeys(["", *nulls]))
    parts = []
    for c in header:
        if c in wanted.columns:
            text = f"trim({_ident(c)}, {_quote(WHITESPACE)})" if wide else f"trim({_ident(c)})"
            parts.append(f"CASE {text} {whens} ELSE {text} END AS {_ident(c)}")
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
        elif column in wanted.ids:
            parts.append(f"{id_hash_sql(ident, wanted.salt)} AS {ident}")
            parts.append(f"{id_mask_sql(ident)} AS {_ident(MASKED + column)}")
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


def pick_header(rows: list[list], expected: tuple[str, ...] | list[str], declared: int | str, path: Path) -> int:
    """1-based header row: the declared one, or the first row holding most expected columns."""
    if declared != "auto":
        if int(declared) > len(rows):
            raise InputError(path, f"映射中设定的表头行（第{declared}行）超出了文件末尾")
        return int(declared)
    wanted = set(expected)
    best, best_hits = 1, 0
    for i, row in enumerate(rows[:SNIFF_ROWS], start=1):
        hits = len(wanted & {str(c).strip().lstrip("\ufeff") for c in row if c is not None})
        if hits > best_hits:
            best, best_hits = i, hits
    if best_hits == 0 and wanted:
        shown = "、".join(sorted(wanted)[:8]) + ("等" if len(wanted) > 8 else "")
        raise InputError(
            path,
            f"前{SNIFF_ROWS}行中未找到表头行：没有出现任何应有的列（{shown}）",
            fix="请确认这是该映射对应的导出文件且没有乱码（如有乱码，请在映射中设置 read.encoding 或 read.delimiter）",
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
                f"列名 '{name}' 在表头中出现两次（第{i}列）",
                column=name,
                fix="请在导出文件中将其中一列改名",
            )
        seen.add(name)


def missing_column_hint(column: str, header: list[str], delimiter: str) -> str:
    """What to tell a user whose export lacks a column: a near name, or a delimiter problem."""
    if len(header) == 1:
        for other in ("\t", ";", "|", ","):
            if other != delimiter and other in header[0]:
                return f"表头只有一列：文件的分隔符似乎是{DELIMITERS_ZH[other]}"
    near = difflib.get_close_matches(column, header, n=1, cutoff=0.5)
    return f"是否应为 '{near[0]}'？" if near else ""


# ---------------------------------------------------------------------------------------------
# XLSX


def _register_xlsx(con, path: Path, options: ReadOptions, wanted: Wanted, work: Path, name: str) -> StagedExport:
    try:
        wb = CalamineWorkbook.from_path(str(path))
        sheet = options.sheet or wb.sheet_names[0]
        if sheet not in wb.sheet_names:
            raise InputError(path, f"没有名为 '{sheet}' 的工作表；工作表有：{'、'.join(wb.sheet_names)}")
        ws = wb.get_sheet_by_name(sheet)
        rows = ws.to_python(skip_empty_area=False)
        merged = ws.merged_cell_ranges or []
    except InputError:
        raise
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise InputError(path, f"无法作为 Excel 工作簿打开（{exc}）", fix="请用 Excel 打开后重新另存为 .xlsx") from exc
    if not rows:
        raise InputError(path, "工作表为空", fix="请重新导出数据")
    fill_merged(rows, merged)
    header_row = pick_header(rows[:SNIFF_ROWS], wanted.columns, options.header_row, path)
    header = [header_text(c) for c in rows[header_row - 1]]
    _check_header(path, header)
    body = rows[header_row:]
    width = len(header)
    grid = object_grid(body, width)
    grid[grid == ""] = None
    filled = (grid != None).any(axis=1) if len(body) else np.zeros(0, bool)  # noqa: E711 (elementwise)
    row_numbers = np.arange(header_row + 1, header_row + 1 + len(body))[filled]
    grid = grid[filled]
    if not len(grid) and not options.sheet:
        _no_rows_but_other_sheets(wb, sheet, path)
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
    return StagedExport(
        path, target, columns, header_row, blank_rows=int((~filled).sum()), types=dict.fromkeys(columns, "VARCHAR")
    )


def _no_rows_but_other_sheets(wb: CalamineWorkbook, sheet: str, path: Path) -> None:
    """A workbook whose first sheet has no rows under its header but whose other sheets hold data:
    the rows are elsewhere, and reading the first sheet only would lose them without a word."""
    others = [
        s
        for s in wb.sheet_names
        if s != sheet and any(any(c not in (None, "") for c in r) for r in wb.get_sheet_by_name(s).to_python())
    ]
    if others:
        raise InputError(
            path,
            f"第一个工作表“{sheet}”表头下没有数据行，数据可能在其他工作表（{'、'.join(others)}）",
            fix="请在映射的 read.sheet 中写明数据所在的工作表，或把数据移到第一个工作表",
        )


# ---------------------------------------------------------------------------------------------
# Parquet


def _register_parquet(con, path: Path, options: ReadOptions, wanted: Wanted, work: Path, name: str) -> StagedExport:
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM read_parquet({_quote(str(path))})").fetchall()
    except duckdb.Error as exc:
        raise InputError(
            path, f"无法按 Parquet 读取（{_first_line(exc)}）", fix="请重新导出文件（文件可能不完整）"
        ) from exc
    types = {r[0]: r[1] for r in described}
    return StagedExport(path, path, list(types), 1, staged=False, types=types)


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

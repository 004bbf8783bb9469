"""Ingest (§5.2.8): source exports → validated, masked canonical Parquet tables + rejects.

1. Every export file is checked and staged (ingest/readers.py); problems that make a whole file unusable
   (empty, no header, a required column missing, damaged, mixed encodings) are collected over
   all files and reported together, before anything is written.
2. For each canonical table, the files of one source system are read together; each column is
   mapped (params/mappings), parsed to its type and checked against the schema
   (params/schema.yaml) in one streaming DuckDB query; the first problem of a row names its
   column, source column, value, reason and fix.
3. Duplicate ids are found by one grouped pass over the ids; the first occurrence is kept.
4. Accepted rows go to `data/<table>.parquet`, rejected rows (with the rows the CSV parser could
   not split) to `rejects/<table>.csv`, fields cleared in accepted rows (a row rule with `clear`, a
   number Excel wrote in scientific notation) to `cleared/<table>.csv`, rows a mapping's `filter`
   leaves out to `excluded.csv`. Nothing is lost: per file, rows in = accepted + rejected (+ rows
   excluded, counted apart; blank rows are counted but are no rows).

Personal data is masked on the way in: phone numbers become a salted hash while staging,
personal columns are never read, and personal numbers typed into text columns are masked as the
accepted rows are written (params/schema.yaml `scan`, core/masking.py).
"""

from __future__ import annotations

import csv
import heapq
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from hotline_eval.config.mapping import Mapping, TableMapping, load_mapping
from hotline_eval.config.schema import Schema, Table, load_schema
from hotline_eval.core.connection import connect
from hotline_eval.core.errors import ConfigError, InputError, InputErrors
from hotline_eval.core.masking import mask_text, salt, scan_sql
from hotline_eval.core.sqltext import ident, list_sql, lit
from hotline_eval.core.store import atomic_path, relative_label, remove_partials, spreadsheet_text
from hotline_eval.ingest.discovery import InputFile
from hotline_eval.ingest.readers import SHAPE, StagedExport, Wanted, missing_column_hint, stage
from hotline_eval.ingest.row_checks import (
    WHOLE_ROW,
    Check,
    checked_sql,
    city_checks,
    cleared_columns_sql,
    clearing_sql,
    column_checks,
    duplicates_sql,
    implausible_number_checks,
    lossy_checks,
    lossy_id_checks,
    problem_sql,
    shape_checks,
)
from hotline_eval.ingest.values import TIME, column_sql, source_sql, wide_space_sql

REJECT_HEADER = ["文件", "行号", "列", "源列", "值", "原因", "处理建议"]
EXCLUDED_HEADER = ["表", "文件", "行号", "映射的筛选条件", "筛选所用列的值"]
# The canonical tables: Parquet 2 pages (delta-encoded times and ids) with light zstd: on a
# province's 12 million calls a quarter faster to write and half as costly to scan as Parquet 1
# pages with default zstd, and smaller.
PARQUET_OPTIONS = "FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, PARQUET_VERSION V2"


@dataclass
class FileCount:
    file: str
    table: str
    rows_in: int
    accepted: int
    rejected: int
    encoding: str | None = None
    header_row: int = 1
    ignored_columns: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    system: str = ""
    blank_rows: int = 0
    excluded: int = 0  # rows a mapping's `filter` leaves out on purpose (not rows of this table)
    cleared: int = 0  # accepted rows with a field cleared (a row rule with `clear`, a lost number)
    provided: list[str] = field(default_factory=list)  # canonical columns the file gives a value source for


@dataclass
class IngestReport:
    files: list[FileCount] = field(default_factory=list)
    reasons: dict[str, dict[str, int]] = field(default_factory=dict)  # table → reason → count
    personal_columns_dropped: list[str] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)  # data files in the input folders no mapping claims
    excluded_rows: list[list] = field(default_factory=list, repr=False)  # written to excluded.csv, not ingest.json

    def totals(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for f in self.files:
            t = out.setdefault(f.table, {"rows_in": 0, "accepted": 0, "rejected": 0})
            t["rows_in"] += f.rows_in
            t["accepted"] += f.accepted
            t["rejected"] += f.rejected
        return out

    def provided(self) -> dict[str, list[str]]:
        """Per table, the canonical columns some input file provides (mapped and present in the file,
        a constant or expression, or a schema default); the others the sources do not record."""
        out: dict[str, list[str]] = {}
        for f in self.files:
            have = out.setdefault(f.table, [])
            have += [c for c in f.provided if c not in have]
        return out

    def as_dict(self) -> dict:
        return {
            "files": [asdict(f) for f in self.files],
            "provided": self.provided(),
            "reasons": self.reasons,
            "totals": self.totals(),
            "personal_columns_dropped": self.personal_columns_dropped,
            "unread": self.unread,
        }

    def write_excluded(self, path: Path) -> None:
        """excluded.csv: every row a mapping's filter left out, with the filter and the values it read."""
        with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(EXCLUDED_HEADER)
            writer.writerows([spreadsheet_text(c) for c in row] for row in self.excluded_rows)


@dataclass
class Staged:
    """An input file after reading: its source, its count, its index in the table's file list."""

    item: InputFile
    source: StagedExport
    count: FileCount
    mapping: Mapping
    index: int = 0


def ingest(
    root: Path,
    inputs: list[InputFile],
    out_dir: Path,
    valid_cities: list[str],
    progress: Callable[[str], None] | None = None,
    base_dir: Path | None = None,
) -> IngestReport:
    """Ingest every input file; write data/<table>.parquet and rejects/<table>.csv under out_dir."""
    schema = load_schema(root)
    report = IngestReport()
    key = salt(root)
    say = progress or (lambda _: None)
    con = connect()
    with tempfile.TemporaryDirectory(prefix="hotline-eval-ingest-") as tmp:
        try:
            staged = stage_inputs(con, root, schema, inputs, Path(tmp), key, base_dir or root, say)
            for folder in (out_dir / "data", out_dir / "rejects", out_dir / "cleared"):
                folder.mkdir(parents=True, exist_ok=True)
                remove_partials(folder)  # left by an interrupted run; never a finished file
            for table in schema.tables:
                files = [s for s in staged if s.item.table == table]
                say(f"导入 {schema.tables[table].zh}（{len(files)} 个文件）")
                ingest_table(con, schema, table, files, out_dir, valid_cities, key, report)
            report.write_excluded(out_dir / "excluded.csv")
        finally:
            con.close()
    order = list(schema.tables)
    report.files = [s.count for s in sorted(staged, key=lambda s: order.index(s.item.table))]  # stable sort
    dropped = {c for item in inputs for c in load_mapping(root, item.system).personal_columns}
    report.personal_columns_dropped = sorted(dropped)
    return report


def stage_inputs(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    schema: Schema,
    inputs: list[InputFile],
    work: Path,
    key: str,
    base: Path,
    say: Callable[[str], None],
) -> list[Staged]:
    """Read and stage every input file; all whole-file problems are raised together."""
    staged: list[Staged] = []
    errors: list[InputError] = []
    say(f"读取 {len(inputs)} 个导出文件")
    for n, item in enumerate(inputs):
        mapping = load_mapping(root, item.system)
        wanted = _wanted(mapping, item.table, key)
        try:
            source = stage(con, item.path, mapping.read_options(item.table), wanted, work, f"f{n}")
            missing = _check_columns(source, mapping, item, schema.tables[item.table])
        except InputError as exc:
            errors.append(exc)
            continue
        label = _label(item.path, base)
        count = FileCount(
            file=label,
            table=item.table,
            rows_in=0,
            accepted=0,
            rejected=0,
            encoding=source.encoding,
            header_row=source.header_row,
            missing_columns=missing,
            ignored_columns=[
                c for c in source.columns if c not in wanted.columns and c not in mapping.personal_columns
            ],
            system=item.system,
            blank_rows=source.blank_rows,
            provided=provided_columns(mapping.tables[item.table], schema.tables[item.table], set(source.columns)),
        )
        staged.append(Staged(item, source, count, mapping))
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputErrors(errors)
    return staged


def provided_columns(tmap: TableMapping, spec: Table, present: set[str]) -> list[str]:
    """Canonical columns a file of this mapping provides: mapped to columns the file has, to a
    constant or an expression, or presumed by the schema when not recorded (is_valid: true)."""
    out = []
    for name, col in spec.columns.items():
        src = tmap.source(name)
        mapped = src is not None and set(src.columns) <= present
        if mapped or (src is None and col.presumed) or name == "city":
            out.append(name)
    return out


def _wanted(mapping: Mapping, table: str, key: str) -> Wanted:
    tmap = mapping.tables[table]
    sources = [tmap.source(c) for c in tmap.columns]
    columns = [c for s in sources if s for c in s.columns]
    sql_columns = [c for s in sources if s for sql in (s.expr, s.when) if sql for c in _quoted_names(sql)]
    filter_columns = _quoted_names(tmap.filter) if tmap.filter else []
    phones = [s.source for s in sources if s and s.source and s.mask == "phone"]
    ids = [s.source for s in sources if s and s.source and s.mask == "id"]
    every = list(dict.fromkeys(columns + sql_columns + filter_columns))
    return Wanted(tuple(every), tuple(phones), key, tuple(ids))


def _quoted_names(sql: str) -> list[str]:
    """Source columns a mapping's SQL refers to (written as "列名")."""
    return [m.replace('""', '"') for m in re.findall(r'"((?:[^"]|"")+)"', sql)]


def _check_columns(source: StagedExport, mapping: Mapping, item: InputFile, spec: Table) -> list[str]:
    """Source columns the mapping needs but the file lacks: an error if required, else noted."""
    tmap = mapping.tables[item.table]
    missing = []
    for canonical in tmap.columns:
        for src in tmap.source(canonical).columns:
            if src in source.columns or src in missing:
                continue
            if spec.columns[canonical].required and not (canonical == "city" and item.city):
                hint = missing_column_hint(src, source.columns, mapping.read_options(item.table).delimiter)
                raise InputError(
                    item.path,
                    f"缺少必需的列 '{src}'（用于 {item.table}.{canonical}）"
                    + (f"（{hint}）" if hint else "")
                    + f"；文件中的列：{'、'.join(source.columns)}",
                    column=src,
                    fix=f"请导出该列，或修改映射 params/mappings/{mapping.id}.yaml",
                )
            missing.append(src)
    return missing


# ---------------------------------------------------------------------------------------------
# One canonical table


def ingest_table(
    con: duckdb.DuckDBPyConnection,
    schema: Schema,
    table: str,
    files: list[Staged],
    out_dir: Path,
    valid_cities: list[str],
    key: str,
    report: IngestReport,
) -> None:
    spec = schema.tables[table]
    for i, s in enumerate(files):
        s.index = i
    _register_files(con, files)
    # Files of one system are read together; Parquet files only with others whose columns have the
    # same types, so that no file's values are cast to another file's types (true read as 1.0).
    groups: dict[tuple, list[Staged]] = {}
    for s in files:
        types = () if s.source.staged else tuple(sorted(s.source.types.items()))
        groups.setdefault((s.item.system, s.source.staged, types), []).append(s)
    selects = [_group_select(con, schema, spec, table, members, valid_cities, key) for members in groups.values()]
    typed = " UNION ALL BY NAME ".join(selects) if selects else _empty_select(spec)
    con.execute(f"CREATE OR REPLACE TEMP VIEW typed AS {typed}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE dups AS {duplicates_sql(spec)}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW checked AS {checked_sql(spec)}")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE problems AS SELECT _fidx, _row, _problem FROM checked WHERE _problem IS NOT NULL"
    )
    _write_accepted(con, spec, out_dir / "data" / f"{table}.parquet", key)
    _count(con, files)
    report.excluded_rows += _excluded_rows(con, table, files)
    report.reasons[table] = _write_rejects(con, files, out_dir / "rejects" / f"{table}.csv")
    _write_cleared(con, files, out_dir / "cleared" / f"{table}.csv")


def _register_files(con, files: list[Staged]) -> None:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE files (fidx INTEGER, path VARCHAR, label VARCHAR, city VARCHAR, lossy BOOLEAN)"
    )
    rows = [(s.index, str(s.source.parquet), s.count.file, s.item.city, s.source.lossy) for s in files]
    if rows:
        con.executemany("INSERT INTO files VALUES (?, ?, ?, ?, ?)", rows)


def _group_select(
    con, schema: Schema, spec: Table, table: str, members: list[Staged], valid_cities: list[str], key: str
) -> str:
    """Typed values and the first per-row problem of every row of one system's files."""
    first = members[0]
    mapping, source = first.mapping, first.source
    tmap = mapping.tables[table]
    present = set().union(*(m.source.columns for m in members))
    types = {c: t for m in members for c, t in m.source.types.items()}
    paths = ", ".join(lit(str(m.source.parquet)) for m in members)
    row = "s.__row" if source.staged else "s.file_row_number + 2"
    reader = f"read_parquet([{paths}], union_by_name=true, file_row_number=true)"
    fidx = f"{list_sql([m.index for m in members])}[CAST(s.file_index AS BIGINT) + 1]"
    lossy = (
        f"{list_sql([m.source.lossy for m in members])}[CAST(s.file_index AS BIGINT) + 1]"
        if any(m.source.lossy for m in members)
        else "false"
    )
    city = f"{list_sql([m.item.city for m in members])}[CAST(s.file_index AS BIGINT) + 1]"
    mapped = {name for c in spec.columns if (src := tmap.source(c)) is not None for name in src.columns}
    read = {c: t for c, t in types.items() if c in mapped}
    wide_columns = set() if source.staged else _wide_space_columns(con, reader, read)
    keep = ["_fidx", "_row", "_lossy"]
    first_level = [f"{fidx} AS _fidx", f"{row} AS _row", f"{lossy} AS _lossy", f"{city} AS _city"]
    shaped = any(m.source.shaped for m in members)
    if shaped:
        keep.append(SHAPE)
        first_level.append(f"s.{SHAPE} AS {SHAPE}")
    parts = list(keep)
    checks: list[Check] = []
    for name, col in spec.columns.items():
        src = tmap.source(name)
        if src is not None and not set(src.columns) <= present:
            src = None  # an optional column this system's files lack (or lack part of)
        origin = src.label if src is not None and src.columns else None
        source_type = types.get(src.source) if src is not None and src.source else None
        wide = src is not None and bool(set(src.columns) & wide_columns)
        first_level += [
            f"{sql} AS {ident(alias)}"
            for alias, sql in source_sql(name, col, src, source.staged, source_type, key, wide).items()
        ]
        raw, value = column_sql(name, col, src, source.staged, source_type)
        if name == "city":
            raw, value = f"coalesce(_city, {raw})", f"coalesce(_city, {value})"
        parts += [f'{raw} AS "_raw_{name}"', f'{value} AS "{name}"']
        checks += column_checks(schema, name, col, src, origin, parsed=_may_not_parse(raw, value, name))
    # Checks that cannot fail for these files are left out (every check costs time on every row of
    # a province): the city of files whose input folder names a valid city, undecodable bytes in
    # files that were decoded without loss, values that are not parsed at all.
    fixed_city = all(m.item.city in valid_cities for m in members)
    city_origin = _origin(tmap, "city") if first.item.city is None else ""
    checks = (
        shape_checks(shaped)
        + ([] if fixed_city else city_checks(valid_cities, city_origin))
        + (lossy_checks(spec, tmap, present) if any(m.source.lossy for m in members) else [])
        + checks
    )
    provided = provided_columns(tmap, spec, present)
    # a rule on a column the source does not record cannot be checked
    rules = [r for r in spec.rules if spec.checkable(r.check, provided)]
    checks += [
        (f"NOT coalesce({r.check}, true)", r.column, _origin(tmap, r.column), r.zh, "核对该记录的时间顺序")
        for r in rules
        if not r.clear
    ]
    checks += lossy_id_checks(spec, tmap, present, clear=False)
    checks += implausible_number_checks(spec, tmap, present, clear=False)
    clears = [
        (f"NOT coalesce({r.check}, true)", r.column, _origin(tmap, r.column), r.zh, "核对该值；其余字段照常使用")
        for r in rules
        if r.clear
    ]
    clears += lossy_id_checks(spec, tmap, present, clear=True)
    clears += implausible_number_checks(spec, tmap, present, clear=True)
    # Three levels: what each column reads from the export (trimmed text, a hash), then its raw text
    # and typed value, then the checks. For staged text exports each level stands behind OFFSET 0,
    # so that DuckDB computes its columns (time parsing in several layouts) once per row rather than
    # inlining them into every expression that reads them. Parquet exports need no barrier (their
    # columns are typed or plain text: DuckDB computes them once anyway), and without one DuckDB
    # runs the levels on every core: OFFSET keeps the rows in order on one.
    barrier = " OFFSET 0" if source.staged else ""
    excluded, checks = _filter_sql(tmap, first_level, parts, checks, shaped, any(m.source.lossy for m in members))
    sources = f"SELECT {', '.join(first_level)} FROM {reader} s{barrier}"
    typed = f"SELECT {', '.join(parts)} FROM ({sources}){barrier}"
    sql = (
        f"SELECT *{cleared_columns_sql(clears)}, CASE WHEN {excluded} THEN NULL ELSE {problem_sql(checks)} END "
        f"AS _problem, {excluded} AS _excluded, {clearing_sql(clears)} AS _cleared FROM ({typed})"
    )
    try:
        con.execute(f"DESCRIBE {sql}")
    except duckdb.Error as exc:
        path = Path("params") / "mappings" / f"{mapping.id}.yaml"
        raise ConfigError(
            path, f"tables.{table}", f"映射中的列、表达式或筛选条件无法执行（{_first_line(exc)}）"
        ) from exc
    return sql


def _filter_sql(
    tmap: TableMapping, first_level: list[str], parts: list[str], checks: list[Check], shaped: bool, lossy: bool
) -> tuple[str, list[Check]]:
    """A mapping's `filter` as columns of the group's select: the condition (`_keep`) and the values
    of the columns it reads (`_filter_value`, for excluded.csv). A row is excluded when the condition
    is false and the row is well formed (no field too many or too few, no undecodable byte); a row
    the condition cannot decide (a column it reads is empty) is rejected. Returns the excluded
    condition and the checks with the undecided-row check after the well-formedness checks."""
    if not tmap.filter:
        parts += ["NULL::VARCHAR AS _filter_value"]
        return "false", checks
    columns = _quoted_names(tmap.filter)
    shown = ", ".join(f"{lit(c + '=')} || coalesce(s.{ident(c)}, '（空）')" for c in columns) or "''"
    first_level += [f"({tmap.filter}) AS _keep", f"concat_ws('；', {shown}) AS _filter_value"]
    parts += ["_keep", "_filter_value"]
    malformed = [f"{SHAPE} IS NOT NULL"] if shaped else []
    if lossy:
        malformed.append("(_lossy AND contains(_filter_value, '\ufffd'))")
    excluded = "(_keep IS FALSE" + "".join(f" AND NOT coalesce({m}, false)" for m in malformed) + ")"
    undecided: Check = (
        "_keep IS NULL",
        WHOLE_ROW,
        "、".join(columns),
        "无法按映射的筛选条件判断该行是否属于本表（筛选所用的列为空）",
        f"补齐该列，或修改映射的 filter（{tmap.filter}）",
    )
    position = len(shape_checks(shaped))
    return excluded, [*checks[:position], undecided, *checks[position:]]


def _may_not_parse(raw: str, value: str, name: str) -> bool:
    """Whether a column's value can be missing where its text is not: not when the value is the
    text itself (plain text columns) or a time read from a column that already holds times."""
    return raw != value and value != ident(TIME + name)


def _wide_space_columns(con, reader: str, types: dict[str, str]) -> set[str]:
    """The text columns of Parquet exports to trim of every kind of whitespace, not just spaces.

    One cheap pass over the columns read (contains() on their concatenation): when no value
    holds a tab, a full-width space or the like, the plain trim gives the same values at a third
    of the price. Staged files were trimmed while staging.
    """
    text = [c for c, t in types.items() if t == "VARCHAR"]
    if not text:
        return set()
    joined = "concat(" + ", ".join(ident(c) for c in text) + ")"
    found = con.execute(f"SELECT bool_or({wide_space_sql(joined)}) FROM {reader}").fetchone()[0]
    return set(text) if found else set()


def _origin(tmap, column: str) -> str:
    src = tmap.source(column)
    return src.label if src is not None else ""


# ---------------------------------------------------------------------------------------------
# Outputs


def _write_accepted(con, spec: Table, target: Path, key: str) -> None:
    """Accepted rows in file and row order, streamed to Parquet (typed values are computed again
    rather than held in memory; the checks are not: rejected rows are left out by their key).
    The personal numbers in text columns are masked here, once per stored value (scan_sql)."""
    columns = ", ".join(f"{scan_sql(ident(c), col.scan_kind, key)} AS {ident(c)}" for c, col in spec.columns.items())
    rejected = con.execute("SELECT count(*) FROM problems").fetchone()[0]
    # DuckDB's parallel hash join does not keep the rows in order: with rejected rows to leave out,
    # the rows are read on one core (OFFSET 0), and the join keeps their order.
    rows = "(SELECT * FROM typed WHERE NOT _excluded OFFSET 0)"
    source = f"{rows} ANTI JOIN problems USING (_fidx, _row)" if rejected else "typed WHERE NOT _excluded"
    with atomic_path(target) as tmp:
        con.execute(f"COPY (SELECT {columns} FROM {source}) TO {lit(str(tmp))} ({PARQUET_OPTIONS})")


def _count(con, files: list[Staged]) -> None:
    counts = con.execute(
        "SELECT _fidx, count(*) FILTER (NOT _excluded), count(*) FILTER (_excluded) FROM typed GROUP BY _fidx"
    )
    rows = {fidx: (kept, excluded) for fidx, kept, excluded in counts.fetchall()}
    rejected = dict(con.execute("SELECT _fidx, count(*) FROM problems GROUP BY _fidx").fetchall())
    for s in files:
        structural = len(s.source.structural)
        kept, excluded = rows.get(s.index, (0, 0))
        s.count.rows_in = kept + structural
        s.count.rejected = rejected.get(s.index, 0) + structural
        s.count.accepted = s.count.rows_in - s.count.rejected
        s.count.excluded = excluded


def _excluded_rows(con, table: str, files: list[Staged]) -> list[list]:
    """Rows a mapping's filter left out: table, file, row, the filter and the values it read."""
    if not any(s.count.excluded for s in files):
        return []
    by_index = {s.index: s for s in files}
    found = con.execute("SELECT _fidx, _row, _filter_value FROM typed WHERE _excluded ORDER BY _fidx, _row").fetchall()
    return [
        [table, by_index[f].count.file, row, by_index[f].mapping.tables[table].filter, mask_text(value)]
        for f, row, value in found
    ]


def _write_rejects(con, files: list[Staged], path: Path) -> dict[str, int]:
    """rejects/<table>.csv: every rejected row with file, row, column, masked value, reason, fix."""
    reasons: dict[str, int] = {}
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(REJECT_HEADER)
        for label, row, column, origin, value, reason, fix in _reject_rows(con, files):
            cells = [label, row, column, origin, mask_text(value), reason, fix]
            writer.writerow([spreadsheet_text(c) for c in cells])
            key = f"{column}: {reason if not reason.startswith('编号重复') else '编号重复'}"
            reasons[key] = reasons.get(key, 0) + 1
    return reasons


def _write_cleared(con, files: list[Staged], path: Path) -> None:
    """cleared/<table>.csv: every field ingest emptied in an accepted row, with file, row, column,
    masked value, reason and fix; the count per file goes to ingest.json."""
    by_index = {s.index: s for s in files}
    cursor = con.execute(
        "SELECT _fidx, _row, c.column, c.source, c.value, c.reason, c.fix FROM ("
        "SELECT _fidx, _row, unnest(_cleared) AS c FROM typed WHERE NOT _excluded AND len(_cleared) > 0) "
        "ANTI JOIN problems USING (_fidx, _row) ORDER BY _fidx, _row"
    )
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(REJECT_HEADER)
        rows: set[tuple[int, int]] = set()
        while batch := cursor.fetchmany(10_000):
            for fidx, row, column, origin, value, reason, fix in batch:
                rows.add((fidx, row))
                cells = [by_index[fidx].count.file, row, column, origin, mask_text(value), reason, fix]
                writer.writerow([spreadsheet_text(c) for c in cells])
    for fidx, _ in rows:
        by_index[fidx].count.cleared += 1


def _reject_rows(con, files: list[Staged]) -> Iterator[tuple]:
    """Rejected rows in file and row order: the checks' and the CSV parser's, merged."""
    by_index = {s.index: s for s in files}
    structural = sorted(
        (s.index, r.row, WHOLE_ROW, r.column or "", None, r.reason, r.fix) for s in files for r in s.source.structural
    )
    cursor = con.execute(
        "SELECT _fidx, _row, _problem.column, _problem.source, _problem.value, _problem.reason, _problem.fix "
        "FROM problems ORDER BY _fidx, _row"
    )
    checked = iter(lambda: cursor.fetchmany(10_000), [])
    merged = _merge_sorted(structural, (row for batch in checked for row in batch))
    for fidx, row, *rest in merged:
        yield (by_index[fidx].count.file, row, *rest)


def _merge_sorted(a: list[tuple], b: Iterator[tuple]) -> Iterator[tuple]:
    return heapq.merge(a, b, key=lambda r: (r[0], r[1]))


def _empty_select(spec: Table) -> str:
    cols = ", ".join(f'NULL::VARCHAR AS "_raw_{n}", NULL::{c.sql_type} AS "{n}"' for n, c in spec.columns.items())
    return (
        f"SELECT NULL::INTEGER AS _fidx, NULL::BIGINT AS _row, {cols}, "
        'NULL::STRUCT("column" VARCHAR, source VARCHAR, value VARCHAR, reason VARCHAR, fix VARCHAR) AS _problem, '
        f"false AS _excluded, NULL::VARCHAR AS _filter_value, {clearing_sql([])} AS _cleared WHERE false"
    )


def _label(path: Path, base: Path) -> str:
    """A file as outputs name it: relative to the project (or sample) folder, `../` included for
    shared data outside it; the absolute path only where no relative path exists."""
    return relative_label(path, base)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]

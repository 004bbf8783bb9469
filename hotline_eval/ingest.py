"""Ingest (§5.2.8): source exports → validated, masked canonical Parquet tables + rejects.

1. Every export file is checked and staged (readers.py); problems that make a whole file unusable
   (empty, no header, a required column missing, damaged, mixed encodings) are collected over
   all files and reported together, before anything is written.
2. For each canonical table, the files of one source system are read together; each column is
   mapped (params/mappings), parsed to its type and checked against the schema
   (params/schema.yaml) in one streaming DuckDB query; the first problem of a row names its
   column, source column, value, reason and fix.
3. Duplicate ids are found by one grouped pass over the ids; the first occurrence is kept.
4. Accepted rows go to `data/<table>.parquet`, rejected rows (with the rows the CSV parser could
   not split) to `rejects/<table>.csv`. Nothing is lost: per file, rows in = accepted + rejected
   (+ rows a mapping's `filter` excludes, counted apart; blank rows are counted but are no rows).

Personal data is masked on the way in: phone numbers become a salted hash while staging, and
personal columns are never read.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from hotline_eval.errors import ConfigError, InputError, InputErrors
from hotline_eval.mapping import ColumnSource, Mapping, load_mapping
from hotline_eval.masking import mask_text, phone_hash_sql, phone_mask_sql, salt
from hotline_eval.readers import MASKED, SHAPE, STRUCTURAL, Source, Wanted, missing_column_hint, stage
from hotline_eval.schema import Column, Schema, Table, load_schema
from hotline_eval.store import atomic_path, remove_partials, spreadsheet_text

TIMESTAMP_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y%m%d%H%M%S",
    "%Y.%m.%d %H:%M:%S",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H时%M分%S秒",
]
TYPED_TIMESTAMPS = ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "DATE")
BEIJING_OFFSET_S = 8 * 3600
# Trimmed from both ends of every value: ASCII whitespace, and what spreadsheet exports add (the
# tab that keeps Excel from turning long numbers into 1.38E+10, no-break and full-width spaces).
WHITESPACE = " \t\n\r\v\f\u00a0\u3000\ufeff"
WHOLE_ROW = "(整行)"
REJECT_HEADER = ["文件", "行号", "列", "源列", "值", "原因", "处理建议"]


@dataclass(frozen=True)
class InputFile:
    """One export file, the system (mapping) that produced it, its table and (if fixed) its city."""

    path: Path
    system: str
    table: str
    city: str | None = None


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


@dataclass
class IngestReport:
    files: list[FileCount] = field(default_factory=list)
    reasons: dict[str, dict[str, int]] = field(default_factory=dict)  # table → reason → count
    personal_columns_dropped: list[str] = field(default_factory=list)

    def totals(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for f in self.files:
            t = out.setdefault(f.table, {"rows_in": 0, "accepted": 0, "rejected": 0})
            t["rows_in"] += f.rows_in
            t["accepted"] += f.accepted
            t["rejected"] += f.rejected
        return out

    def as_dict(self) -> dict:
        return {
            "files": [asdict(f) for f in self.files],
            "reasons": self.reasons,
            "totals": self.totals(),
            "personal_columns_dropped": self.personal_columns_dropped,
        }


@dataclass
class Staged:
    """An input file after reading: its source, its count, its index in the table's file list."""

    item: InputFile
    source: Source
    count: FileCount
    mapping: Mapping
    index: int = 0


def discover(root: Path, folder: Path, systems: list[str], city: str | None) -> list[InputFile]:
    """The export files in `folder` that the given systems' mappings claim, by file pattern."""
    found: list[InputFile] = []
    for system in systems:
        mapping = load_mapping(root, system)
        for table, tmap in mapping.tables.items():
            for pattern in tmap.patterns:
                for path in sorted(folder.glob(pattern)):
                    found.append(InputFile(path, system, table, city))
    return found


def connect(threads: int | None = None, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection in Beijing time (naive source times are read as Asia/Shanghai)."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    return con


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
            for folder in (out_dir / "data", out_dir / "rejects"):
                folder.mkdir(parents=True, exist_ok=True)
                remove_partials(folder)  # left by an interrupted run; never a finished file
            for table in schema.tables:
                files = [s for s in staged if s.item.table == table]
                say(f"导入 {schema.tables[table].zh}（{len(files)} 个文件）")
                ingest_table(con, schema, table, files, out_dir, valid_cities, key, report)
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
        try:
            source = stage(
                con, item.path, mapping.read_options(item.table), _wanted(mapping, item.table, key), work, f"f{n}"
            )
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
                c
                for c in source.columns
                if c not in _wanted(mapping, item.table, key).columns and c not in mapping.personal_columns
            ],
            system=item.system,
            blank_rows=source.blank_rows,
        )
        staged.append(Staged(item, source, count, mapping))
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputErrors(errors)
    return staged


def _wanted(mapping: Mapping, table: str, key: str) -> Wanted:
    tmap = mapping.tables[table]
    sources = [tmap.source(c) for c in tmap.columns]
    columns = [s.source for s in sources if s and s.source]
    expr_columns = [c for s in sources if s and s.expr for c in _quoted_names(s.expr)]
    filter_columns = _quoted_names(tmap.filter) if tmap.filter else []
    phones = [s.source for s in sources if s and s.source and s.mask == "phone"]
    every = list(dict.fromkeys(columns + expr_columns + filter_columns))
    return Wanted(tuple(every), tuple(phones), key)


def _quoted_names(sql: str) -> list[str]:
    """Source columns a mapping's SQL refers to (written as "列名")."""
    import re

    return [m.replace('""', '"') for m in re.findall(r'"((?:[^"]|"")+)"', sql)]


def _check_columns(source: Source, mapping: Mapping, item: InputFile, spec: Table) -> list[str]:
    """Source columns the mapping needs but the file lacks: an error if required, else noted."""
    tmap = mapping.tables[item.table]
    missing = []
    for canonical in tmap.columns:
        src = tmap.source(canonical).source
        if src and src not in source.columns:
            if spec.columns[canonical].required and not (canonical == "city" and item.city):
                hint = missing_column_hint(src, source.columns, mapping.read_options(item.table).delimiter)
                raise InputError(
                    item.path,
                    f"required column '{src}' (for {item.table}.{canonical}) is missing"
                    + (f" ({hint})" if hint else "")
                    + f"; the file has: {', '.join(source.columns)}",
                    column=src,
                    fix=f"export the column, or change the mapping params/mappings/{mapping.id}.yaml",
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
    groups: dict[tuple[str, bool], list[Staged]] = {}
    for s in files:
        groups.setdefault((s.item.system, s.source.staged), []).append(s)
    selects = [_group_select(con, schema, spec, table, members, valid_cities, key) for members in groups.values()]
    typed = " UNION ALL BY NAME ".join(selects) if selects else _empty_select(spec)
    con.execute(f"CREATE OR REPLACE TEMP VIEW typed AS {typed}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE dups AS {_duplicates_sql(spec)}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW checked AS {_checked_sql(spec)}")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE problems AS SELECT _fidx, _row, _problem FROM checked WHERE _problem IS NOT NULL"
    )
    _write_accepted(con, spec, out_dir / "data" / f"{table}.parquet")
    _count(con, files, groups)
    report.reasons[table] = _write_rejects(con, files, out_dir / "rejects" / f"{table}.csv")


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
    paths = ", ".join(_lit(str(m.source.parquet)) for m in members)
    row = "s.__row" if source.staged else "s.file_row_number + 2"
    reader = f"read_parquet([{paths}], union_by_name=true, file_row_number=true)"
    fidx = f"{_list([m.index for m in members])}[CAST(s.file_index AS BIGINT) + 1]"
    lossy = (
        f"{_list([m.source.lossy for m in members])}[CAST(s.file_index AS BIGINT) + 1]"
        if any(m.source.lossy for m in members)
        else "false"
    )
    city = f"{_list([m.item.city for m in members])}[CAST(s.file_index AS BIGINT) + 1]"
    parts = [f"{fidx} AS _fidx", f"{row} AS _row", f"{lossy} AS _lossy"]
    shaped = any(m.source.shaped for m in members)
    if shaped:
        parts.append(f"s.{SHAPE} AS {SHAPE}")
    checks: list[tuple[str, str, str, str, str]] = []  # condition, column, source column, reason, fix
    for name, col in spec.columns.items():
        src = tmap.source(name)
        origin = src.source if src and src.source in present else None
        if src is not None and src.source is not None and origin is None:
            src = None  # an optional column this system's files lack
        raw, value = _column_sql(col, src, source.staged, types.get(origin or ""), key)
        if name == "city":
            raw, value = f"coalesce({city}, {raw})", f"coalesce({city}, {value})"
        parts += [f'{raw} AS "_raw_{name}"', f'{value} AS "{name}"']
        checks += _column_checks(schema, name, col, src, origin)
    city_origin = _origin(tmap, "city") if first.item.city is None else ""
    checks = (
        _shape_checks(shaped) + _city_checks(valid_cities, city_origin) + _lossy_checks(spec, tmap, present) + checks
    )
    checks += [
        (f"NOT coalesce({r.check}, true)", r.column, _origin(tmap, r.column), r.zh, "核对该记录的时间顺序")
        for r in spec.rules
    ]
    where = f" WHERE {tmap.filter}" if tmap.filter else ""
    body = f"SELECT {', '.join(parts)} FROM {reader} s{where}"
    # OFFSET 0 keeps the typed values computed once: without it DuckDB inlines each expression
    # into every check that reads it (a timestamp would be parsed once per check).
    sql = f"SELECT *, {_problem_sql(checks)} AS _problem FROM ({body} OFFSET 0)"
    try:
        con.execute(f"DESCRIBE {sql}")
    except duckdb.Error as exc:
        path = Path("params") / "mappings" / f"{mapping.id}.yaml"
        raise ConfigError(
            path, f"tables.{table}", f"the mapping's columns, expressions or filter do not run: {_first_line(exc)}"
        ) from exc
    return sql


def _origin(tmap, column: str) -> str:
    src = tmap.source(column)
    return src.source if src is not None and src.source else ""


def _column_sql(
    col: Column, src: ColumnSource | None, staged: bool, source_type: str | None, key: str
) -> tuple[str, str]:
    """(raw text, typed value) SQL expressions for one canonical column."""
    if src is None:
        default = "NULL" if col.default is None else _lit(col.default)
        return "NULL::VARCHAR", f"CAST({default} AS {col.sql_type})"
    if src.const is not None:
        return _lit(src.const), f"TRY_CAST({_lit(src.const)} AS {col.sql_type})"
    if src.mask == "phone":
        ident = _ident(src.source)
        if staged:  # hashed and masked while staging
            return _ident(MASKED + src.source), f"CAST({ident} AS VARCHAR)"
        return phone_mask_sql(ident), phone_hash_sql(f"trim(CAST({ident} AS VARCHAR))", key)
    if src.expr is not None:
        raw = f"CAST(({src.expr}) AS VARCHAR)"
    else:
        raw = f"nullif(trim(CAST({_ident(src.source)} AS VARCHAR), {_lit(WHITESPACE)}), '')"
        if col.type == "timestamp" and src.values is None and source_type in TYPED_TIMESTAMPS:
            return raw, _typed_time(_ident(src.source), source_type)
    text = raw
    if src.values is not None:
        cases = " ".join(f"WHEN {_lit(str(k))} THEN {_text(v)}" for k, v in src.values.items())
        text = f"(CASE {raw} {cases} ELSE {raw} END)"
        null_keys = [k for k, v in src.values.items() if v is None]
        if null_keys:  # a value the mapping declares empty is not a parse failure
            raw = f"(CASE {raw} {' '.join(f'WHEN {_lit(str(k))} THEN NULL' for k in null_keys)} ELSE {raw} END)"
    value = _typed(text, col, src.format)
    if col.default is not None:
        value = f"coalesce({value}, CASE WHEN {text} IS NULL THEN TRY_CAST({_lit(col.default)} AS {col.sql_type}) END)"
    return raw, value


def _typed_time(ident: str, source_type: str) -> str:
    """A source column that already holds times (Parquet exports): no parsing."""
    if source_type == "TIMESTAMP WITH TIME ZONE":
        return ident
    return beijing(f"CAST({ident} AS TIMESTAMP)")


def beijing(naive_sql: str) -> str:
    """A naive Beijing time as an instant (TIMESTAMPTZ).

    China has kept UTC+8 all year since 1991, so the offset is fixed; this is exact for every
    date a hotline evaluates and several times cheaper than a time-zone lookup per value.
    """
    return f"to_timestamp(epoch({naive_sql}) - {BEIJING_OFFSET_S})"


def _typed(text: str, col: Column, fmt: str | None) -> str:
    if col.type == "timestamp":
        formats = "[" + ", ".join(_lit(f) for f in ([fmt] if fmt else TIMESTAMP_FORMATS)) + "]"
        parsed = beijing(f"try_strptime({text}, {formats})")
        return parsed if fmt else f"coalesce({parsed}, TRY_CAST({text} AS TIMESTAMPTZ))"
    if col.type == "date":
        if fmt:
            return f"CAST(try_strptime({text}, {_lit(fmt)}) AS DATE)"
        return f"coalesce(TRY_CAST({text} AS DATE), CAST(try_strptime({text}, '%Y/%m/%d') AS DATE))"
    if col.type == "number":
        plain = f"replace({text}, ',', '')"
        if col.max is None or col.max > 1:  # "95%" is a rate; in a score column it would mislead
            return f"TRY_CAST({plain} AS DOUBLE)"
        return (
            f"CASE WHEN {plain} LIKE '%\\%' ESCAPE '\\' THEN TRY_CAST(rtrim({plain}, '%') AS DOUBLE) / 100 "
            f"ELSE TRY_CAST({plain} AS DOUBLE) END"
        )
    if col.type == "integer":
        number = f"TRY_CAST(replace({text}, ',', '') AS DOUBLE)"
        return f"CASE WHEN {number} = floor({number}) THEN CAST({number} AS BIGINT) END"
    if col.type == "boolean":
        return (
            f"CASE lower({text}) WHEN 'true' THEN true WHEN 'false' THEN false WHEN '1' THEN true "
            f"WHEN '0' THEN false WHEN 't' THEN true WHEN 'f' THEN false END"
        )
    return text


# ---------------------------------------------------------------------------------------------
# Checks: (condition, canonical column, source column, reason, fix); the first that holds wins


def _shape_checks(shaped: bool) -> list[tuple[str, str, str, str, str]]:
    """Rows of a CSV file with a field too many or too few (found while staging)."""
    if not shaped:
        return []
    return [
        (f"{SHAPE} = {_lit(kind)}", WHOLE_ROW, "", *STRUCTURAL[kind])
        for kind in ("TOO MANY COLUMNS", "MISSING COLUMNS")
    ]


def _city_checks(valid_cities: list[str], origin: str) -> list[tuple[str, str, str, str, str]]:
    return [
        ("city IS NULL", "city", origin, "城市为空", "在映射中给出城市列，或在评价定义的 inputs 中为该文件指定 city"),
        (
            _not_in("city", valid_cities),
            "city",
            origin,
            "城市不在本次评价对象中",
            f"有效城市编号：{', '.join(valid_cities)}；核对评价定义的 inputs 或该文件的城市列",
        ),
    ]


def _lossy_checks(spec: Table, tmap, present: set[str]) -> list[tuple[str, str, str, str, str]]:
    """Values holding U+FFFD after decoding: the bytes were not valid in the file's encoding."""
    out = []
    for name in spec.columns:
        src = tmap.source(name)
        if src is None or src.source is None or src.source not in present or src.mask:
            continue
        out.append(
            (
                f"_lossy AND contains(\"_raw_{name}\", '\ufffd')",
                name,
                src.source,
                "含有无法解码的字符（文件编码有误，或混用了多种编码）",
                "把整个文件统一另存为 UTF-8（或在映射中写明 read.encoding）后重新导入",
            )
        )
    return out


def _column_checks(
    schema: Schema, name: str, col: Column, src: ColumnSource | None, origin: str | None
) -> list[tuple[str, str, str, str, str]]:
    raw, val = f'"_raw_{name}"', f'"{name}"'
    where = origin or ""
    out = []
    if col.pii is None and name != "city":
        fmt = src.format if src is not None else None
        out.append((f"{raw} IS NOT NULL AND {val} IS NULL", name, where, _parse_reason(col, fmt), _parse_fix(col)))
    if col.required and name != "city":
        out.append((f"{val} IS NULL", name, where, "必填字段为空", "补齐该字段后重新导出"))
    if col.codes:
        out.append(
            (
                f"{val} IS NOT NULL AND {_not_in(val, list(schema.codes[col.codes].values))}",
                name,
                where,
                "代码不在允许范围内",
                f"在映射文件的 values 中把该代码对应到 {col.codes} 代码表（见 docs/schema.md）",
            )
        )
    if col.min is not None:
        out.append((f"{val} < {col.min}", name, where, f"小于允许的最小值 {col.min:g}", "核对数据来源"))
    if col.max is not None:
        out.append((f"{val} > {col.max}", name, where, f"大于允许的最大值 {col.max:g}", "核对数据来源"))
    return out


def _parse_reason(col: Column, fmt: str | None) -> str:
    reason = {
        "timestamp": "无法解析为时间",
        "date": "无法解析为日期",
        "number": "不是数值",
        "integer": "不是整数",
        "boolean": "不是是/否值",
    }.get(col.type, "无法解析")
    return f"{reason}（映射规定的格式为 {fmt}）" if fmt and col.type in ("timestamp", "date") else reason


def _parse_fix(col: Column) -> str:
    if col.type in ("timestamp", "date"):
        return "修正该值，或在映射中为该列写明实际的 format（如 %Y-%m-%d %H:%M:%S）"
    if col.type == "boolean":
        return "在映射的 values 中把该值对应为 true 或 false"
    return "修正该值，或在映射的 values 中给出对应关系"


def _problem_sql(checks: list[tuple[str, str, str, str, str]]) -> str:
    cases = []
    for cond, column, origin, reason, fix in checks:
        value = "NULL::VARCHAR" if column == WHOLE_ROW else f'"_raw_{column}"'
        cases.append(
            f"WHEN {cond} THEN {{'column': {_lit(column)}, 'source': {_lit(origin)}, 'value': {value}, "
            f"'reason': {_lit(reason)}, 'fix': {_lit(fix)}}}"
        )
    return f"CASE {' '.join(cases)} END"


def _duplicates_sql(spec: Table) -> str:
    """Ids used more than once within a city, with the file and row of their first occurrence."""
    if not spec.key:
        return (
            "SELECT NULL::VARCHAR AS city, NULL::VARCHAR AS id, NULL::INTEGER AS f, NULL::BIGINT AS r, "
            "NULL::VARCHAR AS label WHERE false"
        )
    key = _ident(spec.key)
    return (
        "SELECT d.city, d.id, d.first.f AS f, d.first.r AS r, files.label FROM ("
        f"SELECT city, {key} AS id, min({{'f': _fidx, 'r': _row}}) AS first FROM typed "
        f"WHERE {key} IS NOT NULL GROUP BY ALL HAVING count(*) > 1) d JOIN files ON files.fidx = d.first.f"
    )


def _checked_sql(spec: Table) -> str:
    if not spec.key:
        return "SELECT * FROM typed"
    key = _ident(spec.key)
    duplicate = (
        "{'column': " + _lit(spec.key) + ", 'source': '', 'value': t.\"_raw_" + spec.key + '", '
        "'reason': '编号重复，与' || d.label || ' 第' || d.r || '行相同', 'fix': '删除重复记录，保留一条'}"
    )
    return (
        f"SELECT t.* REPLACE (coalesce(t._problem, CASE WHEN d.f IS NOT NULL AND (d.f <> t._fidx OR d.r <> t._row) "
        f"THEN {duplicate} END) AS _problem) FROM typed t LEFT JOIN dups d ON d.city = t.city AND d.id = t.{key}"
    )


# ---------------------------------------------------------------------------------------------
# Outputs


def _write_accepted(con, spec: Table, target: Path) -> None:
    """Accepted rows in file and row order, streamed to Parquet (typed values are computed again
    rather than held in memory; the checks are not: rejected rows are left out by their key)."""
    columns = ", ".join(f'"{c}"' for c in spec.columns)
    rejected = con.execute("SELECT count(*) FROM problems").fetchone()[0]
    source = "typed ANTI JOIN problems USING (_fidx, _row)" if rejected else "typed"
    with atomic_path(target) as tmp:
        con.execute(f"COPY (SELECT {columns} FROM {source}) TO {_lit(str(tmp))} (FORMAT parquet, COMPRESSION zstd)")


def _count(con, files: list[Staged], groups: dict) -> None:
    rows = dict(con.execute("SELECT _fidx, count(*) FROM typed GROUP BY _fidx").fetchall())
    rejected = dict(con.execute("SELECT _fidx, count(*) FROM problems GROUP BY _fidx").fetchall())
    for s in files:
        structural = len(s.source.structural)
        s.count.rows_in = rows.get(s.index, 0) + structural
        s.count.rejected = rejected.get(s.index, 0) + structural
        s.count.accepted = s.count.rows_in - s.count.rejected
    for members in groups.values():
        tmap = members[0].mapping.tables[members[0].item.table]
        if tmap.filter:
            paths = ", ".join(_lit(str(m.source.parquet)) for m in members)
            total = dict(
                con.execute(
                    f"SELECT {_list([m.index for m in members])}[CAST(file_index AS BIGINT) + 1], count(*) "
                    f"FROM read_parquet([{paths}], union_by_name=true) GROUP BY ALL"
                ).fetchall()
            )
            for m in members:
                m.count.excluded = total.get(m.index, 0) - (m.count.rows_in - len(m.source.structural))


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
    import heapq

    return heapq.merge(a, b, key=lambda r: (r[0], r[1]))


def _empty_select(spec: Table) -> str:
    cols = ", ".join(f'NULL::VARCHAR AS "_raw_{n}", NULL::{c.sql_type} AS "{n}"' for n, c in spec.columns.items())
    return (
        f"SELECT NULL::INTEGER AS _fidx, NULL::BIGINT AS _row, {cols}, "
        'NULL::STRUCT("column" VARCHAR, source VARCHAR, value VARCHAR, reason VARCHAR, fix VARCHAR) AS _problem '
        "WHERE false"
    )


def _label(path: Path, base: Path) -> str:
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


def _text(value: object) -> str:
    """A value-map target as SQL text (booleans as 'true'/'false', None as NULL)."""
    if value is None:
        return "NULL"
    return _lit(str(value).lower() if isinstance(value, bool) else str(value))


def _not_in(expr: str, values: list[str]) -> str:
    """SQL: `expr` is none of `values` (a simple CASE: many times faster in DuckDB than NOT IN)."""
    whens = " ".join(f"WHEN {_lit(v)} THEN false" for v in values)
    return f"(CASE {expr} {whens} ELSE true END)" if values else "true"


def _list(values: list) -> str:
    """A DuckDB list literal (indexed by file: per-file constants without a join)."""
    return "[" + ", ".join("NULL" if v is None else _lit(v) for v in values) + "]"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]

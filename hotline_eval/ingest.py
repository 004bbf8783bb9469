"""Ingest (§5.2.8): source exports → validated, masked canonical Parquet tables + rejects.

For each canonical table, every input file is read (readers.py), its columns are mapped to the
canonical columns (params/mappings), values are parsed to their types and checked against the
schema (params/schema.yaml), and each row is either accepted into `data/<table>.parquet` or
rejected into `rejects/<table>.csv` with file, row, column, value and reason. Nothing is lost:
rows in = accepted + rejected, per file. Personal data is masked on the way in.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from hotline_eval.errors import InputError
from hotline_eval.mapping import ColumnSource, Mapping, load_mapping
from hotline_eval.masking import mask_text, phone_hash_sql, salt
from hotline_eval.readers import Source, register
from hotline_eval.schema import Column, Schema, Table, load_schema

TIMESTAMP_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y%m%d%H%M%S",
]


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
    (out_dir / "data").mkdir(parents=True, exist_ok=True)
    (out_dir / "rejects").mkdir(parents=True, exist_ok=True)
    con = connect()
    key = salt(root)
    by_table: dict[str, list[InputFile]] = {}
    for item in inputs:
        by_table.setdefault(item.table, []).append(item)
    for table in schema.tables:
        files = by_table.get(table, [])
        if progress:
            progress(f"导入 {schema.tables[table].zh}（{len(files)} 个文件）")
        _ingest_table(con, root, schema, table, files, out_dir, valid_cities, key, report, base_dir or root)
    dropped = {c for item in inputs for c in load_mapping(root, item.system).personal_columns}
    report.personal_columns_dropped = sorted(dropped)
    return report


def _ingest_table(
    con,
    root: Path,
    schema: Schema,
    table: str,
    files: list[InputFile],
    out_dir: Path,
    valid_cities: list[str],
    key: str,
    report: IngestReport,
    base_dir: Path,
) -> None:
    spec = schema.tables[table]
    selects = []
    for i, item in enumerate(files):
        mapping = load_mapping(root, item.system)
        view = f"src_{table}_{i}"
        expected = _expected_columns(mapping, table)
        source = register(con, item.path, mapping.read_options(table), expected, view, out_dir / ".work")
        label = _label(item.path, base_dir)
        missing = _check_columns(source, mapping, table, spec, item)
        selects.append(_mapped_select(source, mapping, table, spec, item, label, missing, key))
        report.files.append(
            FileCount(
                file=label,
                table=table,
                rows_in=0,
                accepted=0,
                rejected=0,
                encoding=source.encoding,
                header_row=source.header_row,
                missing_columns=missing,
                ignored_columns=[c for c in source.columns if c not in expected and c not in mapping.personal_columns],
            )
        )
    typed = " UNION ALL BY NAME ".join(selects) if selects else _empty_select(spec)
    con.execute(f"CREATE OR REPLACE TEMP TABLE typed_{table} AS {typed}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE checked_{table} AS {_checked_sql(table, spec, schema, valid_cities)}")
    _write_outputs(con, table, spec, out_dir, report)


def _expected_columns(mapping: Mapping, table: str) -> list[str]:
    tmap = mapping.tables[table]
    names = [tmap.source(c).source for c in tmap.columns]
    return [n for n in names if n]


def _check_columns(source: Source, mapping: Mapping, table: str, spec: Table, item: InputFile) -> list[str]:
    """Source columns the mapping needs but the file lacks: an error if required, else noted."""
    tmap = mapping.tables[table]
    missing = []
    for canonical in tmap.columns:
        src = tmap.source(canonical).source
        if src and src not in source.columns:
            if spec.columns[canonical].required:
                raise InputError(
                    item.path,
                    f"required column '{src}' (for {table}.{canonical}) is missing; "
                    f"the file has: {', '.join(source.columns)}",
                    column=src,
                    fix=f"export the column, or change the mapping params/mappings/{mapping.id}.yaml",
                )
            missing.append(src)
    return missing


def _mapped_select(
    source: Source, mapping: Mapping, table: str, spec: Table, item: InputFile, label: str, missing: list[str], key: str
) -> str:
    tmap = mapping.tables[table]
    parts = [f"{_lit(label)} AS _file", "_row"]
    for name, col in spec.columns.items():
        src = tmap.source(name)
        if name == "city" and item.city is not None:
            src = ColumnSource(const=item.city)
        raw, value = _column_sql(name, col, src, missing, key)
        parts += [f'{raw} AS "_raw_{name}"', f'{value} AS "{name}"']
    extra = " OR ".join(f'"{c}" IS NOT NULL' for c in source.extra_field_columns) or "false"
    parts.append(f"({extra}) AS _extra_fields")
    where = f" WHERE {tmap.filter}" if tmap.filter else ""
    return f"SELECT {', '.join(parts)} FROM {source.view}{where}"


def _column_sql(name: str, col: Column, src: ColumnSource | None, missing: list[str], key: str) -> tuple[str, str]:
    """(raw text, typed value) SQL expressions for one canonical column."""
    if src is None or (src.source is not None and src.source in missing):
        default = "NULL" if col.default is None else _lit(col.default)
        return "NULL::VARCHAR", f"CAST({default} AS {col.sql_type})"
    if src.const is not None:
        return _lit(src.const), f"TRY_CAST({_lit(src.const)} AS {col.sql_type})"
    if src.expr is not None:
        raw = f"CAST(({src.expr}) AS VARCHAR)"
        text = raw
    else:
        raw = f'trim(CAST("{src.source}" AS VARCHAR))'
        text = raw
    if src.values is not None:
        cases = " ".join(f"WHEN {_lit(str(k))} THEN {_text(v)}" for k, v in src.values.items())
        text = f"(CASE {raw} {cases} ELSE {raw} END)"
        null_keys = [k for k, v in src.values.items() if v is None]
        if null_keys:  # a value the mapping declares empty is not a parse failure
            raw = f"(CASE WHEN {raw} IN ({', '.join(_lit(str(k)) for k in null_keys)}) THEN NULL ELSE {raw} END)"
    if src.mask == "phone":
        return f"regexp_replace({raw}, '([0-9]{{3}})[0-9]+([0-9]{{4}})', '\\1****\\2')", phone_hash_sql(raw, key)
    value = _typed(text, col, src.format)
    if col.default is not None:
        value = f"coalesce({value}, CASE WHEN {text} IS NULL THEN TRY_CAST({_lit(col.default)} AS {col.sql_type}) END)"
    return raw, value


def _typed(text: str, col: Column, fmt: str | None) -> str:
    if col.type == "timestamp":
        formats = "[" + ", ".join(_lit(f) for f in ([fmt] if fmt else TIMESTAMP_FORMATS)) + "]"
        parsed = f"CAST(try_strptime({text}, {formats}) AS TIMESTAMPTZ)"
        return parsed if fmt else f"coalesce({parsed}, TRY_CAST({text} AS TIMESTAMPTZ))"
    if col.type == "date":
        if fmt:
            return f"CAST(try_strptime({text}, {_lit(fmt)}) AS DATE)"
        return f"coalesce(TRY_CAST({text} AS DATE), CAST(try_strptime({text}, '%Y/%m/%d') AS DATE))"
    if col.type == "number":
        plain = f"replace({text}, ',', '')"
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


def _checked_sql(table: str, spec: Table, schema: Schema, valid_cities: list[str]) -> str:
    """Each row with its first problem (column, reason, fix) or NULL when the row is accepted."""
    checks: list[tuple[str, str, str, str]] = []  # (condition, column, reason, fix)
    checks.append(
        ("_extra_fields", "(整行)", "字段数多于表头（可能是未加引号的逗号或行错位）", "检查该行的分隔符和引号")
    )
    cities = ", ".join(_lit(c) for c in valid_cities)
    checks.append(("city IS NULL", "city", "城市为空", "在映射中给出城市列，或在评价定义的 inputs 中为该文件指定 city"))
    checks.append(
        (f"city NOT IN ({cities})", "city", "城市不在本次评价对象中", f"有效城市编号：{', '.join(valid_cities)}")
    )
    for name, col in spec.columns.items():
        if name == "city":
            continue
        raw, val = f'"_raw_{name}"', f'"{name}"'
        if col.pii is None:
            checks.append((f"{raw} IS NOT NULL AND {val} IS NULL", name, _parse_reason(col), _parse_fix(col)))
        if col.required:
            checks.append((f"{val} IS NULL", name, "必填字段为空", "补齐该字段后重新导出"))
        if col.codes:
            allowed = ", ".join(_lit(v) for v in schema.codes[col.codes].values)
            checks.append(
                (
                    f"{val} IS NOT NULL AND {val} NOT IN ({allowed})",
                    name,
                    "代码不在允许范围内",
                    f"在映射文件的 values 中把该代码对应到 {col.codes} 代码表（见 docs/schema.md）",
                )
            )
        if col.min is not None:
            checks.append((f"{val} < {col.min}", name, f"小于允许的最小值 {col.min:g}", "核对数据来源"))
        if col.max is not None:
            checks.append((f"{val} > {col.max}", name, f"大于允许的最大值 {col.max:g}", "核对数据来源"))
    for rule in spec.rules:
        checks.append((f"NOT coalesce({rule.check}, true)", rule.column, rule.zh, "核对该记录的时间顺序"))
    if spec.key:
        first = (
            f"first_value(_file || ' 第' || _row || '行') OVER (PARTITION BY city, \"{spec.key}\" ORDER BY _file, _row)"
        )
        dup = (
            f'"{spec.key}" IS NOT NULL AND row_number() OVER (PARTITION BY city, "{spec.key}" ORDER BY _file, _row) > 1'
        )
        checks.append((dup, spec.key, f"'编号重复，与' || {first} || '相同'", "删除重复记录"))
    cases = []
    for cond, column, reason, fix in checks:
        reason_sql = reason if reason.startswith("'") else _lit(reason)
        value = "NULL" if column == "(整行)" else f'"_raw_{column}"'
        cases.append(
            f"WHEN {cond} THEN {{'column': {_lit(column)}, 'value': {value}, "
            f"'reason': {reason_sql}, 'fix': {_lit(fix)}}}"
        )
    return f"SELECT *, CASE {' '.join(cases)} END AS _problem FROM typed_{table}"


def _parse_reason(col: Column) -> str:
    return {
        "timestamp": "无法解析为时间",
        "date": "无法解析为日期",
        "number": "不是数值",
        "integer": "不是整数",
        "boolean": "不是是/否值",
    }.get(col.type, "无法解析")


def _parse_fix(col: Column) -> str:
    if col.type in ("timestamp", "date"):
        return "在映射中为该列给出 format（如 %Y-%m-%d %H:%M:%S），或修正该值"
    if col.type == "boolean":
        return "在映射的 values 中把该值对应为 true 或 false"
    return "修正该值，或在映射的 values 中给出对应关系"


def _write_outputs(con, table: str, spec: Table, out_dir: Path, report: IngestReport) -> None:
    columns = ", ".join(f'"{c}"' for c in spec.columns)
    order = ", ".join(["city"] + ([f'"{spec.month_column}"'] if spec.month_column else []))
    target = out_dir / "data" / f"{table}.parquet"
    tmp = target.with_suffix(".parquet.tmp")
    con.execute(
        f"COPY (SELECT {columns} FROM checked_{table} WHERE _problem IS NULL ORDER BY {order}) "
        f"TO '{tmp}' (FORMAT parquet, COMPRESSION zstd)"
    )
    tmp.replace(target)
    counts = con.execute(
        f"SELECT _file, count(*), count(*) FILTER (WHERE _problem IS NULL) FROM checked_{table} GROUP BY _file"
    ).fetchall()
    by_file = {f: (n, ok) for f, n, ok in counts}
    for fc in report.files:
        if fc.table == table and fc.file in by_file:
            n, ok = by_file[fc.file]
            fc.rows_in, fc.accepted, fc.rejected = n, ok, n - ok
    rejects = con.execute(
        f"SELECT _file, _row, _problem.column, _problem.value, _problem.reason, _problem.fix "
        f"FROM checked_{table} WHERE _problem IS NOT NULL ORDER BY _file, _row"
    ).fetchall()
    reasons: dict[str, int] = {}
    path = out_dir / "rejects" / f"{table}.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["文件", "行号", "列", "值", "原因", "处理建议"])
        for file, row, column, value, reason, fix in rejects:
            writer.writerow([file, row, column, mask_text(value), reason, fix])
            key = f"{column}: {reason if not reason.startswith('编号重复') else '编号重复'}"
            reasons[key] = reasons.get(key, 0) + 1
    report.reasons[table] = reasons


def _empty_select(spec: Table) -> str:
    cols = ", ".join(f'NULL::VARCHAR AS "_raw_{n}", NULL::{c.sql_type} AS "{n}"' for n, c in spec.columns.items())
    return f"SELECT NULL::VARCHAR AS _file, NULL::BIGINT AS _row, {cols}, false AS _extra_fields WHERE false"


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


def _lit(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"

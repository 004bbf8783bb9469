"""The per-row checks of ingest, in the order they are tried: the first that holds is the reason.

Each check is (SQL condition, canonical column, source column, reason, fix); `problem_sql` turns
the list into one CASE that yields the first problem of a row as a struct, or NULL when the row
is accepted. Reasons and fixes are written for the analyst reading rejects/<table>.csv.
"""

from __future__ import annotations

from hotline_eval.config.mapping import ColumnSource
from hotline_eval.config.schema import Column, Schema, Table
from hotline_eval.core.sqltext import ident, lit, not_in
from hotline_eval.ingest.readers import SHAPE, STRUCTURAL

Check = tuple[str, str, str, str, str]
WHOLE_ROW = "(整行)"


def shape_checks(shaped: bool) -> list[Check]:
    """Rows of a CSV file with a field too many or too few (found while staging)."""
    if not shaped:
        return []
    return [
        (f"{SHAPE} = {lit(kind)}", WHOLE_ROW, "", *STRUCTURAL[kind]) for kind in ("TOO MANY COLUMNS", "MISSING COLUMNS")
    ]


def city_checks(valid_cities: list[str], origin: str) -> list[Check]:
    return [
        ("city IS NULL", "city", origin, "城市为空", "在映射中给出城市列，或在评价定义的 inputs 中为该文件指定 city"),
        (
            not_in("city", valid_cities),
            "city",
            origin,
            "城市不在本次评价对象中",
            f"有效城市编号：{', '.join(valid_cities)}；核对评价定义的 inputs 或该文件的城市列",
        ),
    ]


def lossy_checks(spec: Table, tmap, present: set[str]) -> list[Check]:
    """Values holding U+FFFD after decoding: the bytes were not valid in the file's encoding."""
    out = []
    for name in spec.columns:
        src = tmap.source(name)
        if src is None or not src.columns or not set(src.columns) <= present or src.mask:
            continue
        out.append(
            (
                f"_lossy AND contains(\"_raw_{name}\", '\ufffd')",
                name,
                src.label,
                "含有无法解码的字符（文件编码有误，或混用了多种编码）",
                "把整个文件统一另存为 UTF-8（或在映射中写明 read.encoding）后重新导入",
            )
        )
    return out


def column_checks(
    schema: Schema, name: str, col: Column, src: ColumnSource | None, origin: str | None, *, parsed: bool = True
) -> list[Check]:
    """The checks of one column; `parsed` False leaves out the parse check (the value cannot fail to parse)."""
    raw, val = f'"_raw_{name}"', f'"{name}"'
    where = origin or ""
    out = []
    if col.pii is None and name != "city" and parsed:
        fmt = " 或 ".join(src.formats) if src is not None and src.formats else None
        reason, fix = _parse_reason(col, fmt), _parse_fix(col)
        if src is not None and src.add_seconds:
            reason += "，或所加时长不是秒数或“时:分:秒”"
            fix = "修正该值或时长（秒数，或如 0:03:15），或在映射中写明时间的 format"
        out.append((f"{raw} IS NOT NULL AND {val} IS NULL", name, where, reason, fix))
    if col.required and name != "city":
        out.append((f"{val} IS NULL", name, where, "必填字段为空", "补齐该字段后重新导出"))
    if col.codes:
        out.append(
            (
                f"{val} IS NOT NULL AND {not_in(val, list(schema.codes[col.codes].values))}",
                name,
                where,
                "代码不在允许范围内",
                f"在映射文件的 values 中把该代码对应到 {col.codes} 代码表（见 hotline-eval schema 的输出）",
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


def problem_sql(checks: list[Check]) -> str:
    cases = []
    for cond, column, origin, reason, fix in checks:
        value = "NULL::VARCHAR" if column == WHOLE_ROW else f'"_raw_{column}"'
        cases.append(
            f"WHEN {cond} THEN {{'column': {lit(column)}, 'source': {lit(origin)}, 'value': {value}, "
            f"'reason': {lit(reason)}, 'fix': {lit(fix)}}}"
        )
    return f"CASE {' '.join(cases)} END"


def duplicates_sql(spec: Table) -> str:
    """Ids used more than once within a city, with the file and row of their first occurrence."""
    if not spec.key:
        return (
            "SELECT NULL::VARCHAR AS city, NULL::VARCHAR AS id, NULL::INTEGER AS f, NULL::BIGINT AS r, "
            "NULL::VARCHAR AS label WHERE false"
        )
    key = ident(spec.key)
    # Ids whose hash occurs twice first (a hash table of numbers, not of millions of id strings), then
    # the exact ids among those few: a repeated id always hashes alike, so none is missed.
    candidates = f"SELECT hash(city, {key}) FROM typed WHERE {key} IS NOT NULL GROUP BY ALL HAVING count(*) > 1"
    return (
        "SELECT d.city, d.id, d.first.f AS f, d.first.r AS r, files.label FROM ("
        f"SELECT city, {key} AS id, min({{'f': _fidx, 'r': _row}}) AS first FROM typed "
        f"WHERE {key} IS NOT NULL AND hash(city, {key}) IN ({candidates}) GROUP BY ALL HAVING count(*) > 1) d "
        "JOIN files ON files.fidx = d.first.f"
    )


def checked_sql(spec: Table) -> str:
    if not spec.key:
        return "SELECT * FROM typed"
    key = ident(spec.key)
    duplicate = (
        "{'column': " + lit(spec.key) + ", 'source': '', 'value': t.\"_raw_" + spec.key + '", '
        "'reason': '编号重复，与' || d.label || ' 第' || d.r || '行相同', 'fix': '删除重复记录，保留一条'}"
    )
    return (
        f"SELECT t.* REPLACE (coalesce(t._problem, CASE WHEN d.f IS NOT NULL AND (d.f <> t._fidx OR d.r <> t._row) "
        f"THEN {duplicate} END) AS _problem) FROM typed t LEFT JOIN dups d ON d.city = t.city AND d.id = t.{key}"
    )

"""The per-row checks of ingest, in the order they are tried: the first that holds is the reason.

Each check is (SQL condition, canonical column, source column, reason, fix); `problem_sql` turns
the list into one CASE that yields the first problem of a row as a struct, or NULL when the row
is accepted. Reasons and fixes are written for the analyst reading rejects/<table>.csv.
"""

from __future__ import annotations

from hotline_eval.config.mapping import ColumnSource
from hotline_eval.config.schema import Column, Schema, Table
from hotline_eval.core.masking import SCIENTIFIC_SHOWN, scientific_sql
from hotline_eval.core.sqltext import ident, lit, not_in
from hotline_eval.ingest.readers import SHAPE, STRUCTURAL

Check = tuple[str, str, str, str, str]
WHOLE_ROW = "(整行)"


def shape_checks(shaped: bool) -> list[Check]:
    """Rows of a CSV file with a field too many or too few, or repeating the header (found while staging)."""
    if not shaped:
        return []
    kinds = ("TOO MANY COLUMNS", "MISSING COLUMNS", "REPEATED HEADER")
    return [(f"{SHAPE} = {lit(kind)}", WHOLE_ROW, "", *STRUCTURAL[kind]) for kind in kinds]


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


def lossy_id_checks(spec: Table, tmap, present: set[str], *, clear: bool) -> list[Check]:
    """Identifiers and phone numbers written in scientific notation (Excel shows 13812345678 as
    1.38E+10): the table's key rejects the record (`clear` False); any other id or a phone number is
    cleared (`clear` True), since several callers or units would otherwise merge into one."""
    out = []
    for name, col in spec.columns.items():
        src = tmap.source(name)
        if src is None or src.source is None or src.source not in present or src.values is not None:
            continue
        is_key = name == spec.key
        if col.pii == "phone" and src.mask == "phone":
            cond = f'"_raw_{name}" = {lit(SCIENTIFIC_SHOWN)}'
        elif col.type == "string" and name.endswith("_id") and src.mask is None:
            cond = scientific_sql(f'"_raw_{name}"')
        else:
            continue
        if is_key == clear:
            continue
        fix = "在 Excel 中把该列设为文本格式后重新导出（科学计数法已丢失数字，无法还原）"
        out.append((cond, name, src.label, "数字以科学计数法写出（如 1.38E+10），位数已丢失", fix))
    return out


def implausible_number_checks(spec: Table, tmap, present: set[str], *, clear: bool) -> list[Check]:
    """A number column holding ten digits or more (a count, a duration, a score): a phone or ID-card
    number typed into the wrong column. An optional field is cleared (`clear` True), a required one
    rejects the record (`clear` False); either way the number is stored nowhere."""
    out = []
    for name, col in spec.columns.items():
        src = tmap.source(name)
        if col.type not in ("integer", "number") or src is None or not src.columns or not set(src.columns) <= present:
            continue
        if col.required == clear:
            continue
        out.append(
            (
                f'abs("{name}") >= 1e10',
                name,
                src.label,
                "数值达到十位数以上，疑为误填的电话号码或证件号码",
                "核对该值" + ("；其余字段照常使用" if clear else ""),
            )
        )
    return out


def cleared_columns_sql(clears: list[Check]) -> str:
    """`, * REPLACE (...)`-free form: the columns a clearing check empties, as replacements."""
    by_column: dict[str, list[str]] = {}
    for cond, column, *_ in clears:
        by_column.setdefault(column, []).append(cond)
    if not by_column:
        return ""
    parts = [f'CASE WHEN {" OR ".join(conds)} THEN NULL ELSE "{c}" END AS "{c}"' for c, conds in by_column.items()]
    return " REPLACE (" + ", ".join(parts) + ")"


def clearing_sql(clears: list[Check]) -> str:
    """SQL: the list of a row's cleared fields (column, source, value, reason, fix), empty if none."""
    if not clears:
        return '[]::STRUCT("column" VARCHAR, source VARCHAR, value VARCHAR, reason VARCHAR, fix VARCHAR)[]'
    items = [
        f"CASE WHEN {cond} THEN {{'column': {lit(column)}, 'source': {lit(origin)}, 'value': "
        f"CAST(\"_raw_{column}\" AS VARCHAR), 'reason': {lit(reason)}, 'fix': {lit(fix)}}} END"
        for cond, column, origin, reason, fix in clears
    ]
    return f"list_filter([{', '.join(items)}], lambda x: x IS NOT NULL)"


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
    if col.type in ("timestamp", "date"):  # %Y reads "26-07-01" as the year 26
        earliest = "TIMESTAMPTZ '1900-01-01 00:00:00+00'" if col.type == "timestamp" else "DATE '1900-01-01'"
        out.append(
            (
                f"{val} < {earliest}",
                name,
                where,
                "年份不是四位数（两位年份会被读作公元1世纪）",
                "导出四位年份；确是两位年份时，在映射中以 %y 写明该列的 format（如 %y-%m-%d %H:%M:%S）",
            )
        )
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
    rows = f"{key} IS NOT NULL AND NOT _excluded"  # rows a mapping's filter leaves out are no rows of the table
    candidates = f"SELECT hash(city, {key}) FROM typed WHERE {rows} GROUP BY ALL HAVING count(*) > 1"
    return (
        "SELECT d.city, d.id, d.first.f AS f, d.first.r AS r, files.label FROM ("
        f"SELECT city, {key} AS id, min({{'f': _fidx, 'r': _row}}) AS first FROM typed "
        f"WHERE {rows} AND hash(city, {key}) IN ({candidates}) GROUP BY ALL HAVING count(*) > 1) d "
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
        "SELECT t.* REPLACE (coalesce(t._problem, CASE WHEN d.f IS NOT NULL AND NOT t._excluded "
        "AND (d.f <> t._fidx OR d.r <> t._row) "
        f"THEN {duplicate} END) AS _problem) FROM typed t LEFT JOIN dups d ON d.city = t.city AND d.id = t.{key}"
    )

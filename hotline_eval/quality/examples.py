"""Examples of offending rows for the report (quality_examples.csv): a few per city, table, check and item.

Examples show a record's id and the values that break the check, never the caller's hash or any
personal column; every text passes through the masking of personal numbers as a last guard.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

from hotline_eval.config.catalogue import sql_in
from hotline_eval.core.masking import mask_text
from hotline_eval.quality.consistency import rule_counts
from hotline_eval.quality.context import QualityContext
from hotline_eval.quality.frame import EXAMPLE_COLUMNS, POOLED
from hotline_eval.quality.precision import (
    duplicate_candidates_sql,
    duplicate_sql,
    outside_window,
    precision_counts,
    test_sql,
    valid_sql,
)
from hotline_eval.quality.recall import completeness_counts, daily_presence
from hotline_eval.quality.relevance import link_counts, link_sql

# Every kind of example is looked for only where the check's counts (computed already, with the
# same conditions) found an offending record: on clean data no example query runs at all.


def _limited(ctx: QualityContext, sql: str, order: str) -> pd.DataFrame:
    """The first examples_per_check distinct records of `sql` per city (columns: city, month, record, detail)."""
    n = ctx.spec.examples_per_check
    return ctx.query(
        f"SELECT city, month, record, detail FROM (SELECT *, row_number() OVER (PARTITION BY city ORDER BY {order}) "
        f"AS _n FROM (SELECT DISTINCT ON (city, record) * FROM ({sql}) ORDER BY city, record, _o)) "
        f"WHERE _n <= {n} ORDER BY city, _n"
    )


def _cities(counts: pd.DataFrame, offending: pd.Series) -> list[str]:
    """The cities with an offending record (examples are looked for there only)."""
    return sorted(set(counts.loc[offending.to_numpy() > 0, "city"]))


def _time(column: str) -> str:
    return f"coalesce(strftime({column}, '%Y-%m-%d %H:%M:%S'), '空')"


def _columns_of(ctx: QualityContext, table: str, sql: str) -> list[str]:
    names = set(re.findall(r"[a-z_]+", sql))
    return [c for c in ctx.table(table).columns if c in names and c not in ("city", "caller_hash")]


def _shown(ctx: QualityContext, table: str, column: str) -> str:
    col = ctx.table(table).columns[column]
    value = _time(column) if col.type == "timestamp" else f"coalesce(CAST(\"{column}\" AS VARCHAR), '空')"
    return f"'{col.zh}=' || {value}"


def rule_examples(ctx: QualityContext) -> list[pd.DataFrame]:
    frames = []
    for table in ctx.spec.rules:
        if table not in ctx.tables_with_data():
            continue
        month_col = ctx.table(table).month_column
        counts = rule_counts(ctx)
        for rule in ctx.rules(table):
            if not counts[counts["table"] == table][rule.id].sum():
                continue
            shown = " || '，' || ".join(_shown(ctx, table, c) for c in _columns_of(ctx, table, rule.check)) or "''"
            sql = (
                f"SELECT city, {ctx.month_of(month_col)} AS month, {ctx.record_label(table)} AS record, "
                f"{shown} AS detail, {month_col} AS _o FROM {table} "
                f"WHERE {ctx.in_period(month_col)} AND NOT coalesce({rule.check}, true)"
            )
            frames.append(_limited(ctx, sql, "_o, record").assign(table=table, check="rule_violations", item=rule.id))
    return frames


def duplicate_examples(ctx: QualityContext) -> list[pd.DataFrame]:
    frames = []
    counts = precision_counts(ctx)
    for table in ctx.spec.duplicates:
        own = counts[counts["table"] == table]
        cities = _cities(own, own["duplicates"])
        if table not in ctx.tables_with_data() or not cities:
            continue
        month_col = ctx.table(table).month_column
        label = ctx.record_label(table)
        keys = ctx.spec.duplicates[table]
        partition = ", ".join(["city", valid_sql(ctx, table), *keys])
        first = f"first_value({label}) OVER (PARTITION BY {partition} ORDER BY {month_col}, {label}, _rid)"
        candidates = f"SELECT * FROM ({duplicate_candidates_sql(ctx, table)}) WHERE city IN {sql_in(cities)}"
        sql = (
            f"SELECT city, {ctx.month_of(month_col)} AS month, {label} AS record, "
            f"'与' || _first || '内容相同' AS detail, {month_col} AS _o FROM "
            f"(SELECT *, {duplicate_sql(ctx, table)} AS _dup, {first} AS _first FROM ({candidates})) "
            f"WHERE _dup AND {ctx.in_period(month_col)}"
        )
        frames.append(_limited(ctx, sql, "_o, record").assign(table=table, check="duplicates", item=""))
    return frames


def test_record_examples(ctx: QualityContext) -> list[pd.DataFrame]:
    frames = []
    counts = precision_counts(ctx)
    for table in ctx.spec.test_records:
        if table not in ctx.tables_with_data() or not counts[counts["table"] == table]["tests"].sum():
            continue
        month_col = ctx.table(table).month_column
        sql = (
            f"SELECT city, {ctx.month_of(month_col)} AS month, {ctx.record_label(table)} AS record, "
            f"'标记为测试记录但仍为有效记录' AS detail, {month_col} AS _o FROM {table} "
            f"WHERE {test_sql(ctx, table)} AND {ctx.in_period(month_col)}"
        )
        frames.append(_limited(ctx, sql, "_o, record").assign(table=table, check="test_records", item=""))
    return frames


def window_examples(ctx: QualityContext) -> list[pd.DataFrame]:
    frames = []
    outside = outside_window(ctx)
    for table in ctx.tables_with_data():
        if not outside[outside["table"] == table]["outside"].sum():
            continue
        month_col = ctx.table(table).month_column
        start, end = ctx.window(table)
        zh = ctx.table(table).columns[month_col].zh
        sql = (
            f"SELECT city, '{POOLED}' AS month, {ctx.record_label(table)} AS record, "
            f"'{zh}=' || {_time(month_col)} AS detail, {month_col} AS _o FROM {table} "
            f"WHERE {month_col} < {start} OR {month_col} >= {end}"
        )
        frames.append(_limited(ctx, sql, "_o, record").assign(table=table, check="out_of_window", item=""))
    return frames


def link_examples(ctx: QualityContext) -> list[pd.DataFrame]:
    frames = []
    for link in ctx.links():
        if not ctx.row_counts[link.table]:
            continue
        counts = link_counts(ctx, link)
        cities = _cities(counts, counts["denominator"] - counts["numerator"])
        if not cities:
            continue
        month_col = ctx.table(link.table).month_column
        target = ctx.schema.tables[link.target_table].zh
        label = ctx.table(link.table).columns[link.column].zh  # the reader's name of the column, never its id
        sql = (
            f"SELECT city, {ctx.month_of(month_col)} AS month, {ctx.record_label(link.table)} AS record, "
            f"CASE WHEN \"{link.column}\" IS NULL THEN '{label}为空' "
            f"ELSE '{label}=' || \"{link.column}\" || '，在{target}中不存在' END AS detail, {month_col} AS _o "
            f"FROM ({link_sql(ctx, link, cities)}) WHERE NOT _linked AND {ctx.in_period(month_col)}"
        )
        frames.append(_limited(ctx, sql, "_o, record").assign(table=link.table, check="linkage", item=link.id))
    return frames


def completeness_examples(ctx: QualityContext) -> list[pd.DataFrame]:
    frames = []
    counts = completeness_counts(ctx)
    missing = (counts["denominator"] - counts["numerator"]).groupby([counts["table"], counts["item"]]).max()
    for table, columns in ctx.needed_fields.items():
        if table not in ctx.tables_with_data(monthly=False):
            continue
        month_col = ctx.table(table).month_column
        for column in columns:
            cond = ctx.spec.expected_when(table, column) if column in ctx.table(table).columns else None
            if cond is None or not missing.get((table, column), 0):
                continue
            month = ctx.month_of(month_col) if month_col else f"'{POOLED}'"
            where = ctx.in_period(month_col) if month_col else "true"
            zh = ctx.table(table).columns[column].zh
            sql = (
                f"SELECT city, {month} AS month, {ctx.record_label(table)} AS record, '{zh}为空' AS detail, "
                f'{month_col or "NULL"} AS _o FROM {table} WHERE {where} AND ({cond}) AND "{column}" IS NULL'
            )
            frames.append(_limited(ctx, sql, "_o, record").assign(table=table, check="field_completeness", item=column))
    return frames


def gap_day_examples(ctx: QualityContext) -> list[pd.DataFrame]:
    days = daily_presence(ctx)
    rows = [
        {"city": r.city, "table": r.table, "month": r.month, "record": f"{d:%Y-%m-%d}", "detail": "当日无记录"}
        for r in days.itertuples()
        for d in r.gaps
    ]
    frame = pd.DataFrame(rows, columns=["city", "table", "month", "record", "detail"])
    return [frame.assign(check="gap_days", item="")]


def reject_examples(ctx: QualityContext) -> list[pd.DataFrame]:
    r = ctx.rejects
    if r.empty:
        return []
    columns = [
        ctx.schema.tables[t].columns[c].zh if c in ctx.schema.tables[t].columns else c
        for t, c in zip(r["table"], r["column"], strict=True)
    ]
    frame = r.assign(
        month=POOLED,
        record=r["file"] + " 第" + r["row"] + "行",
        detail=pd.Series(columns, index=r.index) + "=" + r["value"].where(r["value"] != "", "空") + "：" + r["reason"],
        check="rejected",
        item="",
    )
    n = ctx.spec.examples_per_check
    return [frame.groupby(["city", "table", "kind"], sort=False).head(n)]


def verification_examples(ctx: QualityContext) -> list[pd.DataFrame]:
    sql = (
        "SELECT city, record_table AS \"table\", 'all' AS month, record_id AS record, "
        "'核验不一致' || coalesce('（' || item || '）', '') AS detail, record_id AS _o FROM verifications "
        "WHERE NOT matches"
    )
    frame = ctx.query(f"SELECT * FROM ({sql}) ORDER BY city, _o")
    n = ctx.spec.examples_per_check
    return [frame.groupby(["city", "table"]).head(n).assign(check="verified_accuracy", item="")]


EXAMPLES: list[Callable[[QualityContext], list[pd.DataFrame]]] = [
    gap_day_examples,
    completeness_examples,
    duplicate_examples,
    test_record_examples,
    window_examples,
    reject_examples,
    verification_examples,
    rule_examples,
    link_examples,
]


def collect_examples(ctx: QualityContext) -> pd.DataFrame:
    """Every example of every kind, masked."""
    frames = [f for collect in EXAMPLES for f in collect(ctx) if len(f)]
    if not frames:
        return pd.DataFrame(columns=EXAMPLE_COLUMNS)
    frame = pd.concat(frames, ignore_index=True).reindex(columns=EXAMPLE_COLUMNS)
    for column in ("record", "detail"):
        frame[column] = frame[column].astype(str).map(mask_text)
    return frame

"""查准率 (§5.2.7, docs/method/data-quality.md#precision): record precision and its parts, verified accuracy.

A received record is valid and in scope unless it was rejected at ingest (schema, codes, repeated
id, row rules), lies outside the collection window, repeats an earlier record's content without
being marked invalid by the source (an undeclared duplicate), or is a test record that would
enter the indicators.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hotline_eval.core.stats import wilson
from hotline_eval.quality.context import ROW_ID, QualityContext
from hotline_eval.quality.frame import POOLED, count, finish, rate, with_pooled


def valid_sql(ctx: QualityContext, table: str) -> str:
    """SQL: the source did not mark the record invalid."""
    return "coalesce(is_valid, true)" if "is_valid" in ctx.table(table).columns else "true"


def duplicate_candidates_sql(ctx: QualityContext, table: str) -> str | None:
    """SQL: the valid records with every duplicate key filled whose keys hash like another's (None when
    the table has no duplicate keys).

    Every undeclared duplicate is among them, and every record of its group (the same city and key
    values): counting hashes is cheap, and only these few records are then sorted in their groups.
    """
    keys = ctx.spec.duplicates.get(table)
    if not keys:
        return None
    filled = " AND ".join(f"({k}) IS NOT NULL" for k in keys)
    group = ", ".join(["city", *keys])
    candidates = f"{valid_sql(ctx, table)} AND {filled}"
    return (
        f"SELECT * FROM {table} WHERE {candidates} AND hash({group}) IN ("
        f"SELECT hash({group}) FROM {table} WHERE {candidates} GROUP BY ALL HAVING count(*) > 1)"
    )


def duplicate_sql(ctx: QualityContext, table: str) -> str:
    """SQL window expression over duplicate_candidates_sql's records: the record repeats the content of
    an earlier valid record of its city (the first of a group is kept)."""
    keys = ctx.spec.duplicates[table]
    order = f"{ctx.table(table).month_column}, {ctx.record_label(table)}, {ROW_ID}"
    partition = ", ".join(["city", *keys])
    return f"(row_number() OVER (PARTITION BY {partition} ORDER BY {order}) > 1)"


def duplicate_rows_sql(ctx: QualityContext, table: str) -> str:
    """SQL: the row numbers (_rid) of the table's undeclared duplicates (none when it has no duplicate keys)."""
    candidates = duplicate_candidates_sql(ctx, table)
    if candidates is None:
        return f"SELECT {ROW_ID} FROM {table} WHERE false"
    return f"SELECT {ROW_ID} FROM (SELECT {ROW_ID}, {duplicate_sql(ctx, table)} AS _dup FROM ({candidates})) WHERE _dup"


def test_sql(ctx: QualityContext, table: str) -> str:
    return f"coalesce({ctx.spec.test_records[table]}, false)" if table in ctx.spec.test_records else "false"


def precision_counts(ctx: QualityContext) -> pd.DataFrame:
    """Per city × table × month of the period: received, undeclared duplicates, test records."""
    return ctx.memo("precision_counts", lambda: _precision_counts(ctx))


def _precision_counts(ctx: QualityContext) -> pd.DataFrame:
    frames = []
    for table in ctx.tables_with_data():
        month_col = ctx.table(table).month_column
        frames.append(
            ctx.query(
                f"WITH dups AS ({duplicate_rows_sql(ctx, table)}), flagged AS ("
                f"SELECT *, {ROW_ID} IN (SELECT {ROW_ID} FROM dups) AS _dup, {test_sql(ctx, table)} AS _test "
                f"FROM {table}) "
                f"SELECT city, '{table}' AS \"table\", {ctx.month_of(month_col)} AS month, count(*) AS received, "
                f"count(*) FILTER (WHERE _dup) AS duplicates, count(*) FILTER (WHERE _test) AS tests, "
                f"count(*) FILTER (WHERE _dup OR _test) AS bad FROM flagged "
                f"WHERE {ctx.in_period(month_col)} GROUP BY ALL"
            )
        )
    columns = ["city", "table", "month", "received", "duplicates", "tests", "bad"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def outside_window(ctx: QualityContext) -> pd.DataFrame:
    """Per city × table: records whose month column lies outside the collection window."""
    return ctx.memo("outside_window", lambda: _outside_window(ctx))


def _outside_window(ctx: QualityContext) -> pd.DataFrame:
    frames = []
    for table in ctx.tables_with_data():
        month_col = ctx.table(table).month_column
        start, end = ctx.window(table)
        frames.append(
            ctx.query(
                f"SELECT city, '{table}' AS \"table\", count(*) FILTER (WHERE {month_col} < {start} "
                f"OR {month_col} >= {end}) AS outside FROM {table} GROUP BY ALL"
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["city", "table", "outside"])


def _rejected(ctx: QualityContext, kinds: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Per city × table: rows rejected at ingest (of the given kinds)."""
    r = ctx.rejects if kinds is None else ctx.rejects[ctx.rejects["kind"].isin(kinds)]
    return r.groupby(["city", "table"]).size().rename("rejected").reset_index()


def record_precision(ctx: QualityContext) -> pd.DataFrame:
    """Valid in-scope records ÷ records received (gate ≥ 95 %); month all adds rejects and out-of-window."""
    counts = precision_counts(ctx)
    frame = counts.assign(
        numerator=counts["received"] - counts["bad"], denominator=counts["received"], item="", scope=counts["table"]
    )[["city", "table", "month", "numerator", "denominator", "item", "scope"]]
    frame = with_pooled(frame)
    extra = outside_window(ctx).merge(_rejected(ctx), on=["city", "table"], how="outer").fillna(0)
    extra = extra[extra["table"].isin(ctx.tables_with_data()) & extra["city"].isin(ctx.evaluation.city_ids())]
    pooled = frame[frame["month"] == POOLED].merge(extra, on=["city", "table"], how="outer")
    pooled = pooled.assign(
        month=POOLED,
        item="",
        scope=pooled["table"],
        numerator=pooled["numerator"].fillna(0),
        denominator=pooled["denominator"].fillna(0) + pooled["outside"].fillna(0) + pooled["rejected"].fillna(0),
    ).drop(columns=["outside", "rejected"])
    frame = pd.concat([frame[frame["month"] != POOLED], pooled], ignore_index=True)
    return finish(rate(frame), "record_precision", ctx.spec)


def duplicates(ctx: QualityContext) -> pd.DataFrame:
    """Undeclared duplicates per month; month all adds rows rejected at ingest for a repeated id."""
    counts = precision_counts(ctx)
    frame = with_pooled(
        counts.assign(numerator=counts["duplicates"], denominator=0, item="", scope=counts["table"])[
            ["city", "table", "month", "numerator", "denominator", "item", "scope"]
        ]
    )
    ids = _rejected(ctx, ("duplicate_id",))
    frame = frame.merge(ids.assign(month=POOLED), on=["city", "table", "month"], how="left")
    frame["numerator"] = frame["numerator"] + frame.pop("rejected").fillna(0)
    return finish(count(frame), "duplicates", ctx.spec)


def test_records(ctx: QualityContext) -> pd.DataFrame:
    counts = precision_counts(ctx)
    counts = counts[counts["table"].isin(ctx.spec.test_records)]
    frame = counts.assign(numerator=counts["tests"], denominator=0, item="", scope=counts["table"])
    return finish(
        count(with_pooled(frame[["city", "table", "month", "numerator", "denominator", "item", "scope"]])),
        "test_records",
        ctx.spec,
    )


def out_of_window(ctx: QualityContext) -> pd.DataFrame:
    frame = outside_window(ctx)
    frame = frame.assign(month=POOLED, numerator=frame["outside"], item="", scope=frame["table"]).drop(
        columns="outside"
    )
    return finish(count(frame), "out_of_window", ctx.spec)


def rejected(ctx: QualityContext) -> pd.DataFrame:
    """Rows rejected at ingest, per city × table × reason (month all; the reasons are ingest's)."""
    r = ctx.rejects.copy()
    r["item"] = r["column"] + "：" + r["reason"].str.replace(r"，与.*相同$", "", regex=True)
    frame = r.groupby(["city", "table", "item"]).size().rename("numerator").reset_index()
    frame = frame.assign(month=POOLED, denominator=np.nan, scope=frame["table"])
    return finish(count(frame), "rejected", ctx.spec)


def verification_counts(ctx: QualityContext) -> pd.DataFrame:
    """Per city × verified table: records verified and records matching the source system."""
    return ctx.query(
        'SELECT city, record_table AS "table", count(*) FILTER (WHERE matches) AS numerator, '
        "count(*) AS denominator FROM verifications GROUP BY ALL"
    ).assign(month=POOLED, item="")


def verified_accuracy(ctx: QualityContext) -> pd.DataFrame:
    """Matching ÷ verified, from the sample-verification file when one is given (gate ≥ 95 %)."""
    frame = verification_counts(ctx)
    return finish(rate(frame.assign(scope=frame["table"])), "verified_accuracy", ctx.spec)


def verified_accuracy_low(ctx: QualityContext) -> pd.DataFrame:
    """The lower bound of the Wilson 95 % interval of verified accuracy (gate ≥ 90 %)."""
    frame = verification_counts(ctx)
    low, _ = wilson(frame["numerator"].to_numpy(), frame["denominator"].to_numpy())
    return finish(frame.assign(value=low, scope=frame["table"]), "verified_accuracy_low", ctx.spec)

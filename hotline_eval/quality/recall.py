"""查全率 (§5.2.7): record recall, period coverage and gap days, field completeness.

See docs/method/data-quality.md#recall.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from hotline_eval.quality.context import QualityContext
from hotline_eval.quality.frame import POOLED, count, finish, rate, with_pooled


def figure_counts(ctx: QualityContext, recall_only: bool = False) -> pd.DataFrame:
    """Per city × control figure × month: the records that make the figure and the reported value.

    Only months for which the city reported the figure appear (no report, no comparison).
    """
    frame = ctx.memo("figure_counts", lambda: _figure_counts(ctx))
    return frame[frame["recall"]].drop(columns="recall") if recall_only else frame.drop(columns="recall")


def _figure_counts(ctx: QualityContext) -> pd.DataFrame:
    frames = []
    reported = _reported(ctx)
    for fid, fig in ctx.spec.control_totals.items():
        month_col = fig.month or ctx.table(fig.table).month_column
        records = ctx.query(
            f"SELECT city, {ctx.month_of(month_col)} AS month, count(*) FILTER (WHERE {fig.count_if}) AS numerator "
            f"FROM {fig.table} WHERE {ctx.in_period(month_col)} GROUP BY ALL"
        )
        rep = reported[reported["figure"] == fid][["city", "month", "denominator"]]
        merged = rep.merge(records, on=["city", "month"], how="left").fillna({"numerator": 0})
        frames.append(merged.assign(table=fig.table, item=fid, scope=fig.scope, recall=fig.recall))
    columns = ["city", "month", "numerator", "denominator", "table", "item", "scope", "recall"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def _reported(ctx: QualityContext) -> pd.DataFrame:
    """Self-reported monthly figures; a figure reported twice counts with its later row (a correction)."""
    figures = ", ".join(f"'{f}'" for f in ctx.spec.control_totals)
    months = ", ".join(f"'{m}'" for m in ctx.months)
    return ctx.query(
        f"SELECT city, period AS month, figure, arg_max(value, _rid) AS denominator FROM self_reports "
        f"WHERE figure IN ({figures}) AND period IN ({months}) GROUP BY ALL"
    )


def record_recall(ctx: QualityContext) -> pd.DataFrame:
    """Records received ÷ the self-reported control total, per city × table × month (gate ≥ 98 %)."""
    frame = figure_counts(ctx, recall_only=True)
    frame["scope"] = frame["table"]
    return finish(rate(with_pooled(frame)), "record_recall", ctx.spec)


def daily_presence(ctx: QualityContext) -> pd.DataFrame:
    """Per city × recall table × month the table is expected to cover: days of the period and gap days.

    A month is expected when the city supplies the table (any record in the period) or reported a
    control total above 0 for it, unless it reported 0 (nothing happened that month): coverage
    comes from the records whether or not the city self-reports (§5.2.7).
    """
    return ctx.memo("daily_presence", lambda: _daily_presence(ctx))


def _daily_presence(ctx: QualityContext) -> pd.DataFrame:
    rows = []
    controls = figure_counts(ctx, recall_only=True)
    epoch = dt.date(1970, 1, 1)  # local_day: days since 1970-01-01 in Beijing time
    period_days = {month: ctx.days_in_period(month) for month in ctx.months}
    for fid, fig in ctx.spec.control_totals.items():
        if not fig.recall or fig.table not in ctx.schema.tables:
            continue
        month_col = fig.month or ctx.table(fig.table).month_column
        days = ctx.query(
            f"SELECT city, local_day({month_col}) AS day FROM {fig.table} "
            f"WHERE {ctx.in_period(month_col)} AND ({fig.count_if}) GROUP BY ALL"
        )
        found = zip(days["city"], days["day"], strict=True)
        present = {(city, epoch + dt.timedelta(days=int(day))) for city, day in found}
        supplied = set(days["city"])
        part = controls[controls["item"] == fid]
        reported = {(c, m): total for c, m, total in zip(part["city"], part["month"], part["denominator"], strict=True)}
        for city in ctx.evaluation.city_ids():
            for month in ctx.months:
                total = reported.get((city, month))
                if total == 0 or (total is None and city not in supplied):
                    continue
                gaps = [d for d in period_days[month] if (city, d) not in present]
                rows.append(
                    {
                        "city": city,
                        "table": fig.table,
                        "month": month,
                        "days": len(period_days[month]),
                        "gaps": gaps,
                        "item": "",
                    }
                )
    return pd.DataFrame(rows, columns=["city", "table", "month", "days", "gaps", "item"])


def period_coverage(ctx: QualityContext) -> pd.DataFrame:
    """Days with records ÷ days of the period, per month the table is expected to cover (gate = 100 %)."""
    days = daily_presence(ctx)
    frame = days.assign(
        numerator=days["days"] - days["gaps"].map(len), denominator=days["days"], scope=days["table"]
    ).drop(columns=["days", "gaps"])
    return finish(rate(with_pooled(frame)), "period_coverage", ctx.spec)


def gap_days(ctx: QualityContext) -> pd.DataFrame:
    """Days with no record in a month the table is expected to cover (the days are in the examples)."""
    days = daily_presence(ctx)
    frame = days.assign(numerator=days["gaps"].map(len), denominator=0, scope=days["table"]).drop(
        columns=["days", "gaps"]
    )
    return finish(count(with_pooled(frame)), "gap_days", ctx.spec)


def completeness_counts(ctx: QualityContext) -> pd.DataFrame:
    """Per city × table × month × needed field: records where it is expected and where it is filled."""
    return ctx.memo("completeness", lambda: _completeness_counts(ctx))


def _completeness_counts(ctx: QualityContext) -> pd.DataFrame:
    frames = []
    for table, columns in ctx.needed_fields.items():
        if table not in ctx.schema.tables or not ctx.row_counts[table]:
            continue
        expected = {c: ctx.spec.expected_when(table, c) for c in columns if c in ctx.table(table).columns}
        expected = {c: cond for c, cond in expected.items() if cond is not None}
        if not expected:
            continue
        aggs = []
        for i, (column, cond) in enumerate(expected.items()):
            aggs.append(f"count(*) FILTER (WHERE {cond}) AS e{i}")
            aggs.append(f'count(*) FILTER (WHERE ({cond}) AND "{column}" IS NOT NULL) AS f{i}')
        month_col = ctx.table(table).month_column
        month = ctx.month_of(month_col) if month_col else f"'{POOLED}'"
        where = ctx.in_period(month_col) if month_col else "true"
        wide = ctx.query(f"SELECT city, {month} AS month, {', '.join(aggs)} FROM {table} WHERE {where} GROUP BY ALL")
        for i, column in enumerate(expected):
            frames.append(
                pd.DataFrame(
                    {
                        "city": wide["city"],
                        "table": table,
                        "month": wide["month"],
                        "item": column,
                        "scope": f"{table}.{column}",
                        "numerator": wide[f"f{i}"],
                        "denominator": wide[f"e{i}"],
                    }
                )
            )
    if not frames:
        return pd.DataFrame(columns=["city", "table", "month", "item", "scope", "numerator", "denominator"])
    return with_pooled(pd.concat(frames, ignore_index=True))


def field_completeness(ctx: QualityContext) -> pd.DataFrame:
    """Filled ÷ expected, per needed field (gate ≥ 95 %: blocks the indicators needing the field)."""
    frame = completeness_counts(ctx)
    return finish(rate(frame[frame["denominator"] > 0]), "field_completeness", ctx.spec)


def table_completeness(ctx: QualityContext) -> pd.DataFrame:
    """All needed fields of a table pooled: filled cells ÷ expected cells (docs/method/data-quality.md#recall)."""
    frame = completeness_counts(ctx)
    pooled = frame.groupby(["city", "table", "month"])[["numerator", "denominator"]].sum().reset_index()
    pooled = pooled.assign(item="", scope=pooled["table"])
    return finish(rate(pooled[pooled["denominator"] > 0]), "table_completeness", ctx.spec)

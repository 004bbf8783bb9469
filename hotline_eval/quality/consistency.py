"""一致性 (§5.2.7): intra-record rules, cross-source figures, cross-period jumps.

See docs/method/data-quality.md#consistency.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hotline_eval.quality.context import QualityContext
from hotline_eval.quality.frame import POOLED, count, deviation, finish, rate, with_pooled
from hotline_eval.quality.recall import figure_counts


def rule_counts(ctx: QualityContext) -> pd.DataFrame:
    """Per city × table × month: records checked, records passing every rule, violations per rule."""
    return ctx.memo("rule_counts", lambda: _rule_counts(ctx))


def _rule_counts(ctx: QualityContext) -> pd.DataFrame:
    frames = []
    for table in ctx.spec.rules:
        rules = ctx.rules(table)
        if table not in ctx.tables_with_data() or not rules:
            continue
        month_col = ctx.table(table).month_column
        fails = [f"NOT coalesce({r.check}, true)" for r in rules]
        aggs = [f"count(*) FILTER (WHERE {f}) AS v{i}" for i, f in enumerate(fails)]
        wide = ctx.query(
            f"SELECT city, {ctx.month_of(month_col)} AS month, count(*) AS checked, "
            f"count(*) FILTER (WHERE NOT ({' OR '.join(fails)})) AS passing, {', '.join(aggs)} "
            f"FROM {table} WHERE {ctx.in_period(month_col)} GROUP BY ALL"
        )
        wide = wide.rename(columns={f"v{i}": r.id for i, r in enumerate(rules)})
        frames.append(wide.assign(table=table))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def intra_record(ctx: QualityContext) -> pd.DataFrame:
    """Records passing every rule ÷ records checked (gate ≥ 95 %); month all adds ingest's rule rejects
    and counts the records ingest kept with a field cleared for a broken rule as not passing."""
    counts = rule_counts(ctx)
    if counts.empty:
        return finish(counts, "intra_record", ctx.spec)
    frame = with_pooled(
        counts.assign(numerator=counts["passing"], denominator=counts["checked"], item="", scope=counts["table"])[
            ["city", "table", "month", "numerator", "denominator", "item", "scope"]
        ]
    )
    rule_rejects = ctx.rejects[ctx.rejects["kind"] == "rule"].groupby(["city", "table"]).size().rename("rejected")
    frame = frame.merge(rule_rejects.reset_index().assign(month=POOLED), on=["city", "table", "month"], how="left")
    frame["denominator"] = frame["denominator"] + frame.pop("rejected").fillna(0)
    if ctx.cleared is not None and len(ctx.cleared):  # kept with a field cleared: they broke a rule too
        rows = ctx.cleared[ctx.cleared["kind"] == "rule"].drop_duplicates(["table", "file", "row"])
        broken = rows.groupby(["city", "table"]).size().rename("cleared").reset_index().assign(month=POOLED)
        frame = frame.merge(broken, on=["city", "table", "month"], how="left")
        frame["numerator"] = frame["numerator"] - frame.pop("cleared").fillna(0)
    return finish(rate(frame), "intra_record", ctx.spec)


def rule_violations(ctx: QualityContext) -> pd.DataFrame:
    """Violations of each rule, per month and pooled (the rule id is the item)."""
    counts = rule_counts(ctx)
    frames = []
    for table in ctx.spec.rules:
        part = counts[counts["table"] == table] if not counts.empty else counts
        for rule in ctx.rules(table):
            if part.empty:
                continue
            frames.append(
                part[["city", "table", "month"]].assign(
                    numerator=part[rule.id], denominator=0, item=rule.id, scope=table
                )
            )
    frame = with_pooled(pd.concat(frames, ignore_index=True)) if frames else pd.DataFrame()
    return finish(count(frame) if len(frame) else frame, "rule_violations", ctx.spec)


def cross_source(ctx: QualityContext) -> pd.DataFrame:
    """|records − self-reported| ÷ self-reported, per figure (gate ≤ 2 %); the figure is the item."""
    return finish(deviation(with_pooled(figure_counts(ctx))), "cross_source", ctx.spec)


def monthly_volumes(ctx: QualityContext) -> pd.DataFrame:
    """Per city × table × month of the period: records per day of the period in that month."""
    frames = []
    for table in ctx.tables_with_data():
        if table not in ctx.spec.period_jump.tables:
            continue
        month_col = ctx.table(table).month_column
        frames.append(
            ctx.query(
                f"SELECT city, '{table}' AS \"table\", {ctx.month_of(month_col)} AS month, count(*) AS records "
                f"FROM {table} WHERE {ctx.in_period(month_col)} GROUP BY ALL"
            )
        )
    if not frames:
        return pd.DataFrame(columns=["city", "table", "month", "records", "per_day"])
    frame = pd.concat(frames, ignore_index=True)
    return frame.assign(per_day=frame["records"] / frame["month"].map(lambda m: len(ctx.days_in_period(m))))


def period_jump(ctx: QualityContext) -> pd.DataFrame:
    """Month-over-month change of records per day in σ of the trailing months (flag above 3σ)."""
    settings = ctx.spec.period_jump
    rows = []
    volumes = monthly_volumes(ctx)
    for (city, table), part in volumes.groupby(["city", "table"]):
        series = part.set_index("month")["per_day"].reindex(ctx.months).fillna(0.0).to_numpy()
        for i in range(settings.min_history, len(series)):
            trailing = series[max(0, i - settings.trailing_months) : i]
            sigma = max(float(np.std(trailing, ddof=1)), settings.min_sigma_share * float(np.mean(trailing)))
            jump = series[i] - series[i - 1]
            value = abs(jump) / sigma if sigma > 0 else np.nan
            rows.append(
                {"city": city, "table": table, "month": ctx.months[i], "item": "", "scope": table}
                | {"value": value, "numerator": series[i], "denominator": series[i - 1]}
            )
    frame = pd.DataFrame(rows, columns=["city", "table", "month", "value", "item", "scope", "numerator", "denominator"])
    return finish(frame, "period_jump", ctx.spec)

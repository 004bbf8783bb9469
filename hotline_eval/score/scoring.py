"""The scoring stage: every item of an evaluation scored for every city, totals, units, and — for
special evaluations — the monthly series, trend verdicts and activity comparison behind the items.

Each item kind has a function giving its values per city (VALUES registry): the level of an
indicator over the period, a refined time slot (segment), a themed activity's window against its
baseline, or the month-by-month change. Items are scored in that order because a change item
needs its indicator's level (a stable city already at the reference earns the change points).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from hotline_eval.config.calendar import load_calendar
from hotline_eval.config.catalogue import Catalogue, Indicator
from hotline_eval.config.evaluation import Evaluation, Item, Period
from hotline_eval.measure.windows import (
    days_between,
    in_activity,
    in_baseline,
    in_segment,
    measure_within,
    short_periods,
)
from hotline_eval.score import activity, trend
from hotline_eval.score.rules import (
    SCORE_COLUMNS,
    SCORED_STATUS,
    VALUE_COLUMNS,
    ReferenceValue,
    pooled_values,
    score_item,
)
from hotline_eval.score.totals import totals
from hotline_eval.score.units import unit_scores, unit_totals
from hotline_eval.score.veto import VetoRecord

KIND_ORDER = ["level", "segment", "activity", "change"]


Gate = Callable[[pd.DataFrame], pd.DataFrame]


def no_gate(rows: pd.DataFrame) -> pd.DataFrame:
    return rows


@dataclass
class ScoringContext:
    root: Path
    data_dir: Path
    ev: Evaluation
    catalogue: Catalogue
    params: dict
    indicators: pd.DataFrame  # indicators.csv, with the expert panel's results appended
    # applied to every frame measured here in time windows, as to indicators.csv: the data-quality
    # gate (§5.2.7) marks the indicators of failing data quality_blocked, so they are never scored
    gate: Gate = no_gate
    scored: dict[str, pd.DataFrame] = field(default_factory=dict)  # item id → its score rows
    special: dict[str, pd.DataFrame] = field(default_factory=dict)  # monthly, short, trend, activity, segments

    def measure_within(self, indicators: list[Indicator], condition, days: Period | None = None) -> pd.DataFrame:
        return self.gate(measure_within(self.root, self.data_dir, self.ev, indicators, condition, days))


@dataclass
class EvaluationScores:
    scores: pd.DataFrame
    totals: pd.DataFrame
    unit_scores: pd.DataFrame
    unit_totals: pd.DataFrame
    special: dict[str, pd.DataFrame]


def score_evaluation(ctx: ScoringContext, units: pd.DataFrame, vetoes: list[VetoRecord]) -> EvaluationScores:
    items = ctx.ev.items(ctx.catalogue)
    for kind in KIND_ORDER:
        for item in (i for i in items if i.kind == kind):
            values = VALUES[kind](ctx, item)
            ctx.scored[item.id] = score_item(item, values, ctx.ev, ctx.params)
    ordered = [ctx.scored[i.id] for i in items]
    scores = pd.concat(ordered, ignore_index=True) if ordered else pd.DataFrame(columns=SCORE_COLUMNS)
    if ctx.ev.type == "special":
        ctx.special["monthly"] = fixed_reference_scores(ctx, items)
    u_scores = unit_scores(ctx.indicators, units, ctx.ev, items, ctx.params)
    return EvaluationScores(
        scores=scores,
        totals=totals(scores, ctx.ev, ctx.catalogue, vetoes),
        unit_scores=u_scores,
        unit_totals=unit_totals(u_scores, ctx.ev),
        special=ctx.special,
    )


def level_values(ctx: ScoringContext, item: Item) -> pd.DataFrame:
    return pooled_values(ctx.indicators, item.indicator.id, ctx.ev.city_ids())


def segment_values(ctx: ScoringContext, item: Item) -> pd.DataFrame:
    """The indicator over the segment's time slots (§5.1.2.2), measured once per segment."""
    key = f"segment:{item.segment}"
    if key not in ctx.special:
        members = [i.indicator for i in ctx.ev.items(ctx.catalogue) if i.segment == item.segment]
        condition = in_segment(ctx.ev.segments[item.segment], ctx.ev.period)
        rows = ctx.measure_within(_unique(members), condition)
        ctx.special[key] = rows.assign(segment=item.segment)
    return pooled_values(ctx.special[key], item.indicator.id, ctx.ev.city_ids())


def activity_values(ctx: ScoringContext, item: Item) -> pd.DataFrame:
    """The activity's window against its baseline of the same weekdays and hours (§5.1.2.1)."""
    if "activity" not in ctx.special:
        ev = ctx.ev
        members = _unique([i.indicator for i in ev.items(ctx.catalogue) if i.kind == "activity"])
        holidays = set(load_calendar(ctx.root).holidays)
        window = ctx.measure_within(members, in_activity(ev.activity))
        baseline = ctx.measure_within(members, in_baseline(ev.activity, ev.period, holidays))
        ctx.special["activity"] = activity.compare(window, baseline, ev, members)
    return activity.activity_values(ctx.special["activity"], item.indicator.id, ctx.ev.city_ids())


def change_values(ctx: ScoringContext, item: Item) -> pd.DataFrame:
    """The trend verdict of the indicator's series (§5.1.2.4) and the share of points it earns."""
    if "trend" not in ctx.special:
        ctx.special.update(trend_results(ctx))
    part = ctx.special["trend"]
    part = part[part["indicator"] == item.indicator.id].set_index("city").reindex(ctx.ev.city_ids())
    values = pd.DataFrame(index=pd.Index(ctx.ev.city_ids(), name="city"))
    values["value"] = part["slope_per_month"]
    values["numerator"] = np.nan
    values["denominator"] = np.nan
    values["n"] = part["n"]
    level = pooled_values(ctx.indicators, item.indicator.id, ctx.ev.city_ids())["status"]
    status = np.where(part["n"] >= 3, SCORED_STATUS, "insufficient_periods")
    # an indicator that cannot be scored over the period (quality_blocked, not_applicable, …) earns no
    # change points either; with no data at all the series is simply too short
    values["status"] = np.where(level.isin([SCORED_STATUS, "no_data"]), status, level)
    values["flag"] = part["verdict"]
    values["ci_low"] = np.nan
    values["ci_high"] = np.nan
    values["share"] = part["change_share"]
    return values[[*VALUE_COLUMNS, "share"]]


VALUES: dict[str, Callable[[ScoringContext, Item], pd.DataFrame]] = {
    "level": level_values,
    "segment": segment_values,
    "activity": activity_values,
    "change": change_values,
}


def trend_results(ctx: ScoringContext) -> dict[str, pd.DataFrame]:
    """Monthly series, the short-period series when months are too few, and the trend table."""
    ev, items = ctx.ev, ctx.ev.items(ctx.catalogue)
    monthly = trend.monthly_series(ctx.indicators, ev, items)
    out = {"monthly": monthly}
    if trend.uses_short_periods(ev):
        members = _unique([i.indicator for i in items if i.kind == "change"])
        frames = [
            (
                n,
                first.isoformat(),
                last.isoformat(),
                ctx.measure_within(members, days_between(first, last), Period(start=first, end=last)),
            )
            for n, (first, last) in enumerate(short_periods(ev.period, ev.trend.short_period_days), start=1)
        ]
        out["short"] = trend.short_series(frames, ev)
        table = trend.trend_table(out["short"], "period", ev, items, "short")
    else:
        table = trend.trend_table(monthly, "month", ev, items, "month")
    table = table.merge(trend.first_last(monthly), on=["city", "indicator"], how="left")
    table["level_share"] = [_level_share(ctx, c, i) for c, i in zip(table["city"], table["indicator"], strict=True)]
    table["change_share"] = [
        trend.change_share(v, s, ev.change_scoring) for v, s in zip(table["verdict"], table["level_share"], strict=True)
    ]
    out["trend"] = table
    return out


def _level_share(ctx: ScoringContext, city: str, indicator_id: str) -> float:
    """The city's level score as a share of the level points (computed even without a level item)."""
    rows = level_rows(ctx, indicator_id)
    row = rows[rows["city"] == city]
    if row.empty or np.isnan(row["score"].iloc[0]) or row["points"].iloc[0] <= 0:
        return np.nan
    return float(row["score"].iloc[0] / row["points"].iloc[0])


def level_rows(ctx: ScoringContext, indicator_id: str) -> pd.DataFrame:
    """The level score rows of an indicator; scored on a 1-point scale when the plan has no level item."""
    if indicator_id in ctx.scored:
        return ctx.scored[indicator_id]
    ind = ctx.catalogue.indicator(indicator_id)
    return score_item(Item(ind, "level", 1.0), level_values(ctx, Item(ind, "level", 1.0)), ctx.ev, ctx.params)


def fixed_reference_scores(ctx: ScoringContext, items: list[Item]) -> pd.DataFrame:
    """Each month scored against the period's reference (fixed, so months are comparable)."""
    monthly = ctx.special.get("monthly")
    if monthly is None or monthly.empty:
        return pd.DataFrame()
    parts = []
    for ind_id, part in monthly.groupby("indicator", sort=False):
        level = level_rows(ctx, ind_id)
        ref = level["reference"].dropna()
        holder = level["reference_holder"].iloc[0] if len(level) else ""
        fixed = ReferenceValue(float(ref.iloc[0]), holder) if len(ref) else None
        parts.append(_score_months(ctx, ctx.catalogue.indicator(ind_id), part, fixed))
    return pd.concat(parts, ignore_index=True)


def _score_months(
    ctx: ScoringContext, ind: Indicator, part: pd.DataFrame, fixed: ReferenceValue | None
) -> pd.DataFrame:
    out = []
    for month, rows in part.groupby("month", sort=True):
        values = rows.set_index("city").reindex(ctx.ev.city_ids()).assign(flag="", ci_low=np.nan, ci_high=np.nan)
        values["n"] = values["n"].fillna(values["denominator"]) if "n" in values else values["denominator"]
        values["status"] = values["status"].fillna("no_data")
        if ind.scoring == "ratio":
            values["reference"] = fixed.value if fixed else np.nan
            values["reference_holder"] = fixed.holder if fixed else ""
        cols = [*VALUE_COLUMNS] + (["reference", "reference_holder"] if ind.scoring == "ratio" else [])
        scored = score_item(Item(ind, "level", 1.0), values[cols], ctx.ev, ctx.params)
        merged = rows.merge(scored[["city", "reference", "reference_holder", "score"]], on="city", how="left")
        out.append(merged.rename(columns={"score": "share"}).assign(month=month))
    return pd.concat(out, ignore_index=True)


def _unique(indicators: list[Indicator]) -> list[Indicator]:
    return list({i.id: i for i in indicators}.values())

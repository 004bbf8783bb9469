"""Appendix A scoring: from an item's values per city to its score, keeping how the score was made.

Rules (docs/method/scoring.md):
- quantitative indicators (A.1) against a reference:
  higher-better: points × min(value / reference, 1);
  lower-better durations and ratios: points × min(reference / value, 1), both raised to a floor;
  lower-better rates in [0, 1]: the complement, points × min((1 − value) / (1 − reference), 1);
  optional local thresholds (zero_below / zero_above) give 0 points beyond a value (docs/method/scoring.md#thresholds);
- the reference: the best among the evaluated objects (province_best, A.1 "全省最优"), a pinned
  benchmark with its source (A.1 "全国优秀代表"), or mixed;
- qualitative indicators (A.2): points × mean level factor of the rule table (level_factor), or the
  points a rule table awards (rule_points), capped at the points;
- additional indicators (A.3): the expert panel's trimmed mean (score/expert_panel.py), capped at the points;
- no data → no score (never 0, never full marks).
Every score keeps value, reference, reference holder, numerator, denominator and n (§8.2 appeals).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hotline_eval.config.catalogue import Indicator
from hotline_eval.config.evaluation import Benchmark, Evaluation, Item, Threshold

SCORED_STATUS = "ok"
NOT_GRADED = "不予定级"
FLOOR_PARAM = {"seconds": "floor_seconds", "hours": "floor_hours", "per_10k": "floor_per_10k"}
VALUE_COLUMNS = ["value", "numerator", "denominator", "n", "status", "flag", "ci_low", "ci_high"]
SCORE_COLUMNS = [
    "city",
    "indicator",
    "base_indicator",
    "item",
    "segment",
    "dimension",
    "kind",
    "points",
    "value",
    "reference",
    "reference_holder",
    "numerator",
    "denominator",
    "n",
    "status",
    "flag",
    "score",
    "rule",
    "ci_low",
    "ci_high",
]


@dataclass(frozen=True)
class ReferenceValue:
    value: float
    holder: str  # who holds it: object ids joined by "、", or the benchmark's source


ZERO_REFERENCE = "zero_reference"  # flag of a ratio score whose reference is 0 (explained in the report's appendix)


def ratio_higher(v: np.ndarray, r, floor: float = 0) -> np.ndarray:
    """Higher-better share: value ÷ reference, capped at 1; a reference of 0 gives everyone 0."""
    v, r = np.asarray(v, dtype=float), np.asarray(r, dtype=float)
    with np.errstate(all="ignore"):
        return np.where(r > 0, np.clip(v / r, 0, 1), 0.0)


def ratio_lower(v: np.ndarray, r, floor: float = 0) -> np.ndarray:
    """Lower-better share: reference ÷ value, both raised to the floor, capped at 1 (0 ÷ 0 = full)."""
    v = np.maximum(np.asarray(v, dtype=float), floor)
    r = np.maximum(np.asarray(r, dtype=float), floor)
    with np.errstate(all="ignore"):
        return np.where(v > 0, np.clip(r / v, 0, 1), 1.0)


def complement(v: np.ndarray, r, floor: float = 0) -> np.ndarray:
    """Bounded lower-better rate: (1 − value) ÷ (1 − reference), capped at 1."""
    v, r = np.asarray(v, dtype=float), np.asarray(r, dtype=float)
    with np.errstate(all="ignore"):
        return np.where(r >= 1, np.where(v >= 1, 1.0, 0.0), np.clip((1 - v) / (1 - r), 0, 1))


RULES: dict[str, Callable[..., np.ndarray]] = {
    "higher": ratio_higher,
    "lower": ratio_lower,
    "lower_rate": complement,
}


def level_factor_share(v: np.ndarray, ind: Indicator) -> np.ndarray:
    """A.2: the mean level factor (A 1.0, B 0.8, C 0.5, D 0) is the share of the points."""
    return np.clip(np.asarray(v, dtype=float), 0, 1)


def points_share(v: np.ndarray, ind: Indicator) -> np.ndarray:
    """A.2 rule tables give points on the catalogue's scale: their share of it, capped."""
    return share_of(v, ind.points)


def share_of(v: np.ndarray, scale: float) -> np.ndarray:
    """Points given on a scale of `scale` as a share of it, capped (NaN on a scale of 0)."""
    if scale <= 0:
        return np.full(np.shape(v), np.nan)
    return np.clip(np.asarray(v, dtype=float) / scale, 0, 1)


# Scoring kinds that need no reference: value → share of the item's points.
SHARES: dict[str, Callable[[np.ndarray, Indicator], np.ndarray]] = {
    "level_factor": level_factor_share,
    "rule_points": points_share,
}
RULE_NAME = {"level_factor": "level_factor", "rule_points": "rule_table", "expert_panel": "expert_panel"}


def floor_for(ind: Indicator, params: dict) -> float:
    return float(params.get(FLOOR_PARAM.get(ind.unit, ""), 0) or 0)


def best_of(values: pd.Series, direction: str) -> ReferenceValue | None:
    """The best value among objects and who holds it (ties: all holders)."""
    values = values.dropna()
    if values.empty:
        return None
    best = values.max() if direction == "higher" else values.min()
    # ties are equal values up to float rounding only: 0.99999 does not share 1.0's reference
    holders = sorted(str(i) for i in values.index[np.isclose(values.to_numpy(), best, rtol=1e-12, atol=0)])
    return ReferenceValue(float(best), "、".join(holders))


def cite(benchmark: Benchmark) -> str:
    """The benchmark's source as shown to readers: source, year."""
    year = benchmark.year
    return benchmark.source + (f"（{year}年）" if year and str(year) not in benchmark.source else "")


def reference_for(ind: Indicator, values: pd.Series, ev: Evaluation) -> ReferenceValue | None:
    """The reference value per the evaluation's strategy (docs/method/scoring.md#reference-values)."""
    pinned = ev.benchmark(ind.id)
    if pinned is not None:
        return ReferenceValue(pinned.value, cite(pinned))
    if ev.reference.strategy == "benchmark":
        return None
    return best_of(values, ind.direction)


def apply_threshold(share: np.ndarray, v: np.ndarray, rule: Threshold | None) -> tuple[np.ndarray, np.ndarray]:
    """Zero points beyond an optional local threshold; returns the share and where it applied."""
    hit = np.zeros(np.shape(v), dtype=bool)
    if rule is not None:
        if rule.zero_below is not None:
            hit |= v < rule.zero_below
        if rule.zero_above is not None:
            hit |= v > rule.zero_above
    return np.where(hit, 0.0, share), hit


def ok_values(values: pd.DataFrame) -> pd.Series:
    mask = (values["status"] == SCORED_STATUS) & values["value"].notna()
    return values.loc[mask, "value"]


def score_item(item: Item, values: pd.DataFrame, ev: Evaluation, params: dict) -> pd.DataFrame:
    """Score one item for every city.

    values: one row per city (index), columns VALUE_COLUMNS, optionally `reference` and
    `reference_holder` (a per-city reference such as an activity's baseline) or `share` (a share of
    the points decided elsewhere, such as a trend verdict's).
    """
    ind = item.indicator
    values = values.copy()
    ok = ((values["status"] == SCORED_STATUS) & values["value"].notna()).to_numpy()
    v = values["value"].to_numpy(dtype=float)
    rule = RULE_NAME.get(ind.scoring, ind.direction)
    if "share" in values:
        share = values["share"].to_numpy(dtype=float)
        rule = item.kind
    elif ind.scoring == "ratio":
        if "reference" not in values:
            ref = reference_for(ind, ok_values(values), ev)
            values["reference"] = ref.value if ref else np.nan
            values["reference_holder"] = ref.holder if ref else ""
        r = values["reference"].to_numpy(dtype=float)
        share = np.where(np.isnan(r), np.nan, RULES[ind.direction](v, r, floor_for(ind, params)))
        share, hit = apply_threshold(share, v, ev.thresholds.get(ind.id))
        values["flag"] = np.where(ok & hit, _join(values["flag"], "threshold"), values["flag"])
        # a reference of 0 (for a lower-better ratio: below its floor too): a higher-better indicator gives
        # everyone 0, a lower-better one full marks only at 0; (1 − v) ÷ (1 − r) is not affected
        degenerate = r == 0 if ind.direction == "higher" else np.maximum(r, floor_for(ind, params)) == 0
        zero = ok & degenerate & (ind.direction in ("higher", "lower"))
        values["flag"] = np.where(zero, _join(values["flag"], ZERO_REFERENCE), values["flag"])
        rule = "activity" if item.kind == "activity" else rule
    elif ind.scoring == "expert_panel":  # the experts scored on the evaluation's points (their sheets, A.3)
        share = share_of(v, item.points)
    else:
        share = SHARES[ind.scoring](v, ind)
    values["score"] = np.where(ok & ~np.isnan(share), item.points * share, np.nan)
    return _rows(item, values, rule)


def _join(flags: pd.Series, flag: str) -> np.ndarray:
    return np.array([f"{f};{flag}" if f else flag for f in flags.fillna("")], dtype=object)


def _rows(item: Item, values: pd.DataFrame, rule: str) -> pd.DataFrame:
    ind = item.indicator
    out = values.rename_axis("city").reset_index()
    out["indicator"] = item.id
    out["base_indicator"] = ind.id
    out["item"] = item.kind
    out["segment"] = item.segment or ""
    out["dimension"] = ind.dimension
    out["kind"] = ind.kind
    out["points"] = item.points
    out["rule"] = rule
    for col, empty in (("reference", np.nan), ("reference_holder", ""), ("ci_low", np.nan), ("ci_high", np.nan)):
        if col not in out:
            out[col] = empty
    return out[SCORE_COLUMNS]


def pooled_values(indicators: pd.DataFrame, indicator_id: str, cities: list[str]) -> pd.DataFrame:
    """The pooled agency-level values of one indicator, one row per evaluated city (no row → no data)."""
    rows = indicators[
        (indicators["indicator"] == indicator_id)
        & (indicators["unit"].fillna("") == "")
        & (indicators["month"] == "all")
    ]
    return as_values(rows.set_index("city"), cities)


def as_values(frame: pd.DataFrame, index: list[str]) -> pd.DataFrame:
    """Rows of indicators.csv shape → a values frame over `index` (missing rows are no data)."""
    out = frame.reindex(index)
    out["status"] = out["status"].fillna("no_data")
    out["flag"] = out["flag"].fillna("") if "flag" in out else ""
    # n: the records or samples behind the value, as indicators.csv has it (docs/documents/index.md#output-files)
    out["n"] = out["n"].fillna(out["denominator"]) if "n" in out else out["denominator"]
    for col in VALUE_COLUMNS:
        if col not in out:
            out[col] = np.nan
    return out[VALUE_COLUMNS]


def score_indicators(indicators: pd.DataFrame, ev: Evaluation, active: list[Indicator], params: dict) -> pd.DataFrame:
    """The level score of each given indicator for every city, from indicators.csv rows (pooled, agency).

    A shortcut for comparisons (e.g. scores with and without the data-quality gate); the scoring stage
    itself scores every item of an evaluation (assessment.score_evaluation).
    """
    frames = [
        score_item(Item(ind, "level", ind.points), pooled_values(indicators, ind.id, ev.city_ids()), ev, params)
        for ind in active
        if not ind.report_only and ind.points > 0
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=SCORE_COLUMNS)

"""Appendix A scoring: reference values, indicator scores, dimension scores, totals, grades, ranks.

Rules (indicators.md §3, DESIGN.md "Scoring rules"):
- higher-better: points × min(value / reference, 1);
- lower-better durations and ratios: points × min(reference / value, 1), both raised to a floor;
- lower-better rates in [0, 1]: the complement, points × min((1 − value) / (1 − reference), 1);
- reference: the best among the evaluated objects (province_best, A.1 "全省最优"), a pinned
  benchmark with its source (A.1 "全国优秀代表"), or mixed;
- no data → no score; the total is rescaled over the points available and shown with its
  coverage; no grade below the coverage minimum.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hotline_eval.catalogue import Catalogue, Indicator
from hotline_eval.evaluation import Evaluation

SCORED_STATUS = "ok"
NOT_GRADED = "不予定级"

FLOOR_PARAM = {"seconds": "floor_seconds", "hours": "floor_hours", "per_10k": "floor_per_10k"}


@dataclass(frozen=True)
class Reference:
    value: float
    holder: str  # who holds it: city ids joined by "、", or the benchmark's source


def ratio_higher(v: np.ndarray, r: float, floor: float) -> np.ndarray:
    if r <= 0:
        return np.zeros_like(v)
    return np.clip(v / r, 0, 1)


def ratio_lower(v: np.ndarray, r: float, floor: float) -> np.ndarray:
    return np.clip(max(r, floor) / np.maximum(v, floor), 0, 1)


def complement(v: np.ndarray, r: float, floor: float) -> np.ndarray:
    if r >= 1:
        return np.where(v >= 1, 1.0, 0.0)
    return np.clip((1 - v) / (1 - r), 0, 1)


RULES: dict[str, Callable[[np.ndarray, float, float], np.ndarray]] = {
    "higher": ratio_higher,
    "lower": ratio_lower,
    "lower_rate": complement,
}
RULE_ZH = {
    "higher": "得分 = 分值 × 指标值 ÷ 参考值（封顶满分）",
    "lower": "得分 = 分值 × 参考值 ÷ 指标值（封顶满分，设计分下限）",
    "lower_rate": "得分 = 分值 × (1 − 指标值) ÷ (1 − 参考值)（封顶满分）",
}


def best_of(values: pd.Series, direction: str) -> Reference | None:
    """The best value among objects and who holds it (ties: all holders)."""
    values = values.dropna()
    if values.empty:
        return None
    best = values.max() if direction == "higher" else values.min()
    holders = sorted(values.index[np.isclose(values.to_numpy(), best)])
    return Reference(float(best), "、".join(holders))


def reference_for(ind: Indicator, values: pd.Series, ev: Evaluation) -> Reference | None:
    """Reference value per the evaluation's strategy (indicators.md §3.1)."""
    pinned = ev.reference.benchmarks.get(ind.id)
    if ev.reference.strategy in ("benchmark", "mixed") and pinned is not None:
        return Reference(pinned.value, pinned.source)
    if ev.reference.strategy == "benchmark":
        return None
    return best_of(values, ind.direction)


def score_indicators(indicators: pd.DataFrame, ev: Evaluation, active: list[Indicator], params: dict) -> pd.DataFrame:
    """One row per city × scored indicator, with value, reference, holder, terms and score."""
    pooled = indicators[(indicators["unit"] == "") & (indicators["month"] == "all")].set_index(["indicator", "city"])
    rows = []
    for ind in active:
        if ind.kind not in ("system", "sampled") or ind.report_only:
            continue
        part = pooled.loc[ind.id] if ind.id in pooled.index.get_level_values(0) else pd.DataFrame()
        ok = part[part["status"] == SCORED_STATUS]["value"] if len(part) else pd.Series(dtype=float)
        ref = reference_for(ind, ok, ev)
        floor = float(params.get(FLOOR_PARAM.get(ind.unit, ""), 0) or 0)
        for city in ev.city_ids():
            rec = part.loc[city] if city in part.index else None
            rows.append(_row(ind, city, rec, ref, floor))
    return pd.DataFrame(rows)


def _row(ind: Indicator, city: str, rec: pd.Series | None, ref: Reference | None, floor: float) -> dict:
    status = rec["status"] if rec is not None else "no_data"
    value = float(rec["value"]) if rec is not None else np.nan
    score = np.nan
    if status == SCORED_STATUS and ref is not None and not np.isnan(value):
        score = ind.points * float(RULES[ind.direction](np.array([value]), ref.value, floor)[0])
    return {
        "city": city,
        "indicator": ind.id,
        "dimension": ind.dimension,
        "points": ind.points,
        "value": value,
        "reference": ref.value if ref else np.nan,
        "reference_holder": ref.holder if ref else "",
        "numerator": rec["numerator"] if rec is not None else np.nan,
        "denominator": rec["denominator"] if rec is not None else np.nan,
        "status": status,
        "flag": rec["flag"] if rec is not None else "",
        "score": score,
        "rule": ind.direction,
    }


def totals(scores: pd.DataFrame, ev: Evaluation, catalogue: Catalogue, total_points: float) -> pd.DataFrame:
    """Per city: dimension scores, total (rescaled over available points), coverage, grade, rank."""
    s = scores.assign(available=np.where(scores["score"].notna(), scores["points"], 0.0))
    by_city = s.groupby("city").agg(raw=("score", "sum"), available=("available", "sum"))
    by_city = by_city.reindex(ev.city_ids(), fill_value=0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        by_city["total"] = np.where(by_city["available"] > 0, by_city["raw"] / by_city["available"] * 100, np.nan)
    by_city["coverage"] = by_city["available"] / total_points * 100 if total_points else np.nan
    by_city["grade"] = [grade(t, c, ev) for t, c in zip(by_city["total"], by_city["coverage"], strict=True)]
    by_city["rank"] = by_city["total"].rank(ascending=False, method="min")
    dims = s.groupby(["city", "dimension"]).agg(score=("score", "sum"), available=("available", "sum"))
    for dim in catalogue.dimensions:
        if dim.id in dims.index.get_level_values(1):
            part = dims.xs(dim.id, level="dimension").reindex(ev.city_ids())
            by_city[f"dim_{dim.id}"] = part["score"].where(part["available"] > 0)
            by_city[f"dimavail_{dim.id}"] = part["available"]
    return by_city.reset_index().rename(columns={"index": "city"})


def grade(total: float, coverage: float, ev: Evaluation) -> str:
    if np.isnan(total) or coverage < ev.coverage_min:
        return NOT_GRADED
    for band in sorted(ev.grades, key=lambda g: -g.min):
        if total >= band.min:
            return band.grade
    return ev.grades[-1].grade

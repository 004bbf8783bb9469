"""Themed activities (§5.1.2.1: leaders on the line, an open day): the activity window against a
baseline of the same weekdays and hours on the period's other days.

For rates the difference is tested with a two-proportion z-test (the window's and the baseline's
numerators and denominators); averages carry no variance in the engine's output, so their
difference is shown without a test and the output says so. The activity sub-item is scored with
the Appendix A rule of the indicator, the baseline being the reference (no worse than usual = full).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from hotline_eval.config.catalogue import Indicator
from hotline_eval.config.evaluation import Evaluation
from hotline_eval.score.rules import SCORED_STATUS, VALUE_COLUMNS, as_values

BASELINE_ZH = "同期基线（相同星期、相同时段，不含活动日和节假日）"
VERDICT_ZH = {"better": "优于基线", "no_difference": "与基线无显著差异", "worse": "低于基线", "not_tested": "未检验"}


def two_proportion(x1: float, n1: float, x2: float, n2: float) -> tuple[float, float]:
    """z and two-sided p of p1 − p2 with the pooled proportion (normal approximation)."""
    if min(n1, n2) <= 0:
        return np.nan, np.nan
    pooled = (x1 + x2) / (n1 + n2)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 0.0, 1.0
    z = (x1 / n1 - x2 / n2) / se
    return float(z), float(2 * norm.sf(abs(z)))


def compare(window: pd.DataFrame, baseline: pd.DataFrame, ev: Evaluation, indicators: list[Indicator]) -> pd.DataFrame:
    """One row per city × indicator: window and baseline values, difference, test and verdict."""
    rows = []
    for ind in indicators:
        w = _pooled(window, ind.id, ev)
        b = _pooled(baseline, ind.id, ev)
        for city in ev.city_ids():
            rows.append(_compare_one(ind, city, w.loc[city], b.loc[city], ev.activity_alpha))
    return pd.DataFrame(rows)


def _pooled(rows: pd.DataFrame, indicator_id: str, ev: Evaluation) -> pd.DataFrame:
    part = rows[(rows["indicator"] == indicator_id) & (rows["unit"].fillna("") == "") & (rows["month"] == "all")]
    return as_values(part.set_index("city"), ev.city_ids())


def _compare_one(ind: Indicator, city: str, w: pd.Series, b: pd.Series, alpha: float) -> dict:
    both = w["status"] == SCORED_STATUS and b["status"] == SCORED_STATUS
    diff = w["value"] - b["value"] if both else np.nan
    test, z, p = "", np.nan, np.nan
    if both and ind.unit == "percent":
        test = "two_proportion_z"
        z, p = two_proportion(w["numerator"], w["denominator"], b["numerator"], b["denominator"])
    verdict = "not_tested"
    if not np.isnan(p):
        better = diff > 0 if ind.direction == "higher" else diff < 0
        verdict = "no_difference" if p >= alpha or diff == 0 else ("better" if better else "worse")
    return {
        "city": city,
        "indicator": ind.id,
        "window_value": w["value"],
        "window_numerator": w["numerator"],
        "window_denominator": w["denominator"],
        "window_status": w["status"],
        "baseline_value": b["value"],
        "baseline_numerator": b["numerator"],
        "baseline_denominator": b["denominator"],
        "baseline_status": b["status"],
        "difference": diff,
        "test": test,
        "z": z,
        "p_value": p,
        "alpha": alpha,
        "verdict": verdict,
    }


def activity_values(comparison: pd.DataFrame, indicator_id: str, cities: list[str]) -> pd.DataFrame:
    """The values frame of an activity item: the window's value scored against the city's own baseline."""
    part = comparison[comparison["indicator"] == indicator_id].set_index("city").reindex(cities)
    values = pd.DataFrame(index=pd.Index(cities, name="city"))
    values["value"] = part["window_value"]
    values["numerator"] = part["window_numerator"]
    values["denominator"] = part["window_denominator"]
    values["n"] = part["window_denominator"]
    baseline_ok = part["baseline_status"] == SCORED_STATUS
    values["status"] = np.where(baseline_ok, part["window_status"].fillna("no_data"), "no_baseline")
    values["flag"] = part["verdict"].fillna("")
    values["ci_low"] = np.nan
    values["ci_high"] = np.nan
    values["reference"] = part["baseline_value"].where(baseline_ok)
    values["reference_holder"] = BASELINE_ZH
    return values[[*VALUE_COLUMNS, "reference", "reference_holder"]]

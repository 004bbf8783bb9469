"""Month-by-month change of special evaluations (§5.1.2.4): series, change, and a trend verdict.

- The monthly series of each chosen indicator and its month-over-month change (环比).
- The trend: Theil–Sen slope (robust to one odd month) with a Mann–Kendall test, i.e. Kendall's
  tau of the values against time (scipy). The verdict is improving or worsening when the test gives
  p < alpha AND the change the slope implies over the period (slope × (n − 1)) reaches the
  material change of the indicator's unit (params trend.material_change: a significant drift of
  0.3 percentage points is not a trend to act on); else stable.
- Power: with n values the smallest two-sided Mann–Kendall p-value is 2 / n!, so 3 monthly values
  can never give p < 0.05 (p ≥ 0.33). With fewer than `monthly_min_points` months the test runs on
  consecutive 7-day periods (measured by the same engine, measure/windows.py) and the output says so.
- The change is a scored item: a share of its points by verdict (params change_scoring).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import kendalltau, theilslopes

from hotline_eval.config.evaluation import ChangeScoring, Evaluation, Item, TrendRules
from hotline_eval.score.rules import SCORED_STATUS

VERDICT_ZH = {"improving": "向好", "stable": "平稳", "worsening": "变差"}
BASIS_ZH = {"month": "月度值", "short": "周期值"}
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class TrendTest:
    n: int
    slope: float  # Theil–Sen slope per period of the series
    intercept: float  # value of the Theil–Sen line at the first period
    slope_low: float
    slope_high: float
    tau: float
    p_value: float
    estimate: float  # change over the period implied by the slope: slope × (n − 1)
    verdict: str


def better_when_rising(direction: str) -> bool:
    return direction == "higher"


def trend_test(values: np.ndarray, direction: str, alpha: float, material: float = 0.0) -> TrendTest:
    """Theil–Sen slope over equally spaced periods and the Mann–Kendall test of its sign."""
    y = np.asarray(values, dtype=float)
    y = y[~np.isnan(y)]
    n = len(y)
    if n < 3:
        return TrendTest(n, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, "stable")
    t = np.arange(n, dtype=float)
    if np.ptp(y) == 0:
        return TrendTest(n, 0.0, float(y[0]), 0.0, 0.0, np.nan, 1.0, 0.0, "stable")
    slope, intercept, low, high = theilslopes(y, t, alpha=1 - alpha)
    tau, p = kendalltau(t, y)
    estimate = float(slope) * (n - 1)
    verdict = "stable"
    if p < alpha and slope != 0 and abs(estimate) >= material:
        rising = slope > 0
        verdict = "improving" if rising == better_when_rising(direction) else "worsening"
    return TrendTest(
        n, float(slope), float(intercept), float(low), float(high), float(tau), float(p), estimate, verdict
    )


def monthly_series(indicators: pd.DataFrame, ev: Evaluation, items: list[Item]) -> pd.DataFrame:
    """city × indicator × month of the agency: value, terms, status and the change on the month before."""
    ids = sorted({i.indicator.id for i in items if i.kind == "change"})
    rows = indicators[
        indicators["indicator"].isin(ids) & (indicators["unit"].fillna("") == "") & (indicators["month"] != "all")
    ]
    full = pd.MultiIndex.from_product([ev.city_ids(), ids, ev.period.months], names=["city", "indicator", "month"])
    out = rows.set_index(["city", "indicator", "month"]).reindex(full).reset_index()
    out["status"] = out["status"].fillna("no_data")
    ok = out["value"].where(out["status"] == SCORED_STATUS)
    out["change"] = ok - ok.groupby([out["city"], out["indicator"]]).shift(1)
    return out[["city", "indicator", "month", "value", "numerator", "denominator", "status", "change"]]


def short_series(frames: list[tuple[int, str, str, pd.DataFrame]], ev: Evaluation) -> pd.DataFrame:
    """Pooled agency values of each short period: (number, first day, last day, indicators rows)."""
    parts = []
    for number, first, last, rows in frames:
        pooled = rows[(rows["unit"].fillna("") == "") & (rows["month"] == "all")]
        parts.append(pooled.assign(period=number, first_day=first, last_day=last))
    if not parts:
        return pd.DataFrame(
            columns=[
                "city",
                "indicator",
                "period",
                "first_day",
                "last_day",
                "value",
                "numerator",
                "denominator",
                "status",
            ]
        )
    out = pd.concat(parts, ignore_index=True)
    return out[["city", "indicator", "period", "first_day", "last_day", "value", "numerator", "denominator", "status"]]


def uses_short_periods(ev: Evaluation) -> bool:
    return len(ev.period.months) < ev.trend.monthly_min_points


def trend_table(series: pd.DataFrame, order: str, ev: Evaluation, items: list[Item], basis: str) -> pd.DataFrame:
    """One row per city × indicator with a change item: the test on `series` ordered by `order`."""
    rows = []
    for item in (i for i in items if i.kind == "change"):
        ind = item.indicator
        for city in ev.city_ids():
            part = series[(series["city"] == city) & (series["indicator"] == ind.id)].sort_values(order)
            values = part["value"].where(part["status"] == SCORED_STATUS).to_numpy(dtype=float)
            material = ev.trend.material_change.get(ind.unit, 0.0)
            test = trend_test(values, ind.direction, ev.trend.alpha, material)
            rows.append(_row(city, ind.id, ind.unit, basis, test, ev.trend))
    return pd.DataFrame(rows)


def _row(city: str, indicator: str, indicator_unit: str, basis: str, test: TrendTest, rules: TrendRules) -> dict:
    days = rules.short_period_days if basis == "short" else DAYS_PER_MONTH
    return {
        "city": city,
        "indicator": indicator,
        "basis": basis,
        "period_days": rules.short_period_days if basis == "short" else np.nan,
        "n": test.n,
        "slope": test.slope,
        "intercept": test.intercept,
        "slope_low": test.slope_low,
        "slope_high": test.slope_high,
        "slope_per_month": test.slope * DAYS_PER_MONTH / days,
        "tau": test.tau,
        "p_value": test.p_value,
        "alpha": rules.alpha,
        "estimate": test.estimate,
        "material_change": rules.material_change.get(indicator_unit, 0.0),
        "verdict": test.verdict,
    }


def first_last(monthly: pd.DataFrame) -> pd.DataFrame:
    """First and last months with data and the change between them, per city × indicator."""
    ok = monthly[monthly["status"] == SCORED_STATUS].sort_values("month")
    grouped = ok.groupby(["city", "indicator"])
    out = pd.DataFrame(
        {
            "first_month": grouped["month"].first(),
            "first_value": grouped["value"].first(),
            "last_month": grouped["month"].last(),
            "last_value": grouped["value"].last(),
        }
    )
    out["change_total"] = out["last_value"] - out["first_value"]
    return out.reset_index()


def change_share(verdict: str, level_share: float, rules: ChangeScoring) -> float:
    """Share of a change item's points: by verdict; stable at (or near) the reference earns full points."""
    if verdict == "stable" and not np.isnan(level_share) and level_share >= rules.stable_full_at:
        return 1.0
    return float(getattr(rules, verdict))

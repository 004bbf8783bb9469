"""The results summed up as the documents compare them: full points and score rates of the dimensions,
the province's pooled value of every indicator, the points a city lost per indicator.
"""

from __future__ import annotations

import pandas as pd

from hotline_eval.config.catalogue import Dimension
from hotline_eval.results import Results


def dimension_points(results: Results) -> dict[str, float]:
    """Full points of each dimension in this evaluation: every scored item (a special evaluation's
    level, change, activity and segment sub-items; report-only companions carry none)."""
    out: dict[str, float] = {}
    for item in results.evaluation.items(results.catalogue):
        dim = item.indicator.dimension
        out[dim] = out.get(dim, 0.0) + item.points
    return out


def dimensions_scored(results: Results) -> list[Dimension]:
    """Dimensions with at least one scored indicator for at least one city, in the standard's order."""
    t = results.totals
    return [d for d in results.catalogue.dimensions if f"dim_{d.id}" in t and t[f"dim_{d.id}"].notna().any()]


def dimension_rates(results: Results) -> pd.DataFrame:
    """得分率 (score ÷ available points) per city × dimension id; NaN where a city has no points."""
    t = results.totals
    out = {}
    for d in dimensions_scored(results):
        available = t[f"dimavail_{d.id}"]
        out[d.id] = t[f"dim_{d.id}"] / available.where(available > 0)
    return pd.DataFrame(out)


def province_values(results: Results) -> pd.Series:
    """The province's pooled value of every indicator: Σ numerators ÷ Σ denominators over cities with data;
    for a count (value: numerator) the sum of the counts; a median cannot be pooled from the cities' medians."""
    pooled = results.pooled()
    ok = pooled[pooled["status"] == "ok"]
    sums = ok.groupby("indicator")[["numerator", "denominator"]].sum()
    values = sums["numerator"] / sums["denominator"].where(sums["denominator"] > 0)
    for ind in results.catalogue.indicators:
        if ind.value == "numerator" and ind.id in values.index:
            additive = ind.numerator is None or ind.numerator.additive
            values[ind.id] = sums.loc[ind.id, "numerator"] if additive else float("nan")
    return values


def points_lost(results: Results, city: str) -> pd.DataFrame:
    """Scored indicators of a city by points lost (points − score), largest first: id, zh, lost, value, reference."""
    s = results.scores[(results.scores["city"] == city) & results.scores["score"].notna()].copy()
    s["lost"] = s["points"] - s["score"]
    names = {i.id: i for i in results.active}
    s = s[s["indicator"].isin(names)]
    s["zh"] = [names[i].zh for i in s["indicator"]]
    s["unit"] = [names[i].unit for i in s["indicator"]]
    return s.sort_values(["lost", "indicator"], ascending=[False, True])[
        ["indicator", "zh", "unit", "points", "score", "lost", "value", "reference"]
    ]

"""Handling units (承办单位, §4.2) scored and ranked within their city and unit class.

The reference of a unit-level indicator is the best unit of the same city and class (indicators.md
§3.1, after Lianyungang's separate ranking of counties, districts and departments); national
benchmarks are not used for units. A unit whose denominator is below `units.min_denominator` is
listed but not scored on that indicator (样本不足). A unit's total is rescaled over the points it
has data for, and only units whose coverage reaches the evaluation's coverage minimum are ranked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hotline_eval.evaluation import Evaluation, Item
from hotline_eval.scoring import SCORE_COLUMNS, VALUE_COLUMNS, Reference, as_values, best_of, score_item

UNLISTED = "unlisted"
UNIT_COLUMNS = ["city", "unit", "unit_name", "class"]


def unit_items(items: list[Item]) -> list[Item]:
    """Level items of ratio-scored indicators computed for handling units."""
    return [i for i in items if i.kind == "level" and "unit" in i.indicator.objects and i.indicator.scoring == "ratio"]


def unit_scores(
    indicators: pd.DataFrame, units: pd.DataFrame, ev: Evaluation, items: list[Item], params: dict
) -> pd.DataFrame:
    """One row per unit × unit-level item, with the unit's name and class (unit_scores.csv)."""
    if not ev.units.evaluate:
        return pd.DataFrame(columns=UNIT_COLUMNS + SCORE_COLUMNS[1:])
    rows = indicators[(indicators["unit"].fillna("") != "") & (indicators["month"] == "all")]
    listed = units.rename(columns={"unit_id": "unit", "name_zh": "unit_name"})[["city", "unit", "unit_name", "class"]]
    frames = []
    for item in unit_items(items):
        part = rows[rows["indicator"] == item.indicator.id].merge(listed, on=["city", "unit"], how="left")
        part["class"] = part["class"].fillna(UNLISTED)
        part["unit_name"] = part["unit_name"].fillna(part["unit"])
        part = part[part["class"].isin([*ev.units.classes, UNLISTED])]
        for (city, cls), group in part.groupby(["city", "class"], sort=True):
            frames.append(_score_group(item, group, cls, ev, params).assign(city=city, **{"class": cls}))
    if not frames:
        return pd.DataFrame(columns=UNIT_COLUMNS + SCORE_COLUMNS[1:])
    out = pd.concat(frames, ignore_index=True)
    return out[UNIT_COLUMNS + [c for c in SCORE_COLUMNS if c != "city"]]


def _score_group(item: Item, group: pd.DataFrame, cls: str, ev: Evaluation, params: dict) -> pd.DataFrame:
    values = as_values(group.set_index("unit"), list(group["unit"]))
    small = (values["status"] == "ok") & (values["denominator"] < ev.units.min_denominator)
    values.loc[small, "status"] = "insufficient_sample"
    if cls == UNLISTED:  # not in the units table: no class to be compared within
        values.loc[values["status"] == "ok", "status"] = "unlisted_unit"
    ok = values.loc[values["status"] == "ok", "value"]
    ref = best_of(ok, item.indicator.direction) or Reference(np.nan, "")
    values = values[VALUE_COLUMNS].assign(reference=ref.value, reference_holder=ref.holder)
    scored = score_item(item, values, ev, params).rename(columns={"city": "unit"})
    return scored.merge(group[["unit", "unit_name"]], on="unit", how="left")


def unit_totals(scores: pd.DataFrame, ev: Evaluation) -> pd.DataFrame:
    """Per unit: total rescaled over available points, coverage, rank within city and class."""
    columns = [*UNIT_COLUMNS, "points", "available", "raw", "total", "coverage", "ranked", "rank", "units_in_class"]
    if scores.empty:
        return pd.DataFrame(columns=columns)
    s = scores.assign(available=np.where(scores["score"].notna(), scores["points"], 0.0))
    out = (
        s.groupby(UNIT_COLUMNS, dropna=False)
        .agg(points=("points", "sum"), available=("available", "sum"), raw=("score", "sum"))
        .reset_index()
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        out["total"] = np.where(out["available"] > 0, out["raw"] / out["available"] * 100, np.nan)
        out["coverage"] = out["available"] / out["points"] * 100
    out["ranked"] = out["total"].notna() & (out["coverage"] >= ev.coverage_min) & (out["class"] != UNLISTED)
    ranked = out[out["ranked"]]
    out["rank"] = ranked.groupby(["city", "class"])["total"].rank(ascending=False, method="min")
    out["units_in_class"] = out.groupby(["city", "class"])["ranked"].transform("sum").astype(int)
    return out.sort_values(["city", "class", "rank", "unit"], na_position="last")[columns].reset_index(drop=True)

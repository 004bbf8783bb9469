"""Handling units (承办单位, §4.2) scored and ranked within their city and unit class.

The reference of a unit-level indicator is the best unit of the same city and class
(docs/method/scoring.md#handling-units, after Lianyungang's separate ranking of counties, districts
and departments); national benchmarks are not used for units. A unit whose denominator is below
`units.min_denominator` is listed but not scored on that indicator (样本不足). A unit's total is
rescaled over the points it has data for, and only units whose coverage reaches the evaluation's
coverage minimum are ranked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hotline_eval.config.evaluation import Evaluation, Item
from hotline_eval.score.rules import RULES, SCORE_COLUMNS, SCORED_STATUS, _join, apply_threshold, floor_for

UNLISTED = "unlisted"
UNCLASSIFIED = "unclassified"  # every unit of a city without a units table: compared as one class


def ids_only(classes) -> bool:
    """Whether the units' classes say the city reported no units table (units known by their ids only)."""
    return set(classes) == {UNCLASSIFIED}


UNIT_COLUMNS = ["city", "unit", "unit_name", "class"]


def item_units(indicators: pd.DataFrame, units: pd.DataFrame, ev: Evaluation, indicator: str) -> pd.DataFrame:
    """The pooled unit-level rows of one indicator with each unit's name and class, only the classes
    the evaluation ranks. A unit missing from its city's units table is UNLISTED (listed, not ranked);
    in a city without any units table, every unit is UNCLASSIFIED and they are compared together."""
    rows = indicators[
        (indicators["unit"].fillna("") != "") & (indicators["month"] == "all") & (indicators["indicator"] == indicator)
    ]
    listed = units.rename(columns={"unit_id": "unit", "name_zh": "unit_name"})[["city", "unit", "unit_name", "class"]]
    part = rows.merge(listed, on=["city", "unit"], how="left")
    listed_cities = set(listed["city"])
    part["class"] = part["class"].fillna(part["city"].map(lambda c: UNLISTED if c in listed_cities else UNCLASSIFIED))
    part["unit_name"] = part["unit_name"].fillna(part["unit"])
    return part[part["class"].isin([*ev.units.classes, UNLISTED, UNCLASSIFIED])]


def unit_items(items: list[Item]) -> list[Item]:
    """Level items of ratio-scored indicators computed for handling units."""
    return [i for i in items if i.kind == "level" and "unit" in i.indicator.objects and i.indicator.scoring == "ratio"]


def unit_scores(
    indicators: pd.DataFrame, units: pd.DataFrame, ev: Evaluation, items: list[Item], params: dict
) -> pd.DataFrame:
    """One row per unit × unit-level item, with the unit's name and class (unit_scores.csv).

    Items in catalogue order; within an item, groups of the same city and class in sorted order,
    units in the order of indicators.csv. Every group of an item is scored at once (a province has
    hundreds of city × class groups).
    """
    if not ev.units.evaluate:
        return pd.DataFrame(columns=UNIT_COLUMNS + SCORE_COLUMNS[1:])
    frames = []
    for item in unit_items(items):
        part = item_units(indicators, units, ev, item.indicator.id)
        if len(part):
            frames.append(_score_groups(item, part.sort_values(["city", "class"], kind="stable"), ev, params))
    if not frames:
        return pd.DataFrame(columns=UNIT_COLUMNS + SCORE_COLUMNS[1:])
    out = pd.concat(frames, ignore_index=True)
    return out[UNIT_COLUMNS + [c for c in SCORE_COLUMNS if c != "city"]]


def _score_groups(item: Item, part: pd.DataFrame, ev: Evaluation, params: dict) -> pd.DataFrame:
    """Score one item for every unit: the reference is the best unit of the same city and class."""
    ind = item.indicator
    part = part.reset_index(drop=True)
    status = part["status"].fillna("no_data").to_numpy(dtype=object)
    small = (status == "ok") & (part["denominator"] < ev.units.min_denominator).to_numpy()
    status = np.where(small, "insufficient_sample", status)
    status = np.where((status == "ok") & (part["class"] == UNLISTED).to_numpy(), "unlisted_unit", status)
    value = part["value"].to_numpy(dtype=float)
    ok = (status == SCORED_STATUS) & ~np.isnan(value)
    reference, holder = _references(part, ok, value, ind.direction)
    share = np.where(np.isnan(reference), np.nan, RULES[ind.direction](value, reference, floor_for(ind, params)))
    share, hit = apply_threshold(share, value, ev.thresholds.get(ind.id))
    flag = part["flag"].fillna("") if "flag" in part else pd.Series("", index=part.index)
    out = pd.DataFrame(
        {
            "city": part["city"],
            "unit": part["unit"],
            "unit_name": part["unit_name"],
            "class": part["class"],
            "indicator": item.id,
            "base_indicator": ind.id,
            "item": item.kind,
            "segment": item.segment or "",
            "dimension": ind.dimension,
            "kind": ind.kind,
            "points": item.points,
            "value": value,
            "reference": reference,
            "reference_holder": holder,
            "numerator": part["numerator"],
            "denominator": part["denominator"],
            "n": part["n"].fillna(part["denominator"]) if "n" in part else part["denominator"],
            "status": status,
            "flag": np.where(ok & hit, _join(flag, "threshold"), flag.to_numpy(dtype=object)),
            "score": np.where(ok & ~np.isnan(share), item.points * share, np.nan),
            "rule": ind.direction,
            "ci_low": part.get("ci_low", np.nan),
            "ci_high": part.get("ci_high", np.nan),
        }
    )
    return out


def _references(part: pd.DataFrame, ok: np.ndarray, value: np.ndarray, direction: str) -> tuple[np.ndarray, list]:
    """Per row: the best scored value of its city and class, and the units holding it (ties: all, "、")."""
    keys = ["city", "class"]
    scored = part.loc[ok, [*keys, "unit"]].assign(value=value[ok])
    best = scored.groupby(keys)["value"].agg("max" if direction == "higher" else "min").rename("best")
    scored = scored.join(best, on=keys)
    # ties are equal values up to float rounding only (scoring.best_of): 0.99999 does not share 1.0's reference
    close = np.abs(scored["value"] - scored["best"]) <= 1e-12 * np.abs(scored["best"])
    holders = scored[close.to_numpy()].groupby(keys)["unit"].agg(lambda u: "、".join(sorted(str(x) for x in u)))
    per_row = part[keys].join(best, on=keys).join(holders.rename("holder"), on=keys)
    return per_row["best"].to_numpy(dtype=float), list(per_row["holder"].fillna(""))


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

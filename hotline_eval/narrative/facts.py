"""What the results say about one city's indicator: value, score, reference, province, rank, tests.

A `Fact` gathers, for one city and one indicator, everything a sentence about it may state; the
sentences (problems.py, summary.py) only format these numbers, so a test can recompute each of them
from the results files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hotline_eval.compare.aggregates import province_values
from hotline_eval.compare.analysis import Analysis
from hotline_eval.config.catalogue import Indicator
from hotline_eval.score.rules import ZERO_REFERENCE

OK = "ok"


@dataclass(frozen=True)
class Fact:
    indicator: Indicator
    value: float
    score: float
    points: float
    reference: float
    holder: str  # Chinese names of the cities holding the reference, or the benchmark's source
    province: float  # all cities with data, numerators and denominators pooled
    best: float  # the best city's value (全省最优), whatever the reference strategy
    peers: float  # mean score share of the other cities (how far this city falls behind its peers)
    rank: int  # among the cities with a value, 1 = best by the indicator's direction
    ranked: int  # cities with a value
    gap: pd.Series | None  # significance.province_gaps row
    change: pd.Series | None  # significance.period_changes row
    month: pd.Series | None  # significance.month_changes row of the last month
    zero_reference: bool = False  # scored against a reference of 0: the score says nothing of the city

    @property
    def share(self) -> float:
        return self.score / self.points if self.points > 0 else np.nan

    @property
    def lost(self) -> float:
        return self.points - self.score

    def verdict(self, which: str) -> str:
        row = getattr(self, which)
        return "untested" if row is None else str(row["verdict"])


def facts(a: Analysis, city: str) -> dict[str, Fact]:
    """Every scored level indicator of the city with a value (status ok), by indicator id."""
    r = a.results
    s = r.scores[(r.scores["item"] == "level") & (r.scores["points"] > 0)]
    own = s[(s["city"] == city) & s["score"].notna()].set_index("indicator")
    gaps = _rows(a.gaps, city)
    changes = _rows(a.changes, city)
    months = a.months
    last = r.evaluation.period.months[-1]
    month_rows = _rows(months[months["month"] == last], city) if len(months) else {}
    single = len(r.evaluation.city_ids()) == 1  # nothing to compare with: no province value, gap or rank
    province = pd.Series(dtype=float) if single else _province(a)
    if single:
        gaps = {}
    out = {}
    for ind in r.active:
        if ind.id not in own.index:
            continue
        row = own.loc[ind.id]
        ok = s[(s["indicator"] == ind.id) & s["score"].notna()]
        values = ok.set_index("city")["value"]
        rank, ranked = _rank(values, ind, city)
        others = (ok[ok["city"] != city]["score"] / ok[ok["city"] != city]["points"]).mean()
        out[ind.id] = Fact(
            indicator=ind,
            value=float(row["value"]),
            score=float(row["score"]),
            points=float(row["points"]),
            reference=float(row["reference"]) if pd.notna(row["reference"]) else np.nan,
            holder=r.holder_names(str(row["reference_holder"] or "")),
            province=float(province.get(ind.id, np.nan)),
            best=float(values.max() if ind.direction == "higher" else values.min()),
            peers=float(others) if pd.notna(others) else np.nan,
            rank=rank,
            ranked=ranked,
            gap=gaps.get(ind.id),
            change=changes.get(ind.id),
            month=month_rows.get(ind.id),
            zero_reference=ZERO_REFERENCE in str(row.get("flag") or ""),
        )
    return out


def _rows(frame: pd.DataFrame | None, city: str) -> dict[str, pd.Series]:
    if frame is None or frame.empty:
        return {}
    return {row["indicator"]: row for _, row in frame[frame["city"] == city].iterrows()}


def _province(a: Analysis) -> pd.Series:
    """The province's pooled value per indicator (as the report's tables show it)."""
    return province_values(a.results)


def _rank(values: pd.Series, ind: Indicator, city: str) -> tuple[int, int]:
    values = values.dropna()
    if city not in values.index:
        return 0, len(values)
    ranks = values.rank(ascending=ind.direction != "higher", method="min")
    return int(ranks[city]), len(values)

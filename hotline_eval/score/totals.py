"""Per city: dimension scores, total, coverage, grade, veto and rank (Appendix A).

See docs/method/scoring.md#totals-and-coverage and docs/method/scoring.md#grades.

- total = Σ scores ÷ Σ points of the items with a score × 100 (no data is never 0 or full marks);
- coverage = Σ points with a score ÷ Σ points × 100; below `coverage_min` the city is not graded;
- innovation as a bonus: expert-scored (附加指标, A.3) items are left out of the 100 and their points
  are added on top of the rescaled total;
- a one-vote veto sets the grade to `veto_grade` whatever the score;
- rank among the cities with a total (1 = best, ties share the better rank);
- no total, grade, rank or dimension score when every scored item is a change or activity sub-item
  (Evaluation.totals_meaningful; `grading: any` grades them).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hotline_eval.config.catalogue import Catalogue
from hotline_eval.config.evaluation import Evaluation
from hotline_eval.score.rules import NOT_GRADED
from hotline_eval.score.veto import VetoRecord


def is_bonus(scores: pd.DataFrame, ev: Evaluation) -> pd.Series:
    return (scores["kind"] == "expert") & (ev.innovation == "bonus")


def totals(scores: pd.DataFrame, ev: Evaluation, catalogue: Catalogue, vetoes: list[VetoRecord]) -> pd.DataFrame:
    s = scores.assign(
        available=np.where(scores["score"].notna(), scores["points"], 0.0),
        bonus=is_bonus(scores, ev),
    )
    base = (
        s[~s["bonus"]]
        .groupby("city")
        .agg(raw=("score", "sum"), available=("available", "sum"), points=("points", "sum"))
    )
    out = base.reindex(ev.city_ids()).fillna({"raw": 0.0, "available": 0.0, "points": 0.0})
    bonus = s[s["bonus"]].groupby("city")["score"].sum(min_count=1).reindex(ev.city_ids())
    with np.errstate(invalid="ignore", divide="ignore"):
        out["total"] = np.where(out["available"] > 0, out["raw"] / out["available"] * 100, np.nan)
        out["coverage"] = np.where(out["points"] > 0, out["available"] / out["points"] * 100, np.nan)
    out["bonus"] = bonus.fillna(0.0) if s["bonus"].any() else 0.0
    out["total"] = out["total"] + out["bonus"]
    if not ev.totals_meaningful(catalogue):  # change or activity sub-items only: no total, grade or rank
        out["total"] = np.nan
    out["grade"] = [grade(t, c, ev) for t, c in zip(out["total"], out["coverage"], strict=True)]
    reasons = _veto_reasons(vetoes)
    out["veto"] = [city in reasons for city in out.index]
    out["veto_reason"] = [reasons.get(city, "") for city in out.index]
    out.loc[out["veto"], "grade"] = ev.veto_grade
    out["rank"] = out["total"].rank(ascending=False, method="min")
    dims = dimension_scores(s, ev, catalogue)
    if not ev.totals_meaningful(catalogue):
        dims[[c for c in dims.columns if c.startswith("dim_")]] = np.nan
    out = out.join(dims)
    return out.rename_axis("city").reset_index()


def grade(total: float, coverage: float, ev: Evaluation) -> str:
    """The band of the total; not graded (不予定级) without a total or below the coverage minimum."""
    if np.isnan(total) or np.isnan(coverage) or coverage < ev.coverage_min:
        return NOT_GRADED
    for band in ev.grades:  # highest minimum first (checked at load)
        if total >= band.min:
            return band.grade
    return ev.grades[-1].grade


def dimension_scores(s: pd.DataFrame, ev: Evaluation, catalogue: Catalogue) -> pd.DataFrame:
    """dim_<id> (score, empty without data), dimavail_<id> (points with data), dimpoints_<id> (points)."""
    dims = s.groupby(["city", "dimension"]).agg(
        score=("score", "sum"), available=("available", "sum"), points=("points", "sum")
    )
    out = pd.DataFrame(index=pd.Index(ev.city_ids(), name="city"))
    for dim in catalogue.dimensions:
        if dim.id not in dims.index.get_level_values("dimension"):
            continue
        part = dims.xs(dim.id, level="dimension").reindex(ev.city_ids())
        out[f"dim_{dim.id}"] = part["score"].where(part["available"] > 0)
        out[f"dimavail_{dim.id}"] = part["available"].fillna(0.0)
        out[f"dimpoints_{dim.id}"] = part["points"].fillna(0.0)
    return out


def _veto_reasons(vetoes: list[VetoRecord]) -> dict[str, str]:
    reasons: dict[str, list[str]] = {}
    for v in vetoes:
        reasons.setdefault(v.city, []).append(f"{v.reason_zh}（{v.source_zh}）")
    return {city: "；".join(parts) for city, parts in reasons.items()}

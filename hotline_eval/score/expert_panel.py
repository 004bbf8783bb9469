"""The expert panel of the additional indicators (Appendix A.3, §7.3, docs/method/scoring.md#expert-panel).

Per city × expert-scored indicator, from the expert_scores table:
- the last round is used; a first round whose max − min exceeds `dispersion_share` of the points is
  flagged for one moderated rescoring round, and both rounds stay on record;
- trimmed mean: one highest and one lowest score dropped when n ≥ `trim_from` (5); plain mean
  for n = 3–4; fewer than `min_scores` (3) → no data;
- a panel smaller than `min_experts` (5) or without `min_external` (1) outside expert is warned about;
- a score outside 0…points, or a second score of the same expert in the same round, is not used
  and is kept with its reason. Every expert's score is kept for appeals (§8.2).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hotline_eval.config.catalogue import Indicator
from hotline_eval.config.evaluation import Evaluation, ExpertPanelRules

DETAIL_COLUMNS = ["city", "indicator", "expert_id", "affiliation", "round", "score", "used", "trimmed", "note"]
RESULT_COLUMNS = [
    "city",
    "unit",
    "month",
    "indicator",
    "numerator",
    "denominator",
    "n",
    "value",
    "status",
    "flag",
    "ci_low",
    "ci_high",
]


def trimmed_mean(scores: np.ndarray, rules: ExpertPanelRules) -> tuple[float, np.ndarray]:
    """The panel value and a mask of the scores it drops (one highest and one lowest when n ≥ trim_from)."""
    n = len(scores)
    dropped = np.zeros(n, dtype=bool)
    if n < rules.min_scores:
        return np.nan, dropped
    if n >= rules.trim_from:
        order = np.argsort(scores, kind="stable")
        dropped[[order[0], order[-1]]] = True
    return float(scores[~dropped].mean()), dropped


def panel(scores: pd.DataFrame, ev: Evaluation, indicators: list[Indicator]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(results in indicators.csv shape, every expert's score with how it was used)."""
    scores = _for_evaluation(scores, ev)
    results, details = [], []
    for ind in indicators:
        for city in ev.city_ids():
            part = scores[(scores["city"] == city) & (scores["indicator"] == ind.id)]
            result, detail = _one(part, ind, city, ev.expert_panel)
            results.append(result)
            details.append(detail)
    detail = pd.concat(details, ignore_index=True) if details else pd.DataFrame(columns=DETAIL_COLUMNS)
    return pd.DataFrame(results, columns=RESULT_COLUMNS), detail[DETAIL_COLUMNS]


def _for_evaluation(scores: pd.DataFrame, ev: Evaluation) -> pd.DataFrame:
    """Scores given for this evaluation (rows without an evaluation id are taken as this one's)."""
    if "evaluation_id" not in scores:
        return scores
    own = scores["evaluation_id"].fillna("").isin(["", ev.id])
    return scores[own]


def _one(part: pd.DataFrame, ind: Indicator, city: str, rules: ExpertPanelRules) -> tuple[dict, pd.DataFrame]:
    detail = part.assign(used=False, trimmed=False, note="").copy()
    detail["affiliation"] = detail.get("affiliation", pd.Series("", index=detail.index)).fillna("")
    detail["note"] = _invalid(detail, ind)
    valid = detail[detail["note"] == ""]
    flags = []
    rounds = sorted(valid["round"].unique())
    value, n, total = np.nan, 0, np.nan
    if rounds:
        last = valid[valid["round"] == rounds[-1]]
        value, dropped = trimmed_mean(last["score"].to_numpy(dtype=float), rules)
        n = len(last)
        detail.loc[last.index, "used"] = True
        detail.loc[last.index[dropped], "trimmed"] = True
        detail.loc[last.index[dropped], "note"] = "截尾（最高分、最低分各去掉一个）"
        total = float(last["score"].to_numpy(dtype=float)[~dropped].sum())
        flags += _dispersion(valid, rounds, ind, rules)
        flags += _panel_warnings(last, rules)
        earlier = detail.index.isin(valid.index) & (detail["round"] < rounds[-1])
        detail.loc[earlier, "note"] = "已复评，采用最后一轮"
    if 0 < n < rules.min_scores:
        flags.append("panel_too_small")
    result = {
        "city": city,
        "unit": "",
        "month": "all",
        "indicator": ind.id,
        "numerator": total,
        "denominator": n,
        "n": n,  # the scores used (after trimming), as scores.csv counts them
        "value": value,
        "status": "ok" if not np.isnan(value) else "no_data",
        "flag": ";".join(dict.fromkeys(flags)),
        "ci_low": np.nan,
        "ci_high": np.nan,
    }
    detail["city"], detail["indicator"] = city, ind.id
    return result, detail.reindex(columns=DETAIL_COLUMNS)


def _invalid(detail: pd.DataFrame, ind: Indicator) -> pd.Series:
    """Why a score is not used: outside 0…points, or the same expert twice in a round."""
    note = pd.Series("", index=detail.index, dtype=object)
    out_of_range = (detail["score"] < 0) | (detail["score"] > ind.points + 1e-9)
    note[out_of_range] = f"分值超出0—{ind.points:g}分，未采用"
    repeated = detail.duplicated(["expert_id", "round"], keep="first") & (note == "")
    note[repeated] = "同一专家同一轮次重复评分，未采用"
    return note


def _dispersion(valid: pd.DataFrame, rounds: list, ind: Indicator, rules: ExpertPanelRules) -> list[str]:
    """Dispersion rule: a first round spread above the share → one moderated rescoring round."""
    first = valid[valid["round"] == rounds[0]]["score"]
    spread_limit = rules.dispersion_share * ind.points
    if len(rounds) == 1:
        return ["rescoring_required"] if first.max() - first.min() > spread_limit + 1e-9 else []
    flags = ["rescored"]
    last = valid[valid["round"] == rounds[-1]]["score"]
    if last.max() - last.min() > spread_limit + 1e-9:
        flags.append("still_dispersed")
    if len(rounds) > 2:
        flags.append("extra_rounds")
    return flags


def _panel_warnings(last: pd.DataFrame, rules: ExpertPanelRules) -> list[str]:
    flags = []
    if last["expert_id"].nunique() < rules.min_experts:
        flags.append("panel_below_minimum")
    if (last["affiliation"] == "external").sum() < rules.min_external:
        flags.append("no_external_expert")
    return flags

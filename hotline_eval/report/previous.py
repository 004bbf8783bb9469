"""The previous evaluation a document compares with (较上期), and the changes since then.

Which evaluation came before is named by the evaluation definition's optional `previous:` field
(an evaluation id; read defensively, since older definitions lack it) or, for one run, by the
`--previous` option of `hotline-eval reports` / `bulletin` (make ... PREV=<id>). Cities are
matched by id; a city that was not evaluated then has no change.
"""

from __future__ import annotations

import pandas as pd

from hotline_eval.config.evaluation import Evaluation
from hotline_eval.core.errors import RenderError
from hotline_eval.results import Results, load


def previous_id(evaluation: Evaluation, override: str = "") -> str:
    """The id of the evaluation to compare with: the override, else the definition's `previous`, else ""."""
    return override or getattr(evaluation, "previous", None) or ""


def load_previous(results: Results, override: str = "") -> Results | None:
    """The previous evaluation's results, or None when there is none; an error when they are missing."""
    pid = previous_id(results.evaluation, override)
    if not pid:
        return None
    if pid == results.evaluation.id:
        raise RenderError(f"评价 '{pid}' 不能以自身作为上期评价")
    before = load(results.root, pid)
    if not (before.paths.out / "totals.csv").exists():
        raise RenderError(
            f"上期评价 '{pid}' 尚无结果",
            fix=f"请先运行 make run EVAL={pid}（make reports 和 make bulletin 会自动运行）",
        )
    if before.evaluation.period.start >= results.evaluation.period.start:
        raise RenderError(
            f"上期评价 '{pid}' 不早于 '{results.evaluation.id}'（其评价周期始于 {before.evaluation.period.start}）"
        )
    return before


def total_changes(now: pd.DataFrame, before: pd.DataFrame | None) -> pd.DataFrame:
    """Per city (index): total and rank now and before, the score change and the places moved.

    places_up > 0 means the city moved up (its rank number got smaller).
    """
    out = pd.DataFrame(index=now.index)
    out["total"], out["rank"], out["grade"] = now["total"], now["rank"], now["grade"]
    if before is None:
        for col in ("total_before", "rank_before", "grade_before", "delta", "places_up"):
            out[col] = pd.NA if col == "grade_before" else float("nan")
        return out
    prior = before.reindex(now.index)
    out["total_before"], out["rank_before"], out["grade_before"] = prior["total"], prior["rank"], prior["grade"]
    out["delta"] = out["total"] - out["total_before"]
    out["places_up"] = out["rank_before"] - out["rank"]
    return out

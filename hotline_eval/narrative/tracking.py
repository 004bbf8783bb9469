"""Improvement tracking (§8.5): the previous evaluation's problems, now.

The previous evaluation's problems are found with the same rules as this evaluation's. Each one
either persists (it is again among this evaluation's problems), has improved (not a problem any more
and an indicator behind it improved significantly), or has eased (not a problem any more, but its
indicators' change is not significant: it is watched, not declared solved). For every indicator
behind the previous problems (and so behind their measures' targets) the table shows the value
then and now and the tested change.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from hotline_eval.core import fmt
from hotline_eval.narrative import phrasing as ph
from hotline_eval.narrative.problems import Problem, ProblemContext


@dataclass(frozen=True)
class Tracked:
    problem: Problem  # as found in the previous evaluation
    status: str  # persist | improved | eased


def track(ctx: ProblemContext, before: list[Problem], now: list[Problem]) -> list[Tracked]:
    keys = {p.key for p in now}
    changes = ctx.a.changes
    own = changes[changes["city"] == ctx.city].set_index("indicator") if changes is not None else pd.DataFrame()
    out = []
    for p in before:
        if p.key in keys:
            status = "persist"
        elif p.kind == "quality" or any(i in own.index and own.loc[i, "verdict"] == "better" for i in p.indicators):
            status = "improved"
        else:
            status = "eased"
        out.append(Tracked(p, status))
    return out


def table(ctx: ProblemContext, tracked: list[Tracked], current: list[Problem]) -> pd.DataFrame:
    """One row per indicator behind a previous problem: 上期问题, 指标, 上期, 本期, 变化, 整改情况."""
    changes = ctx.a.changes
    own = changes[changes["city"] == ctx.city].set_index("indicator") if changes is not None else pd.DataFrame()
    words, w = ctx.words["narrative"]["words"], ctx.words["narrative"]["tracking"]
    rows = []
    for t in tracked:
        if t.problem.kind == "quality":
            rows.append(_blocked_row(ctx, t, current))
            continue
        for ind_id in t.problem.indicators:
            ind = ctx.a.results.catalogue.indicator(ind_id)
            row = own.loc[ind_id] if ind_id in own.index else None
            if row is None:
                before, now, change = fmt.DASH, fmt.DASH, fmt.DASH
            else:
                before, now = fmt.value(row["before_value"], ind.unit), fmt.value(row["value"], ind.unit)
                change = change_text(row, ind, words, w)
            rows.append(
                {
                    "上期问题": f"{t.problem.number}. {t.problem.headline}",
                    "相关指标": ind.zh,
                    "上期": before,
                    "本期": now,
                    "变化": change,
                    "整改情况": w["status"][t.status],
                }
            )
    return pd.DataFrame(rows)


def _blocked_row(ctx: ProblemContext, t: Tracked, current: list[Problem]) -> dict:
    """The data-quality problem: how many indicators the gate blocked then and now."""
    w = ctx.words["narrative"]["tracking"]
    now = next((p for p in current if p.kind == "quality"), None)
    before, after = len(t.problem.indicators), len(now.indicators) if now else 0
    return {
        "上期问题": f"{t.problem.number}. {t.problem.headline}",
        "相关指标": w["blocked_label"],
        "上期": w["blocked"].format(n=before),
        "本期": w["blocked"].format(n=after),
        "变化": fmt.DASH,
        "整改情况": w["status"][t.status],
    }


def change_text(row: pd.Series, ind, words: dict, w: dict) -> str:
    """提升3.2个百分点 when the change is called, 无显著变化 when tested and not called, 未作检验 else."""
    verdict = row["verdict"]
    if verdict == "untested":
        return w["change_untested"]
    if verdict not in ("better", "worse"):
        return w["change_same"]
    moved = ph.word(words, "improved" if verdict == "better" else "worsened", ind)
    return moved + ph.amount(ph.difference(row["value"], row["before_value"], ind.unit), ind.unit)


def paragraph(ctx: ProblemContext, tracked: list[Tracked]) -> str:
    w = ctx.words["narrative"]["tracking"]
    counts = {s: [t for t in tracked if t.status == s] for s in ("persist", "improved", "eased")}
    parts = [w["counts"][s].format(n=len(ts)) for s, ts in counts.items() if ts]
    details = [w["detail"][t.status].format(number=t.problem.number, problem=t.problem.headline) for t in tracked]
    summary = "，".join(parts) + "。其中，" + "；".join(details) + "。"
    text = w["intro"].format(
        previous=ctx.a.previous.evaluation.period.label_zh, city=ctx.name, n=len(tracked), summary=summary
    )
    close = "close_persist" if counts["persist"] else "close_eased" if counts["eased"] else "close_improved"
    return text + w[close]

"""The opening summary (score, grade, rank, how firm they are, the change) and the strengths."""

from __future__ import annotations

import numpy as np

from hotline_eval.core import fmt
from hotline_eval.narrative import phrasing as ph
from hotline_eval.narrative.facts import Fact
from hotline_eval.narrative.problems import ProblemContext
from hotline_eval.score.rules import NOT_GRADED


def summary(ctx: ProblemContext) -> str:
    a, w = ctx.a, ctx.words["narrative"]["summary"]
    r, city = a.results, ctx.city
    t = r.totals.loc[city]
    n = len(r.evaluation.city_ids())
    if city not in r.ranked:  # no scored indicator has a score: no total, no grade, no rank
        return w["unscored"][r.no_total_cause].format(period=r.evaluation.period.label_zh, city=ctx.name)
    slots = {
        "period": r.evaluation.period.label_zh,
        "city": ctx.name,
        "total": fmt.score(t["total"]),
        "grade": t["grade"],
        "n": n,
        "rank": int(t["rank"]),
        "coverage": f"{t['coverage']:.1f}%",
    }
    if ctx.single:
        text = w["single"]["ungraded" if t["grade"] == NOT_GRADED else "score"].format(**slots)
    elif t["grade"] == NOT_GRADED:
        text = w["ungraded"].format(**slots)
    else:
        text = ctx.pick("score", w["score"], "summary").format(**slots)
    if bool(t.get("veto", False)):  # one-vote veto: why the grade is what it is (its reason and who decided it)
        text += w["veto"].format(reason=t["veto_reason"], grade=t["grade"])
    boot = a.bootstrap.summary.loc[city]
    confidence = f"{a.settings.bootstrap.confidence * 100:g}%"
    text += w["interval"].format(confidence=confidence, low=fmt.score(boot["low"]), high=fmt.score(boot["high"]))
    if ctx.single:
        return text + "。" + change_sentence(ctx)
    s = a.stability.loc[city]
    low, high = int(s["low"]), int(s["high"])
    key = "fixed" if low == high else "narrow" if high - low <= 1 else "wide"
    text += w["stability"][key].format(rank=int(s["rank"]), low=low, high=high)
    text += change_sentence(ctx)
    return text + dimensions_sentence(ctx)


def change_sentence(ctx: ProblemContext) -> str:
    """The change of the total since the previous evaluation: called only when the bootstrap
    interval of the difference excludes 0 (robustness.total_change)."""
    a, w = ctx.a, ctx.words["narrative"]["summary"]
    if a.total_change is None or ctx.city not in a.total_change.index:
        return ""
    c = a.total_change.loc[ctx.city]
    before = a.previous.totals.loc[ctx.city]
    now = a.results.totals.loc[ctx.city]
    previous = a.previous.evaluation.period.label_zh
    moved = int(before["rank"]) - int(now["rank"])
    if c["significant"]:
        if moved == 0:
            rank = w["rank_same"]
        else:
            rank = (w["rank_up"] if moved > 0 else w["rank_down"]).format(places=abs(moved))
        key = "up" if c["delta"] > 0 else "down"
        return w["change"][key].format(previous=previous, change=fmt.score_change(c["delta"]), rank=rank)
    rank = w["rank_same"] if moved == 0 else w["rank_moved"].format(before=int(before["rank"]), after=int(now["rank"]))
    return w["change"]["same"].format(previous=previous, before=fmt.score(before["total"]), rank=rank)


def dimensions_sentence(ctx: ProblemContext) -> str:
    """Dimensions whose score rate is significantly above or below the province mean (bootstrap)."""
    gaps = ctx.a.dimension_gaps
    own = gaps[gaps["city"] == ctx.city]
    names = {d.id: d.zh for d in ctx.a.results.catalogue.dimensions}
    better = "、".join(
        names[d] for d in own[own["verdict"] == "better"].sort_values("diff", ascending=False)["dimension"]
    )
    worse = "、".join(names[d] for d in own[own["verdict"] == "worse"].sort_values("diff")["dimension"])
    w = ctx.words["narrative"]["summary"]["dimensions"]
    key = "both" if better and worse else "better" if better else "worse" if worse else "none"
    return w[key].format(better=better, worse=worse)


def strengths(ctx: ProblemContext, facts: dict[str, Fact], problem_keys: set[str]) -> list[str]:
    """What the city does well: indicators where it is the reference, indicators significantly better
    than the rest of the province, significant improvements, dimensions ranked first."""
    a, w = ctx.a, ctx.words["narrative"]["strengths"]
    words = ctx.words["narrative"]["words"]
    out = []
    best = [f for f in facts.values() if ctx.name in f.holder.split("、") and f.indicator.kind != "expert"]
    if best:
        shown = "、".join(f.indicator.zh for f in best[:4]) + (f"等{len(best)}项指标" if len(best) > 4 else "")
        out.append(w["reference"].format(indicators=shown))
    elif ctx.single:  # benchmark references: the indicators that reach them
        full = [f for f in facts.values() if f.points > 0 and f.score >= f.points and f.indicator.kind != "expert"]
        if full:
            shown = "、".join(f.indicator.zh for f in full[:4]) + (f"等{len(full)}项指标" if len(full) > 4 else "")
            out.append(w["at_reference"].format(indicators=shown))
    ahead = [
        f
        for f in facts.values()
        if f.verdict("gap") == "better" and f not in best and f.indicator.id not in problem_keys
    ]
    ahead.sort(key=lambda f: (-abs(f.gap["diff"]) / max(abs(f.province), 1e-9), f.indicator.id))
    for f in ahead[: max(0, a.settings.strengths.max - len(out))]:
        ind = f.indicator
        out.append(
            ctx.pick("better", w["better"][ph.direction_key(ind)], ind.id).format(
                indicator=ind.zh,
                value=fmt.value(f.value, ind.unit),
                province=fmt.value(f.province, ind.unit),
                diff=ph.amount(ph.difference(f.value, f.province, ind.unit), ind.unit),
            )
        )
    named = {f.indicator.id for f in best} | {
        f.indicator.id for f in ahead[: max(0, a.settings.strengths.max - len(out))]
    }
    improved = [
        f for f in facts.values() if f.verdict("change") == "better" and f.indicator.id not in problem_keys | named
    ]
    improved.sort(key=lambda f: (-abs(f.change["diff"]) / max(abs(f.change["before_value"]), 1e-9), f.indicator.id))
    for f in improved[:2]:
        ind = f.indicator
        before = f.change["before_value"]
        out.append(
            ctx.pick("improved", w["improved"], ind.id).format(
                indicator=ind.zh,
                before=fmt.value(before, ind.unit),
                value=fmt.value(f.value, ind.unit),
                change=ph.word(words, "improved", ind) + ph.amount(ph.difference(f.value, before, ind.unit), ind.unit),
                moved=ph.word(words, "improved", ind),
            )
        )
    gaps = a.dimension_gaps
    names = {d.id: d.zh for d in a.results.catalogue.dimensions}
    for dim in [] if ctx.single else gaps["dimension"].unique():
        part = gaps[gaps["dimension"] == dim].set_index("city")
        rank = part["rate"].rank(ascending=False, method="min")
        if ctx.city in rank.index and rank[ctx.city] == 1 and (rank == 1).sum() == 1:
            out.append(w["dimension"].format(dimension=names[dim], rate=fmt.pct(part.loc[ctx.city, "rate"]), rank=1))
    return out


def strengths_intro(ctx: ProblemContext) -> str:
    return ctx.pick("strengths_intro", ctx.words["narrative"]["strengths"]["intro"], "strengths").format(city=ctx.name)


def no_strengths(ctx: ProblemContext) -> str:
    """No strength to name; nothing at all when the city has no total (no place among the others to state)."""
    if ctx.city not in ctx.a.results.ranked:
        return ""
    return ctx.words["narrative"]["strengths"]["none_single" if ctx.single else "none"].format(city=ctx.name)


def _finite(x: float) -> bool:
    return not np.isnan(x)

"""六、整改措施: rectification measures chosen from params/measures.yaml for each problem (§8.1).

Each problem gets the first measure of its entry that answers its kind and, when the entry has one,
a measure for the other party (热线工作机构 / 承办单位), so that both know what to do. A measure names
who must act (the agency, or the handling units that drive the problem), its deadline (from the
report's date) and, where the entry says so, a target for the indicator in the next evaluation
(docs/method/narrative.md#measures): the province's level for a gap, the previous level for a worsening,
half of the distance to the reference for an indicator far below it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from hotline_eval.core import fmt
from hotline_eval.narrative import phrasing as ph
from hotline_eval.narrative.facts import Fact
from hotline_eval.narrative.problems import Problem, ProblemContext
from hotline_eval.narrative.rectification_spec import MeasureSpec


@dataclass(frozen=True)
class Measure:
    problem: int  # the problem's number
    headline: str  # the problem's headline
    who: str  # agency | units
    actor: str  # who must act, named
    action: str
    deadline: str
    target: str  # e.g. 分派及时率提升至90.2%以上 ("" without a target), as the task list shows it
    target_value: float  # the target in the indicator's unit (NaN without one)
    basis: str  # what the target is: province | previous | halfway | ""
    indicator: str  # the indicator the target is about ("" without one)
    text: str  # the measure as a sentence


def choose(ctx: ProblemContext, problems: list[Problem], facts: dict[str, Fact]) -> list[Measure]:
    """One or two measures per problem (one per party), never the same action twice in a report."""
    out: list[Measure] = []
    used: set[str] = set()
    for p in problems:
        specs = [m for m in p.entry.measures if m.answers(p.kind)] or list(p.entry.measures)
        first = _fresh(ctx, p, specs, used, 0)
        if first is None:
            continue
        chosen = [first]
        others = [m for m in specs if m.who != first[0].who]
        second = _fresh(ctx, p, others, used, 1)
        if second is not None:
            chosen.append(second)
        out += [measure(ctx, p, spec, k, facts, action) for k, (spec, action) in enumerate(chosen)]
    return out


def _fresh(ctx: ProblemContext, p: Problem, specs: list[MeasureSpec], used: set[str], k: int):
    """The first measure (and phrasing) among `specs` whose action the report has not used yet."""
    indicator = ctx.a.results.catalogue.indicator(p.key).zh if p.key in {i.id for i in ctx.a.results.active} else ""
    for spec in specs:
        preferred = ctx.pick(f"action{k}", spec.text, p.key, k)
        for text in [preferred, *(t for t in spec.text if t != preferred)]:
            action = text.format(indicator=indicator)
            if action not in used:
                used.add(action)
                return spec, action
    return None


def measure(ctx: ProblemContext, p: Problem, spec: MeasureSpec, k: int, facts: dict[str, Fact], action: str) -> Measure:
    words = ctx.words["narrative"]
    fact = facts.get(p.key)
    deadline = deadline_text(ctx, spec.deadline)
    target, plain, value, basis = ("", "", np.nan, "")
    if spec.target and fact is not None and p.kind in ("gap", "far_below", "worse"):
        value, basis = target_value(fact, p.kind)
        if not np.isnan(value):
            key = ph.direction_key(fact.indicator)
            slots = {"indicator": fact.indicator.zh, "target": fmt.value(value, fact.indicator.unit)}
            target = ctx.pick(f"target{k}", words["measures"]["target"][key], p.key).format(**slots)
            plain = words["measures"]["target_table"][key].format(**slots)
    text = ctx.pick("measure", words["measures"]["sentence"], p.key, k).format(
        actor=actor(ctx, p, spec.who), action=action, deadline=deadline, target=target
    )
    text = ph.closed_up(text)
    return Measure(
        problem=p.number,
        headline=p.headline,
        who=spec.who,
        actor=actor(ctx, p, spec.who),
        action=action,
        deadline=deadline,
        target=plain,
        target_value=value,
        basis=basis,
        indicator=fact.indicator.id if fact and target else "",
        text=text,
    )


def actor(ctx: ProblemContext, p: Problem, who: str) -> str:
    """The agency, the handling units that drive the problem, or all units (with the worst named)."""
    w = ctx.words["narrative"]["actors"]
    if who == "agency":
        return w["agency"].format(city=ctx.name)
    names = "、".join(ctx.a.unit_names.get(u, u) for u in p.units)
    if p.units and p.unit_mode == "driving":
        return w["units_named"].format(units=names)
    if p.units:
        return w["units_focus"].format(city=ctx.name, units=names)
    return w["units_all"].format(city=ctx.name)


def deadline_text(ctx: ProblemContext, key: str) -> str:
    """The measure's deadline in words; none for a dated deadline when the definition sets no
    rectification deadline (follow_up.rectify_days 0)."""
    spec = ctx.catalogue.deadlines[key]
    ev = ctx.a.results.evaluation
    if not ev.follow_up.rectify_days and ("{date}" in spec.zh or "{month}" in spec.zh):
        return ""
    issued = ev.issued_on
    date = fmt.date(issued + dt.timedelta(days=spec.days)) if spec.days else ""
    following = dt.date(issued.year + issued.month // 12, issued.month % 12 + 1, 1)
    return spec.zh.format(date=date, month=f"{following.year}年{following.month}月")


def target_value(f: Fact, kind: str) -> tuple[float, str]:
    """The indicator's target in the next evaluation, and what it is based on."""
    unit = f.indicator.unit
    if kind == "gap" and not np.isnan(f.province):
        return ph.shown(f.province, unit), "province"
    if kind == "worse":
        if f.change is not None and f.verdict("change") == "worse":
            return ph.shown(f.change["before_value"], unit), "previous"
        if f.month is not None and f.verdict("month") == "worse":
            return ph.shown(f.month["before_value"], unit), "previous"
    if not np.isnan(f.reference):
        return ph.shown(f.value + (f.reference - f.value) / 2, unit), "halfway"
    return np.nan, ""


def report_line(ctx: ProblemContext) -> str:
    """When and to whom the rectification is reported; nothing when the definition asks for no report."""
    ev = ctx.a.results.evaluation
    if not ev.follow_up.rectify_days:
        return ""
    date = fmt.date(ev.issued_on + dt.timedelta(days=ev.follow_up.rectify_days))
    return ctx.words["narrative"]["measures"]["report"].format(date=date, organiser=ev.follow_up.report_to)

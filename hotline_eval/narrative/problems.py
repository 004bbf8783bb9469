"""五、存在的主要问题: which findings are problems, in which order, and how each is stated (§8.1).

A problem is one of
- an indicator significantly worse than the rest of the province (`gap`), far below its reference
  (`far_below`: score rate under params/comparison.yaml `problems.far_below`), or significantly worse
  than in the previous evaluation or the previous month (`worse`);
- indicators the data-quality gate blocked (`quality`, 数据质量不达标);
- the qualitative rule tables' findings that do not convert into points (`qualitative`, Appendix A.2):
  sub-items of recorded calls rated C or D, D ratings, work orders with a veto;
- a dissatisfaction reason (§6.5.3) significantly more frequent than in the rest of the province
  (`dissatisfaction`).
Each is stated as docs/method/narrative.md#problems describes: a headline in plain words, the
evidence with its numbers (value, province, reference, rank, change, the units that drive it), and
why it matters. Only tested differences are called gaps or changes (compare/significance.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hotline_eval.compare.analysis import Analysis, satisfaction_evaluated
from hotline_eval.core import fmt
from hotline_eval.narrative import phrasing as ph
from hotline_eval.narrative.facts import Fact
from hotline_eval.narrative.rectification_spec import Entry, MeasureCatalogue
from hotline_eval.quality import load_quality
from hotline_eval.quality.gate import blocked_indicators, failures
from hotline_eval.quality.summary import QualityLabels
from hotline_eval.score.rules import NOT_GRADED

WORSE = "worse"


@dataclass
class Problem:
    key: str  # indicator id, "quality", "qualitative" or "dissatisfaction:<reason>"
    kind: str  # gap | far_below | worse | quality | qualitative | dissatisfaction
    severity: float
    headline: str
    text: str
    entry: Entry  # its measures (params/measures.yaml)
    indicators: list[str] = field(default_factory=list)  # the indicators behind it
    units: list[str] = field(default_factory=list)  # handling units named (ids)
    unit_mode: str = ""  # driving (significantly worse units) | widespread (the lowest of many) | ""
    number: int = 0


@dataclass
class ProblemContext:
    """What every problem sentence needs: the analysis, the city, the wording, the phrasing chooser."""

    a: Analysis
    city: str
    words: dict
    catalogue: MeasureCatalogue
    choose: ph.Chooser

    @property
    def name(self) -> str:
        return self.a.results.city_name(self.city)

    @property
    def w(self) -> dict:
        return self.words["narrative"]["problems"]

    @property
    def single(self) -> bool:
        """One evaluated object: no ranks, averages or comparisons with other objects."""
        return len(self.a.results.evaluation.city_ids()) == 1

    def pick(self, slot: str, options, *about) -> str:
        return self.choose(slot, options, self.city, *about)


def find(ctx: ProblemContext, facts: dict[str, Fact]) -> list[Problem]:
    """Every problem of the city, most severe first, numbered from 1 (the report shows the first
    `problems.max`; the rest still count as problems, e.g. for tracking)."""
    qualitative = set(ctx.catalogue.qualitative.indicators)
    found = [p for f in facts.values() if f.indicator.id not in qualitative and (p := indicator_problem(ctx, f))]
    found = merge_related(ctx, found, facts)
    found = merge_groups(ctx, found, facts)
    found += [p for p in (quality_problem(ctx), qualitative_problem(ctx, facts)) if p]
    found += dissatisfaction_problems(ctx)
    found.sort(key=lambda p: (-p.severity, p.key))
    for k, p in enumerate(found, 1):
        p.number = k
    return found


def merge_related(ctx: ProblemContext, found: list[Problem], facts: dict[str, Fact]) -> list[Problem]:
    """Problems that are facets of one another are stated together: an entry of params/measures.yaml
    that lists `related` indicators is the host; a related indicator's problem becomes one sentence of
    the host's evidence (its indicator and severity added), under the host's headline and measures."""
    found = sorted(found, key=lambda p: (-p.severity, p.key))
    hosts = [p for p in found if ctx.catalogue.indicators.get(p.key) and ctx.catalogue.indicators[p.key].related]
    kept: list[Problem] = []
    for p in found:
        host = next((h for h in hosts if h is not p and p.key in ctx.catalogue.indicators[h.key].related), None)
        if host is None or p in hosts:
            kept.append(p)
            continue
        f = facts[p.key]
        options = ctx.w["related"]
        k = len(host.indicators) - 1  # the k-th related indicator of this host: a different connector each
        start = options.index(ph.pick(options, "related", ctx.city, host.key))
        value = fmt.value(f.value, f.indicator.unit)
        first = options[(start + k) % len(options)].format(indicator=f.indicator.zh, value=value)
        host.text = _insert_before_impact(host, ph.sentence(first, _province_clause(ctx, f), _change_clause(ctx, f)))
        host.indicators.append(p.key)
        host.severity += p.severity
    return kept


def merge_groups(ctx: ProblemContext, found: list[Problem], facts: dict[str, Fact]) -> list[Problem]:
    """Two or more problems of one group (params/measures.yaml `groups`) become one problem that names
    each member's score; its measures are the members' (worst member first)."""
    out = list(found)
    for name, group in ctx.catalogue.groups.items():
        members = [p for p in out if p.key in group.indicators]
        if len(members) < 2:
            continue
        members.sort(key=lambda p: (-p.severity, p.key))
        items = "、".join(
            ctx.w["group_item"].format(
                indicator=facts[p.key].indicator.zh,
                score=fmt.score(facts[p.key].score),
                points=ph.points(facts[p.key].points),
                reference=fmt.value(facts[p.key].best, facts[p.key].indicator.unit),
            )
            for p in members
        )
        text = ph.sentence(ctx.pick("group", ctx.w["group"], name).format(city=ctx.name, items=items))
        text += ctx.pick("impact", group.impact, name) if group.impact else ""
        entry = Entry(
            problem=group.problem, impact=group.impact, measures=[m for p in members for m in p.entry.measures]
        )
        merged = Problem(
            key=name,
            kind="far_below",
            severity=sum(p.severity for p in members),
            headline=ctx.pick("headline", group.problem, name),
            text=text,
            entry=entry,
            indicators=[p.key for p in members],
        )
        out = [p for p in out if p not in members] + [merged]
    return out


def _insert_before_impact(host: Problem, extra: str) -> str:
    """The related evidence goes before the host's last sentence (why it matters)."""
    impact = host.entry.impact
    for sentence_text in impact:
        if host.text.endswith(sentence_text):
            return host.text[: -len(sentence_text)] + extra + sentence_text
    return host.text + extra


def severity(ctx: ProblemContext, points: float, share: float, peers: float, gap: bool, worse: bool) -> float:
    """Points lost beyond the other cities' average score rate, plus a part of all points lost,
    weighted up when the gap to the province or the worsening is significant."""
    rules = ctx.a.settings.problems
    excess = max(0.0, (peers if not np.isnan(peers) else share) - share) * points
    weight = 1 + rules.gap_weight * gap + rules.worse_weight * worse
    return (excess + rules.base_weight * (1 - share) * points) * weight


def decline(f: Fact) -> float:
    """A significant decline since the previous evaluation weighs its relative size × points
    (a city at full marks that slipped has lost no points, but the decline is still a finding)."""
    if f.verdict("change") != WORSE:
        return 0.0
    before = float(f.change["before_value"])
    return f.points * abs(float(f.change["diff"])) / max(abs(before), 1e-9)


def kind_of(ctx: ProblemContext, f: Fact) -> str | None:
    gap = f.verdict("gap") == WORSE
    worse = f.verdict("change") == WORSE or f.verdict("month") == WORSE
    far = f.share < ctx.a.settings.problems.far_below and not f.zero_reference  # no shortfall against 0
    if gap:
        return "gap"
    if far:
        return "far_below"
    return "worse" if worse else None


# ------------------------------------------------------------------------------------------ indicators


def indicator_problem(ctx: ProblemContext, f: Fact) -> Problem | None:
    kind = kind_of(ctx, f)
    if kind is None:
        return None
    ind = f.indicator
    entry = ctx.catalogue.entry(ind.id, ind.dimension)
    units, mode, unit_text = units_clause(ctx, f) if "unit" in ind.objects else ([], "", "")
    text = "".join(
        [
            level_sentence(ctx, f, kind),
            sentence_of_change(ctx, f),
            unit_text,
            ctx.pick("impact", entry.impact, ind.id) if entry.impact else "",
        ]
    )
    worse = f.verdict("change") == WORSE or f.verdict("month") == WORSE
    if kind == "worse":  # a decline, not a low level: say so
        moved = ph.word(ctx.words["narrative"]["words"], "worsened", ind)
        headline = ctx.pick("headline_worse", ctx.w["headline_worse"], ind.id).format(indicator=ind.zh, moved=moved)
    else:
        headline = ctx.pick("headline", entry.problem, ind.id).format(indicator=ind.zh)
    return Problem(
        key=ind.id,
        kind=kind,
        severity=severity(ctx, f.points, f.share, f.peers, kind == "gap", worse) + decline(f),
        headline=headline,
        text=text,
        entry=entry,
        indicators=[ind.id],
        units=units,
        unit_mode=mode,
    )


def level_sentence(ctx: ProblemContext, f: Fact, kind: str) -> str:
    """Value, the province (tested), the reference when far below it, the rank; then the score."""
    ind, w = f.indicator, ctx.w
    value = fmt.value(f.value, ind.unit)
    slots = {"city": ctx.name, "indicator": ind.zh, "value": value, "n": f.ranked, "rank": f.rank}
    if ind.scoring in ("expert_panel", "rule_points"):  # points from a panel or a rule table
        phrase = w["expert"] if ind.scoring == "expert_panel" else w["rule"]
        first = phrase.format(**slots, points=ph.points(f.points))
        return ph.sentence(first, _reference(ctx, f) if kind == "far_below" else "")
    some = f.ranked < len(ctx.a.results.evaluation.city_ids())  # not every city has a value
    rank_first = f.ranked >= 3 and ctx.pick("plan", ["level", "rank_first"], ind.id) == "rank_first"
    if rank_first:
        first = (w["rank_first_some"] if some else ctx.pick("rank_first", w["rank_first"], ind.id)).format(**slots)
    else:
        first = ctx.pick("level", w["level"], ind.id).format(**slots)
    clauses = [first, _province_clause(ctx, f)]
    if not rank_first and f.ranked >= 3:
        last = "rank_last" if f.rank == f.ranked else "rank"
        options = w[f"{last}_some"] if some else w[last]
        clauses.append(ctx.pick("rank", options, ind.id).format(**slots))
    text = ph.sentence(*clauses)
    if kind == "far_below" and f.verdict("gap") != WORSE:
        text += ph.sentence(_reference(ctx, f), _widespread(ctx, f))
    score = ctx.pick("score", w["score"], ind.id).format(
        score=fmt.score(f.score), points=ph.points(f.points), lost=fmt.score(f.lost)
    )
    return text + ph.sentence(score)


def _province_clause(ctx: ProblemContext, f: Fact) -> str:
    ind, w = f.indicator, ctx.w
    if np.isnan(f.province):
        return ""
    province = fmt.value(f.province, ind.unit)
    verdict = f.verdict("gap")
    if verdict == WORSE:
        diff = ph.amount(ph.difference(f.value, f.province, ind.unit), ind.unit)
        adverse = ph.word(ctx.words["narrative"]["words"], "adverse", ind)
        return ctx.pick("gap", w["gap"], ind.id).format(province=province, adverse=adverse, diff=diff)
    if verdict == "better":
        return w["better_gap"].format(province=province)
    return ctx.pick("no_gap", w["no_gap"], ind.id).format(province=province)


def _widespread(ctx: ProblemContext, f: Fact) -> str:
    """When at least half of the cities are far below the reference too, say that the gap is general."""
    s = ctx.a.results.scores
    rows = s[(s["indicator"] == f.indicator.id) & s["score"].notna() & (s["points"] > 0)]
    far = ctx.a.settings.problems.far_below
    below = int((rows["score"] / rows["points"] < far).sum())
    if below * 2 < len(rows) or below < 2:
        return ""
    return ctx.w["widespread"].format(n=below, far=f"{far * 100:g}%")


def _reference(ctx: ProblemContext, f: Fact) -> str:
    ind = f.indicator
    if np.isnan(f.reference):
        return ""
    diff = ph.amount(ph.difference(f.value, f.reference, ind.unit), ind.unit)
    return ctx.pick("reference", ctx.w["reference"], ind.id).format(
        reference=fmt.value(f.reference, ind.unit), holder=f.holder, diff=diff
    )


def sentence_of_change(ctx: ProblemContext, f: Fact) -> str:
    """The change since the previous evaluation (tested) and a significant worsening of the last month."""
    ind, w = f.indicator, ctx.w
    words = ctx.words["narrative"]["words"]
    clauses = [_change_clause(ctx, f)]
    if f.month is not None and f.verdict("month") == WORSE:
        m, months = f.month, ctx.a.results.evaluation.period.months
        clauses.append(
            w["month_worse"].format(
                month=fmt.month(m["month"], months),
                previous_month=fmt.month(m["previous_month"], months),
                moved=ph.word(words, "worsened", ind),
                diff=ph.amount(ph.difference(m["value"], m["before_value"], ind.unit), ind.unit),
            )
        )
    return ph.sentence(*clauses)


def _change_clause(ctx: ProblemContext, f: Fact) -> str:
    """The change since the previous evaluation, called only when the test says so."""
    ind, w = f.indicator, ctx.w
    words = ctx.words["narrative"]["words"]
    clauses = []
    if f.change is not None and f.verdict("change") != "untested":
        before = fmt.value(f.change["before_value"], ind.unit)
        diff = ph.amount(ph.difference(f.value, f.change["before_value"], ind.unit), ind.unit)
        verdict = f.verdict("change")
        if verdict == WORSE:
            clauses.append(
                ctx.pick("change_worse", w["change_worse"], ind.id).format(
                    before=before, moved=ph.word(words, "worsened", ind), diff=diff
                )
            )
        elif verdict == "better":
            clauses.append(
                ctx.pick("change_better", w["change_better"], ind.id).format(
                    before=before, moved=ph.word(words, "improved", ind), diff=diff
                )
            )
        else:
            clauses.append(ctx.pick("change_same", w["change_same"], ind.id).format(before=before))
    return clauses[0] if clauses else ""


def units_clause(ctx: ProblemContext, f: Fact) -> tuple[list[str], str, str]:
    """The handling units behind a unit-level indicator: those significantly worse than the rest of
    the city, else (the problem being general) the lowest ones. Returns ids, mode and the sentence."""
    ind, w = f.indicator, ctx.w
    table = ctx.a.units(ctx.city, ind.id)
    n = ctx.a.settings.problems.units_named
    if table.empty or n == 0:
        return [], "", ""
    minimum = ctx.a.results.evaluation.units.min_denominator
    adverse = ph.word(ctx.words["narrative"]["words"], "adverse", ind)
    driving = table[table["verdict"] == WORSE].head(n)
    if len(driving):
        mode, rows = "driving", driving
        options = w["unit_driving"] if len(rows) == 1 else w["units_driving"]
    else:
        big = table[table["denominator"] >= minimum]
        if len(big) < 3:
            return [], "", ""
        mode = "widespread"
        rows = big.sort_values(["value", "unit"], ascending=[ind.direction == "higher", True]).head(n)
        options = w["units_widespread"]
    names = [ctx.a.unit_names.get(u, u) for u in rows["unit"]]
    values = "、".join(fmt.value(v, ind.unit) for v in rows["value"])
    text = ctx.pick(f"units_{mode}", options, ind.id).format(
        units="、".join(names), values=values, indicator=ind.zh, adverse=adverse
    )
    return list(rows["unit"]), mode, ph.sentence(text)


# ------------------------------------------------------------------------------------------ quality


def quality_problem(ctx: ProblemContext) -> Problem | None:
    """Indicators the data-quality gate blocked (§5.2.7): which checks failed, what it cost."""
    r = ctx.a.results
    path = r.paths.out / "quality.csv"
    if not path.exists():
        return None
    own = load_quality(r.paths.out)
    own = own[own["city"] == ctx.city]
    failed = failures(own)
    scored = [i for i in r.active if not i.report_only and i.points > 0]
    blocked = blocked_indicators(own, r.catalogue, scored)
    if failed.empty or blocked.empty:
        return None
    labels = QualityLabels(r.root, r.evaluation)
    ids = list(blocked["indicator"])
    points = sum(i.points for i in scored if i.id in ids)
    names = [r.catalogue.indicator(i).zh for i in ids]
    shown = "、".join(names[:3]) + (f"等{len(names)}项指标" if len(names) > 3 else f"{len(names)}项指标")
    checks = list(
        dict.fromkeys(
            labels.check(c["check"]) + (f"（{labels.item(c)}）" if labels.item(c) else "") for _, c in failed.iterrows()
        )
    )
    check_text = "、".join(checks[:3]) + (f"等{len(checks)}项" if len(checks) > 3 else "")
    t = r.totals.loc[ctx.city]
    entry = ctx.catalogue.quality
    text = ctx.pick("quality", ctx.w["quality"], "quality").format(
        tables="、".join(labels.table(x) for x in dict.fromkeys(failed["table"])),
        checks=check_text,
        indicators=shown,
        points=ph.points(points),
        coverage=f"{t['coverage']:.1f}%",
    )
    if t["grade"] == NOT_GRADED:
        text += ctx.w["quality_ungraded"].format(minimum=f"{r.evaluation.coverage_min:g}")
    text = ph.sentence(text) + (ctx.pick("impact", entry.impact, "quality") if entry.impact else "")
    return Problem(
        key="quality",
        kind="quality",
        severity=ctx.a.settings.problems.blocked_weight * points,
        headline=ctx.pick("headline", entry.problem, "quality"),
        text=text,
        entry=entry,
        indicators=ids,
    )


# ------------------------------------------------------------------------------------------ qualitative


def qualitative_problem(ctx: ProblemContext, facts: dict[str, Fact]) -> Problem | None:
    """Appendix A.2: the rule tables' sub-items rated C or D and the D ratings of recorded calls,
    with the rule-table indicators' scores; work orders whose quality check hit a veto."""
    entry = ctx.catalogue.qualitative
    rules = ctx.a.settings.problems
    own = [facts[i] for i in entry.indicators if i in facts]
    if not own:
        return None
    items = ctx.a.qc_items
    calls = items[(items["city"] == ctx.city) & (items["object_type"] == "call") & (items["item"] != "")].copy()
    if calls.empty:
        return None
    calls["share"] = (calls["c"] + calls["d"]) / calls["n"]
    points, score = sum(f.points for f in own), sum(f.score for f in own)
    share = score / points
    peers = float(np.nansum([f.peers * f.points for f in own]) / points)
    gap = any(f.verdict("gap") == WORSE for f in own)
    worse = any(f.verdict("change") == WORSE for f in own)
    if not (gap or worse or share < rules.far_below or calls["share"].max() >= rules.qc_share):
        return None
    w, labels = ctx.w["qualitative"], ctx.words["narrative"]["qc_items"]
    top = calls.sort_values(["share", "item"], ascending=[False, True]).head(rules.qc_items_named)
    listed = "；".join(
        w["item"].format(item=labels.get(i, i), count=int(c + d), share=fmt.pct(s))
        for i, c, d, s in zip(top["item"], top["c"], top["d"], top["share"], strict=True)
    )
    clauses = [w["sample"].format(n=int(calls["n"].max()), items=listed)]
    d_total = int(calls["d"].sum())
    if d_total:
        tables = [t for t in dict.fromkeys(calls.loc[calls["d"] > 0, "item"].str.split(".").str[0])]
        examples = "；".join(ctx.words["narrative"]["qc_d"][t] for t in tables if t in ctx.words["narrative"]["qc_d"])
        clauses.append(w["d"].format(d=d_total, examples=examples))
    veto = int(items[(items["city"] == ctx.city) & (items["object_type"] == "ticket")]["veto"].sum())
    text = ph.sentence(clauses[0]) + ph.sentence(*clauses[1:])
    if veto:
        text += ph.sentence(w["veto"].format(veto=veto))
    names = "、".join(f.indicator.zh for f in own)
    text += ph.sentence(w["scores"].format(indicators=names, score=fmt.score(score), points=ph.points(points)))
    text += ctx.pick("impact", entry.impact, "qualitative") if entry.impact else ""
    return Problem(
        key="qualitative",
        kind="qualitative",
        severity=severity(ctx, points, share, peers, gap, worse),
        headline=ctx.pick("headline", entry.problem, "qualitative"),
        text=text,
        entry=entry,
        indicators=[f.indicator.id for f in own],
    )


# ------------------------------------------------------------------------------------------ dissatisfaction


def dissatisfaction_problems(ctx: ProblemContext) -> list[Problem]:
    """Reasons of dissatisfaction (§6.5.3) significantly more frequent than in the rest of the province."""
    reasons = ctx.a.reasons
    if reasons.empty or not satisfaction_evaluated(ctx.a):
        return []
    hot = reasons[(reasons["city"] == ctx.city) & reasons["hot"]]
    units = reasons.attrs.get("units", pd.DataFrame(columns=["city", "unit", "reason", "count"]))
    out = []
    for _, row in hot.iterrows():
        entry = ctx.catalogue.dissatisfaction.get(row["reason"])
        if entry is None:
            continue
        text = ctx.pick("dissatisfaction", ctx.w["dissatisfaction"], row["reason"]).format(
            verified=int(row["verified"]),
            reason=row["reason_zh"],
            count=int(row["count"]),
            share=fmt.pct(row["share"]),
            rest=fmt.pct(row["rest_share"]),
            above="高",
            diff=ph.amount(ph.difference(row["share"], row["rest_share"], "percent"), "percent"),
        )
        mine = units[(units["city"] == ctx.city) & (units["reason"] == row["reason"]) & (units["count"] > 0)]
        mine = mine.sort_values(["count", "unit"], ascending=[False, True]).head(ctx.a.settings.problems.units_named)
        clauses = [text]
        if len(mine):
            clauses.append(
                ctx.w["dissatisfaction_units"].format(
                    units="、".join(ctx.a.unit_names.get(u, u) for u in mine["unit"]),
                    counts="、".join(str(int(c)) for c in mine["count"]),
                )
            )
        out.append(
            Problem(
                key=f"dissatisfaction:{row['reason']}",
                kind="dissatisfaction",
                severity=ctx.a.settings.problems.dissatisfaction_weight * float(row["diff"]),
                headline=ctx.pick("headline", entry.problem, row["reason"]),
                text=ph.sentence(*clauses),
                entry=entry,
                indicators=["result_satisfaction"],
                units=list(mine["unit"]),
                unit_mode="driving" if len(mine) else "",
            )
        )
    return out

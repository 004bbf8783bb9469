"""The province bulletin (通报, §5.2.5): ranking, dimension scores, changes, highlights, laggards.

Outline (docs/documents/bulletin.md#outline): header and addressees; opening sentence; 一、总体情况;
二、各地情况 (ranking, dimensions, who did well and why, who lags and which indicators cost them);
三、存在的主要问题; 四、工作要求; signature; 附件 (every indicator of every city).
The text is built here from the results so that every number in it is tested; the notebooks in
notebooks/bulletin/ display it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from hotline_eval import __version__
from hotline_eval.compare.aggregates import dimension_rates, dimensions_scored, points_lost, province_values
from hotline_eval.compare.volumes import city_volumes
from hotline_eval.config.wording import load_wording
from hotline_eval.core import fmt
from hotline_eval.cycle.schedule import appeal_facts
from hotline_eval.report.context import ReportContext
from hotline_eval.report.document import render_document
from hotline_eval.results import Results, load
from hotline_eval.score.rules import NOT_GRADED


def render_bulletin(root: Path, evaluation: str, *, pdf: bool | None = None, previous: str = "") -> dict[str, Path]:
    """Render outputs/<evaluation>/bulletin.html (and .pdf) from notebooks/bulletin/*.ipynb."""
    results = load(root, evaluation)
    wording = load_wording(root)
    parameters = {"evaluation": results.evaluation.id, "root": str(root), "previous": previous}
    return render_document(
        root, "bulletin", results.paths.out, "bulletin", parameters, header(results, wording), pdf=pdf
    )


def title(results: Results, wording: dict) -> str:
    return wording["bulletin"]["title"].format(evaluation=results.evaluation.name_zh)


def header(results: Results, wording: dict) -> dict:
    """What the 通报 header shows: issuer, (optional) document number, title, addressees."""
    ev = results.evaluation
    return {
        "kind": "bulletin",
        "version": __version__,
        "issuer": ev.organiser_zh,
        "number": wording["bulletin"].get("number", ""),
        "title": title(results, wording),
        "addressees": wording["bulletin"]["addressees"],
    }


def opening(results: Results, wording: dict) -> str:
    ev = results.evaluation
    return wording["bulletin"]["opening"].format(
        organiser=ev.organiser_zh,
        n=len(ev.city_ids()),
        period=ev.period.label_zh,
        type=wording["evaluation_type"][ev.type],
    )


def grade_counts(totals: pd.DataFrame, grades: list[str]) -> str:
    """优秀3个、良好4个、合格1个 (grades without cities are left out; 不予定级 last)."""
    counts = totals["grade"].value_counts()
    parts = [f"{g}{counts[g]}个" for g in [*grades, NOT_GRADED] if counts.get(g, 0)]
    return "、".join(parts)


def overview(ctx: ReportContext) -> list[str]:
    """一、总体情况: volumes, average score, grades, best and worst, dimension extremes."""
    r = ctx.results
    t = r.totals
    volumes = city_volumes(r)
    first = [
        f"本次评价覆盖全省{ctx.n_cities}个设区市。评价周期内，全省12345热线共受理有效工单"
        f"{fmt.count(volumes['tickets'].sum(), '件')}，话务来电{fmt.count(volumes['calls'].sum(), '通')}"
    ]
    if ctx.previous is not None:
        before = city_volumes(ctx.previous)["tickets"].sum()
        first.append(f"，工单量较上期{fmt.growth(before, volumes['tickets'].sum())}")
    first.append(f"。全省平均综合得分{fmt.score(t['total'].mean())}")
    if ctx.previous is not None:
        first.append(f"，较上期{fmt.score_change(t['total'].mean() - ctx.previous.totals['total'].mean())}")
    graded = grade_counts(t, [g.grade for g in r.evaluation.grades])
    best, worst = t["total"].idxmax(), t["total"].idxmin()
    first.append(
        f"；{graded}。综合得分最高的是{r.city_name(best)}（{fmt.score(t.loc[best, 'total'])}），"
        f"最低的是{r.city_name(worst)}（{fmt.score(t.loc[worst, 'total'])}），"
        f"相差{fmt.number(t.loc[best, 'total'] - t.loc[worst, 'total'])}分。"
    )
    paragraphs = ["".join(first)]
    rates = dimension_rates(r).mean()
    if len(rates) >= 2:
        names = {d.id: d.zh for d in r.catalogue.dimensions}
        hi, lo = rates.idxmax(), rates.idxmin()
        paragraphs.append(
            f"从各维度看，全省平均得分率最高的是{names[hi]}（{fmt.pct(rates[hi])}），"
            f"最低的是{names[lo]}（{fmt.pct(rates[lo])}）。"
        )
    return paragraphs


def key_indicators(ctx: ReportContext) -> str:
    """The province's pooled values of the key indicators and how many cities reach each threshold."""
    r, words = ctx.results, ctx.wording["bulletin"]
    active = {i.id: i for i in r.active}
    province = province_values(r)
    shown = [
        f"{active[k].zh}{fmt.value(province.get(k), active[k].unit)}"
        for k in words["key_indicators"]
        if k in active and not fmt.missing(province.get(k))
    ]
    if not shown:
        return ""
    text = f"从主要指标看，全省{'，'.join(shown)}。"
    pooled = r.pooled().set_index(["indicator", "city"])["value"]
    reached = []
    for ind, rule in (words.get("thresholds") or {}).items():
        if ind in active and ind in pooled.index.get_level_values(0):
            values = pooled.loc[ind]
            better = values >= rule["value"] if active[ind].direction == "higher" else values <= rule["value"]
            reached.append(f"{int(better.sum())}个市{rule['text']}")
    if reached:
        text += "其中，" + "，".join(reached) + "。"
    return text


def holds_reference(results: Results, city: str) -> list[str]:
    """Indicators for which the city's value is the reference (the province's best)."""
    s = results.scores
    own = s[(s["city"] == city) & s["score"].notna()]
    names = {i.id: i.zh for i in results.active}
    held = own[[city in str(h).split("、") for h in own["reference_holder"]]]
    return [names[i] for i in held["indicator"] if i in names]


def highlights(ctx: ReportContext, n: int) -> list[str]:
    """One sentence per top city: score, rank, change, indicators where it set the reference."""
    r = ctx.results
    out = []
    for city in r.totals.sort_values("rank").index[:n]:
        t, c = r.totals.loc[city], ctx.changes.loc[city]
        text = f"{r.city_name(city)}综合得分{fmt.score(t['total'])}，居全省第{int(t['rank'])}位"
        if not fmt.missing(c["total_before"]):
            text += f"，位次较上期{fmt.rank_change(c['rank_before'], c['rank'])}"
        out.append(text + "".join(f"，{reason}" for reason in strengths(r, city)) + "。")
    return out


def strengths(results: Results, city: str) -> list[str]:
    """Why a city did well: indicators where it set the reference, dimensions where it leads or beats the mean."""
    reasons = []
    best = holds_reference(results, city)
    if best:
        more = "等" if len(best) > 4 else ""
        reasons.append(f"{'、'.join(best[:4])}{more}{len(best)}项指标为全省最优")
    rates = dimension_rates(results)
    names = {d.id: d.zh for d in dimensions_scored(results)}
    leading = [names[d] for d in rates.columns if rates[d].notna().any() and rates[d].idxmax() == city]
    if leading:
        reasons.append(f"{'、'.join(leading)}维度得分率居全省首位")
    else:
        margin = (rates.loc[city] - rates.mean()).dropna().sort_values(ascending=False)
        above = [names[d] for d in margin.index[margin > 0][:2]]
        if above:
            reasons.append(f"{'、'.join(above)}维度得分率高于全省平均")
    return reasons


def laggards(ctx: ReportContext, n: int) -> list[str]:
    """One sentence per bottom city: score, rank, change and the two indicators that cost most points."""
    r = ctx.results
    out = []
    for city in r.totals.sort_values("rank", ascending=False).index[:n][::-1]:
        t, c = r.totals.loc[city], ctx.changes.loc[city]
        text = f"{r.city_name(city)}综合得分{fmt.score(t['total'])}，居全省第{int(t['rank'])}位"
        if not fmt.missing(c["total_before"]):
            text += f"，较上期{fmt.score_change(c['delta'])}"
        lost = points_lost(r, city)
        lost = lost[lost["lost"] > 0.005].head(2)
        if len(lost):
            items = [
                f"{row['zh']}{fmt.value(row['value'], row['unit'])}（参考值{fmt.value(row['reference'], row['unit'])}，"
                f"失{fmt.number(row['lost'])}分）"
                for _, row in lost.iterrows()
            ]
            text += f"。主要失分指标为{'、'.join(items)}"
        out.append(text + "。")
    return out


def movers(ctx: ReportContext) -> str:
    """Cities that moved up most since the previous evaluation (empty without one)."""
    c = ctx.changes.dropna(subset=["places_up"])
    up = c[c["places_up"] > 0].sort_values(["places_up", "delta"], ascending=False)
    if up.empty:
        return ""
    names = [f"{ctx.results.city_name(city)}（上升{int(row['places_up'])}位）" for city, row in up.head(3).iterrows()]
    return f"与上期相比，{'、'.join(names)}位次提升明显。"


def weakest_indicators(ctx: ReportContext, n: int = 3) -> list[str]:
    """三、存在的主要问题: the indicators with the lowest average score rate across the province."""
    r = ctx.results
    s = r.scores[r.scores["score"].notna() & (r.scores["points"] > 0)].copy()
    if s.empty:
        return []
    s["rate"] = s["score"] / s["points"]
    by_indicator = s.groupby("indicator")["rate"].mean().sort_values()
    active = {i.id: i for i in r.active}
    out = []
    for ind in [i for i in by_indicator.index if i in active][:n]:
        rows = s[s["indicator"] == ind].sort_values("rate")
        if by_indicator[ind] >= 0.95:
            break
        low = rows[rows["rate"] < 0.9]
        worst = rows.iloc[0]
        text = (
            f"{active[ind].zh}（§{active[ind].clause}）全省平均得分率{fmt.pct(by_indicator[ind])}，"
            f"{len(low)}个市得分率低于90%"
        )
        text += f"，其中{r.city_name(worst['city'])}{active[ind].zh}为{fmt.value(worst['value'], active[ind].unit)}，"
        text += f"参考值为{fmt.value(worst['reference'], active[ind].unit)}。"
        out.append(text)
    return out


def data_gaps(ctx: ReportContext) -> str:
    """Cities not graded for lack of data, and indicators without scoreable data (no_data, quality_blocked)."""
    r = ctx.results
    parts = []
    ungraded = [r.city_name(c) for c in r.totals.index[r.totals["grade"] == NOT_GRADED]]
    if ungraded:
        parts.append(f"{'、'.join(ungraded)}有效分值不足，本次不予定级")
    statuses = r.scores[r.scores["status"] != "ok"]
    if len(statuses):
        words = ctx.wording["status"]
        counts = statuses["status"].value_counts()
        detail = "、".join(f"{words.get(s, s)}{counts[s]}项次" for s in counts.index)
        parts.append(f"因数据原因未计分的城市指标共{len(statuses)}项次（{detail}），相应分值已从有效分值中扣除")
    return "；".join(parts) + "。" if parts else ""


def requirements(ctx: ReportContext) -> list[str]:
    """四、工作要求, worded from params with the dates filled in."""
    ev, words = ctx.results.evaluation, ctx.wording["bulletin"]
    facts = appeal_facts(ctx.results.root, ev)
    rectify_by = fmt.date(ev.issued_on + dt.timedelta(days=int(words["rectify_days"])))
    values = {**facts, "rectify_by": rectify_by, "organiser_short": words["organiser_short"]}
    return [item.format(**values) for item in words["requirements"]]


def indicator_annex(ctx: ReportContext) -> pd.DataFrame:
    """附件: every indicator (rows, grouped by dimension) for every city (columns), with the province and reference."""
    r = ctx.results
    pooled = r.pooled().set_index(["indicator", "city"])
    province = province_values(r)
    reference = r.scores.groupby("indicator")["reference"].first()
    cities = r.totals.sort_values("rank").index
    rows = []
    for ind in r.active:
        dim = r.catalogue.dimension(ind.dimension)
        unit = ctx.wording["units_zh"].get(ind.unit, "")
        row = {"维度": f"{dim.zh}（§{dim.clause}）", "指标": f"{ind.zh}（{unit}）" if unit else ind.zh}
        for city in cities:
            key = (ind.id, city)
            ok = key in pooled.index and pooled.loc[key, "status"] == "ok"
            row[r.city_name(city)] = fmt.bare(pooled.loc[key, "value"], ind.unit) if ok else fmt.DASH
        row["全省"] = fmt.bare(province.get(ind.id), ind.unit)
        row["参考值"] = fmt.bare(reference.get(ind.id), ind.unit)
        rows.append(row)
    return pd.DataFrame(rows)

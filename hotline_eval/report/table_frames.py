"""The tables of the documents as data frames of display text (formatted, Chinese headers).

Built here rather than in the notebooks so that they are tested without a kernel, shared by the
city report and the bulletin, and scale to the full catalogue (45 indicators, seven dimensions).
"""

from __future__ import annotations

import pandas as pd

from hotline_eval.compare.aggregates import dimension_points, dimension_rates, dimensions_scored, province_values
from hotline_eval.config.catalogue import Indicator
from hotline_eval.core import fmt
from hotline_eval.results import Results
from hotline_eval.score.rules import NOT_GRADED


def dimension_table(results: Results, city: str, previous: Results | None = None) -> pd.DataFrame:
    """二、评价结果: one row per dimension of the city, with the province and (maybe) the previous evaluation.

    With a previous evaluation, 较上期 is the change of the score rate in 个百分点.
    """
    t, rates, full = results.totals, dimension_rates(results), dimension_points(results)
    before = dimension_rates(previous) if previous is not None else None
    scope, several = results.evaluation.labels.scope, len(results.evaluation.city_ids()) > 1
    rows = []
    for dim in dimensions_scored(results):
        rate = rates[dim.id]
        position = rate.rank(ascending=False, method="min")
        rows.append(
            {
                "维度": f"{dim.zh}（§{dim.clause}）",
                "满分": fmt.number(full.get(dim.id, 0), 1),
                "有效分值": fmt.number(t.loc[city, f"dimavail_{dim.id}"], 1),
                "得分": fmt.number(t.loc[city, f"dim_{dim.id}"]),
                "得分率": fmt.pct(rate[city]),
            }
        )
        if several:  # one evaluated object has no average or position to show
            rows[-1][f"{scope}平均得分率"] = fmt.pct(rate.mean())
            rows[-1][f"{scope}位次"] = fmt.DASH if fmt.missing(position[city]) else f"第{int(position[city])}位"
        if before is not None:
            was = before[dim.id].get(city) if dim.id in before else None
            rows[-1]["较上期"] = fmt.points_change(rate[city] - was) if not fmt.missing(was) else fmt.DASH
    return pd.DataFrame(rows)


def status_label(results: Results, wording: dict, status: str, flag: object) -> str:
    """The status in words; a flag (e.g. structural zero) when there is one. Unknown codes show as 其他."""
    label = wording["status"].get(status, "其他")
    return wording["flags"].get(flag, label) if isinstance(flag, str) and flag else label


def indicator_table(results: Results, wording: dict, city: str, dimension: str) -> pd.DataFrame:
    """三、指标分析: the city's indicators of one dimension with value, reference, province, points and score."""
    pooled = results.pooled(city).set_index("indicator")
    scores = results.scores[results.scores["city"] == city].set_index("indicator")
    province = province_values(results)
    scope, several = results.evaluation.labels.scope, len(results.evaluation.city_ids()) > 1
    rows = []
    for ind in _members(results, dimension, pooled.index):
        p = pooled.loc[ind.id]
        s = scores.loc[ind.id] if ind.id in scores.index else None
        rows.append(
            {
                "指标": f"{ind.zh}（§{ind.clause}）",
                "指标值": fmt.value(p["value"], ind.unit),
                "参考值": fmt.value(s["reference"], ind.unit) if s is not None else fmt.DASH,
                scope: fmt.value(province.get(ind.id), ind.unit),
                "分值": "参考" if ind.report_only else fmt.number(ind.points, 1) if ind.points else "不计分",
                "得分": fmt.number(s["score"]) if s is not None else fmt.DASH,
                "计算基数": fmt.count(p["n"] if pd.notna(p["n"]) else p["denominator"]),
                "状态": status_label(results, wording, p["status"], p["flag"]),
            }
        )
        if not several:
            del rows[-1][scope]
    return pd.DataFrame(rows)


def _members(results: Results, dimension: str, available) -> list[Indicator]:
    return [i for i in results.active if i.dimension == dimension and i.id in available]


def ranking_table(
    results: Results, changes: pd.DataFrame, highlight: str | None = None
) -> tuple[pd.DataFrame, int | None]:
    """全省排名: rank, city, total, grade, coverage and — with a previous evaluation — the changes.

    Returns the frame and the row position of `highlight` (for the table's highlighted row).
    """
    order = changes.sort_values(["rank", "total"], ascending=[True, False], na_position="last")
    has_previous = order["total_before"].notna().any()
    coverage = results.totals["coverage"]
    rows = []
    for city, c in order.iterrows():
        row = {
            "位次": fmt.DASH if fmt.missing(c["rank"]) else str(int(c["rank"])),
            "城市" if results.evaluation.labels.object == "设区市" else "评价对象": results.city_name(city),
            "综合得分": fmt.number(c["total"]),
            "等级": c["grade"] if c["grade"] != NOT_GRADED else "不予定级",
            "有效分值占比": f"{coverage[city]:.1f}%",
        }
        if has_previous:
            row["较上期得分"] = fmt.signed(c["delta"])
            row["位次变化"] = fmt.rank_arrow(c["rank_before"], c["rank"])
        rows.append(row)
    position = list(order.index).index(highlight) if highlight in order.index else None
    return pd.DataFrame(rows), position


def definitions_table(results: Results, wording: dict) -> pd.DataFrame:
    """附录: every indicator of the evaluation with clause, formula, method, points, reference and its holder.

    Column 维度 is meant as the table's group (one group row per dimension).
    """
    scores = results.scores
    rows = []
    for n, ind in enumerate(results.active, 1):
        dim = results.catalogue.dimension(ind.dimension)
        s = scores[scores["indicator"] == ind.id]
        refs = s["reference"].dropna()
        holder = results.holder_names(s["reference_holder"].iloc[0]) if len(s) else ""
        reference = fmt.value(refs.iloc[0], ind.unit) if len(refs) else fmt.DASH
        methods = "、".join(wording["methods"].get(m, m) for m in ind.method) or fmt.DASH
        rows.append(
            {
                "维度": f"{dim.zh}（§{dim.clause}）",
                "序号": str(n),
                "指标（条款）": f"{ind.zh}（§{ind.clause}）",
                "计算方法": ind.formula_zh,
                "评价方式": methods,
                "分值": "参考" if ind.report_only else fmt.number(ind.points, 1) if ind.points else "不计分",
                "参考值（取得者）": reference + (f"（{holder}）" if holder and len(refs) else ""),
                "计分规则": _rule_type(ind, wording),
            }
        )
    return pd.DataFrame(rows)


def _rule_type(ind: Indicator, wording: dict) -> str:
    key = ind.direction if ind.scoring == "ratio" else ind.scoring
    return wording["rule_types"].get(key, key)


def rules_table(results: Results, wording: dict) -> pd.DataFrame:
    """附录: the scoring rule of each rule type used by this evaluation (Appendix A)."""
    used: dict[str, str] = {}
    for ind in results.active:
        key = ind.direction if ind.scoring == "ratio" else ind.scoring
        used.setdefault(key, wording["rules"].get(key, "按附录2所列评定规则计分"))
    return pd.DataFrame([{"指标类型": wording["rule_types"].get(k, k), "计分方法": rule} for k, rule in used.items()])


def grade_bands(results: Results) -> str:
    """优秀（≥90分）、良好（80—90分）… from the evaluation's grade bands."""
    bands = sorted(results.evaluation.grades, key=lambda g: -g.min)
    parts = []
    for upper, band in zip([None, *[b.min for b in bands[:-1]]], bands, strict=True):
        if upper is None:
            parts.append(f"{band.grade}（{band.min:g}分及以上）")
        elif band.min <= 0:
            parts.append(f"{band.grade}（{upper:g}分以下）")
        else:
            parts.append(f"{band.grade}（{band.min:g}分至{upper:g}分以下）")
    return "、".join(parts)

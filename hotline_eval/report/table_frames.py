"""The tables of the documents as data frames of display text (formatted, headers in the reader's words).

Built here rather than in the notebooks so that they are tested without a kernel, shared by the
city report, the bulletin and the plan, and scale to the full catalogue (45 indicators, seven
dimensions). Headers and cell words are params/wording/report.yaml `report.columns` and
`report.cells`, with the evaluation's labels filled in (`headers`).
"""

from __future__ import annotations

import pandas as pd

from hotline_eval.compare.aggregates import dimension_points, dimension_rates, dimensions_scored, province_values
from hotline_eval.config.catalogue import Indicator
from hotline_eval.core import fmt
from hotline_eval.results import Results
from hotline_eval.score.rules import NOT_GRADED


def headers(results: Results, wording: dict) -> dict[str, str]:
    """The table headers (report.columns) with the evaluation's scope and object filled in."""
    labels = results.evaluation.labels
    return {k: v.format(scope=labels.scope, object=labels.object) for k, v in wording["report"]["columns"].items()}


def dimension_table(results: Results, wording: dict, city: str, previous: Results | None = None) -> pd.DataFrame:
    """二、评价结果: one row per dimension of the city, with the province and (maybe) the previous evaluation.

    With a previous evaluation, the change (较上期) is the change of the score rate in 个百分点.
    """
    t, rates, full = results.totals, dimension_rates(results), dimension_points(results)
    before = dimension_rates(previous) if previous is not None else None
    col, cells = headers(results, wording), wording["report"]["cells"]
    several = len(results.evaluation.city_ids()) > 1
    rows = []
    for dim in dimensions_scored(results):
        rate = rates[dim.id]
        position = rate.rank(ascending=False, method="min")
        rows.append(
            {
                col["dimension"]: f"{dim.zh}（§{dim.clause}）",
                col["full_points"]: fmt.number(full.get(dim.id, 0), 1),
                col["available"]: fmt.number(t.loc[city, f"dimavail_{dim.id}"], 1),
                col["score"]: fmt.number(t.loc[city, f"dim_{dim.id}"]),
                col["rate"]: fmt.pct(rate[city]),
            }
        )
        if several:  # one evaluated object has no average or position to show
            rows[-1][col["scope_mean_rate"]] = fmt.pct(rate.mean())
            place = position[city]
            rows[-1][col["scope_rank"]] = (
                fmt.DASH if fmt.missing(place) else cells["rank_position"].format(n=int(place))
            )
        if before is not None:
            was = before[dim.id].get(city) if dim.id in before else None
            rows[-1][col["change"]] = fmt.points_change(rate[city] - was) if not fmt.missing(was) else fmt.DASH
    return pd.DataFrame(rows)


def status_label(wording: dict, status: str, flag: object) -> str:
    """The status in words; a flag (e.g. structural zero) when there is one. Unknown codes show as 其他."""
    label = wording["status"].get(status, wording["report"]["cells"]["other_status"])
    return wording["flags"].get(flag, label) if isinstance(flag, str) and flag else label


def points_text(ind: Indicator, wording: dict) -> str:
    """An indicator's points as a table shows them: 参考 for a report-only companion, 不计分 for none."""
    cells = wording["report"]["cells"]
    return (
        cells["reference_only"] if ind.report_only else fmt.number(ind.points, 1) if ind.points else cells["unscored"]
    )


def indicator_table(results: Results, wording: dict, city: str, dimension: str) -> pd.DataFrame:
    """三、指标分析: the city's indicators of one dimension with value, reference, province, points and score."""
    pooled = results.pooled(city).set_index("indicator")
    scores = results.scores[results.scores["city"] == city].set_index("indicator")
    province = province_values(results)
    col, scope = headers(results, wording), results.evaluation.labels.scope
    several = len(results.evaluation.city_ids()) > 1
    rows = []
    for ind in _members(results, dimension, pooled.index):
        p = pooled.loc[ind.id]
        s = scores.loc[ind.id] if ind.id in scores.index else None
        rows.append(
            {
                col["indicator"]: f"{ind.zh}（§{ind.clause}）",
                col["value"]: fmt.value(p["value"], ind.unit),
                col["reference"]: fmt.value(s["reference"], ind.unit) if s is not None else fmt.DASH,
                scope: fmt.value(province.get(ind.id), ind.unit),
                col["points"]: points_text(ind, wording),
                col["score"]: fmt.number(s["score"]) if s is not None else fmt.DASH,
                col["base"]: fmt.count(p["n"] if pd.notna(p["n"]) else p["denominator"]),
                col["status"]: status_label(wording, p["status"], p["flag"]),
            }
        )
        if not several:
            del rows[-1][scope]
    return pd.DataFrame(rows)


def _members(results: Results, dimension: str, available) -> list[Indicator]:
    return [i for i in results.active if i.dimension == dimension and i.id in available]


def object_header(results: Results, wording: dict) -> str:
    """The heading of the evaluated-object column: 城市 for the cities the wording is written for, else 评价对象."""
    col = headers(results, wording)
    default = results.evaluation.labels.object == wording["written_for"]["object"]
    return col["city"] if default else col["object"]


def ranking_table(
    results: Results, wording: dict, changes: pd.DataFrame, highlight: str | None = None
) -> tuple[pd.DataFrame, int | None]:
    """全省排名: rank, city, total, grade, coverage and — with a previous evaluation — the changes.

    Returns the frame and the row position of `highlight` (for the table's highlighted row).
    """
    order = changes.sort_values(["rank", "total"], ascending=[True, False], na_position="last")
    has_previous = order["total_before"].notna().any()
    coverage = results.totals["coverage"]
    col, cells = headers(results, wording), wording["report"]["cells"]
    rows = []
    for city, c in order.iterrows():
        row = {
            col["rank"]: fmt.DASH if fmt.missing(c["rank"]) else str(int(c["rank"])),
            object_header(results, wording): results.city_name(city),
            col["total"]: fmt.number(c["total"]),
            col["grade"]: c["grade"] if c["grade"] != NOT_GRADED else cells["not_graded"],
            col["coverage"]: f"{coverage[city]:.1f}%",
        }
        if has_previous:
            row[col["total_change"]] = fmt.signed(c["delta"])
            row[col["rank_change"]] = fmt.rank_arrow(c["rank_before"], c["rank"])
        rows.append(row)
    position = list(order.index).index(highlight) if highlight in order.index else None
    return pd.DataFrame(rows), position


def definitions_table(results: Results, wording: dict) -> pd.DataFrame:
    """附录: every indicator of the evaluation with clause, formula, method, points, reference and its holder.

    The dimension column is meant as the table's group (one group row per dimension).
    """
    scores, col = results.scores, headers(results, wording)
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
                col["dimension"]: f"{dim.zh}（§{dim.clause}）",
                col["number"]: str(n),
                col["indicator_clause"]: f"{ind.zh}（§{ind.clause}）",
                col["formula"]: ind.formula_zh,
                col["method"]: methods,
                col["points"]: points_text(ind, wording),
                col["reference_holder"]: reference + (f"（{holder}）" if holder and len(refs) else ""),
                col["rule"]: _rule_type(ind, wording),
            }
        )
    return pd.DataFrame(rows)


def _rule_type(ind: Indicator, wording: dict) -> str:
    key = ind.direction if ind.scoring == "ratio" else ind.scoring
    return wording["rule_types"].get(key, key)


def rules_table(results: Results, wording: dict) -> pd.DataFrame:
    """附录: the scoring rule of each rule type used by this evaluation (Appendix A)."""
    col, default = headers(results, wording), wording["report"]["cells"]["rule_default"]
    used: dict[str, str] = {}
    for ind in results.active:
        key = ind.direction if ind.scoring == "ratio" else ind.scoring
        used.setdefault(key, wording["rules"].get(key, default))
    return pd.DataFrame(
        [{col["rule_type"]: wording["rule_types"].get(k, k), col["rule_method"]: rule} for k, rule in used.items()]
    )


def grading_text(results: Results, wording: dict) -> str:
    """The grade bands as a sentence, or why there is no grade (a definition scoring only sub-items)."""
    if results.no_total_cause == "sub_items":
        return wording["report"]["no_grading"]
    return wording["report"]["grades"].format(bands=grade_bands(results, wording))


def grade_bands(results: Results, wording: dict) -> str:
    """优秀（90分及以上）、良好（80分至90分以下）… from the evaluation's grade bands."""
    cells = wording["report"]["cells"]
    bands = sorted(results.evaluation.grades, key=lambda g: -g.min)
    parts = []
    for upper, band in zip([None, *[b.min for b in bands[:-1]]], bands, strict=True):
        if upper is None:
            parts.append(cells["band_top"].format(grade=band.grade, min=f"{band.min:g}"))
        elif band.min <= 0:
            parts.append(cells["band_bottom"].format(grade=band.grade, upper=f"{upper:g}"))
        else:
            parts.append(cells["band"].format(grade=band.grade, min=f"{band.min:g}", upper=f"{upper:g}"))
    return "、".join(parts)


def _span(low: float, high: float) -> str:
    return f"{int(low)}—{int(high)}" if low != high else str(int(low))


def rank_stability_table(rank: pd.DataFrame, names: dict[str, str], cols: dict[str, str], who: str) -> pd.DataFrame:
    """The ranking with its uncertainty (compare.frames.ranking): total and its 95 % interval, the rank
    intervals under sampling and under weights and references, the share of draws that kept the rank.
    `cols` are the headers (rank, total, interval, rank_sampling, rank_robustness, kept), `who` heads the names."""
    return pd.DataFrame(
        {
            cols["rank"]: [str(int(v)) for v in rank["rank"]],
            who: [names[c] for c in rank.index],
            cols["total"]: [fmt.number(v) for v in rank["total"]],
            cols["interval"]: [
                f"{fmt.number(lo)}—{fmt.number(hi)}" for lo, hi in zip(rank["low"], rank["high"], strict=True)
            ],
            cols["rank_sampling"]: [_span(lo, hi) for lo, hi in zip(rank["rank_low"], rank["rank_high"], strict=True)],
            cols["rank_robustness"]: [_span(lo, hi) for lo, hi in zip(rank["mc_low"], rank["mc_high"], strict=True)],
            cols["kept"]: [fmt.pct(v) for v in rank["kept"]],
        }
    )

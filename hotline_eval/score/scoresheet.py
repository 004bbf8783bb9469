"""The score sheet (§8.3): outputs/<evaluation>/scores.xlsx, the results submitted to the department
in charge of assessment.

Sheets: 综合得分, 维度得分, 指标得分, 承办单位, 承办单位指标, 专家评分, and for special evaluations
逐月变化, 趋势检验 and 主题活动; a 计分说明 sheet closes it. Chinese headers, number formats per
indicator unit, column widths, a frozen header row with filters, and print setup (A4 landscape,
header row repeated, fit to the page width, page numbers). Text that a spreadsheet could read as a
formula (leading =, +, -, @, tab or CR) is written as a plain string with an apostrophe in front.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hotline_eval.config.catalogue import Catalogue
from hotline_eval.config.evaluation import Evaluation
from hotline_eval.config.schema import Schema
from hotline_eval.core import fmt
from hotline_eval.core.xlsx import Sheet, SheetColumn

UNIT_FORMAT = {
    "percent": "pct",
    "seconds": "dec1",
    "hours": "dec1",
    "per_10k": "dec2",
    "points": "dec2",
    "count": "int",
    "factor": "dec4",
}


# ---- the evaluation's sheets -----------------------------------------------------------------------


@dataclass(frozen=True)
class SheetLabels:
    """Names a reader sees: cities, indicators, dimensions, units, statuses."""

    ev: Evaluation
    catalogue: Catalogue
    schema: Schema
    wording: dict

    def city(self, city: str) -> str:
        return self.ev.city_name(city) if city in self.ev.city_ids() else city

    @property
    def object_column(self) -> str:
        """The heading of the evaluated-object column: 城市 for a province's cities, else 评价对象."""
        return "城市" if self.ev.labels.object == "设区市" else "评价对象"

    def holder(self, holder: str) -> str:
        ids = self.ev.city_ids()
        return "、".join(self.city(p) if p in ids else p for p in (holder.split("、") if holder else []))

    def indicator(self, indicator_id: str) -> str:
        return self.catalogue.indicator(indicator_id).zh

    def dimension(self, dim_id: str) -> str:
        dim = self.catalogue.dimension(dim_id)
        return f"{dim.zh}（§{dim.clause}）"

    def unit_of(self, indicator_id: str) -> str:
        return UNIT_FORMAT.get(self.catalogue.indicator(indicator_id).unit, "dec2")

    def item(self, row: pd.Series) -> str:
        words = self.wording["assessment"]["items"]
        if row["item"] == "segment":
            return f"{words['segment']}：{self.ev.segments[row['segment']].zh}"
        return words.get(row["item"], row["item"])

    def status(self, status: str) -> str:
        return self.wording["status"].get(status) or self.wording["assessment"]["statuses"].get(status, status)

    def flags(self, flag: str) -> str:
        words = self.wording["flags"] | self.wording["assessment"]["flags"] | self.wording["assessment"]["verdicts"]
        return "；".join(words.get(f, f) for f in str(flag or "").split(";") if f)

    def unit_class(self, cls: str) -> str:
        return self.schema.label("unit_class", cls) if cls in self.schema.codes["unit_class"].values else "未登记"


def _num(col: str) -> Callable[[pd.Series], Any]:
    return lambda r: r[col]


def by_city(frame: pd.DataFrame, labels: SheetLabels, indicator_col: str, *more: str) -> pd.DataFrame:
    """Rows grouped by city (the evaluation's order), then indicator (the catalogue's order)."""
    if frame.empty:
        return frame
    cities = {c: i for i, c in enumerate(labels.ev.city_ids())}
    indicators = {ind.id: i for i, ind in enumerate(labels.catalogue.indicators)}
    keys = frame.assign(
        _city=frame["city"].map(cities).fillna(len(cities)),
        _ind=frame[indicator_col].map(indicators).fillna(len(indicators)),
    )
    return keys.sort_values(["_city", "_ind", *more], kind="stable").drop(columns=["_city", "_ind"])


def totals_sheet(totals: pd.DataFrame, labels: SheetLabels) -> Sheet:
    t = totals.sort_values(["rank", "city"], na_position="last")
    cols = [
        SheetColumn("位次", _num("rank"), "int"),
        SheetColumn(labels.object_column, lambda r: labels.city(r["city"])),
        SheetColumn("综合得分", _num("total"), "score"),
        SheetColumn("等级", lambda r: r["grade"]),
        SheetColumn("有效分值", _num("available"), "dec1"),
        SheetColumn("评价总分值", _num("points"), "dec1"),
        SheetColumn("数据覆盖", lambda r: r["coverage"] / 100, "pct1"),
    ]
    if labels.ev.innovation == "bonus":
        cols.append(SheetColumn("附加分（服务创新）", _num("bonus"), "score"))
    cols += [SheetColumn(f"{labels.catalogue.dimension(d).zh}得分", _num(f"dim_{d}"), "score") for d in _dims(totals)]
    cols += [
        SheetColumn("一票否决", lambda r: bool(r["veto"])),
        SheetColumn("否决事由", lambda r: r["veto_reason"]),
    ]
    return Sheet("综合得分", f"{labels.ev.name_zh}　综合得分", t, cols)


def _dims(totals: pd.DataFrame) -> list[str]:
    return [c.removeprefix("dim_") for c in totals.columns if c.startswith("dim_")]


def dimensions_sheet(totals: pd.DataFrame, labels: SheetLabels) -> Sheet:
    rows = []
    for _, t in totals.iterrows():
        for d in _dims(totals):
            avail = t[f"dimavail_{d}"]
            rows.append(
                {
                    "city": t["city"],
                    "dimension": d,
                    "points": t[f"dimpoints_{d}"],
                    "available": avail,
                    "score": t[f"dim_{d}"],
                    "rate": t[f"dim_{d}"] / avail if avail > 0 else np.nan,
                }
            )
    frame = pd.DataFrame(rows)
    cols = [
        SheetColumn(labels.object_column, lambda r: labels.city(r["city"])),
        SheetColumn("维度", lambda r: labels.dimension(r["dimension"])),
        SheetColumn("分值", _num("points"), "dec1"),
        SheetColumn("有效分值", _num("available"), "dec1"),
        SheetColumn("得分", _num("score"), "score"),
        SheetColumn("得分率", _num("rate"), "pct1"),
    ]
    return Sheet("维度得分", f"{labels.ev.name_zh}　维度得分", frame, cols)


def indicators_sheet(scores: pd.DataFrame, labels: SheetLabels) -> Sheet:
    ind_fmt = lambda r: labels.unit_of(r["base_indicator"]) if r["item"] != "change" else "dec4"  # noqa: E731
    cols = [
        SheetColumn(labels.object_column, lambda r: labels.city(r["city"])),
        SheetColumn("维度", lambda r: labels.dimension(r["dimension"])),
        SheetColumn("指标", lambda r: labels.indicator(r["base_indicator"])),
        SheetColumn("条款", lambda r: "§" + labels.catalogue.indicator(r["base_indicator"]).clause),
        SheetColumn("子项", labels.item),
        SheetColumn("分值", _num("points"), "dec1"),
        SheetColumn("指标值", _num("value"), ind_fmt),
        SheetColumn("参考值", _num("reference"), ind_fmt),
        SheetColumn("参考值来源", lambda r: labels.holder(r["reference_holder"])),
        SheetColumn("分子", _num("numerator"), "dec2"),
        SheetColumn("分母", _num("denominator"), "dec2"),
        SheetColumn("样本量", _num("n"), "int"),
        SheetColumn("得分", _num("score"), "score"),
        SheetColumn("状态", lambda r: labels.status(r["status"])),
        SheetColumn("说明", lambda r: labels.flags(r["flag"])),
    ]
    return Sheet("指标得分", f"{labels.ev.name_zh}　指标得分明细", by_city(scores, labels, "base_indicator"), cols)


def units_sheet(unit_totals: pd.DataFrame, labels: SheetLabels) -> Sheet:
    cols = [
        SheetColumn(labels.object_column, lambda r: labels.city(r["city"])),
        SheetColumn("单位类别", lambda r: labels.unit_class(r["class"])),
        SheetColumn("类内位次", _num("rank"), "int"),
        SheetColumn("同类参评单位数", _num("units_in_class"), "int"),
        SheetColumn("承办单位", lambda r: r["unit_name"]),
        SheetColumn("综合得分", _num("total"), "score"),
        SheetColumn("有效分值", _num("available"), "dec1"),
        SheetColumn("分值", _num("points"), "dec1"),
        SheetColumn("数据覆盖", lambda r: r["coverage"] / 100, "pct1"),
        SheetColumn("参与排名", lambda r: bool(r["ranked"])),
    ]
    return Sheet("承办单位", f"{labels.ev.name_zh}　承办单位得分与排名", unit_totals, cols)


def unit_indicators_sheet(unit_scores: pd.DataFrame, labels: SheetLabels) -> Sheet:
    names = dict(zip(unit_scores["unit"], unit_scores["unit_name"], strict=False))
    fmt = lambda r: labels.unit_of(r["base_indicator"])  # noqa: E731
    cols = [
        SheetColumn(labels.object_column, lambda r: labels.city(r["city"])),
        SheetColumn("单位类别", lambda r: labels.unit_class(r["class"])),
        SheetColumn("承办单位", lambda r: r["unit_name"]),
        SheetColumn("指标", lambda r: labels.indicator(r["base_indicator"])),
        SheetColumn("分值", _num("points"), "dec1"),
        SheetColumn("指标值", _num("value"), fmt),
        SheetColumn("参考值（同类最优）", _num("reference"), fmt),
        SheetColumn(
            "参考值单位", lambda r: "、".join(names.get(u, u) for u in str(r["reference_holder"]).split("、") if u)
        ),
        SheetColumn("分子", _num("numerator"), "dec2"),
        SheetColumn("分母", _num("denominator"), "dec2"),
        SheetColumn("得分", _num("score"), "score"),
        SheetColumn("状态", lambda r: labels.status(r["status"])),
    ]
    return Sheet("承办单位指标", f"{labels.ev.name_zh}　承办单位指标得分", unit_scores, cols)


def experts_sheet(detail: pd.DataFrame, labels: SheetLabels) -> Sheet:
    cols = [
        SheetColumn(labels.object_column, lambda r: labels.city(r["city"])),
        SheetColumn("指标", lambda r: labels.indicator(r["indicator"])),
        SheetColumn("专家编号", lambda r: r["expert_id"]),
        SheetColumn(
            "专家来源",
            lambda r: labels.schema.label("expert_affiliation", r["affiliation"]) if r["affiliation"] else "",
        ),
        SheetColumn("轮次", _num("round"), "int"),
        SheetColumn("评分", _num("score"), "dec2"),
        SheetColumn("计入", lambda r: bool(r["used"]) and not bool(r["trimmed"])),
        SheetColumn("说明", lambda r: r["note"]),
    ]
    detail = by_city(detail, labels, "indicator", "round", "expert_id")
    return Sheet("专家评分", f"{labels.ev.name_zh}　专家评分明细（供申诉复核）", detail, cols)


def monthly_sheet(monthly: pd.DataFrame, labels: SheetLabels) -> Sheet:
    fmt = lambda r: labels.unit_of(r["indicator"])  # noqa: E731
    cols = [
        SheetColumn(labels.object_column, lambda r: labels.city(r["city"])),
        SheetColumn("指标", lambda r: labels.indicator(r["indicator"])),
        SheetColumn("月份", lambda r: r["month"]),
        SheetColumn("指标值", _num("value"), fmt),
        SheetColumn("环比变化", _num("change"), fmt),
        SheetColumn("分子", _num("numerator"), "dec2"),
        SheetColumn("分母", _num("denominator"), "dec2"),
        SheetColumn("固定参考值", _num("reference"), fmt),
        SheetColumn("得分率（固定参考值）", _num("share"), "pct1"),
        SheetColumn("状态", lambda r: labels.status(r["status"])),
    ]
    monthly = by_city(monthly, labels, "indicator", "month")
    return Sheet("逐月变化", f"{labels.ev.name_zh}　各指标逐月变化（§5.1.2.4）", monthly, cols)


def trend_sheet(trend: pd.DataFrame, labels: SheetLabels) -> Sheet:
    words = labels.wording["assessment"]
    fmt = lambda r: labels.unit_of(r["indicator"])  # noqa: E731
    cols = [
        SheetColumn(labels.object_column, lambda r: labels.city(r["city"])),
        SheetColumn("指标", lambda r: labels.indicator(r["indicator"])),
        SheetColumn(
            "检验依据", lambda r: words["basis"][r["basis"]].format(days=int(labels.ev.trend.short_period_days))
        ),
        SheetColumn("期数", _num("n"), "int"),
        SheetColumn("Theil–Sen斜率（每月）", _num("slope_per_month"), "dec4"),
        SheetColumn("Mann–Kendall τ", _num("tau"), "dec4"),
        SheetColumn("p值", _num("p_value"), "dec4"),
        SheetColumn("期间变化估计", _num("estimate"), fmt),
        SheetColumn("实质变化阈值", _num("material_change"), fmt),
        SheetColumn("结论", lambda r: words["verdicts"].get(r["verdict"], r["verdict"])),
        SheetColumn("首月值", _num("first_value"), fmt),
        SheetColumn("末月值", _num("last_value"), fmt),
        SheetColumn("首末变化", _num("change_total"), fmt),
        SheetColumn("变化项得分系数", _num("change_share"), "dec2"),
    ]
    return Sheet("趋势检验", f"{labels.ev.name_zh}　逐月变化趋势检验", by_city(trend, labels, "indicator"), cols)


def activity_sheet(comparison: pd.DataFrame, labels: SheetLabels) -> Sheet:
    words = labels.wording["assessment"]["activity_verdicts"]
    fmt = lambda r: labels.unit_of(r["indicator"])  # noqa: E731
    cols = [
        SheetColumn(labels.object_column, lambda r: labels.city(r["city"])),
        SheetColumn("指标", lambda r: labels.indicator(r["indicator"])),
        SheetColumn("活动时段值", _num("window_value"), fmt),
        SheetColumn("活动时段样本", _num("window_denominator"), "dec2"),
        SheetColumn("基线值", _num("baseline_value"), fmt),
        SheetColumn("基线样本", _num("baseline_denominator"), "dec2"),
        SheetColumn("差值", _num("difference"), fmt),
        SheetColumn("p值", _num("p_value"), "dec4"),
        SheetColumn("结论", lambda r: words.get(r["verdict"], r["verdict"])),
    ]
    comparison = by_city(comparison, labels, "indicator")
    return Sheet("主题活动", f"{labels.ev.name_zh}　主题活动与同期基线比较（§5.1.2.1）", comparison, cols)


# ---- appeals (§8.2) --------------------------------------------------------------------------------


def appeal_sheets(log: pd.DataFrame, totals: pd.DataFrame, labels: SheetLabels) -> list[Sheet]:
    """申诉: every appeal with its decision and the city's results before and after; 申诉前后: every city."""
    words = labels.wording["appeals"]
    names = lambda ids: "、".join(labels.indicator(i) for i in str(ids or "").split(";") if i)  # noqa: E731
    log_cols = [
        SheetColumn("申诉编号", lambda r: r["id"]),
        SheetColumn("城市", lambda r: labels.city(r["city"])),
        SheetColumn("申诉指标", lambda r: names(r["indicators"])),
        SheetColumn("涉及记录", lambda r: _records(r["records"], labels)),
        SheetColumn("申诉事由", lambda r: r["claim"]),
        SheetColumn("佐证材料", lambda r: r["evidence"]),
        SheetColumn("提出日期", lambda r: r["filed"]),
        SheetColumn("申诉截止日期", lambda r: r["deadline"]),
        SheetColumn("复核结论", lambda r: words["outcomes"][r["decision"]]),
        SheetColumn("理由", lambda r: r["reason"]),
        SheetColumn("复核日期", lambda r: r["decided"]),
        SheetColumn("复核前得分", _num("total_before"), "score"),
        SheetColumn("复核后得分", _num("total_after"), "score"),
        SheetColumn("复核前位次", _num("rank_before"), "int"),
        SheetColumn("复核后位次", _num("rank_after"), "int"),
        SheetColumn("申诉指标复核前得分", lambda r: _item_scores(r["scores_before"], labels)),
        SheetColumn("申诉指标复核后得分", lambda r: _item_scores(r["scores_after"], labels)),
    ]
    total_cols = [
        SheetColumn("城市", lambda r: labels.city(r["city"])),
        SheetColumn("复核前得分", _num("total_before"), "score"),
        SheetColumn("复核后得分", _num("total_after"), "score"),
        SheetColumn("得分变化", _num("change"), "score"),
        SheetColumn("复核前位次", _num("rank_before"), "int"),
        SheetColumn("复核后位次", _num("rank_after"), "int"),
        SheetColumn("复核前等级", lambda r: r["grade_before"]),
        SheetColumn("复核后等级", lambda r: r["grade_after"]),
    ]
    return [
        Sheet("申诉", f"{labels.ev.name_zh}　申诉处理情况（§8.2）", log, log_cols),
        Sheet("申诉前后", f"{labels.ev.name_zh}　申诉复核前后综合得分", totals.sort_values("rank_after"), total_cols),
    ]


def _records(text: Any, labels: SheetLabels) -> str:
    """calls:12;tickets:3 → 话务记录12条、工单3条."""
    parts = [p.split(":") for p in str(text or "").split(";") if ":" in p]
    return "、".join(f"{labels.schema.tables[t].zh}{n}条" for t, n in parts if t in labels.schema.tables)


def _item_scores(text: Any, labels: SheetLabels) -> str:
    """answer_rate=3.2962 → 接通率3.296分 (three decimals: an appeal's effect is often small; missing: 无)."""
    out = []
    for part in (p for p in str(text or "").split(";") if "=" in p):
        ind, value = part.split("=", 1)
        out.append(f"{labels.indicator(ind)}{float(value):.3f}分" if value else f"{labels.indicator(ind)}无")
    return "、".join(out)


def notes_sheet(lines: list[tuple[str, str]], labels: SheetLabels) -> Sheet:
    frame = pd.DataFrame(lines, columns=["item", "text"])
    cols = [SheetColumn("事项", lambda r: r["item"]), SheetColumn("说明", lambda r: r["text"])]
    return Sheet("计分说明", f"{labels.ev.name_zh}　计分说明", frame, cols)


def scoring_notes(labels: SheetLabels) -> list[tuple[str, str]]:
    """How the scores were made, in the reader's words (params/wording/scoresheet.yaml, assessment.notes)."""
    ev, wording = labels.ev, labels.wording
    words, notes = wording["assessment"], wording["assessment"]["notes"]
    lines = [
        ("评价名称", ev.name_zh),
        ("评价类型", wording["evaluation_type"][ev.type]),
        ("评价周期", f"{ev.period.start:%Y年%-m月%-d日}至{ev.period.end:%Y年%-m月%-d日}"),
        ("组织单位", ev.organiser_zh),
        ("参考值", wording["reference_strategy"][ev.reference.strategy]),
    ]
    for ind, b in ev.reference.benchmarks.items():
        text = notes["benchmark"].format(value=b.value, source=b.source) + (f"（{b.url}）" if b.url else "")
        lines.append((f"基准值：{labels.indicator(ind)}", text))
    bands = "；".join(f"{g.grade}：≥{g.min:g}分" for g in ev.grades)
    rules = "；".join(wording["rules"][k] for k in ("higher", "lower", "lower_rate"))
    lines += [
        ("计分规则", notes["rules"].format(rules=rules)),
        ("等级", notes["grades"].format(bands=bands, coverage_min=ev.coverage_min, veto_grade=ev.veto_grade)),
        ("无数据", notes["no_data"]),
        ("服务创新能力", notes["innovation"][ev.innovation]),
    ]
    for ind, rule in ev.thresholds.items():
        unit = labels.catalogue.indicator(ind).unit
        for side in ("zero_below", "zero_above"):
            if getattr(rule, side) is not None:
                text = notes[side].format(indicator=labels.indicator(ind), value=fmt.value(getattr(rule, side), unit))
                lines.append(("限值", text))
    if ev.type == "special":
        lines += [
            ("逐月变化", words["rules"]["change"].format(**ev.change_scoring.model_dump())),
            ("趋势检验", notes["trend"].format(**ev.trend.model_dump())),
            ("各月得分", notes["fixed_reference"]),
        ]
    if ev.activity is not None:
        lines.append(("主题活动", f"{ev.activity.zh}：{words['rules']['activity']}"))
    lines.append(("承办单位", words["unit_classes_note"]))
    return lines

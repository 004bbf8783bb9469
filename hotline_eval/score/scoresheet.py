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
    def words(self) -> dict:
        return self.wording["assessment"]

    def columns(self, sheet: str) -> dict[str, str]:
        """The column headers of one sheet (params/wording/scoresheet.yaml, assessment.sheets)."""
        return self.words["sheets"][sheet]["columns"]

    def sheet_name(self, sheet: str) -> tuple[str, str]:
        """A sheet's tab name and its printed title (the evaluation's name first)."""
        spec = self.words["sheets"][sheet]
        return spec["name"], self.words["title"].format(evaluation=self.ev.name_zh, sheet=spec["title"])

    @property
    def object_column(self) -> str:
        """The heading of the evaluated-object column: 城市 for the cities the wording is written for, else 评价对象."""
        default = self.ev.labels.object == self.wording["written_for"]["object"]
        return self.words["object_city"] if default else self.words["object_other"]

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
            return self.words["segment_item"].format(item=words["segment"], segment=self.ev.segments[row["segment"]].zh)
        return words.get(row["item"], row["item"])

    def status(self, status: str) -> str:
        return self.wording["status"].get(status) or self.wording["assessment"]["statuses"].get(status, status)

    def flags(self, flag: str) -> str:
        words = self.wording["flags"] | self.wording["assessment"]["flags"] | self.wording["assessment"]["verdicts"]
        return "；".join(words.get(f, f) for f in str(flag or "").split(";") if f)

    def unit_class(self, cls: str) -> str:
        known = cls in self.schema.codes["unit_class"].values
        return self.schema.label("unit_class", cls) if known else self.words["unlisted_unit_class"]


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
    h = labels.columns("totals")
    t = totals.sort_values(["rank", "city"], na_position="last")
    cols = [
        SheetColumn(h["rank"], _num("rank"), "int"),
        SheetColumn(labels.object_column, lambda r: labels.city(r["city"])),
        SheetColumn(h["total"], _num("total"), "score"),
        SheetColumn(h["grade"], lambda r: r["grade"]),
        SheetColumn(h["available"], _num("available"), "dec1"),
        SheetColumn(h["points"], _num("points"), "dec1"),
        SheetColumn(h["coverage"], lambda r: r["coverage"] / 100, "pct1"),
    ]
    if labels.ev.innovation == "bonus":
        cols.append(SheetColumn(h["bonus"], _num("bonus"), "score"))
    cols += [
        SheetColumn(h["dimension"].format(dimension=labels.catalogue.dimension(d).zh), _num(f"dim_{d}"), "score")
        for d in _dims(totals)
    ]
    cols += [
        SheetColumn(h["veto"], lambda r: bool(r["veto"])),
        SheetColumn(h["veto_reason"], lambda r: r["veto_reason"]),
    ]
    return Sheet(*labels.sheet_name("totals"), t, cols)


def _dims(totals: pd.DataFrame) -> list[str]:
    return [c.removeprefix("dim_") for c in totals.columns if c.startswith("dim_")]


def dimensions_sheet(totals: pd.DataFrame, labels: SheetLabels) -> Sheet:
    h = labels.columns("dimensions")
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
        SheetColumn(h["dimension"], lambda r: labels.dimension(r["dimension"])),
        SheetColumn(h["points"], _num("points"), "dec1"),
        SheetColumn(h["available"], _num("available"), "dec1"),
        SheetColumn(h["score"], _num("score"), "score"),
        SheetColumn(h["rate"], _num("rate"), "pct1"),
    ]
    return Sheet(*labels.sheet_name("dimensions"), frame, cols)


def indicators_sheet(scores: pd.DataFrame, labels: SheetLabels) -> Sheet:
    h = labels.columns("indicators")
    ind_fmt = lambda r: labels.unit_of(r["base_indicator"]) if r["item"] != "change" else "dec4"  # noqa: E731
    cols = [
        SheetColumn(labels.object_column, lambda r: labels.city(r["city"])),
        SheetColumn(h["dimension"], lambda r: labels.dimension(r["dimension"])),
        SheetColumn(h["indicator"], lambda r: labels.indicator(r["base_indicator"])),
        SheetColumn(h["clause"], lambda r: "§" + labels.catalogue.indicator(r["base_indicator"]).clause),
        SheetColumn(h["item"], labels.item),
        SheetColumn(h["points"], _num("points"), "dec1"),
        SheetColumn(h["value"], _num("value"), ind_fmt),
        SheetColumn(h["reference"], _num("reference"), ind_fmt),
        SheetColumn(h["holder"], lambda r: labels.holder(r["reference_holder"])),
        SheetColumn(h["numerator"], _num("numerator"), "dec2"),
        SheetColumn(h["denominator"], _num("denominator"), "dec2"),
        SheetColumn(h["n"], _num("n"), "int"),
        SheetColumn(h["score"], _num("score"), "score"),
        SheetColumn(h["status"], lambda r: labels.status(r["status"])),
        SheetColumn(h["flags"], lambda r: labels.flags(r["flag"])),
    ]
    return Sheet(*labels.sheet_name("indicators"), by_city(scores, labels, "base_indicator"), cols)


def units_sheet(unit_totals: pd.DataFrame, labels: SheetLabels) -> Sheet:
    h = labels.columns("units")
    cols = [
        SheetColumn(labels.object_column, lambda r: labels.city(r["city"])),
        SheetColumn(h["class"], lambda r: labels.unit_class(r["class"])),
        SheetColumn(h["rank"], _num("rank"), "int"),
        SheetColumn(h["units_in_class"], _num("units_in_class"), "int"),
        SheetColumn(h["unit"], lambda r: r["unit_name"]),
        SheetColumn(h["total"], _num("total"), "score"),
        SheetColumn(h["available"], _num("available"), "dec1"),
        SheetColumn(h["points"], _num("points"), "dec1"),
        SheetColumn(h["coverage"], lambda r: r["coverage"] / 100, "pct1"),
        SheetColumn(h["ranked"], lambda r: bool(r["ranked"])),
    ]
    return Sheet(*labels.sheet_name("units"), unit_totals, cols)


def unit_indicators_sheet(unit_scores: pd.DataFrame, labels: SheetLabels) -> Sheet:
    h = labels.columns("unit_indicators")
    names = dict(zip(unit_scores["unit"], unit_scores["unit_name"], strict=False))
    fmt = lambda r: labels.unit_of(r["base_indicator"])  # noqa: E731
    cols = [
        SheetColumn(labels.object_column, lambda r: labels.city(r["city"])),
        SheetColumn(h["class"], lambda r: labels.unit_class(r["class"])),
        SheetColumn(h["unit"], lambda r: r["unit_name"]),
        SheetColumn(h["indicator"], lambda r: labels.indicator(r["base_indicator"])),
        SheetColumn(h["points"], _num("points"), "dec1"),
        SheetColumn(h["value"], _num("value"), fmt),
        SheetColumn(h["reference"], _num("reference"), fmt),
        SheetColumn(
            h["holder"], lambda r: "、".join(names.get(u, u) for u in str(r["reference_holder"]).split("、") if u)
        ),
        SheetColumn(h["numerator"], _num("numerator"), "dec2"),
        SheetColumn(h["denominator"], _num("denominator"), "dec2"),
        SheetColumn(h["score"], _num("score"), "score"),
        SheetColumn(h["status"], lambda r: labels.status(r["status"])),
    ]
    return Sheet(*labels.sheet_name("unit_indicators"), unit_scores, cols)


def experts_sheet(detail: pd.DataFrame, labels: SheetLabels) -> Sheet:
    h = labels.columns("experts")
    cols = [
        SheetColumn(labels.object_column, lambda r: labels.city(r["city"])),
        SheetColumn(h["indicator"], lambda r: labels.indicator(r["indicator"])),
        SheetColumn(h["expert"], lambda r: r["expert_id"]),
        SheetColumn(
            h["affiliation"],
            lambda r: labels.schema.label("expert_affiliation", r["affiliation"]) if r["affiliation"] else "",
        ),
        SheetColumn(h["round"], _num("round"), "int"),
        SheetColumn(h["score"], _num("score"), "dec2"),
        SheetColumn(h["used"], lambda r: bool(r["used"]) and not bool(r["trimmed"])),
        SheetColumn(h["note"], lambda r: r["note"]),
    ]
    detail = by_city(detail, labels, "indicator", "round", "expert_id")
    return Sheet(*labels.sheet_name("experts"), detail, cols)


def monthly_sheet(monthly: pd.DataFrame, labels: SheetLabels) -> Sheet:
    h = labels.columns("monthly")
    fmt = lambda r: labels.unit_of(r["indicator"])  # noqa: E731
    cols = [
        SheetColumn(labels.object_column, lambda r: labels.city(r["city"])),
        SheetColumn(h["indicator"], lambda r: labels.indicator(r["indicator"])),
        SheetColumn(h["month"], lambda r: r["month"]),
        SheetColumn(h["value"], _num("value"), fmt),
        SheetColumn(h["change"], _num("change"), fmt),
        SheetColumn(h["numerator"], _num("numerator"), "dec2"),
        SheetColumn(h["denominator"], _num("denominator"), "dec2"),
        SheetColumn(h["reference"], _num("reference"), fmt),
        SheetColumn(h["share"], _num("share"), "pct1"),
        SheetColumn(h["status"], lambda r: labels.status(r["status"])),
    ]
    monthly = by_city(monthly, labels, "indicator", "month")
    return Sheet(*labels.sheet_name("monthly"), monthly, cols)


def trend_sheet(trend: pd.DataFrame, labels: SheetLabels) -> Sheet:
    h = labels.columns("trend")
    words = labels.wording["assessment"]
    fmt = lambda r: labels.unit_of(r["indicator"])  # noqa: E731
    cols = [
        SheetColumn(labels.object_column, lambda r: labels.city(r["city"])),
        SheetColumn(h["indicator"], lambda r: labels.indicator(r["indicator"])),
        SheetColumn(
            h["basis"], lambda r: words["basis"][r["basis"]].format(days=int(labels.ev.trend.short_period_days))
        ),
        SheetColumn(h["n"], _num("n"), "int"),
        SheetColumn(h["slope"], _num("slope_per_month"), "dec4"),
        SheetColumn(h["tau"], _num("tau"), "dec4"),
        SheetColumn(h["p"], _num("p_value"), "dec4"),
        SheetColumn(h["estimate"], _num("estimate"), fmt),
        SheetColumn(h["material"], _num("material_change"), fmt),
        SheetColumn(h["verdict"], lambda r: words["verdicts"].get(r["verdict"], r["verdict"])),
        SheetColumn(h["first"], _num("first_value"), fmt),
        SheetColumn(h["last"], _num("last_value"), fmt),
        SheetColumn(h["change"], _num("change_total"), fmt),
        SheetColumn(h["share"], _num("change_share"), "dec2"),
    ]
    return Sheet(*labels.sheet_name("trend"), by_city(trend, labels, "indicator"), cols)


def activity_sheet(comparison: pd.DataFrame, labels: SheetLabels) -> Sheet:
    h = labels.columns("activity")
    words = labels.wording["assessment"]["activity_verdicts"]
    fmt = lambda r: labels.unit_of(r["indicator"])  # noqa: E731
    cols = [
        SheetColumn(labels.object_column, lambda r: labels.city(r["city"])),
        SheetColumn(h["indicator"], lambda r: labels.indicator(r["indicator"])),
        SheetColumn(h["window"], _num("window_value"), fmt),
        SheetColumn(h["window_n"], _num("window_denominator"), "dec2"),
        SheetColumn(h["baseline"], _num("baseline_value"), fmt),
        SheetColumn(h["baseline_n"], _num("baseline_denominator"), "dec2"),
        SheetColumn(h["difference"], _num("difference"), fmt),
        SheetColumn(h["p"], _num("p_value"), "dec4"),
        SheetColumn(h["verdict"], lambda r: words.get(r["verdict"], r["verdict"])),
    ]
    comparison = by_city(comparison, labels, "indicator")
    return Sheet(*labels.sheet_name("activity"), comparison, cols)


# ---- appeals (§8.2) --------------------------------------------------------------------------------


def appeal_sheets(log: pd.DataFrame, totals: pd.DataFrame, labels: SheetLabels) -> list[Sheet]:
    """申诉: every appeal with its decision and the city's results before and after; 申诉前后: every city."""
    words = labels.wording["appeals"]
    h, t = labels.columns("appeals"), labels.columns("appeal_totals")
    names = lambda ids: "、".join(labels.indicator(i) for i in str(ids or "").split(";") if i)  # noqa: E731
    log_cols = [
        SheetColumn(h["id"], lambda r: r["id"]),
        SheetColumn(h["city"], lambda r: labels.city(r["city"])),
        SheetColumn(h["indicators"], lambda r: names(r["indicators"])),
        SheetColumn(h["records"], lambda r: _records(r["records"], labels)),
        SheetColumn(h["claim"], lambda r: r["claim"]),
        SheetColumn(h["evidence"], lambda r: r["evidence"]),
        SheetColumn(h["filed"], lambda r: r["filed"]),
        SheetColumn(h["deadline"], lambda r: r["deadline"]),
        SheetColumn(h["decision"], lambda r: words["outcomes"][r["decision"]]),
        SheetColumn(h["reason"], lambda r: r["reason"]),
        SheetColumn(h["decided"], lambda r: r["decided"]),
        SheetColumn(h["total_before"], _num("total_before"), "score"),
        SheetColumn(h["total_after"], _num("total_after"), "score"),
        SheetColumn(h["rank_before"], _num("rank_before"), "int"),
        SheetColumn(h["rank_after"], _num("rank_after"), "int"),
        SheetColumn(h["scores_before"], lambda r: _item_scores(r["scores_before"], labels)),
        SheetColumn(h["scores_after"], lambda r: _item_scores(r["scores_after"], labels)),
    ]
    total_cols = [
        SheetColumn(t["city"], lambda r: labels.city(r["city"])),
        SheetColumn(t["total_before"], _num("total_before"), "score"),
        SheetColumn(t["total_after"], _num("total_after"), "score"),
        SheetColumn(t["change"], _num("change"), "score"),
        SheetColumn(t["rank_before"], _num("rank_before"), "int"),
        SheetColumn(t["rank_after"], _num("rank_after"), "int"),
        SheetColumn(t["grade_before"], lambda r: r["grade_before"]),
        SheetColumn(t["grade_after"], lambda r: r["grade_after"]),
    ]
    return [
        Sheet(*labels.sheet_name("appeals"), log, log_cols),
        Sheet(*labels.sheet_name("appeal_totals"), totals.sort_values("rank_after"), total_cols),
    ]


def _records(text: Any, labels: SheetLabels) -> str:
    """calls:12;tickets:3 → 话务记录12条、工单3条."""
    parts = [p.split(":") for p in str(text or "").split(";") if ":" in p]
    words = labels.words["records"]
    return "、".join(words.format(table=labels.schema.tables[t].zh, n=n) for t, n in parts if t in labels.schema.tables)


def _item_scores(text: Any, labels: SheetLabels) -> str:
    """answer_rate=3.2962 → 接通率3.296分 (three decimals: an appeal's effect is often small; missing: 无)."""
    out, words = [], labels.words
    for part in (p for p in str(text or "").split(";") if "=" in p):
        ind, value = part.split("=", 1)
        name = labels.indicator(ind)
        score = words["item_score"].format(indicator=name, score=f"{float(value):.3f}") if value else None
        out.append(score or words["item_no_score"].format(indicator=name))
    return "、".join(out)


def notes_sheet(lines: list[tuple[str, str]], labels: SheetLabels) -> Sheet:
    h = labels.columns("notes")
    frame = pd.DataFrame(lines, columns=["item", "text"])
    cols = [SheetColumn(h["item"], lambda r: r["item"]), SheetColumn(h["text"], lambda r: r["text"])]
    return Sheet(*labels.sheet_name("notes"), frame, cols)


def scoring_notes(labels: SheetLabels) -> list[tuple[str, str]]:
    """How the scores were made, in the reader's words (params/wording/scoresheet.yaml, assessment.notes)."""
    ev, wording = labels.ev, labels.wording
    words, notes, item = labels.words, labels.words["notes"], labels.words["note_items"]
    lines = [
        (item["name"], ev.name_zh),
        (item["type"], wording["evaluation_type"][ev.type]),
        (item["period"], words["note_period"].format(start=fmt.date(ev.period.start), end=fmt.date(ev.period.end))),
        (item["organiser"], ev.organiser_zh),
        (item["reference"], wording["reference_strategy"][ev.reference.strategy]),
    ]
    for ind, b in ev.reference.benchmarks.items():
        text = notes["benchmark"].format(value=b.value, source=b.source)
        text += words["note_url"].format(url=b.url) if b.url else ""
        lines.append((item["benchmark"].format(indicator=labels.indicator(ind)), text))
    bands = "；".join(words["note_band"].format(grade=g.grade, min=f"{g.min:g}") for g in ev.grades)
    rules = "；".join(wording["rules"][k] for k in ("higher", "lower", "lower_rate"))
    lines += [
        (item["rules"], notes["rules"].format(rules=rules)),
        (item["grades"], notes["grades"].format(bands=bands, coverage_min=ev.coverage_min, veto_grade=ev.veto_grade)),
        (item["no_data"], notes["no_data"]),
        (item["innovation"], notes["innovation"][ev.innovation]),
    ]
    for ind, rule in ev.thresholds.items():
        unit = labels.catalogue.indicator(ind).unit
        for side in ("zero_below", "zero_above"):
            if getattr(rule, side) is not None:
                text = notes[side].format(indicator=labels.indicator(ind), value=fmt.value(getattr(rule, side), unit))
                lines.append((item["threshold"], text))
    if ev.type == "special":
        lines += [
            (item["change"], words["rules"]["change"].format(**ev.change_scoring.model_dump())),
            (item["trend"], notes["trend"].format(**ev.trend.model_dump())),
            (item["months"], notes["fixed_reference"]),
        ]
    if ev.activity is not None:
        lines.append(
            (item["activity"], words["note_activity"].format(activity=ev.activity.zh, rule=words["rules"]["activity"]))
        )
    lines.append((item["units"], words["unit_classes_note"]))
    return lines

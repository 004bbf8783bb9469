"""Reading the assessment: Chinese labels and values of quality rows, and the `check` command's summary."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from hotline_eval.catalogue import Catalogue
from hotline_eval.evaluation import Evaluation
from hotline_eval.quality.frame import POOLED
from hotline_eval.quality.gate import blocked_indicators, failures
from hotline_eval.quality.spec import QualitySpec, load_quality_spec
from hotline_eval.schema import Schema, load_schema

# The headline checks of a table, in the order a reader expects them (pooled over the period).
HEADLINE = ["record_recall", "period_coverage", "field_completeness", "record_precision", "intra_record", "linkage"]


class Labels:
    """Chinese names of tables, months, checks and items, and formatted values."""

    def __init__(self, root: Path) -> None:
        self.spec: QualitySpec = load_quality_spec(root)
        self.schema: Schema = load_schema(root)

    def table(self, table: str) -> str:
        return self.schema.tables[table].zh if table in self.schema.tables else table

    @staticmethod
    def month(month: str) -> str:
        return "全期" if month == POOLED else f"{int(month[5:7])}月"

    def check(self, check: str) -> str:
        return self.spec.checks[check].zh if check in self.spec.checks else check

    def item(self, row: pd.Series) -> str:
        item, table = row["item"], row["table"]
        if not item:
            return ""
        if row["check"] in ("field_completeness",) and table in self.schema.tables:
            return self.schema.tables[table].columns[item].zh if item in self.schema.tables[table].columns else item
        if item in self.spec.control_totals:
            return self.spec.control_totals[item].zh
        links = {link.id: link.zh for link in self.spec.links}
        rules = {r.id: r.zh for rules in self.spec.rules.values() for r in rules}
        return links.get(item) or rules.get(item) or item

    def value(self, check: str, value: float) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "—"
        unit = self.spec.checks[check].unit if check in self.spec.checks else "rate"
        if unit == "rate":
            return f"{value * 100:.2f}%" if check == "cross_source" else f"{value * 100:.1f}%"
        if unit == "sigma":
            return f"{value:.1f}σ"
        return f"{value:,.0f}"

    def threshold(self, check: str, threshold: float) -> str:
        c = self.spec.checks[check]
        if threshold is None or (isinstance(threshold, float) and math.isnan(threshold)):
            return ""
        sign = "≥" if c.min is not None else "≤"
        return f"{sign}{self.value(check, threshold)}"

    def row(self, row: pd.Series) -> str:
        """One line: 话务记录 8月 记录查全率（来电总量） 93.6%，门槛≥98.0%."""
        item = self.item(row)
        name = f"{self.check(row['check'])}（{item}）" if item else self.check(row["check"])
        text = f"{self.table(row['table'])} {self.month(row['month'])} {name} {self.value(row['check'], row['value'])}"
        limit = self.threshold(row["check"], row["threshold"])
        return f"{text}，门槛{limit}" if limit else text


def headline(quality: pd.DataFrame, city: str, labels: Labels) -> list[str]:
    """Per table, the pooled headline checks of one city (the lowest value when there are several items)."""
    own = quality[(quality["city"] == city) & (quality["month"] == POOLED)]
    lines = []
    for table, part in own.groupby("table", sort=False):
        shown = []
        for check in HEADLINE:
            rows = part[part["check"] == check].dropna(subset=["value"])
            if rows.empty:
                continue
            worst = rows.loc[rows["value"].idxmin()]
            suffix = "（最低）" if len(rows) > 1 else ""
            shown.append(f"{labels.check(check)}{suffix} {labels.value(check, worst['value'])}")
        if shown:
            lines.append(f"{labels.table(table)}：" + "，".join(shown))
    return lines


def city_summary(
    quality: pd.DataFrame, ev: Evaluation, catalogue: Catalogue, city: str, labels: Labels
) -> list[str]:
    """The readable summary of one city printed by `hotline-eval check --city`."""
    own = quality[quality["city"] == city]
    gates = own[own["severity"] == "gate"]
    failed = failures(own)
    flagged = own[(own["severity"] == "flag") & (own["passed"] == False)]  # noqa: E712 (None means not judged)
    version = int(own["data_version"].iloc[0]) if len(own) else None
    lines = [
        f"{ev.city_name(city)} 数据质量评估（§5.2.7），{ev.period.label_zh}，数据版本 {version}",
        f"门槛检查 {len(gates)} 项，未通过 {len(failed)} 项；需说明 {len(flagged)} 项。",
        *[f"  {line}" for line in headline(quality, city, labels)],
    ]
    if len(failed):
        lines.append("未通过的门槛检查：")
        lines += [f"  ✗ {labels.row(r)}{_terms(r)}" for _, r in failed.iterrows()]
    if len(flagged):
        lines.append("需说明（不影响计分）：")
        lines += [f"  ! {labels.row(r)}" for _, r in flagged.iterrows()]
    blocked = blocked_indicators(own, catalogue, ev.active_indicators(catalogue))
    if len(blocked):
        names = "、".join(catalogue.indicator(i).zh for i in blocked["indicator"])
        lines.append(f"数据质量不达标、不予计分的指标（{len(blocked)}项）：{names}")
    else:
        lines.append("全部门槛检查通过，各项指标均可计分。" if len(gates) else "没有可检查的数据。")
    return lines


def province_summary(quality: pd.DataFrame, ev: Evaluation, catalogue: Catalogue, labels: Labels) -> list[str]:
    """One line per city: gates passed, or what failed and how many indicators it blocks."""
    lines = [f"{ev.name_zh}：数据质量评估（§5.2.7）"]
    active = ev.active_indicators(catalogue)
    for city in ev.city_ids():
        own = quality[quality["city"] == city]
        failed = failures(own)
        n = int((own["severity"] == "gate").sum())
        if failed.empty:
            lines.append(f"  {ev.city_name(city)}：门槛检查 {n} 项全部通过")
            continue
        tables = "、".join(labels.table(t) for t in dict.fromkeys(failed["table"]))
        blocked = blocked_indicators(own, catalogue, active)
        lines.append(
            f"  {ev.city_name(city)}：门槛检查 {n} 项，未通过 {len(failed)} 项（{tables}），"
            f"{len(blocked)} 项指标数据质量不达标"
        )
    return lines


def _terms(row: pd.Series) -> str:
    """The counts behind a rate: （1,943 / 2,075）."""
    num, den = row["numerator"], row["denominator"]
    if pd.isna(num) or pd.isna(den) or row["check"] == "verified_accuracy_low":
        return ""
    return f"（{num:,.0f} / {den:,.0f}）"

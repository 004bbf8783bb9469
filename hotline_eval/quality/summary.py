"""Reading the assessment: Chinese labels and values of quality rows, and the `check` command's summary."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from hotline_eval.config.catalogue import Catalogue
from hotline_eval.config.evaluation import Evaluation
from hotline_eval.config.quality import QualitySpec, load_quality_spec
from hotline_eval.config.schema import Schema, load_schema
from hotline_eval.core import fmt
from hotline_eval.quality.frame import POOLED
from hotline_eval.quality.gate import blocked_indicators, blocking, failures, gates, reason

# The headline checks of a table, in the order a reader expects them (pooled over the period).
HEADLINE = ["record_recall", "period_coverage", "field_completeness", "record_precision", "intra_record", "linkage"]


class QualityLabels:
    """Chinese names of tables, months, checks and items, and formatted values."""

    def __init__(self, root: Path, ev: Evaluation | None = None) -> None:
        """ev: the evaluation (its quality policy; a month label carries its year when the period
        spans more than one year)."""
        self.spec: QualitySpec = load_quality_spec(root).adjusted(ev.quality if ev else {})
        self.schema: Schema = load_schema(root)
        self.months = list(ev.period.months) if ev else []
        self.root = root

    def table(self, table: str) -> str:
        return self.schema.tables[table].zh if table in self.schema.tables else table

    def month(self, month: str) -> str:
        return "全期" if month == POOLED else fmt.month(month, self.months)

    def check(self, check: str) -> str:
        return self.spec.checks[check].zh if check in self.spec.checks else check

    def item(self, row: pd.Series) -> str:
        item, table = row["item"], row["table"]
        if not item:
            return ""
        if row["check"] in ("field_completeness",) and table in self.schema.tables:
            return self.schema.tables[table].columns[item].zh if item in self.schema.tables[table].columns else item
        if row["check"] == "rejected" and "：" in item:
            column, _, why = item.partition("：")
            columns = self.schema.tables[table].columns if table in self.schema.tables else {}
            return f"{columns[column].zh if column in columns else column}：{why}"
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
        shown = f"{threshold * 100:g}%" if c.unit == "rate" else self.value(check, threshold)
        return f"{sign}{shown}"

    def scope(self, scope: str) -> str:
        """What a gate blocks: 话务记录 (a table) or 工单“办结时间” (a field)."""
        table, _, column = scope.partition(".")
        if not column:
            return f"读取{self.table(table)}的指标"
        zh = self.schema.tables[table].columns[column].zh if table in self.schema.tables else column
        return f"使用{self.table(table)}“{zh}”的指标"

    def row(self, row: pd.Series) -> str:
        """One line: 话务记录 8月 记录查全率（来电总量） 93.6%，门槛≥98.0%."""
        item = self.item(row)
        name = f"{self.check(row['check'])}（{item}）" if item else self.check(row["check"])
        text = f"{self.table(row['table'])} {self.month(row['month'])} {name} {self.value(row['check'], row['value'])}"
        limit = self.threshold(row["check"], row["threshold"])
        return f"{text}，门槛{limit}" if limit else text


def rules_text(labels: QualityLabels, ev: Evaluation, words: dict) -> list[str]:
    """The rules in force as sentences: the gate thresholds, how a month is judged, the evaluation's
    changes to params/quality.yaml with their reasons (words: common.yaml `quality_rules`)."""
    spec = labels.spec
    shown = []
    for check_id, check in spec.checks.items():
        if check.severity != "gate":
            continue
        whole = check.min == 1 and check.unit == "rate"  # 期间覆盖率100%, not ≥100%
        text = f"{check.zh}100%" if whole else f"{check.zh}{labels.threshold(check_id, check.threshold)}"
        if check_id == "linkage":
            own = [
                words["link_minimum"].format(link=link.zh, threshold=labels.threshold(check_id, link.min))
                for link in spec.links
                if link.min is not None and link.min != check.threshold
            ]
            text += f"（{'，'.join(own)}）" if own else ""
        shown.append(text)
    out = [words["thresholds"].format(thresholds="，".join(shown))] if shown else []
    proportions = [c.zh for c in spec.checks.values() if c.proportion and c.severity == "gate"]
    rule = spec.monthly_evidence
    if rule and proportions:
        out.append(
            words["monthly_evidence"].format(
                checks="、".join(proportions), confidence=f"{rule.confidence * 100:g}%", min_records=rule.min_records
            )
        )
    elif proportions:
        out.append(words["monthly_values"])
    changes = policy_changes(labels, ev, words)
    if changes:
        out.append(words["policy"].format(changes="；".join(changes)))
    return out


def policy_changes(labels: QualityLabels, ev: Evaluation, words: dict) -> list[str]:
    """Each change the evaluation makes to a check: 字段完整率门槛由≥95%调整为≥90%（理由：…）."""
    base = load_quality_spec(labels.root)
    out = []
    for check_id, change in ev.quality.items():
        before, after = base.checks[check_id], labels.spec.checks[check_id]
        parts = []
        if before.threshold is None and after.threshold is not None:
            parts.append(
                words["policy_new_threshold"].format(check=after.zh, after=labels.threshold(check_id, after.threshold))
            )
        elif after.threshold != before.threshold:
            parts.append(
                words["policy_threshold"].format(
                    check=after.zh,
                    before=labels.threshold(check_id, before.threshold),
                    after=labels.threshold(check_id, after.threshold),
                )
            )
        if after.severity != before.severity:
            names = words["severity"]
            parts.append(
                words["policy_severity"].format(
                    check=after.zh if not parts else "", before=names[before.severity], after=names[after.severity]
                )
            )
        out.append("，".join(parts) + words["policy_reason"].format(reason=change.reason_zh.strip().rstrip("。")))
    return out


def headline(quality: pd.DataFrame, city: str, labels: QualityLabels) -> list[str]:
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
    quality: pd.DataFrame, ev: Evaluation, catalogue: Catalogue, city: str, labels: QualityLabels
) -> list[str]:
    """The readable summary of one city printed by `hotline-eval check --city`."""
    own = quality[quality["city"] == city]
    judged = gates(own)
    failed = failures(own)
    flagged = own[(own["severity"] == "flag") & (own["passed"] == False)]  # noqa: E712 (None means not judged)
    version = int(own["data_version"].iloc[0]) if len(own) else None
    lines = [
        f"{ev.city_name(city)} 数据质量评估（§5.2.7），{ev.period.label_zh}，数据版本 {version}",
        f"门槛检查 {len(judged)} 项，未通过 {len(failed)} 项；需说明 {len(flagged)} 项。",
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
        lines.append("全部门槛检查通过，各项指标均可计分。" if len(judged) else "没有可检查的数据。")
    return lines


def province_summary(quality: pd.DataFrame, ev: Evaluation, catalogue: Catalogue, labels: QualityLabels) -> list[str]:
    """One line per city: gates passed, or what failed and how many indicators it blocks."""
    lines = [f"{ev.name_zh}：数据质量评估（§5.2.7）"]
    active = ev.active_indicators(catalogue)
    for city in ev.city_ids():
        own = quality[quality["city"] == city]
        failed = failures(own)
        n = len(gates(own))
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


def overview_table(quality: pd.DataFrame, city: str, labels: QualityLabels) -> pd.DataFrame:
    """Per table of the city, the pooled headline checks (the lowest field or link) and the failures."""
    own = quality[quality["city"] == city]
    rows = []
    for table, part in own.groupby("table", sort=False):
        pooled = part[part["month"] == POOLED]
        row = {"数据表": labels.table(table)}
        for check in HEADLINE:
            values = pooled[pooled["check"] == check]["value"].dropna()
            row[labels.check(check)] = labels.value(check, values.min()) if len(values) else "—"
        row["未通过门槛"] = str(len(failures(part)))
        if any(v != "—" for k, v in row.items() if k not in ("数据表", "未通过门槛")):
            rows.append(row)
    return pd.DataFrame(rows)


def failing_table(
    quality: pd.DataFrame, city: str, labels: QualityLabels, catalogue: Catalogue, ev: Evaluation
) -> pd.DataFrame:
    """The city's failing gate checks with their counts and how far the failure reaches."""
    own = quality[quality["city"] == city]
    blocks = blocking(own, catalogue, ev.active_indicators(catalogue))
    rows = []
    for _, r in failures(own).iterrows():
        item = labels.item(r)
        n = blocks[blocks["reason"] == reason(r)]["indicator"].nunique()
        rows.append(
            {
                "数据表": labels.table(r["table"]),
                "月份": labels.month(r["month"]),
                "检查项": f"{labels.check(r['check'])}（{item}）" if item else labels.check(r["check"]),
                "结果": labels.value(r["check"], r["value"]),
                "门槛": labels.threshold(r["check"], r["threshold"]),
                "计算依据": _terms(r).strip("（）"),
                "影响范围": f"{labels.scope(r['scope'])}（{n}项）" if n else f"{labels.scope(r['scope'])}（无）",
            }
        )
    return pd.DataFrame(rows)


def blocked_table(
    quality: pd.DataFrame, city: str, labels: QualityLabels, catalogue: Catalogue, ev: Evaluation
) -> pd.DataFrame:
    """The indicators a failing gate blocks, each with the failing checks behind it."""
    own = quality[quality["city"] == city]
    active = ev.active_indicators(catalogue)
    blocks = blocking(own, catalogue, active)
    failed = failures(own).assign(reason=lambda f: [reason(r) for _, r in f.iterrows()])
    rows = []
    for ind in active:
        reasons = set(blocks[blocks["indicator"] == ind.id]["reason"])
        if not reasons:
            continue
        hit = failed[failed["reason"].isin(reasons)]
        why = []
        for table, part in hit.groupby("table", sort=False):
            named = [
                labels.check(r["check"]) + (f"（{labels.item(r)}）" if r["check"] in NAMED_ITEMS else "")
                for _, r in part.iterrows()
            ]
            checks = "、".join(dict.fromkeys(named))
            why.append(f"{labels.table(table)}的{checks}未达门槛")
        rows.append(
            {
                "指标": f"{ind.zh}（§{ind.clause}）",
                "分值": f"{ind.points:g}",
                "原因": "；".join(why),
            }
        )
    return pd.DataFrame(rows)


# Checks whose item says what failed (a field, a self-reported figure, a link).
NAMED_ITEMS = {"field_completeness", "cross_source", "linkage"}

# Counts of problems found (whether or not a gate failed): check → how the report names the count.
FINDINGS = {
    "gap_days": "缺数日",
    "duplicates": "重复记录",
    "test_records": "未剔除的测试记录",
    "out_of_window": "采集期外记录",
    "rejected": "导入时拒收的记录",
    "rule_violations": "违反逻辑规则的记录",
}


def findings(quality: pd.DataFrame, city: str, labels: QualityLabels) -> list[str]:
    """Problems counted over the whole period, e.g. 工单：重复记录24条、未剔除的测试记录10条."""
    pooled = quality[(quality["city"] == city) & (quality["month"] == POOLED) & quality["check"].isin(FINDINGS)]
    lines = []
    for table, part in pooled.groupby("table", sort=False):
        totals = part.groupby("check", sort=False)["value"].sum()
        parts = [f"{FINDINGS[c]}{v:,.0f}{'天' if c == 'gap_days' else '条'}" for c, v in totals.items() if v > 0]
        if parts:
            lines.append(f"{labels.table(table)}：" + "、".join(parts))
    return lines


# How an example's problem is named in the report, by the check that found it.
PROBLEMS = {
    "gap_days": "缺数日",
    "field_completeness": "字段缺失",
    "duplicates": "重复记录",
    "test_records": "未剔除的测试记录",
    "out_of_window": "采集期外记录",
    "rejected": "导入拒收",
    "verified_accuracy": "核验不一致",
    "rule_violations": "违反逻辑规则",
    "linkage": "关联缺失",
}


def examples_table(examples: pd.DataFrame, city: str, labels: QualityLabels, per_check: int = 3) -> pd.DataFrame:
    """A few masked examples of offending records per check and item of the city."""
    own = examples[examples["city"] == city]
    own = own.groupby(["table", "check", "item"], sort=False).head(per_check)
    rows = []
    for _, e in own.iterrows():
        item = labels.item(e)
        problem = PROBLEMS.get(e["check"], labels.check(e["check"]))
        rows.append(
            {
                "数据表": labels.table(e["table"]),
                "问题": f"{problem}（{item}）" if item else problem,
                "月份": labels.month(e["month"]),
                "记录": e["record"],
                "说明": e["detail"],
            }
        )
    return pd.DataFrame(rows)

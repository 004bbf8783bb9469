"""One-vote veto (一票否决): established data falsification sets the grade to 不合格.

See docs/method/scoring.md#one-vote-veto.

A veto comes from a source: the evaluation definition's `vetoes:` list (the organiser's decision),
the data-quality assessment (§5.2.7) when the definition declares `quality_veto` (a failing check it
names establishes falsification), or any other source registered with `@veto_source(name)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hotline_eval.config.evaluation import Evaluation
from hotline_eval.quality import failures, load_quality
from hotline_eval.quality.summary import QualityLabels


@dataclass(frozen=True)
class VetoRecord:
    city: str
    reason_zh: str
    source_zh: str  # who decided it: 评价方案, 数据质量核查, …
    basis: str = ""


# a source gets the project root, the evaluation and its outputs folder and returns the vetoes it establishes
VetoSource = Callable[[Path, Evaluation, Path], list[VetoRecord]]
SOURCES: dict[str, VetoSource] = {}


def veto_source(name: str) -> Callable[[VetoSource], VetoSource]:
    def register(fn: VetoSource) -> VetoSource:
        SOURCES[name] = fn
        return fn

    return register


@veto_source("definition")
def from_definition(root: Path, ev: Evaluation, out: Path) -> list[VetoRecord]:
    return [VetoRecord(v.city, v.reason_zh, "评价方案", v.basis) for v in ev.vetoes]


@veto_source("quality")
def from_quality(root: Path, ev: Evaluation, out: Path) -> list[VetoRecord]:
    """Cities for which a check the definition's `quality_veto` names failed (quality.csv), each failing
    result named in the reason: 报送数据与源系统记录不符：工单 全期 抽样核验准确率95%置信下限 71.2%，门槛≥90%
    (the totals add the source in brackets: one pair of brackets in the sentence)."""
    if ev.quality_veto is None:
        return []
    quality = load_quality(out)
    failed = failures(quality)
    failed = failed[failed["check"].isin(ev.quality_veto.checks)]
    labels = QualityLabels(root, ev)
    records = []
    for city, rows in failed.groupby("city", sort=False):
        shown = "；".join(labels.row(r) for _, r in rows.iterrows())
        records.append(VetoRecord(str(city), f"{ev.quality_veto.reason_zh}：{shown}", "数据质量核查"))
    return records


def collect(root: Path, ev: Evaluation, out: Path) -> list[VetoRecord]:
    """Every veto of every registered source, for the evaluated cities only."""
    cities = set(ev.city_ids())
    return [v for source in SOURCES.values() for v in source(root, ev, out) if v.city in cities]

"""One-vote veto (一票否决): established data falsification sets the grade to 不合格.

See docs/method/scoring.md#one-vote-veto.

A veto comes from a source: the evaluation definition's `vetoes:` list (the organiser's decision),
or any other stage that registers a source here — the data-quality assessment (§5.2.7) can feed
falsification it establishes by decorating a function with `@veto_source("quality")`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hotline_eval.config.evaluation import Evaluation


@dataclass(frozen=True)
class VetoRecord:
    city: str
    reason_zh: str
    source_zh: str  # who decided it: 评价方案, 数据质量核查, …
    basis: str = ""


# a source gets the evaluation and its outputs folder and returns the vetoes it establishes
VetoSource = Callable[[Evaluation, Path], list[VetoRecord]]
SOURCES: dict[str, VetoSource] = {}


def veto_source(name: str) -> Callable[[VetoSource], VetoSource]:
    def register(fn: VetoSource) -> VetoSource:
        SOURCES[name] = fn
        return fn

    return register


@veto_source("definition")
def from_definition(ev: Evaluation, out: Path) -> list[VetoRecord]:
    return [VetoRecord(v.city, v.reason_zh, "评价方案", v.basis) for v in ev.vetoes]


def collect(ev: Evaluation, out: Path) -> list[VetoRecord]:
    """Every veto of every registered source, for the evaluated cities only."""
    cities = set(ev.city_ids())
    return [v for source in SOURCES.values() for v in source(ev, out) if v.city in cities]

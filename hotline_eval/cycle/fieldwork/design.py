"""The sampling design and review forms of the fieldwork kit (params/fieldwork.yaml, §7.2, §7.3)."""

from __future__ import annotations

import datetime as dt
import math
from functools import cache
from pathlib import Path

from pydantic import Field, model_validator
from scipy import stats

from hotline_eval.config.catalogue import load_catalogue
from hotline_eval.core.errors import ConfigError
from hotline_eval.core.paramfiles import Strict, load_yaml, validate

DESIGN_FILE = Path("params") / "fieldwork.yaml"
DERIVED_STRATA = ("month", "shift")  # computed from a record's time; other strata are columns of the frame's SQL


class Shift(Strict):
    zh: str
    hours: tuple[dt.time, dt.time]


class Frame(Strict):
    """One sampling frame: the population of a kind of record and the review form it goes on."""

    zh: str
    form: str
    population_zh: str
    mapping: str
    object_type: str
    sample_frame: str
    code: str = Field(pattern=r"^[A-Z]{2,4}$")
    indicators: list[str] = Field(min_length=1)
    sql: str
    strata: list[str] = []
    show: dict[str, str] = {}
    findings: list[str] = []
    evidence: str = "证据"


class RuleItem(Strict):
    zh: str
    indicator: str


class QcItem(Strict):
    header: str
    max: int = Field(gt=0)
    zh: str


class TicketQc(Strict):
    items: list[QcItem] = Field(min_length=1)
    total_header: str
    veto_zh: str

    @model_validator(mode="after")
    def _hundred(self) -> TicketQc:
        if sum(i.max for i in self.items) != 100:
            raise ValueError("各检查项的分值之和应为 100（质检得分满分为 100）")
        return self


class Anchor(Strict):
    level: str
    share: float = Field(ge=0, le=1)
    zh: str


class Experts(Strict):
    form: str
    mapping: str
    id_format: str
    anchors: list[Anchor] = Field(min_length=1)


class Design(Strict):
    seed: int
    target_n: int = Field(gt=0)
    min_per_stratum: int = Field(ge=0)
    confidence: float = Field(gt=0, lt=1)
    strata_zh: dict[str, str] = {}
    shifts: dict[str, Shift] = Field(min_length=1)
    frames: dict[str, Frame] = Field(min_length=1)
    rule_items: dict[str, RuleItem]
    ticket_qc: TicketQc
    experts: Experts

    @model_validator(mode="after")
    def _shifts_cover_the_day(self) -> Design:
        for minute in range(0, 24 * 60, 5):
            at = dt.time(minute // 60, minute % 60)
            hits = [k for k, s in self.shifts.items() if in_hours(at, *s.hours)]
            if len(hits) != 1:
                raise ValueError(f"shifts：{at:%H:%M} 落在{len(hits)}个班次中；每个时刻应恰好属于一个班次")
        return self

    @model_validator(mode="after")
    def _strata_known(self) -> Design:
        for name, frame in self.frames.items():
            for col in (*frame.strata, *frame.show):
                if col in DERIVED_STRATA or col.isidentifier():
                    continue
                raise ValueError(f"frames.{name}：'{col}' 不是列名")
        return self

    def strata_label(self, frame: Frame) -> str:
        """The frame's strata for readers, e.g. 月份×班次×坐席."""
        return "×".join(self.strata_zh.get(k) or frame.show.get(k) or k for k in frame.strata or ["month"])

    def half_width(self, n: int, population: int | None = None) -> float:
        """Half-width of the confidence interval of a proportion near 0.5 (normal approximation).

        With the population size the finite-population correction applies (a census has no error).
        """
        if n <= 0:
            return math.nan
        z = float(stats.norm.ppf(0.5 + self.confidence / 2))
        half = z * math.sqrt(0.25 / n)
        if population is not None and population > 1:
            half *= math.sqrt(max(population - n, 0) / (population - 1))
        return half


def in_hours(at: dt.time, start: dt.time, end: dt.time) -> bool:
    """[start, end) of a day; start > end wraps past midnight, start == end is the whole day."""
    if start < end:
        return start <= at < end
    return at >= start or at < end


def active_frames(design: Design, ev, catalogue) -> dict[str, Frame]:
    """The frames whose indicators the evaluation scores (an Evaluation and a Catalogue)."""
    active = {i.id for i in ev.active_indicators(catalogue) if i.points > 0}
    return {name: f for name, f in design.frames.items() if active & set(f.indicators)}


@cache
def load_design(root: Path) -> Design:
    path = root / DESIGN_FILE
    design = validate(Design, load_yaml(path), path)

    catalogue = load_catalogue(root)
    known = {i.id for i in catalogue.indicators}
    for name, frame in design.frames.items():
        for ind in frame.indicators:
            if ind not in known:
                raise ConfigError(path, f"frames.{name}.indicators", f"未知的指标 '{ind}'")
    for key, item in design.rule_items.items():
        if item.indicator not in known:
            raise ConfigError(path, f"rule_items.{key}.indicator", f"未知的指标 '{item.indicator}'")
    return design

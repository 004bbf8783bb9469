"""Evaluation definitions (params/evaluations/*.yaml): what is evaluated, when, and how (§5.1)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from hotline_eval.catalogue import Catalogue, Indicator, load_catalogue
from hotline_eval.errors import ConfigError, PeriodError, UnknownNameError
from hotline_eval.paramfiles import Strict, load_yaml, named_file, validate
from hotline_eval.sample.province import load_province

MIN_MONTHS = {"comprehensive": 1, "special": 3}  # §5.1.1.3, §5.1.2.3


class Period(Strict):
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _order(self) -> Period:
        if self.end < self.start:
            raise ValueError("period end is before its start")
        return self

    @property
    def months(self) -> list[str]:
        """Calendar months touched by the period, as YYYY-MM."""
        out, y, m = [], self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def full_months(self) -> int:
        """Number of whole calendar months inside the period."""
        count = 0
        for month in self.months:
            y, m = map(int, month.split("-"))
            first = dt.date(y, m, 1)
            last = (dt.date(y + (m == 12), m % 12 + 1, 1)) - dt.timedelta(days=1)
            count += self.start <= first and last <= self.end
        return count

    @property
    def label_zh(self) -> str:
        a, b = self.start, self.end
        if (a.year, a.month) == (b.year, b.month):
            return f"{a.year}年{a.month}月"
        if a.year == b.year:
            return f"{a.year}年{a.month}—{b.month}月"
        return f"{a.year}年{a.month}月—{b.year}年{b.month}月"


class CityRef(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    name_zh: str


class SampleData(Strict):
    seed: int = 12345
    scale: float = Field(default=1.0, gt=0)


class InputDir(Strict):
    dir: str
    systems: list[str]
    city: str | None = None


class Data(Strict):
    sample: SampleData | None = None
    inputs: list[InputDir] = []

    @model_validator(mode="after")
    def _one(self) -> Data:
        if (self.sample is None) == (not self.inputs):
            raise ValueError("give either 'sample' (generate the sample province) or 'inputs' (export folders)")
        return self


class Benchmark(Strict):
    value: float
    source: str


class Reference(Strict):
    strategy: Literal["province_best", "benchmark", "mixed"] = "province_best"
    benchmarks: dict[str, Benchmark] = {}


class Grade(Strict):
    grade: str
    min: float


DEFAULT_GRADES = [
    Grade(grade="优秀", min=90),
    Grade(grade="良好", min=80),
    Grade(grade="合格", min=60),
    Grade(grade="不合格", min=0),
]


class Evaluation(Strict):
    id: str
    name_zh: str
    type: Literal["comprehensive", "special"]
    purpose_zh: str = ""
    organiser_zh: str
    period: Period
    province: str | None = None
    cities: list[CityRef] = []
    data: Data
    indicators: Literal["all"] | list[str] | dict[str, float] = "all"
    parameters: dict[str, Any] = {}
    reference: Reference = Reference()
    grades: list[Grade] = DEFAULT_GRADES
    coverage_min: float = 80
    innovation: Literal["inside", "bonus"] = "inside"
    appeal_days: int = 10
    published_on: dt.date | None = None
    report_date: dt.date | None = None

    @property
    def issued_on(self) -> dt.date:
        """Date printed on reports: report_date, else one month after the period (reproducible)."""
        return self.report_date or self.period.end + dt.timedelta(days=30)

    def city_ids(self) -> list[str]:
        return [c.id for c in self.cities]

    def city_name(self, city_id: str) -> str:
        return next(c.name_zh for c in self.cities if c.id == city_id)

    def check_city(self, city_id: str) -> str:
        if city_id not in self.city_ids():
            raise UnknownNameError("city", city_id, self.city_ids())
        return city_id

    def active_indicators(self, catalogue: Catalogue) -> list[Indicator]:
        """The catalogue entries this evaluation uses, with their points for this evaluation."""
        if self.indicators == "all":
            return list(catalogue.indicators)
        points = self.indicators if isinstance(self.indicators, dict) else {}
        out = []
        for ind_id in self.indicators:
            ind = catalogue.indicator(ind_id)
            out.append(ind.model_copy(update={"points": points[ind_id]}) if ind_id in points else ind)
        return out

    def parameter_values(self, catalogue: Catalogue) -> dict[str, Any]:
        return catalogue.defaults() | self.parameters


@cache
def load_evaluation(root: Path, name: str) -> Evaluation:
    path = named_file(root / "params" / "evaluations", "evaluation", name)
    data = load_yaml(path)
    evaluation = validate(Evaluation, data, path)
    if evaluation.id != name:
        raise ConfigError(path, "id", f"id '{evaluation.id}' differs from the file name '{name}'")
    if not evaluation.cities:
        if not evaluation.province:
            raise ConfigError(path, "cities", "list the evaluated cities, or name a province")
        province = load_province(root, evaluation.province)
        evaluation = evaluation.model_copy(
            update={"cities": [CityRef(id=c.id, name_zh=c.name_zh) for c in province.cities]}
        )
    _check_references(root, evaluation, path)
    check_period(evaluation)
    return evaluation


def _check_references(root: Path, ev: Evaluation, path: Path) -> None:
    catalogue = load_catalogue(root)
    known = {i.id for i in catalogue.indicators}
    chosen = [] if ev.indicators == "all" else list(ev.indicators)
    for ind in chosen:
        if ind not in known:
            raise ConfigError(path, f"indicators.{ind}", f"unknown indicator; valid ids: {', '.join(sorted(known))}")
    for name in ev.parameters:
        if name not in catalogue.parameters:
            raise ConfigError(
                path, f"parameters.{name}", f"unknown parameter; valid: {', '.join(sorted(catalogue.parameters))}"
            )
    for ind in ev.reference.benchmarks:
        if ind not in known:
            raise ConfigError(path, f"reference.benchmarks.{ind}", "unknown indicator")
    if ev.reference.strategy == "benchmark":
        active = {i.id for i in ev.active_indicators(catalogue) if i.kind in ("system", "sampled")}
        lacking = sorted(active - set(ev.reference.benchmarks))
        if lacking:
            raise ConfigError(
                path,
                "reference.benchmarks",
                f"strategy 'benchmark' needs a benchmark for every quantitative indicator; "
                f"missing: {', '.join(lacking)}",
            )
    if len(ev.cities) == 1 and ev.reference.strategy == "province_best":
        raise ConfigError(
            path,
            "reference.strategy",
            "a single evaluated object needs benchmark reference values (indicators.md §3.1)",
            fix="use strategy: benchmark or mixed, with benchmarks and their sources",
        )


def check_period(ev: Evaluation) -> None:
    """§5.1.1.3 / §5.1.2.3: at least one (comprehensive) or three (special) continuous months."""
    need = MIN_MONTHS[ev.type]
    have = ev.period.full_months()
    if have < need:
        kind = "综合评价" if ev.type == "comprehensive" else "专项评价"
        raise PeriodError(
            f"evaluation '{ev.id}': a {ev.type} evaluation ({kind}) needs at least {need} continuous whole "
            f"month(s) of data (§5.1.{1 if ev.type == 'comprehensive' else 2}.3); the period "
            f"{ev.period.start}..{ev.period.end} holds {have}",
            fix="extend the period in the evaluation definition",
        )


def list_evaluations(root: Path) -> list[str]:
    return sorted(p.stem for p in (root / "params" / "evaluations").glob("*.yaml"))

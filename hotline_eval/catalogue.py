"""The indicator catalogue (params/indicators.yaml): indicators, sources, parameters, dimensions."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any, Literal

import jinja2
from pydantic import Field, model_validator

from hotline_eval.errors import ConfigError
from hotline_eval.paramfiles import Strict, load_yaml, validate

Kind = Literal["system", "sampled", "qualitative", "expert"]
Direction = Literal["higher", "lower", "lower_rate"]
Unit = Literal["percent", "seconds", "hours", "per_10k", "points", "count", "factor"]
# How a value becomes a score (Appendix A): ratio against a reference (A.1, uses `direction`),
# points × mean level factor of a rule table (A.2), points earned by a rule table (A.2), or the
# trimmed mean of an expert panel (A.3).
Scoring = Literal["ratio", "level_factor", "rule_points", "expert_panel"]


class Parameter(Strict):
    default: Any
    zh: str
    unit: str | None = None
    doc: str | None = None


class Dimension(Strict):
    id: str
    clause: str
    zh: str
    en: str


class Source(Strict):
    table: str
    sql: str
    doc: str | None = None


class Term(Strict):
    """An additive aggregate: count of rows, count of rows meeting a condition, or a sum."""

    count_if: str | None = None
    sum: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return {} if value == "count" else value

    @model_validator(mode="after")
    def _one(self) -> Term:
        if self.count_if is not None and self.sum is not None:
            raise ValueError("give either count_if or sum, not both")
        return self


class Indicator(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    zh: str
    en: str
    dimension: str
    clause: str = Field(pattern=r"^6\.[1-7](\.[0-9]+)?$")
    kind: Kind
    direction: Direction
    unit: Unit
    points: float = Field(ge=0)
    scoring: Scoring = "ratio"
    objects: list[Literal["agency", "unit"]] = ["agency"]
    unit_key: str | None = None
    method: list[str] = []
    source: str | None = None
    cohort: str | None = None
    where: str = "true"
    numerator: Term | None = None
    denominator: Term | None = None
    structural_zero: Term | None = None
    requires: list[str] = []
    min_n: int | None = None
    report_only: bool = False
    parent: str | None = None
    formula_zh: str
    data_needs: list[str] = []

    @model_validator(mode="after")
    def _computable(self) -> Indicator:
        expected = {"expert": {"expert_panel"}, "qualitative": {"level_factor", "rule_points"}}
        if self.scoring not in expected.get(self.kind, {"ratio"}):
            raise ValueError(f"a {self.kind} indicator cannot use scoring '{self.scoring}'")
        if self.kind != "expert" and (self.source is None or self.numerator is None or self.denominator is None):
            raise ValueError("needs source, numerator and denominator (only expert indicators may omit them)")
        if "unit" in self.objects and not self.unit_key:
            raise ValueError("an indicator computed for handling units needs unit_key")
        return self


class Catalogue(Strict):
    parameters: dict[str, Parameter]
    dimensions: list[Dimension]
    sources: dict[str, Source]
    indicators: list[Indicator]

    @model_validator(mode="after")
    def _references(self) -> Catalogue:
        dims = {d.id for d in self.dimensions}
        seen: set[str] = set()
        for i, ind in enumerate(self.indicators):
            if ind.id in seen:
                raise ValueError(f"indicators.{i}: duplicate id '{ind.id}'")
            seen.add(ind.id)
            if ind.dimension not in dims:
                raise ValueError(f"indicators.{i} ({ind.id}): unknown dimension '{ind.dimension}'")
            if ind.source and ind.source not in self.sources:
                raise ValueError(f"indicators.{i} ({ind.id}): unknown source '{ind.source}'")
        return self

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def dimension(self, dimension_id: str) -> Dimension:
        return next(d for d in self.dimensions if d.id == dimension_id)

    def defaults(self) -> dict[str, Any]:
        return {name: p.default for name, p in self.parameters.items()}


@cache
def load_catalogue(root: Path) -> Catalogue:
    path = root / "params" / "indicators.yaml"
    return validate(Catalogue, load_yaml(path), path)


class SqlRenderer:
    """Renders catalogue SQL templates with parameters, period bounds and helper macros."""

    def __init__(self, params: dict[str, Any], start: dt.date, end: dt.date, grace_days: int) -> None:
        self.env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
        cutoff = end + dt.timedelta(days=grace_days)
        self.context = {
            **params,
            "period_start": _ts(start),
            "period_end": _ts(end + dt.timedelta(days=1)),
            "cutoff": _ts(cutoff + dt.timedelta(days=1)),
            "weight": self._weight,
        }
        self.weights = params.get("satisfaction_weights", {})

    def _weight(self, column: str) -> str:
        cases = " ".join(f"WHEN '{level}' THEN {float(w)!r}" for level, w in self.weights.items())
        return f"(CASE {column} {cases} END)"

    def render(self, template: str, where: str = "") -> str:
        try:
            return self.env.from_string(template).render(self.context)
        except jinja2.TemplateError as exc:
            raise ConfigError("params/indicators.yaml", where or None, f"SQL template error: {exc}") from exc


def _ts(day: dt.date) -> str:
    """A TIMESTAMPTZ literal for 00:00 Beijing time of `day` (period bounds are half-open)."""
    return f"TIMESTAMPTZ '{day.isoformat()} 00:00:00+08:00'"

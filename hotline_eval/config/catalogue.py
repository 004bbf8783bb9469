"""The indicator catalogue (params/indicators.yaml): indicators, sources, parameters, dimensions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal

import jinja2
from pydantic import Field, model_validator

from hotline_eval.config.calendar import OfficeDay, seconds_of_day
from hotline_eval.core.errors import ConfigError
from hotline_eval.core.paramfiles import Strict, load_yaml, validate

CATALOGUE_FILE = "params/indicators.yaml"

Kind = Literal["system", "sampled", "qualitative", "expert"]
Direction = Literal["higher", "lower", "lower_rate"]
Unit = Literal["percent", "seconds", "hours", "per_10k", "points", "count", "factor"]
# How a value becomes a score (Appendix A): ratio against a reference (A.1, uses `direction`),
# points × mean level factor of a rule table (A.2), points earned by a rule table (A.2), or the
# trimmed mean of an expert panel (A.3).
Scoring = Literal["ratio", "level_factor", "rule_points", "expert_panel"]
# What the value of an indicator is: numerator ÷ denominator (rates, averages), or the numerator
# itself (counts such as 退回重办数; the denominator then only says whether there was traffic).
ValueRule = Literal["ratio", "numerator"]
Confidence = Literal["V", "A", "P"]


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
    """A SQL view the engine reads in one grouped pass; `table` is the table it is built on."""

    table: str
    joins: list[str] = []
    sql: str
    doc: str | None = None

    @property
    def tables(self) -> list[str]:
        return [self.table, *self.joins]


class Macro(Strict):
    """A DuckDB SQL macro available to every formula, e.g. dispatch_clock_start(ts)."""

    args: list[str]
    sql: str
    doc: str | None = None


class Term(Strict):
    """An additive aggregate: count of rows, count of rows meeting a condition, or a sum; or a median.

    By default a term is evaluated over the indicator's source, cohort and `where`; a term may
    name its own (e.g. a per-capita denominator read from the population table). A `median` is
    not additive: it is computed over the records of each month and again over the whole period
    (never from monthly medians); its indicator takes the numerator as its value.
    """

    count_if: str | None = None
    sum: str | None = None
    median: str | None = None
    source: str | None = None
    cohort: str | None = None
    where: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return {} if value == "count" else value

    @model_validator(mode="after")
    def _one(self) -> Term:
        if sum(x is not None for x in (self.count_if, self.sum, self.median)) > 1:
            raise ValueError("count_if、sum、median 只能给出其中一个")
        return self

    @property
    def additive(self) -> bool:
        return self.median is None


class Composite(Strict):
    """An indicator whose value is the weighted mean of other indicators' values (e.g. over channels).

    `components` maps a label (a channel) to an indicator id; `weights` names a parameter mapping
    the same labels to weights (equal weights when omitted). A component without data is dropped.
    """

    components: dict[str, str]
    weights: str | None = None


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
    confidence: Confidence | None = None
    objects: list[Literal["agency", "unit"]] = ["agency"]
    unit_key: str | None = None
    method: list[str] = []
    source: str | None = None
    cohort: str | None = None
    where: str = "true"
    numerator: Term | None = None
    denominator: Term | None = None
    value: ValueRule = "ratio"
    composite: Composite | None = None
    structural_zero: Term | None = None
    applicable_if: Term | None = None
    requires: list[str] = []
    min_n: int | None = None
    report_only: bool = False
    parent: str | None = None
    formula_zh: str
    exclusions_zh: str | None = None
    notes: str | None = None
    data_needs: list[str] = []  # table.column it cannot do without: not recorded by any source → no data
    data_needs_any: list[list[str]] = []  # groups of which one recorded in full suffices (read from either source)
    refines: list[str] = []  # table.column that only refines it: not recorded → computed without, and said so

    @model_validator(mode="after")
    def _computable(self) -> Indicator:
        expected = {"expert": {"expert_panel"}, "qualitative": {"level_factor", "rule_points"}}
        if self.scoring not in expected.get(self.kind, {"ratio"}):
            raise ValueError(f"kind 为 {self.kind} 的指标不能使用 scoring '{self.scoring}'")
        if self.kind == "expert":
            if self.source or self.numerator or self.composite:
                raise ValueError("专家评分指标由专家组评分（A.3），不应给出 source、计算公式或 composite")
        elif self.composite is not None:
            if self.source or self.numerator or self.denominator:
                raise ValueError("复合指标的值取自其组成指标，不应给出 source 或计算公式")
        elif self.source is None or self.numerator is None or self.denominator is None:
            raise ValueError("须给出 source、numerator 和 denominator（只有专家评分指标和复合指标可以省略）")
        if "unit" in self.objects and not self.unit_key and not self.composite:
            raise ValueError("按承办单位计算的指标须给出 unit_key")
        if self.report_only != (self.points == 0):
            raise ValueError("仅供报告的配套指标（report_only: true）分值为 0，其他指标分值不能为 0")
        if self.report_only and not self.parent:
            raise ValueError("仅供报告的配套指标须用 parent 指明其主指标")
        for role, term in self.terms.items():
            if not term.additive and (role != "numerator" or self.value != "numerator"):
                raise ValueError("中位数只能用作取值即分子的指标（value: numerator）的分子")
            if term.source and not term.cohort:
                raise ValueError(f"{role} 读取自己的数据源 '{term.source}'，须给出自己的 cohort")
        for key, needs in (
            ("data_needs", self.data_needs),
            ("data_needs_any", self.any_needs),
            ("refines", self.refines),
        ):
            for need in needs:
                if need.count(".") != 1:
                    raise ValueError(f"{key} 中的 '{need}' 不是“表.列”（table.column）的形式")
        if len(self.data_needs_any) == 1:
            raise ValueError("data_needs_any 列出两组以上可互相替代的数据；只有一组时请写入 data_needs")
        return self

    @property
    def any_needs(self) -> list[str]:
        """The table.column entries of the data_needs_any groups, each once."""
        return list(dict.fromkeys(need for group in self.data_needs_any for need in group))

    @property
    def all_needs(self) -> list[str]:
        """Every table.column the indicator may read: data_needs and the alternatives of data_needs_any."""
        return list(dict.fromkeys([*self.data_needs, *self.any_needs]))

    @property
    def computed(self) -> bool:
        """True when the measurement engine computes it (everything but expert-panel indicators)."""
        return self.kind != "expert"

    @property
    def terms(self) -> dict[str, Term]:
        roles = ("numerator", "denominator", "structural_zero", "applicable_if")
        return {role: getattr(self, role) for role in roles if getattr(self, role) is not None}

    def sample_minimum(self, params: Mapping[str, Any]) -> int:
        """Observations needed per object for a sampled or rule-table mean; 0 = none.

        See docs/method/indicators.md#sampled-indicators.
        """
        if self.min_n is not None:
            return self.min_n
        if self.kind == "sampled" or self.scoring == "level_factor":
            return int(params["min_sample"])
        return 0


class Catalogue(Strict):
    parameters: dict[str, Parameter]
    macros: dict[str, Macro] = {}
    dimensions: list[Dimension]
    sources: dict[str, Source]
    indicators: list[Indicator]

    @model_validator(mode="after")
    def _references(self) -> Catalogue:
        dims = {d.id for d in self.dimensions}
        ids = [i.id for i in self.indicators]
        for i, ind in enumerate(self.indicators):
            where = f"indicators.{i} ({ind.id})"
            if ids.count(ind.id) > 1:
                raise ValueError(f"{where}：标识 '{ind.id}' 重复")
            if ind.dimension not in dims:
                raise ValueError(f"{where}：未知的维度 '{ind.dimension}'")
            for name in [ind.source, *(t.source for t in ind.terms.values())]:
                if name and name not in self.sources:
                    raise ValueError(f"{where}：未知的数据源 '{name}'；可用的数据源：{'、'.join(self.sources)}")
            if ind.parent and ind.parent not in ids:
                raise ValueError(f"{where}：未知的主指标 '{ind.parent}'")
            if ind.composite:
                self._check_composite(ind, where)
        return self

    def _check_composite(self, ind: Indicator, where: str) -> None:
        for comp in ind.composite.components.values():
            if comp not in {i.id for i in self.indicators}:
                raise ValueError(f"{where}：未知的组成指标 '{comp}'")
            if self.indicator(comp).composite or not self.indicator(comp).computed:
                raise ValueError(f"{where}：组成指标 '{comp}' 须为计算得出的非复合指标")
        weights = ind.composite.weights
        if weights and weights not in self.parameters:
            raise ValueError(f"{where}：composite 的 weights 引用了未知的参数 '{weights}'")

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def dimension(self, dimension_id: str) -> Dimension:
        return next(d for d in self.dimensions if d.id == dimension_id)

    def defaults(self) -> dict[str, Any]:
        return {name: p.default for name, p in self.parameters.items()}

    def companions(self, indicator_id: str) -> list[Indicator]:
        """Report-only indicators shown beside `indicator_id`."""
        return [i for i in self.indicators if i.parent == indicator_id]


@cache
def load_catalogue(root: Path) -> Catalogue:
    path = root / CATALOGUE_FILE
    return validate(Catalogue, load_yaml(path), path)


class SqlRenderer:
    """Renders catalogue SQL templates with parameters, period bounds and helper functions.

    Helpers available in templates (all return SQL text):
    - ``weight('col')``: the satisfaction weight of a five-level column (parameter satisfaction_weights);
    - ``level_factor('col')``: the A/B/C/D rule-table factor of a column (parameter level_factors);
    - ``lookup('expr', mapping)``: CASE expr WHEN key THEN value … END for a parameter mapping;
    - ``sql_in(values)``: a SQL list ('a', 'b') for ``x IN {{ sql_in(param) }}``;
    - ``quote(text)``: a SQL string literal;
    - ``seconds_of_day('08:30')``: 30600;
    - ``office_day()``: the OfficeDay of parameters office_hours and lunch_break (.open, .close,
      .lunch, .seconds).
    """

    def __init__(self, params: dict[str, Any], start: dt.date, end: dt.date, grace_days: int) -> None:
        cutoff = end + dt.timedelta(days=grace_days)
        self.params = params
        helpers: dict[str, Callable[..., str]] = {
            "weight": lambda column: lookup(column, params.get("satisfaction_weights", {})),
            "level_factor": lambda column: lookup(column, params.get("level_factors", {})),
            "lookup": lookup,
            "sql_in": sql_in,
            "quote": quote,
            "seconds_of_day": seconds_of_day,
            "office_day": lambda: OfficeDay.from_params(params["office_hours"], params.get("lunch_break")),
        }
        self.context = {
            **params,
            "period_start": ts_literal(start),
            "period_end": ts_literal(end + dt.timedelta(days=1)),
            "cutoff": ts_literal(cutoff + dt.timedelta(days=1)),
            **helpers,
        }

    def render(self, template: str, where: str = "") -> str:
        try:
            return _template(template).render(self.context)
        except jinja2.TemplateError as exc:
            raise ConfigError(CATALOGUE_FILE, where or None, f"SQL 模板错误：{exc}") from exc


_JINJA = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)


@cache
def _template(text: str) -> jinja2.Template:
    return _JINJA.from_string(text)


def lookup(expr: str, mapping: Mapping[Any, Any]) -> str:
    """CASE expr WHEN key THEN value … END (NULL for keys not in the mapping)."""
    cases = " ".join(f"WHEN {_literal(k)} THEN {float(v)!r}" for k, v in mapping.items())
    return f"(CASE {expr} {cases} END)" if cases else "NULL"


def sql_in(values: Any) -> str:
    items = [values] if isinstance(values, str | int | float) else list(values)
    return "(" + ", ".join(_literal(v) for v in items) + ")" if items else "(NULL)"


def quote(text: Any) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return quote(value)


def ts_literal(day: dt.date) -> str:
    """A TIMESTAMPTZ literal for 00:00 Beijing time of `day` (period bounds are half-open)."""
    return f"TIMESTAMPTZ '{day.isoformat()} 00:00:00+08:00'"

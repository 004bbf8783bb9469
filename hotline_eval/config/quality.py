"""params/quality.yaml: the checks, their thresholds and severities, and what each check reads."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from hotline_eval.config.evaluation import CheckPolicy
from hotline_eval.config.schema import Schema, load_schema
from hotline_eval.core.errors import ConfigError
from hotline_eval.core.paramfiles import Strict, load_model

Family = Literal["recall", "precision", "consistency", "relevance"]
Severity = Literal["gate", "flag", "info"]
OPTIONAL = "optional"
PATH = Path("params") / "quality.yaml"


class Check(Strict):
    """One kind of check: a gate (failing blocks indicators), a flag (shown) or info (a count)."""

    zh: str
    family: Family
    severity: Severity = "gate"
    min: float | None = None
    max: float | None = None
    unit: Literal["rate", "count", "days", "sigma"] = "rate"
    # records passing ÷ records checked: a month is judged on the upper end of the rate's
    # Wilson interval (see `monthly_evidence`), not on the point value of a handful of records
    proportion: bool = False
    doc: str | None = None

    @model_validator(mode="after")
    def _bound(self) -> Check:
        if self.severity != "info" and (self.min is None) == (self.max is None):
            raise ValueError("门槛检查或提示检查须恰好给出 min 和 max 中的一个")
        return self

    @property
    def threshold(self) -> float | None:
        return self.min if self.min is not None else self.max


class ControlTotal(Strict):
    """A self-reported monthly figure and the records that should add up to it."""

    table: str
    zh: str
    count_if: str = "true"
    month: str | None = None
    recall: bool = False
    scope: str


class ConsistencyRule(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    zh: str
    check: str


class Link(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    zh: str
    table: str
    column: str
    target: str = Field(pattern=r"^[a-z_]+\.[a-z_]+$")
    where: str = "true"
    min: float | None = None
    scope: str | None = None

    @property
    def target_table(self) -> str:
        return self.target.split(".")[0]

    @property
    def target_column(self) -> str:
        return self.target.split(".")[1]

    @property
    def blocks(self) -> str:
        return self.scope or f"{self.table}.{self.column}"


class PeriodJump(Strict):
    tables: list[str]
    trailing_months: int = Field(ge=2)
    min_history: int = Field(ge=2)
    min_sigma_share: float = Field(ge=0)


class Window(Strict):
    after_days: int = Field(ge=0)
    before_days: dict[str, int]


class MonthlyEvidence(Strict):
    """How a month of a proportion check is judged: not on its own below `min_records` records
    checked; otherwise it fails only when the upper end of the Wilson interval of its rate at
    `confidence` is below the threshold. The pooled period is judged on its value."""

    confidence: float = Field(gt=0, lt=1)
    min_records: int = Field(ge=1)


class QualitySpec(Strict):
    checks: dict[str, Check]
    monthly_evidence: MonthlyEvidence | None
    control_totals: dict[str, ControlTotal]
    completeness: dict[str, dict[str, str]]
    duplicates: dict[str, list[str]]
    test_records: dict[str, str]
    collection_window: Window
    rules: dict[str, list[ConsistencyRule]]
    links: list[Link]
    period_jump: PeriodJump
    examples_per_check: int = Field(ge=0)

    def check(self, check_id: str) -> Check:
        return self.checks[check_id]

    def adjusted(self, policy: Mapping[str, CheckPolicy]) -> QualitySpec:
        """The spec with an evaluation's policy applied: a check's threshold or severity changed."""
        if not policy:
            return self
        checks = dict(self.checks)
        for check_id, change in policy.items():
            checks[check_id] = checks[check_id].model_copy(update=change.changes())
        return self.model_copy(update={"checks": checks})

    def before_days(self, table: str) -> int:
        days = self.collection_window.before_days
        return days.get(table, days.get("default", 31))

    def expected_when(self, table: str, column: str) -> str | None:
        """SQL condition under which the column must be filled; None when it is optional."""
        condition = self.completeness.get(table, {}).get(column, "true")
        return None if condition == OPTIONAL else condition


REQUIRED_CHECKS = {
    "record_recall",
    "period_coverage",
    "gap_days",
    "field_completeness",
    "table_completeness",
    "record_precision",
    "duplicates",
    "test_records",
    "out_of_window",
    "rejected",
    "verified_accuracy",
    "verified_accuracy_low",
    "intra_record",
    "rule_violations",
    "cross_source",
    "period_jump",
    "linkage",
    "relevance",
}


@cache
def load_quality_spec(root: Path) -> QualitySpec:
    path = root / PATH
    spec = load_model(QualitySpec, path)
    _check_references(spec, load_schema(root), path)
    return spec


def _check_references(spec: QualitySpec, schema: Schema, path: Path) -> None:
    """Every table and column named in params/quality.yaml exists in params/schema.yaml."""
    missing = REQUIRED_CHECKS - set(spec.checks)
    if missing:
        raise ConfigError(path, "checks", f"缺少以下检查：{'、'.join(sorted(missing))}")
    named: list[tuple[str, str, str | None]] = []  # (key, table, column)
    for fid, fig in spec.control_totals.items():
        named += [(f"control_totals.{fid}", fig.table, fig.month), _scope_ref(f"control_totals.{fid}", fig.scope)]
    for table, columns in spec.completeness.items():
        named += [(f"completeness.{table}", table, c) for c in columns]
    named += [(f"duplicates.{table}", table, None) for table in spec.duplicates]
    named += [("period_jump.tables", t, None) for t in spec.period_jump.tables]
    for key in ("test_records", "rules"):
        named += [(f"{key}.{t}", t, None) for t in getattr(spec, key)]
    for i, link in enumerate(spec.links):
        named += [(f"links.{i}", link.table, link.column), (f"links.{i}", link.target_table, link.target_column)]
        named.append(_scope_ref(f"links.{i}", link.blocks))
    for key, table, column in named:
        if table not in schema.tables:
            raise ConfigError(path, key, f"未知的表 '{table}'（见 params/schema.yaml）")
        if column is not None and column not in schema.tables[table].columns:
            raise ConfigError(path, key, f"未知的列 '{table}.{column}'（见 params/schema.yaml）")


def _scope_ref(key: str, scope: str) -> tuple[str, str, str | None]:
    table, _, column = scope.partition(".")
    return key, table, column or None

"""Load-time checks of an evaluation definition: every name exists and the definition fits its type.

Each check is a small function raising ConfigError with the file and the key to fix; CHECKS lists
them in the order they run. They complement the field checks of the pydantic models.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from hotline_eval.config.catalogue import Catalogue, load_catalogue
from hotline_eval.config.evaluation import ITEM_KINDS, MIN_MONTHS, PERIOD_CLAUSE, TYPE_ZH, Evaluation, Items
from hotline_eval.config.schema import Schema, load_schema
from hotline_eval.core.errors import ConfigError, PeriodError
from hotline_eval.core.paramfiles import validate

Check = Callable[[Evaluation, Catalogue, Schema, Path], None]


def _valid(names) -> str:
    return ", ".join(sorted(names)) or "(none)"


def known_indicators(ev: Evaluation, catalogue: Catalogue, schema: Schema, path: Path) -> None:
    known = {i.id for i in catalogue.indicators}
    chosen = [] if ev.indicators == "all" else list(ev.indicators)
    for ind in chosen:
        if ind not in known:
            raise ConfigError(path, f"indicators.{ind}", f"unknown indicator; valid ids: {_valid(known)}")
    for section, names in (("reference.benchmarks", ev.reference.benchmarks), ("thresholds", ev.thresholds)):
        for ind in names:
            if ind not in known:
                raise ConfigError(path, f"{section}.{ind}", f"unknown indicator; valid ids: {_valid(known)}")


def known_parameters(ev: Evaluation, catalogue: Catalogue, schema: Schema, path: Path) -> None:
    for name in ev.parameters:
        if name not in catalogue.parameters:
            raise ConfigError(path, f"parameters.{name}", f"unknown parameter; valid: {_valid(catalogue.parameters)}")


def type_rules(ev: Evaluation, catalogue: Catalogue, schema: Schema, path: Path) -> None:
    """§5.1.1.2: a comprehensive evaluation scores indicators as a whole; §5.1.2.2/§5.1.2.4: a special
    evaluation picks indicators, refines them into sub-items and assesses each one's monthly change."""
    if ev.type == "comprehensive":
        for ind, sub in ev.chosen(catalogue).items():
            if sub.change or sub.activity or sub.segments:
                raise ConfigError(
                    path,
                    f"indicators.{ind}",
                    "change, activity and segment sub-items belong to special evaluations (§5.1.2.2)",
                    fix="give the indicator's points as a number, or set type: special",
                )
        return
    if ev.indicators == "all" or isinstance(ev.indicators, list):
        raise ConfigError(
            path,
            "indicators",
            "a special evaluation picks its indicators and gives each sub-item its points (§5.1.2.2)",
            fix="write indicators: {<id>: {level: <points>, change: <points>}, ...}",
        )
    for ind, sub in ev.chosen(catalogue).items():
        if catalogue.indicator(ind).report_only:
            continue
        if catalogue.indicator(ind).kind == "expert":
            if sub.change or sub.activity or sub.segments:
                raise ConfigError(path, f"indicators.{ind}", "an expert-scored indicator has no monthly values")
            continue
        if sub.change <= 0:
            raise ConfigError(
                path,
                f"indicators.{ind}.change",
                "a special evaluation assesses the month-by-month change of each indicator (§5.1.2.4)",
                fix="give the change sub-item its points, e.g. change: 5",
            )


def sub_items(ev: Evaluation, catalogue: Catalogue, schema: Schema, path: Path) -> None:
    """Segments and activity sub-items refer to definitions that exist."""
    for name in ev.segments:
        if name in ITEM_KINDS:
            raise ConfigError(path, f"segments.{name}", f"'{name}' is a sub-item kind; choose another segment name")
    uses_activity = False
    for ind, sub in ev.chosen(catalogue).items():
        for name in sub.segments:
            if name not in ev.segments:
                raise ConfigError(
                    path, f"indicators.{ind}.segments.{name}", f"unknown segment; defined: {_valid(ev.segments)}"
                )
        uses_activity |= sub.activity > 0
    if uses_activity and ev.activity is None:
        raise ConfigError(path, "activity", "activity sub-items need an activity block (§5.1.2.1)")
    if ev.activity is not None and not uses_activity:
        raise ConfigError(path, "activity", "no indicator has an activity sub-item; give one its points")
    if ev.activity is not None:
        for i, window in enumerate(ev.activity.windows):
            if not ev.period.start <= window.date <= ev.period.end:
                raise ConfigError(path, f"activity.windows.{i}.date", "the activity date is outside the period")


def references(ev: Evaluation, catalogue: Catalogue, schema: Schema, path: Path) -> None:
    """A.1: a benchmark strategy needs every ratio-scored indicator pinned; one object needs benchmarks."""
    ratio = [
        i.indicator.id for i in ev.items(catalogue) if i.indicator.scoring == "ratio" and i.kind in ("level", "segment")
    ]
    pinned = set(ev.reference.benchmarks)
    lacking = sorted(set(ratio) - pinned)
    if ev.reference.strategy == "benchmark" and lacking:
        raise ConfigError(
            path,
            "reference.benchmarks",
            f"strategy 'benchmark' needs a benchmark for every quantitative indicator; missing: {', '.join(lacking)}",
        )
    if len(ev.cities) == 1 and ev.reference.strategy == "province_best":
        raise ConfigError(
            path,
            "reference.strategy",
            "a single evaluated object needs benchmark reference values (docs/method/scoring.md#reference-values)",
            fix="use strategy: benchmark or mixed, with benchmarks and their sources",
        )
    if len(ev.cities) == 1 and lacking:
        raise ConfigError(
            path,
            "reference.benchmarks",
            f"a single evaluated object would hold its own reference (full marks); pin: {', '.join(lacking)}",
        )


def thresholds(ev: Evaluation, catalogue: Catalogue, schema: Schema, path: Path) -> None:
    for ind, rule in ev.thresholds.items():
        if catalogue.indicator(ind).scoring != "ratio":
            raise ConfigError(path, f"thresholds.{ind}", "thresholds apply to indicators scored against a reference")
        if rule.zero_below is None and rule.zero_above is None:
            raise ConfigError(path, f"thresholds.{ind}", "give zero_below or zero_above")


def vetoes(ev: Evaluation, catalogue: Catalogue, schema: Schema, path: Path) -> None:
    for i, veto in enumerate(ev.vetoes):
        if veto.city not in ev.city_ids():
            raise ConfigError(path, f"vetoes.{i}.city", f"unknown city '{veto.city}'; valid: {_valid(ev.city_ids())}")
    if ev.veto_grade not in {g.grade for g in ev.grades}:
        raise ConfigError(path, "veto_grade", f"not one of the grades: {_valid(g.grade for g in ev.grades)}")


def data_rules(ev: Evaluation, catalogue: Catalogue, schema: Schema, path: Path) -> None:
    classes = schema.codes["unit_class"].values
    for i, cls in enumerate(ev.units.classes):
        if cls not in classes:
            raise ConfigError(path, f"units.classes.{i}", f"unknown unit class '{cls}'; valid: {_valid(classes)}")
    for i, table in enumerate(ev.period_rule.tables):
        if table not in schema.tables or not schema.tables[table].month_column:
            dated = [n for n, t in schema.tables.items() if t.month_column]
            raise ConfigError(path, f"period_rule.tables.{i}", f"unknown or undated table; valid: {_valid(dated)}")


def windowable(ev: Evaluation, catalogue: Catalogue, schema: Schema, path: Path) -> None:
    """Sub-items measured in time windows (short periods, segments, activity) need records that can be
    selected by their cohort time: a cohort column of the source table, or a table with a key."""
    short = len(ev.period.months) < ev.trend.monthly_min_points
    for item in ev.items(catalogue):
        windowed = item.kind in ("segment", "activity") or (item.kind == "change" and short)
        ind = item.indicator
        if not windowed or ind.kind == "expert":
            continue
        table = schema.tables[catalogue.sources[ind.source].table]
        if (ind.cohort or "").strip() in table.columns or table.key:
            continue
        raise ConfigError(
            path,
            f"indicators.{ind.id}",
            f"its records cannot be selected by time (cohort '{ind.cohort}' is derived and table has no key), "
            "so it cannot have segment, activity or short-period change sub-items",
        )


CHECKS: list[Check] = [
    known_indicators,
    known_parameters,
    type_rules,
    sub_items,
    references,
    thresholds,
    vetoes,
    data_rules,
    windowable,
]


def check_indicator_spec(spec: Any, path: Path) -> None:
    """`indicators`: all, a list of ids, or id → points (a number, or sub-items with their points)."""
    if spec == "all" or (isinstance(spec, list) and all(isinstance(i, str) for i in spec)):
        return
    if not isinstance(spec, dict):
        raise ConfigError(path, "indicators", "give 'all', a list of indicator ids, or a mapping id → points")
    for ind, value in spec.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            if value < 0:
                raise ConfigError(path, f"indicators.{ind}", "points cannot be negative")
            continue
        validate(Items, value, path, prefix=f"indicators.{ind}")


def check_definition(root: Path, ev: Evaluation, path: Path) -> None:
    """Every name in the definition exists, and the definition is complete for its type."""
    catalogue = load_catalogue(root)
    schema = load_schema(root)
    for check in CHECKS:
        check(ev, catalogue, schema, path)


def check_period(ev: Evaluation) -> None:
    """§5.1.1.3 / §5.1.2.3: at least one (comprehensive) or three (special) continuous whole months."""
    need = MIN_MONTHS[ev.type]
    have = ev.period.full_months()
    if have < need and not ev.period_rule.waived:
        raise PeriodError(
            f"evaluation '{ev.id}': a {ev.type} evaluation ({TYPE_ZH[ev.type]}) needs at least {need} continuous "
            f"whole month(s) of data ({PERIOD_CLAUSE[ev.type]}); the period {ev.period.start}..{ev.period.end} "
            f"holds {have}",
            fix="extend the period in the evaluation definition",
        )

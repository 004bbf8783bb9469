"""The measurement engine: every catalogue indicator per city × month (× handling unit).

Each indicator is a set of additive *terms* (counts and sums): numerator, denominator, n (the
observations behind the value), and optionally a structural-zero test and an applicability test.
All terms reading the same source are computed in ONE grouped pass over it: the pass groups by
city, the unit columns and the month of every cohort timestamp in use, and sums every term
(identical aggregates are computed once). The small partial table is then rolled up per term by
its own cohort month, and pooled over the period by summing numerators and denominators
(monthly rates are never averaged). Composite indicators are weighted means of computed
indicators (e.g. bot latency over channels).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from hotline_eval.config.catalogue import (
    CATALOGUE_FILE,
    Catalogue,
    Indicator,
    SqlRenderer,
    Term,
    load_catalogue,
    ts_literal,
)
from hotline_eval.config.evaluation import Evaluation, Period
from hotline_eval.config.sql import month_spans, prepare_connection
from hotline_eval.core.errors import ConfigError
from hotline_eval.core.stats import wilson

POOLED = "all"
AGENCY = ""
KEYS = ["city", "unit", "month"]
COLUMNS = [*KEYS, "indicator", "numerator", "denominator", "n", "value", "status", "flag", "ci_low", "ci_high"]
ROLES = ["numerator", "denominator", "n", "structural_zero", "applicable_if"]
INTERVAL_UNITS = {"percent", "factor"}  # values in [0, 1] get a Wilson interval


@dataclass(frozen=True)
class TermSpec:
    """One additive aggregate of one indicator, ready for its source's pass."""

    indicator: str
    role: str  # numerator | denominator | n | structural_zero | applicable_if
    source: str
    cohort: str  # SQL timestamp expression placing a record in a month
    unit: str | None  # SQL expression of the handling unit, None when agency-level only
    aggregate: str  # SQL aggregate with its FILTER
    additive: bool = True  # sums of partials pool to months and the period; a median does not


def measure(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    evaluation: Evaluation,
    provided: dict[str, list[str]] | None = None,
    exposure: Period | None = None,
) -> pd.DataFrame:
    """indicators.csv: one row per city × unit × month (and pooled) × computed indicator.

    `provided` (ingest.json): per table, the columns the sources record. An indicator needing a
    column no source records is no data (flag not_provided), whatever an empty column would give.
    `exposure`: the days whose person-months per-capita denominators count (default: the period), for
    a measurement restricted to some consecutive days of the period (a short period of the trend test).
    """
    return measure_all(con, root, evaluation, provided, exposure).indicators


# Terms computed in the same passes as the indicators' own, for other uses (compare/extra_terms.py: Σx² and
# per-channel sums); given the indicators measured and the renderer, their TermSpecs, whose roles
# are not among ROLES.
ExtraTerms = Callable[[list[Indicator], SqlRenderer], list[TermSpec]]


@dataclass(frozen=True)
class Measurement:
    indicators: pd.DataFrame  # indicators.csv
    extra: pd.DataFrame  # long rows (indicator, role, city, unit, month, value) of the extra terms


def measure_all(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    evaluation: Evaluation,
    provided: dict[str, list[str]] | None = None,
    exposure: Period | None = None,
    extra: ExtraTerms | None = None,
) -> Measurement:
    """The indicators (as `measure`) and the sums of `extra` terms, from the same grouped passes."""
    catalogue = load_catalogue(root)
    params = evaluation.parameter_values(catalogue)
    renderer = SqlRenderer(params, evaluation.period.start, evaluation.period.end, int(params["outcome_grace_days"]))
    prepare_connection(con, root, catalogue, renderer, exposure or evaluation.period)
    wanted = computed_indicators(catalogue, evaluation)
    base = [i for i in wanted if i.composite is None]
    terms = [t for ind in base for t in term_specs(ind, renderer)]
    more = extra(wanted, renderer) if extra else []
    if any(t.role in ROLES for t in more):
        raise ValueError(f"附加计算项不能使用以下角色：{'、'.join(ROLES)}")
    sums = [
        source_pass(con, catalogue, source, [t for t in [*terms, *more] if t.source == source], renderer, evaluation)
        for source in sorted({t.source for t in [*terms, *more]})
    ]
    long = pd.concat(sums, ignore_index=True) if sums else pd.DataFrame(columns=[*KEYS, "value", "indicator", "role"])
    long = long[long["city"].isin(evaluation.city_ids())]
    own = long["role"].isin(ROLES)
    capabilities = _capabilities(con)
    table = _statuses(_term_table(long[own], base, evaluation), base, capabilities, params)
    table = _not_provided(table, base, provided)
    composites = [_composite(i, table, capabilities, params) for i in wanted if i.composite is not None]
    out = pd.concat([table, *composites], ignore_index=True)
    order = {ind.id: k for k, ind in enumerate(wanted)}
    out = out.sort_values("indicator", key=lambda s: s.map(order), kind="stable", ignore_index=True)
    return Measurement(out[COLUMNS], long[~own].reset_index(drop=True))


def computed_indicators(catalogue: Catalogue, evaluation: Evaluation) -> list[Indicator]:
    """The evaluation's indicators the engine computes (not expert-scored), plus composites' components."""
    active = [i for i in evaluation.active_indicators(catalogue) if i.computed]
    ids = {i.id for i in active}
    extra = [
        catalogue.indicator(c)
        for ind in active
        if ind.composite
        for c in ind.composite.components.values()
        if c not in ids
    ]
    return [*extra, *active]


def term_specs(ind: Indicator, renderer: SqlRenderer) -> list[TermSpec]:
    """The terms of one indicator; n counts the records of the cohort (what the value rests on)."""
    terms: dict[str, Term] = {**ind.terms, "n": Term()}
    out = []
    for role, term in terms.items():
        scoped = role in ("numerator", "denominator", "n")
        where = term.where if term.where is not None else (ind.where if scoped else "true")
        source = term.source or ind.source
        own_unit = "unit" in ind.objects and role != "applicable_if"
        out.append(
            TermSpec(
                indicator=ind.id,
                role=role,
                source=source,
                cohort=renderer.render(term.cohort or ind.cohort or "NULL", f"{ind.id}.{role}.cohort"),
                unit=renderer.render(ind.unit_key, ind.id) if own_unit and ind.unit_key else None,
                aggregate=_aggregate(term, renderer.render(where, f"{ind.id}.where"), renderer, ind.id),
                additive=term.additive,
            )
        )
    return out


# Sums are taken in fixed point (1e-9 of the unit): DuckDB adds doubles in a different order on every
# parallel run, and the last bits would differ; decimal sums are exact, so every run gives the same numbers.
EXACT = "DECIMAL(38, 9)"


def _aggregate(term: Term, where: str, renderer: SqlRenderer, ind_id: str) -> str:
    """The term as a plain aggregate (count_if / sum of CASE: much faster in DuckDB than FILTER clauses)."""
    if term.sum is not None:
        return f"sum(CASE WHEN {where} THEN ({renderer.render(term.sum, ind_id)})::{EXACT} END)"
    if term.median is not None:
        return f"median(CASE WHEN {where} THEN ({renderer.render(term.median, ind_id)})::DOUBLE END)"
    if term.count_if is not None:
        return f"count_if(({where}) AND ({renderer.render(term.count_if, ind_id)}))"
    return f"count_if({where})"


def source_pass(
    con: duckdb.DuckDBPyConnection,
    catalogue: Catalogue,
    source: str,
    terms: list[TermSpec],
    renderer: SqlRenderer,
    evaluation: Evaluation,
) -> pd.DataFrame:
    """ONE grouped pass over a source; long rows (indicator, role, city, unit, month, value) of every
    term's sums per month and pooled, for the agency and per handling unit."""
    months: dict[str, str] = {}
    units: dict[str, str] = {}
    aggs: dict[str, str] = {}
    bounds = _month_bounds(evaluation.period)
    for t in terms:
        months.setdefault(t.cohort, f"m{len(months)}")
        if t.unit:
            units.setdefault(t.unit, f"u{len(units)}")
        aggs.setdefault(t.aggregate, f"a{len(aggs)}")
    additive = {a: c for a, c in aggs.items() if any(t.additive for t in terms if t.aggregate == a)}
    slots = [f"{_month_index(expr, bounds)} AS {col}" for expr, col in months.items()]
    slots += [f"({expr})::VARCHAR AS {col}" for expr, col in units.items()]
    in_period = " OR ".join(f"{col} IS NOT NULL" for col in months.values())
    group = ", ".join(["city", *units.values(), *months.values()])
    body = renderer.render(catalogue.sources[source].sql, f"sources.{source}")
    pass_sql = (
        f"WITH src AS ({body}), slotted AS (SELECT *, {', '.join(slots)} FROM src) "
        f"SELECT {group}, {', '.join([f'coalesce({a}, 0) AS {c}' for a, c in additive.items()] or ['0 AS _none'])} "
        f"FROM slotted WHERE {in_period} GROUP BY {group}"
    )
    pairs = _by_slots(terms, months, units)
    rollup = " UNION ALL ".join(
        _rollup_sql(month, unit, cols, evaluation.period.months)
        for (month, unit), group in pairs.items()
        if (cols := sorted({aggs[t.aggregate] for t in group if t.additive}))
    )
    medians = [
        _median_sql(body, slots, month, unit, medians, evaluation)
        for (month, unit), group in pairs.items()
        if (medians := {aggs[t.aggregate]: t.aggregate for t in group if not t.additive})
    ]
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE partial_pass AS {pass_sql}")
        parts = [con.execute(sql).df() for sql in ([rollup] if rollup else []) + medians]
        long = pd.concat(parts, ignore_index=True)
    except duckdb.Error as exc:
        ids = "、".join(sorted({t.indicator for t in terms}))
        raise ConfigError(
            CATALOGUE_FILE,
            f"sources.{source}",
            f"数据源 '{source}' 或读取它的指标（{ids}）的 SQL 执行失败：{exc}",
        ) from exc
    finally:
        con.execute("DROP TABLE IF EXISTS partial_pass")
    which = pd.DataFrame(
        [(month, unit or "", aggs[t.aggregate], t.indicator, t.role) for (month, unit), g in pairs.items() for t in g],
        columns=["m", "u", "agg", "indicator", "role"],
    )
    return long.merge(which, on=["m", "u", "agg"]).drop(columns=["m", "u", "agg"])


def _median_sql(
    body: str, slots: list[str], month: str, unit: str | None, aggs: dict[str, str], evaluation: Evaluation
) -> str:
    """Long rows of non-additive terms (medians), computed over the records of each month and of
    the whole period (and per handling unit), never from partial results."""
    sets = ["(city, {m})", "(city)"] + (["(city, {u}, {m})", "(city, {u})"] if unit else [])
    sets_sql = ", ".join(x.format(m=month, u=unit) for x in sets)
    label = f"CASE WHEN grouping({month}) = 1 THEN '{POOLED}' ELSE {evaluation.period.months}[{month} + 1] END"
    unit_sql = f"CASE WHEN grouping({unit}) = 1 THEN '' ELSE {unit} END" if unit else "''"
    keep = f"HAVING grouping({unit}) = 1 OR {unit} IS NOT NULL" if unit else ""
    values = ", ".join(f"({agg})::DOUBLE AS {col}" for col, agg in aggs.items())
    grouped = (
        f"WITH src AS ({body}), slotted AS (SELECT *, {', '.join(slots)} FROM src) "
        f"SELECT city, {unit_sql} AS unit, {label} AS month, {values} FROM slotted "
        f"WHERE {month} IS NOT NULL GROUP BY GROUPING SETS ({sets_sql}) {keep}"
    )
    return (
        f"SELECT '{month}' AS m, '{unit or ''}' AS u, agg, city, unit, month, value "
        f"FROM (UNPIVOT ({grouped}) ON {', '.join(aggs)} INTO NAME agg VALUE value)"
    )


def _by_slots(
    terms: list[TermSpec], months: dict[str, str], units: dict[str, str]
) -> dict[tuple[str, str | None], list[TermSpec]]:
    groups: dict[tuple[str, str | None], list[TermSpec]] = {}
    for t in terms:
        groups.setdefault((months[t.cohort], units.get(t.unit or "")), []).append(t)
    return groups


def _rollup_sql(month: str, unit: str | None, cols: list[str], labels: list[str]) -> str:
    """Long rows (m, u, agg, city, unit, month, value) of one month slot × unit slot of the partial:
    per month and pooled ('all'), for the agency ('') and, when there is a unit slot, per unit."""
    sets = ["(city, {m})", "(city)"] + (["(city, {u}, {m})", "(city, {u})"] if unit else [])
    sets_sql = ", ".join(s.format(m=month, u=unit) for s in sets)
    label = f"CASE WHEN grouping({month}) = 1 THEN '{POOLED}' ELSE {labels}[{month} + 1] END"
    unit_sql = f"CASE WHEN grouping({unit}) = 1 THEN '' ELSE {unit} END" if unit else "''"
    keep = f"HAVING grouping({unit}) = 1 OR {unit} IS NOT NULL" if unit else ""
    sums = ", ".join(f"sum({c})::DOUBLE AS {c}" for c in cols)
    grouped = (
        f"SELECT city, {unit_sql} AS unit, {label} AS month, {sums} FROM partial_pass "
        f"WHERE {month} IS NOT NULL GROUP BY GROUPING SETS ({sets_sql}) {keep}"
    )
    return (
        f"SELECT '{month}' AS m, '{unit or ''}' AS u, agg, city, unit, month, value "
        f"FROM (UNPIVOT ({grouped}) ON {', '.join(cols)} INTO NAME agg VALUE value)"
    )


def _month_bounds(period: Period) -> list[str]:
    """TIMESTAMPTZ literals: period start, each later month's first day, period end (exclusive)."""
    firsts = [start for start, _, _ in month_spans(period)]
    return [ts_literal(d) for d in firsts] + [ts_literal(period.end + dt.timedelta(days=1))]


def _month_index(expr: str, bounds: list[str]) -> str:
    """Index of the period month holding the timestamp, NULL outside the period (comparisons only,
    no per-row time-zone conversion)."""
    c = f"({expr})"
    cases = " ".join(f"WHEN {c} < {b} THEN {i - 1}" for i, b in enumerate(bounds) if i > 0)
    return f"(CASE WHEN {c} < {bounds[0]} THEN NULL {cases} END)"


def _term_table(long: pd.DataFrame, base: list[Indicator], ev: Evaluation) -> pd.DataFrame:
    """One row per indicator × city × unit × month, one column per term role (0 where nothing was counted).

    Every evaluated city gets agency rows for every month and the pooled period, data or not;
    handling units get rows where they appear.
    """
    table = long.pivot_table(index=["indicator", *KEYS], columns="role", values="value", aggfunc="sum")
    table = table.reindex(columns=ROLES)
    months = [*ev.period.months, POOLED]
    ids = [i.id for i in base]
    agency = pd.MultiIndex.from_product([ids, ev.city_ids(), [AGENCY], months], names=table.index.names)
    units = table.index[table.index.get_level_values("unit") != AGENCY].droplevel("month").unique()
    unit_rows = pd.MultiIndex.from_tuples([(i, c, u, m) for i, c, u in units for m in months], names=table.index.names)
    full = agency.append(unit_rows) if len(unit_rows) else agency
    return table.reindex(full).reset_index()


def _statuses(
    table: pd.DataFrame, base: list[Indicator], capabilities: dict[tuple[str, str], float], params: dict[str, Any]
) -> pd.DataFrame:
    """Value, status, flag and interval of every row (vectorised over all indicators)."""
    by_id = {i.id: i for i in base}
    ind = table["indicator"]
    for role in ROLES:
        table[role] = table[role].fillna(0.0)
    num, den, n = (table[c].to_numpy(float) for c in ("numerator", "denominator", "n"))
    ratio = ind.map({k: i.value == "ratio" for k, i in by_id.items()}).to_numpy(bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(den > 0, np.where(ratio, num / den, num), np.nan)
    status = np.where(den > 0, "ok", "no_data").astype(object)
    has_zero = ind.map({k: i.structural_zero is not None for k, i in by_id.items()}).to_numpy(bool)
    structural = has_zero & (den == 0) & (table["structural_zero"].to_numpy(float) > 0)
    value, status = np.where(structural, 0.0, value), np.where(structural, "ok", status)
    flag = np.where(structural, "structural_zero", "").astype(object)
    minimum = ind.map({k: i.sample_minimum(params) for k, i in by_id.items()}).to_numpy(float)
    status = np.where((status == "ok") & ~structural & (n < minimum), "insufficient_sample", status)
    table = table.assign(value=value, status=status, flag=flag)
    table = _applicability(table, by_id, capabilities)
    return _interval(table, by_id)


NOT_PROVIDED = "not_provided"


def missing_fields(ind: Indicator, provided: dict[str, list[str]] | None, key: str = "data_needs") -> list[str]:
    """The table.column entries of an indicator's data_needs (or `refines`) that no source records;
    for data_needs, also every unrecorded entry of its data_needs_any groups when none is recorded in full."""
    if provided is None:
        return []

    def absent(needs: list[str]) -> list[str]:
        return [need for need in needs if need.split(".")[1] not in provided.get(need.split(".")[0], [])]

    missing = absent(getattr(ind, key))
    if key == "data_needs" and ind.data_needs_any and all(absent(group) for group in ind.data_needs_any):
        missing += [need for need in absent(ind.any_needs) if need not in missing]
    return missing


def _not_provided(table: pd.DataFrame, base: list[Indicator], provided: dict[str, list[str]] | None) -> pd.DataFrame:
    """no_data, flagged not_provided, for indicators whose data the sources do not record at all
    (an empty column would otherwise read as an event: no first contact, no rating, …)."""
    lacking = {i.id for i in base if missing_fields(i, provided)}
    if not lacking:
        return table
    mask = table["indicator"].isin(lacking).to_numpy()
    table["status"] = np.where(mask, "no_data", table["status"])
    table["value"] = np.where(mask, np.nan, table["value"])
    table["flag"] = np.where(mask, NOT_PROVIDED, table["flag"])
    for column in ("numerator", "denominator", "n"):
        table[column] = np.where(mask, 0.0, table[column])
    for column in ("ci_low", "ci_high"):
        table[column] = np.where(mask, np.nan, table[column])
    return table


def _applicability(
    out: pd.DataFrame, by_id: dict[str, Indicator], capabilities: dict[tuple[str, str], float]
) -> pd.DataFrame:
    """not_applicable: a declared missing capability (`requires`), or no qualifying event (`applicable_if`)."""
    pooled = out[(out["unit"] == AGENCY) & (out["month"] == POOLED)]
    absent: set[tuple[str, str]] = set()
    for ind_id, city, events in pooled[["indicator", "city", "applicable_if"]].itertuples(index=False):
        ind = by_id[ind_id]
        lacking = any(capabilities.get((city, need), 1) == 0 for need in ind.requires)
        if lacking or (ind.applicable_if is not None and events == 0):
            absent.add((ind_id, city))
    mask = np.array([(i, c) in absent for i, c in zip(out["indicator"], out["city"], strict=True)], dtype=bool)
    out["status"] = np.where(mask, "not_applicable", out["status"])
    out["value"] = np.where(mask, np.nan, out["value"])
    out["flag"] = np.where(mask, "", out["flag"])
    return out


def _interval(out: pd.DataFrame, by_id: dict[str, Indicator]) -> pd.DataFrame:
    """Wilson 95 % interval for values in [0, 1] (rates, and rule-table factor means: a [0, 1] variable's
    variance is at most p(1 − p), so the interval is conservative for them)."""
    bounded = out["indicator"].map({k: i.unit in INTERVAL_UNITS and i.value == "ratio" for k, i in by_id.items()})
    scored = out["status"].isin(["ok", "insufficient_sample"]) & out["value"].notna() & bounded.to_numpy(bool)
    n = np.where(scored, out["n"], 0.0)
    out["ci_low"], out["ci_high"] = wilson(np.nan_to_num(out["value"].to_numpy(float)) * n, n)
    return out


def _composite(
    ind: Indicator, table: pd.DataFrame, capabilities: dict[tuple[str, str], float], params: dict[str, Any]
) -> pd.DataFrame:
    """Weighted mean of the components with data: a channel without data is dropped.

    See docs/method/indicators.md#composite-indicators.
    """
    weights = params[ind.composite.weights] if ind.composite.weights else {}
    parts = []
    for label, comp in ind.composite.components.items():
        f = table[table["indicator"] == comp].set_index(KEYS)
        w = float(weights.get(label, 1.0)) if weights else 1.0
        ok = (f["status"] == "ok") & f["value"].notna()
        parts.append(
            pd.DataFrame(
                {
                    "numerator": np.where(ok, f["value"] * w, 0.0),
                    "denominator": np.where(ok, w, 0.0),
                    "n": np.where(ok, f["n"], 0.0),
                    "short": (f["status"] == "insufficient_sample").to_numpy(int),
                },
                index=f.index,
            )
        )
    out = pd.concat(parts).groupby(level=KEYS, sort=False).sum().reset_index()
    den = out["denominator"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["value"] = np.where(den > 0, out["numerator"] / den, np.nan)
    out["status"] = np.where(den > 0, "ok", np.where(out["short"] > 0, "insufficient_sample", "no_data"))
    out = out.assign(indicator=ind.id, flag="", applicable_if=1.0)
    by_id = {ind.id: ind}
    return _interval(_applicability(out, by_id, capabilities), by_id)


def _capabilities(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], float]:
    """Capability declarations (self_reports, period 'all'), e.g. (city, 'has_bot') → 0."""
    rows = con.execute("SELECT city, figure, value FROM self_reports WHERE period = 'all'").fetchall()
    return {(city, figure): value for city, figure, value in rows}

"""The measurement engine: every catalogue indicator per city × month (× handling unit).

All indicators reading the same source are computed in ONE pass over it: the pass groups by
city, the unit columns and the month of every cohort timestamp in use, and sums each
indicator's numerator and denominator terms (counts and sums, which are additive). The small
partial table is then rolled up per indicator by its own cohort month, and pooled over the
period's months by summing numerators and denominators (monthly rates are never averaged).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from hotline_eval.catalogue import Catalogue, Indicator, SqlRenderer, Term, load_catalogue
from hotline_eval.errors import ConfigError
from hotline_eval.evaluation import Evaluation
from hotline_eval.schema import load_schema
from hotline_eval.stats import wilson

POOLED = "all"
AGENCY = ""
COLUMNS = [
    "city",
    "unit",
    "month",
    "indicator",
    "numerator",
    "denominator",
    "value",
    "status",
    "flag",
    "ci_low",
    "ci_high",
]


@dataclass(frozen=True)
class TermRef:
    """One aggregate column of a source's partial table."""

    column: str
    cohort: str  # partial-table month column
    unit: str | None  # partial-table unit column


def register_tables(con: duckdb.DuckDBPyConnection, root: Path, data_dir: Path) -> None:
    """One view per canonical table over its Parquet file (empty views for missing files)."""
    schema = load_schema(root)
    for name, table in schema.tables.items():
        path = data_dir / f"{name}.parquet"
        if path.exists():
            con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_parquet('{path}')")
        else:
            cols = ", ".join(f'NULL::{c.sql_type} AS "{n}"' for n, c in table.columns.items())
            con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT {cols} WHERE false")


def measure(con: duckdb.DuckDBPyConnection, root: Path, evaluation: Evaluation) -> pd.DataFrame:
    """indicators.csv: one row per city × unit × month (and pooled) × computable indicator."""
    catalogue = load_catalogue(root)
    params = evaluation.parameter_values(catalogue)
    renderer = SqlRenderer(params, evaluation.period.start, evaluation.period.end, int(params["outcome_grace_days"]))
    active = [i for i in evaluation.active_indicators(catalogue) if i.kind != "expert"]
    capabilities = _capabilities(con)
    frames = []
    for source in sorted({i.source for i in active}):
        members = [i for i in active if i.source == source]
        partial, refs = _partial(con, catalogue, source, members, renderer)
        for ind in members:
            frames.append(_rollup(ind, partial, refs[ind.id], evaluation, capabilities, params))
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(frames, ignore_index=True)[COLUMNS]


def _partial(
    con, catalogue: Catalogue, source: str, members: list[Indicator], renderer: SqlRenderer
) -> tuple[pd.DataFrame, dict[str, dict[str, TermRef]]]:
    """One grouped pass over a source: partial sums of every term of every member indicator."""
    cohorts: dict[str, str] = {}
    units: dict[str, str] = {}
    aggs: list[str] = []
    refs: dict[str, dict[str, TermRef]] = {}
    for ind in members:
        where = f"({renderer.render(ind.where, ind.id)})"
        cohort = _slot(cohorts, renderer.render(ind.cohort or "NULL", ind.id), "m")
        unit = _slot(units, ind.unit_key, "u") if "unit" in ind.objects else None
        refs[ind.id] = {}
        for role in ("numerator", "denominator", "structural_zero"):
            term: Term | None = getattr(ind, role)
            if term is None:
                continue
            column = f"t{len(aggs)}"
            # the structural-zero term asks whether any traffic existed: not restricted by `where`
            scope = "(true)" if role == "structural_zero" else where
            aggs.append(f"{_aggregate(term, scope, renderer, ind.id)} AS {column}")
            refs[ind.id][role] = TermRef(column, cohort, unit)
    month_cols = [f"strftime({expr}, '%Y-%m') AS {col}" for expr, col in cohorts.items()]
    unit_cols = [f"{expr} AS {col}" for expr, col in units.items()]
    body = renderer.render(catalogue.sources[source].sql, f"sources.{source}")
    sql = f"WITH src AS ({body}) SELECT city, {', '.join(unit_cols + month_cols + aggs)} FROM src GROUP BY ALL"
    try:
        partial = con.execute(sql).df()
    except duckdb.Error as exc:
        ids = ", ".join(i.id for i in members)
        raise ConfigError(
            "params/indicators.yaml",
            f"sources.{source}",
            f"the SQL of source '{source}' or of its indicators ({ids}) failed: {exc}",
        ) from exc
    return partial, refs


def _slot(slots: dict[str, str], expr: str, prefix: str) -> str:
    if expr not in slots:
        slots[expr] = f"{prefix}{len(slots)}"
    return slots[expr]


def _aggregate(term: Term, where: str, renderer: SqlRenderer, ind_id: str) -> str:
    if term.sum is not None:
        return f"sum(({renderer.render(term.sum, ind_id)})::DOUBLE) FILTER (WHERE {where})"
    if term.count_if is not None:
        return f"count(*) FILTER (WHERE {where} AND ({renderer.render(term.count_if, ind_id)}))"
    return f"count(*) FILTER (WHERE {where})"


def _rollup(
    ind: Indicator,
    partial: pd.DataFrame,
    refs: dict[str, TermRef],
    ev: Evaluation,
    capabilities: dict[tuple[str, str], float],
    params: dict[str, Any],
) -> pd.DataFrame:
    """Per-month and pooled numerators/denominators for agency (and unit) level, with status."""
    num, den = refs["numerator"], refs["denominator"]
    sz = refs.get("structural_zero")
    cols = {"numerator": num.column, "denominator": den.column}
    if sz:
        cols["structural"] = sz.column
    months = ev.period.months
    keep = partial[partial[num.cohort].isin(months)]
    rows = [_level(keep, ["city"], num.cohort, cols, months, ev.city_ids())]
    if num.unit:
        units = keep.dropna(subset=[num.unit])
        rows.append(
            _level(units, ["city", num.unit], num.cohort, cols, months, None).rename(columns={num.unit: "unit"})
        )
    out = pd.concat(rows, ignore_index=True)
    out["unit"] = out.get("unit", AGENCY)
    out["unit"] = out["unit"].fillna(AGENCY)
    out["indicator"] = ind.id
    return _status(out, ind, capabilities, params)


def _level(
    frame: pd.DataFrame,
    keys: list[str],
    month_col: str,
    cols: dict[str, str],
    months: list[str],
    cities: list[str] | None,
) -> pd.DataFrame:
    grouped = frame.groupby([*keys, month_col], dropna=False)[list(cols.values())].sum()
    grouped.columns = list(cols)
    grouped = grouped.reset_index().rename(columns={month_col: "month"})
    if cities is not None:  # every evaluated city gets a row for every month, data or not
        full = pd.MultiIndex.from_product([cities, months], names=["city", "month"])
        grouped = grouped.set_index(["city", "month"]).reindex(full, fill_value=0).reset_index()
    pooled = grouped.groupby(keys, dropna=False)[list(cols)].sum().reset_index().assign(month="all")
    return pd.concat([grouped, pooled], ignore_index=True)


def _status(
    out: pd.DataFrame, ind: Indicator, capabilities: dict[tuple[str, str], float], params: dict[str, Any]
) -> pd.DataFrame:
    num = out["numerator"].astype(float)
    den = out["denominator"].astype(float)
    structural = out["structural"].astype(float) if "structural" in out else pd.Series(0.0, index=out.index)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(den > 0, num / den, np.nan)
    is_structural = (den == 0) & (structural > 0)
    value = np.where(is_structural, 0.0, value)
    status = np.where(den > 0, "ok", np.where(is_structural, "ok", "no_data")).astype(object)
    flag = np.where(is_structural, "structural_zero", "").astype(object)
    if ind.kind in ("sampled", "qualitative"):
        min_n = ind.min_n or int(params["min_sample"])
        short = (den > 0) & (den < min_n)
        status = np.where(short, "insufficient_sample", status)
    for need in ind.requires:
        absent = out["city"].map(lambda c, need=need: capabilities.get((c, need), 1) == 0).to_numpy(dtype=bool)
        status = np.where(absent, "not_applicable", status)
        value = np.where(absent, np.nan, value)
    out["value"], out["status"], out["flag"] = value, status, flag
    if ind.unit == "percent":
        out["ci_low"], out["ci_high"] = wilson(num.to_numpy(), den.to_numpy())
    else:
        out["ci_low"], out["ci_high"] = np.nan, np.nan
    return out


def _capabilities(con) -> dict[tuple[str, str], float]:
    """Capability declarations (self_reports, period 'all'), e.g. (city, 'has_bot') → 0."""
    rows = con.execute("SELECT city, figure, value FROM self_reports WHERE period = 'all'").fetchall()
    return {(city, figure): value for city, figure, value in rows}

"""The lower bound of measurement: one plain DuckDB scan of exactly the columns the catalogue reads.

Which columns: every column of a canonical table that the SQL of the evaluation's computed
indicators names — the sources they read (with the tables those join), their cohorts, unit keys,
`where` conditions and terms — found by name in the rendered SQL.

The scan: per table, `SELECT city, count(c1), …, count(cn) FROM <table> GROUP BY city`, with
DuckDB's statistics propagation switched off for it, so that the count of a column without nulls
is not answered from the Parquet file's metadata: every value of every column is read and
decoded once, grouped by city as any per-city result must be, and nothing else is computed.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import duckdb

from hotline_eval.config.catalogue import SqlRenderer, load_catalogue
from hotline_eval.config.evaluation import Evaluation
from hotline_eval.config.schema import load_schema
from hotline_eval.measure.engine import computed_indicators, term_specs


def catalogue_columns(root: Path, ev: Evaluation) -> dict[str, list[str]]:
    """table → the columns the evaluation's computed indicators read, in schema order."""
    catalogue, schema = load_catalogue(root), load_schema(root)
    params = ev.parameter_values(catalogue)
    renderer = SqlRenderer(params, ev.period.start, ev.period.end, int(params["outcome_grace_days"]))
    texts: dict[str, list[str]] = {}
    for ind in computed_indicators(catalogue, ev):
        if ind.composite is not None:
            continue
        for term in term_specs(ind, renderer):
            texts.setdefault(term.source, []).append(" ".join([term.aggregate, term.cohort, term.unit or ""]))
    found: dict[str, set[str]] = {}
    for source, parts in texts.items():
        spec = catalogue.sources[source]
        text = " ".join([renderer.render(spec.sql), *parts])
        for table in spec.tables:
            names = {c for c in schema.tables[table].columns if re.search(rf"\b{re.escape(c)}\b", text)}
            found.setdefault(table, set()).update(names | {"city"})
    return {t: [c for c in schema.tables[t].columns if c in found[t]] for t in schema.tables if t in found}


def scan_sql(table: str, columns: list[str]) -> str:
    counts = ", ".join(f'count("{c}")' for c in columns if c != "city")
    return f"SELECT city, {counts} FROM {table} GROUP BY city"


def time_scan(con: duckdb.DuckDBPyConnection, columns: dict[str, list[str]]) -> float:
    """Seconds for the plain scan of every table (one query per table, run one after another)."""
    con.execute("SET disabled_optimizers = 'statistics_propagation'")
    try:
        start = time.perf_counter()
        for table, cols in columns.items():
            con.execute(scan_sql(table, cols)).fetchall()
        return time.perf_counter() - start
    finally:
        con.execute("RESET disabled_optimizers")

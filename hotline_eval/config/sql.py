"""What the params give a DuckDB connection: the canonical tables as views over a data folder
(params/schema.yaml), working-day arithmetic (params/calendar.yaml), the catalogue's macros
(params/indicators.yaml) and the months of the evaluation period, for the formulas of the
catalogue and the checks of the quality assessment.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from hotline_eval.config.calendar import load_calendar, register_sql
from hotline_eval.config.catalogue import CATALOGUE_FILE, Catalogue, SqlRenderer, ts_literal
from hotline_eval.config.evaluation import Period
from hotline_eval.config.schema import load_schema
from hotline_eval.core.errors import ConfigError


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


def prepare_connection(
    con: duckdb.DuckDBPyConnection, root: Path, catalogue: Catalogue, renderer: SqlRenderer, period: Period
) -> None:
    """Register what formulas may use: add_workdays(ts, n), the catalogue's macros, period_months."""
    register_sql(con, load_calendar(root))
    for name, macro in catalogue.macros.items():
        body = renderer.render(macro.sql, f"macros.{name}")
        try:
            con.execute(f"CREATE OR REPLACE MACRO {name}({', '.join(macro.args)}) AS ({body})")
        except duckdb.Error as exc:
            raise ConfigError(CATALOGUE_FILE, f"macros.{name}", f"宏无法编译：{exc}") from exc
    rows = ", ".join(f"({ts_literal(first)}, {days}, {month_days})" for first, days, month_days in month_spans(period))
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE period_months AS SELECT * FROM (VALUES {rows}) AS t(month_at, days, month_days)"
    )


def month_spans(period: Period) -> list[tuple[dt.date, int, int]]:
    """Per month of the period: its first day inside the period, days inside, days in the month."""
    out = []
    for month in period.months:
        y, m = map(int, month.split("-"))
        first = dt.date(y, m, 1)
        last = dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
        start, end = max(first, period.start), min(last, period.end)
        out.append((start, (end - start).days + 1, last.day))
    return out

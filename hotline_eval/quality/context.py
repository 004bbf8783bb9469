"""What every quality check reads: the canonical tables in DuckDB, the evaluation, the params."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from hotline_eval.config.catalogue import Catalogue, Indicator, SqlRenderer, load_catalogue
from hotline_eval.config.evaluation import Evaluation
from hotline_eval.config.quality import QualitySpec, load_quality_spec
from hotline_eval.config.schema import Schema, Table, load_schema
from hotline_eval.config.sql import prepare_connection
from hotline_eval.core.connection import connect

ROW_ID = "_rid"  # stable row number of a record in its Parquet file (for relevance and examples)


@dataclass
class QualityContext:
    root: Path
    con: duckdb.DuckDBPyConnection
    evaluation: Evaluation
    rejects: pd.DataFrame  # city, table, kind, file, row, column, value, reason
    cleared: pd.DataFrame | None = None  # the same, for fields ingest cleared in accepted rows
    # table → canonical columns the sources provide (ingest.json); None: every column (older outputs)
    provided: dict[str, list[str]] | None = None
    spec: QualitySpec = field(init=False)
    schema: Schema = field(init=False)
    catalogue: Catalogue = field(init=False)
    _memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.spec = load_quality_spec(self.root).adjusted(self.evaluation.quality)
        self.schema = load_schema(self.root)
        self.catalogue = load_catalogue(self.root)
        # the catalogue's sources use its SQL macros (seconds_between, add_workdays, ...)
        prepare_connection(self.con, self.root, self.catalogue, self.renderer, self.evaluation.period)

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """Compute once per assessment what several checks share (e.g. per-month record counts)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @property
    def months(self) -> list[str]:
        return self.evaluation.period.months

    @cached_property
    def params(self) -> dict[str, Any]:
        return self.evaluation.parameter_values(self.catalogue)

    @cached_property
    def renderer(self) -> SqlRenderer:
        period = self.evaluation.period
        return SqlRenderer(self.params, period.start, period.end, int(self.params["outcome_grace_days"]))

    @cached_property
    def active(self) -> list[Indicator]:
        """The evaluation's computed indicators (expert-scored ones read no canonical records)."""
        return [i for i in self.evaluation.active_indicators(self.catalogue) if i.kind != "expert"]

    @cached_property
    def needed_fields(self) -> dict[str, list[str]]:
        """table → columns the active indicators need (their data_needs), in catalogue order; a column
        no source records is left out (its indicators are no data, not a completeness failure)."""
        out: dict[str, list[str]] = {}
        for ind in self.active:
            for need in ind.all_needs:
                table, _, column = need.partition(".")
                if column and self.is_provided(table, column) and column not in out.setdefault(table, []):
                    out[table].append(column)
        return out

    @cached_property
    def row_counts(self) -> dict[str, int]:
        return {t: self.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in self.schema.tables}

    def tables_with_data(self, monthly: bool = True) -> list[str]:
        """Canonical tables holding records (with a month column when `monthly`)."""
        return [
            name
            for name, table in self.schema.tables.items()
            if self.row_counts[name] and (table.month_column or not monthly)
        ]

    def table(self, name: str) -> Table:
        return self.schema.tables[name]

    def is_provided(self, table: str, column: str) -> bool:
        """The sources record this column (a column no source records is no data, not a data fault)."""
        return self.provided is None or column in self.provided.get(table, [])

    def rules(self, table: str) -> list:
        """The intra-record rules of a table that the sources' columns allow to check."""
        provided = self.schema.tables[table].columns if self.provided is None else self.provided.get(table, [])
        return [r for r in self.spec.rules.get(table, []) if self.table(table).checkable(r.check, provided)]

    def links(self) -> list:
        """The designed links that can be assessed: the link column is recorded and the target table holds records."""
        return [
            link
            for link in self.spec.links
            if self.is_provided(link.table, link.column) and self.row_counts.get(link.target_table, 0)
        ]

    @cached_property
    def _month_starts(self) -> list[str]:
        """TIMESTAMPTZ literals: 00:00 Beijing time of the first day of each month of the period, and of
        the month after it."""
        out = []
        for month in [*self.months, None]:
            if month is None:
                year, mon = map(int, self.months[-1].split("-"))
                year, mon = year + (mon == 12), mon % 12 + 1
            else:
                year, mon = map(int, month.split("-"))
            out.append(_ts(dt.date(year, mon, 1)))
        return out

    def month_of(self, column: str) -> str:
        """SQL: the month ('YYYY-MM', Beijing time) of a timestamp in a month of the period, else NULL.

        Comparisons with the months' first instants: no per-row time-zone conversion or formatting.
        """
        c = f"({column})"
        starts = self._month_starts
        cases = " ".join(f"WHEN {c} < {nxt} THEN '{m}'" for m, nxt in zip(self.months, starts[1:], strict=True))
        return f"(CASE WHEN {c} < {starts[0]} THEN NULL {cases} END)"

    def in_period(self, column: str) -> str:
        """SQL: the timestamp falls in a month of the evaluation period (Beijing time)."""
        c = f"({column})"
        return f"({c} >= {self._month_starts[0]} AND {c} < {self._month_starts[-1]})"

    def record_label(self, table: str) -> str:
        """SQL for the id shown for a record: its key, else its first *_id column, else its row number."""
        spec = self.table(table)
        if spec.key:
            return f'"{spec.key}"'
        ids = [c for c, col in spec.columns.items() if c.endswith("_id") and col.required]
        return f'"{ids[0]}"' if ids else f"'第' || ({ROW_ID} + 1) || '行'"

    def days_in_period(self, month: str) -> list[dt.date]:
        """The days of the evaluation period inside one calendar month."""
        period = self.evaluation.period
        year, mon = map(int, month.split("-"))
        first = max(dt.date(year, mon, 1), period.start)
        nxt = dt.date(year + (mon == 12), mon % 12 + 1, 1)
        last = min(nxt - dt.timedelta(days=1), period.end)
        return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]

    def window(self, table: str) -> tuple[str, str]:
        """SQL timestamps bounding the collection window of a table (half-open)."""
        period = self.evaluation.period
        start = period.start - dt.timedelta(days=self.spec.before_days(table))
        end = period.end + dt.timedelta(days=self.spec.collection_window.after_days + 1)
        return _ts(start), _ts(end)

    def query(self, sql: str) -> pd.DataFrame:
        return self.con.execute(sql).df()


def open_quality_data(root: Path, data_dir: Path) -> duckdb.DuckDBPyConnection:
    """One view per canonical table, each record carrying its row number in the file (_rid)."""
    con = connect()
    for name, table in load_schema(root).tables.items():
        path = data_dir / f"{name}.parquet"
        if path.exists():
            source = f"read_parquet('{path}', file_row_number = true)"
            sql = f"SELECT * EXCLUDE (file_row_number), file_row_number AS {ROW_ID} FROM {source}"
        else:
            cols = ", ".join(f'NULL::{c.sql_type} AS "{n}"' for n, c in table.columns.items())
            sql = f"SELECT {cols}, NULL::BIGINT AS {ROW_ID} WHERE false"
        con.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")
    return con


def _ts(day: dt.date) -> str:
    return f"TIMESTAMPTZ '{day.isoformat()} 00:00:00+08:00'"

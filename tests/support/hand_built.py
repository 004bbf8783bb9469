"""Hand-built canonical tables for tests whose expected values are worked out by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from hotline_eval.config.definitions import build_evaluation
from hotline_eval.config.evaluation import Evaluation
from hotline_eval.config.schema import load_schema
from hotline_eval.config.sql import register_tables
from hotline_eval.core.connection import connect
from hotline_eval.measure.engine import measure
from tests.support import ROOT


def write_tables(root: Path, data_dir: Path, tables: dict[str, list[dict]]) -> None:
    """Write every canonical table to data_dir as Parquet; unspecified columns get their default or NULL.

    Timestamps are given as 'YYYY-MM-DD HH:MM:SS' strings in Beijing time.
    """
    schema = load_schema(root)
    data_dir.mkdir(parents=True, exist_ok=True)
    con = connect()
    for name, table in schema.tables.items():
        frame = pd.DataFrame(tables.get(name, []))
        if frame.empty:
            frame = pd.DataFrame({"_empty": pd.Series([], dtype=object)})
        frame = frame.astype(object).where(frame.notna(), None)
        con.register("src", frame)
        cols = []
        for cname, col in table.columns.items():
            if cname in frame.columns:
                cols.append(f'CAST(CAST("{cname}" AS VARCHAR) AS {col.sql_type}) AS "{cname}"')
            else:
                default = "NULL" if col.default is None else repr(col.default).lower().replace("'", "''")
                default = f"'{col.default}'" if isinstance(col.default, str) else default
                cols.append(f'CAST({default} AS {col.sql_type}) AS "{cname}"')
        where = " WHERE false" if "_empty" in frame.columns else ""
        con.execute(f"COPY (SELECT {', '.join(cols)} FROM src{where}) TO '{data_dir / name}.parquet' (FORMAT parquet)")
        con.unregister("src")


def evaluation(cities=("a", "b"), start="2026-07-01", end="2026-07-31", root: Path = ROOT, **extra) -> Evaluation:
    """A definition of the test cities over params/evaluation-defaults.yaml, through the production loader
    (`root`: a project whose params/ a test changed)."""
    return build_evaluation(
        root,
        {
            "id": "test",
            "name_zh": "测试评价",
            "type": "comprehensive",
            "organiser_zh": "测试",
            "period": {"start": dt.date.fromisoformat(start), "end": dt.date.fromisoformat(end)},
            "cities": [{"id": c, "name_zh": f"{c}市"} for c in cities],
            "data": {"inputs": [{"dir": ".", "systems": ["vendor-a"]}]},
            **extra,
        },
    )


def run_measure(root: Path, tmp_path: Path, tables: dict[str, list[dict]], ev: Evaluation) -> pd.DataFrame:
    write_tables(root, tmp_path / "data", tables)
    con = connect()
    register_tables(con, root, tmp_path / "data")
    return measure(con, root, ev)


def value(frame: pd.DataFrame, indicator: str, city: str, month: str = "all", unit: str = "") -> pd.Series:
    rows = frame[
        (frame["indicator"] == indicator)
        & (frame["city"] == city)
        & (frame["month"] == month)
        & (frame["unit"] == unit)
    ]
    assert len(rows) == 1, f"{indicator}/{city}/{month}/{unit}: {len(rows)} rows"
    return rows.iloc[0]

"""Indicators measured inside a time window: short periods, refined time slots, activity windows.

The engine (measure/engine.py) computes indicators per calendar month. Special evaluations also need an
indicator over other stretches of time: consecutive 7-day periods for a trend test with only three
months (§5.1.2.4), time slots such as nights or weekends (refined sub-items, §5.1.2.2), and a themed
activity's window against its baseline (§5.1.2.1). Rather than a second engine, the same engine runs
on a connection whose source table is restricted to the records whose *cohort* timestamp (the
timestamp that puts a record in a month, in Beijing time) falls in the window, so every window value
uses exactly the catalogue's formula.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from hotline_eval.config.catalogue import Catalogue, Indicator, SqlRenderer, load_catalogue
from hotline_eval.config.evaluation import Activity, Evaluation, Period, Segment
from hotline_eval.config.schema import Schema, load_schema
from hotline_eval.config.sql import register_tables
from hotline_eval.core.connection import connect
from hotline_eval.core.errors import ConfigError
from hotline_eval.core.store import read_json
from hotline_eval.measure.engine import measure

Condition = Callable[[str], str]  # local-time timestamp expression → SQL boolean


def local(ts: str) -> str:
    """A TIMESTAMPTZ expression as Beijing wall-clock time (the connection's time zone)."""
    return f"CAST(({ts}) AS TIMESTAMP)"


def _stamp(day: dt.date, at: dt.time = dt.time(0)) -> str:
    return f"TIMESTAMP '{day.isoformat()} {at.isoformat()}'"


def days_between(start: dt.date, end: dt.date) -> Condition:
    """Records whose cohort time falls on the days start … end (inclusive)."""
    return lambda ts: f"({local(ts)} >= {_stamp(start)} AND {local(ts)} < {_stamp(end + dt.timedelta(days=1))})"


def short_periods(period: Period, days: int) -> list[tuple[dt.date, dt.date]]:
    """Consecutive periods of `days` days from the period's start; a shorter remainder is left out."""
    count = period.days // days
    starts = [period.start + dt.timedelta(days=days * i) for i in range(count)]
    return [(s, s + dt.timedelta(days=days - 1)) for s in starts]


def _time_of_day(lt: str, start: dt.time, end: dt.time) -> str:
    t = f"CAST({lt} AS TIME)"
    a, b = f"TIME '{start.isoformat()}'", f"TIME '{end.isoformat()}'"
    return f"({t} >= {a} AND {t} < {b})" if start < end else f"({t} >= {a} OR {t} < {b})"


def in_segment(segment: Segment, period: Period) -> Condition:
    """Records of the period whose cohort time falls in the segment's hours and weekdays."""

    def condition(ts: str) -> str:
        lt = local(ts)
        parts = [days_between(period.start, period.end)(ts)]
        if segment.hours is not None:
            parts.append(_time_of_day(lt, *segment.hours))
        if segment.weekdays:
            parts.append(f"isodow({lt}) IN ({', '.join(map(str, segment.weekdays))})")
        return "(" + " AND ".join(parts) + ")"

    return condition


def in_activity(activity: Activity) -> Condition:
    """Records whose cohort time falls inside one of the activity's windows."""

    def condition(ts: str) -> str:
        lt = local(ts)
        spans = [f"({lt} >= {_stamp(w.date, w.start)} AND {lt} < {_stamp(w.date, w.end)})" for w in activity.windows]
        return "(" + " OR ".join(spans) + ")"

    return condition


def in_baseline(activity: Activity, period: Period, holidays: set[dt.date]) -> Condition:
    """The same weekdays and hours as the activity's windows on the period's other days (§5.1.2.1)."""
    excluded = {w.date for w in activity.windows}
    if activity.exclude_holidays:
        excluded |= {d for d in holidays if period.start <= d <= period.end}

    def condition(ts: str) -> str:
        lt = local(ts)
        slots = [
            f"(isodow({lt}) = {w.date.isoweekday()} AND {_time_of_day(lt, w.start, w.end)})" for w in activity.windows
        ]
        days = ", ".join(f"DATE '{d.isoformat()}'" for d in sorted(excluded))
        return (
            f"({days_between(period.start, period.end)(ts)} AND ({' OR '.join(slots)}) "
            f"AND CAST({lt} AS DATE) NOT IN ({days}))"
        )

    return condition


def measure_within(
    root: Path,
    data_dir: Path,
    ev: Evaluation,
    indicators: list[Indicator],
    condition: Condition,
    days: Period | None = None,
) -> pd.DataFrame:
    """indicators.csv rows (agency and units, per month and pooled) of `indicators`, counting only
    the records whose cohort timestamp satisfies `condition`. `days`: the consecutive days the
    condition selects, if it does, so that per-capita denominators count their person-months only."""
    provided = (read_json(data_dir.parent / "ingest.json") or {}).get("provided")
    catalogue = load_catalogue(root)
    schema = load_schema(root)
    params = ev.parameter_values(catalogue)
    renderer = SqlRenderer(params, ev.period.start, ev.period.end, int(params["outcome_grace_days"]))
    groups: dict[tuple[str, str], list[str]] = {}
    for ind in indicators:
        groups.setdefault((ind.source or "", ind.cohort or ""), []).append(ind.id)
    frames = []
    for (source, cohort), ids in groups.items():
        con = connect()
        register_tables(con, root, data_dir)
        _restrict(con, data_dir, catalogue, schema, renderer, source, renderer.render(cohort, ids[0]), condition)
        result = measure(con, root, ev.model_copy(update={"indicators": ids}), provided, exposure=days)
        frames.append(result[result["indicator"].isin(ids)])
        con.close()
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _restrict(
    con,
    data_dir: Path,
    catalogue: Catalogue,
    schema: Schema,
    renderer: SqlRenderer,
    source: str,
    cohort: str,
    condition: Condition,
) -> None:
    """Redefine the source's table view to the records whose cohort satisfies the condition."""
    table = catalogue.sources[source].table
    path = data_dir / f"{table}.parquet"
    if not path.exists():
        return  # an empty view: nothing to restrict
    base = f"read_parquet('{path}')"
    if cohort in schema.tables[table].columns:
        con.execute(f"CREATE OR REPLACE VIEW {table} AS SELECT * FROM {base} WHERE {condition(cohort)}")
        return
    key = schema.tables[table].key
    if not key:
        raise ConfigError(
            "params/indicators.yaml",
            f"sources.{source}",
            f"cohort '{cohort}' 为计算得出，且表 '{table}' 没有主键，因此无法将其记录限定在时间窗口内",
            fix="请用该表的某一列作为 cohort，或在 params/schema.yaml 中为该表设置主键（key）",
        )
    body = renderer.render(catalogue.sources[source].sql, f"sources.{source}")
    con.execute(f"CREATE TEMP TABLE window_keys AS SELECT city, {key} FROM ({body}) AS s WHERE {condition(cohort)}")
    con.execute(
        f"CREATE OR REPLACE VIEW {table} AS SELECT b.* FROM {base} AS b SEMI JOIN window_keys USING (city, {key})"
    )

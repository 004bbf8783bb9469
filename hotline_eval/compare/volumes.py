"""Volumes a document states (受理量, 话务量, by channel), counted from the canonical tables.

Only valid records whose cohort timestamp falls inside the evaluation period are counted:
tickets by accepted_at, calls by arrived_at (the same cohorts as the indicators).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from hotline_eval.results import Results
from hotline_eval.score.units import UNCLASSIFIED


def _scan(results: Results, table: str) -> str:
    path = results.paths.data / f"{table}.parquet"
    return "read_parquet('" + str(path).replace("'", "''") + "')"


def _period(results: Results) -> tuple[str, str]:
    p = results.evaluation.period
    return str(p.start), str(p.end + dt.timedelta(days=1))


def city_volumes(results: Results) -> pd.DataFrame:
    """Per city: valid tickets and valid calls in the period (columns tickets, calls)."""
    start, end = _period(results)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    sql = """
        SELECT city, count(*) AS n FROM {scan}
        WHERE coalesce(is_valid, true) AND {ts} >= TIMESTAMPTZ '{start}' AND {ts} < TIMESTAMPTZ '{end}'
        GROUP BY city
    """
    out = pd.DataFrame(index=pd.Index(results.evaluation.city_ids(), name="city"))
    for column, table, ts in (("tickets", "tickets", "accepted_at"), ("calls", "calls", "arrived_at")):
        if not (results.paths.data / f"{table}.parquet").exists():
            out[column] = float("nan")
            continue
        frame = con.sql(sql.format(scan=_scan(results, table), ts=ts, start=start, end=end)).df()
        out[column] = frame.set_index("city")["n"].reindex(out.index).fillna(0).astype(int)
    return out


def ticket_channels(results: Results, city: str | None = None) -> pd.DataFrame:
    """Valid tickets of the period by intake channel (§5.2.2): channel, label, n, share; largest first."""
    start, end = _period(results)
    if not (results.paths.data / "tickets.parquet").exists():
        return pd.DataFrame(columns=["channel", "label", "n", "share"])
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    where = "" if city is None else "AND city = $city"
    frame = con.execute(
        f"""SELECT channel, count(*) AS n FROM {_scan(results, "tickets")}
            WHERE coalesce(is_valid, true) AND accepted_at >= TIMESTAMPTZ '{start}'
              AND accepted_at < TIMESTAMPTZ '{end}' {where}
            GROUP BY channel ORDER BY n DESC, channel""",
        {"city": city} if city is not None else {},
    ).df()
    frame["label"] = [results.schema.label("ticket_channel", c) for c in frame["channel"]]
    frame["share"] = frame["n"] / frame["n"].sum() if len(frame) else []
    return frame[["channel", "label", "n", "share"]]


def unit_classes(results: Results, city: str) -> dict[str, int]:
    """Number of handling units of a city by class (district, department, enterprise), from the units
    table; a city without one: the units its work orders name, unclassified."""
    path = results.paths.data / "units.parquet"
    if path.exists():
        units = pd.read_parquet(path, columns=["city", "class"], filters=[("city", "==", city)])
        if len(units):
            return {str(k): int(v) for k, v in units["class"].value_counts().items()}
    tickets = results.paths.data / "tickets.parquet"
    if not tickets.exists():
        return {}
    named = pd.read_parquet(tickets, columns=["city", "unit_id"], filters=[("city", "==", city)])["unit_id"]
    n = named.dropna().nunique()
    return {UNCLASSIFIED: int(n)} if n else {}

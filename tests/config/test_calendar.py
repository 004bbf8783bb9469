"""Working days (params/calendar.yaml) in SQL, as the formulas' time limits use them: holidays, make-up days,
and the same answer as the Python calendar."""

import datetime as dt

import duckdb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline_eval.config.calendar import load_calendar, register_sql
from hotline_eval.core.connection import connect

# --- working days (params/calendar.yaml) in SQL, as the formulas use them


@pytest.fixture(scope="module")
def sql_calendar(root):
    con = connect()
    register_sql(con, load_calendar(root))
    return con


def add_sql(con, stamp: str, n: float) -> str:
    ts = f"TIMESTAMPTZ '{stamp}+08:00'"
    return con.execute(f"SELECT strftime(add_workdays({ts}, {n}), '%Y-%m-%d %H:%M:%S')").fetchone()[0]


def test_add_workdays_skips_national_day_and_counts_the_make_up_saturday(sql_calendar):
    # holidays 1–7 October 2026; Saturday 10 October is a working day (调休)
    assert add_sql(sql_calendar, "2026-09-30 10:00:00", 1) == "2026-10-08 10:00:00"
    assert add_sql(sql_calendar, "2026-09-30 10:00:00", 3) == "2026-10-10 10:00:00"
    # from a rest day the clock starts at 00:00 of the next working day (8 Oct): + 1 → 9 Oct 00:00
    assert add_sql(sql_calendar, "2026-10-01 15:00:00", 1) == "2026-10-09 00:00:00"
    assert add_sql(sql_calendar, "2026-07-03 10:00:00", 2) == "2026-07-07 10:00:00"  # Fri + 2 → Tue


def test_add_workdays_outside_the_calendar_is_an_error(sql_calendar):
    with pytest.raises(duckdb.Error, match="超出工作日历的范围"):
        add_sql(sql_calendar, "2040-01-01 10:00:00", 1)


@settings(max_examples=60, deadline=None)
@given(
    minutes=st.integers(0, 3 * 366 * 24 * 60),
    n=st.sampled_from([0, 1, 2, 3, 5, 10, 15, 0.5, 2.5]),
)
def test_add_workdays_in_sql_matches_the_python_calendar(root, sql_calendar, minutes, n):
    stamp = dt.datetime(2025, 1, 1) + dt.timedelta(minutes=minutes)
    expected = load_calendar(root).add_workdays(np.array([np.datetime64(stamp, "s")]), n)[0]
    text = stamp.strftime("%Y-%m-%d %H:%M:%S")
    assert add_sql(sql_calendar, text, n) == str(expected).replace("T", " ")

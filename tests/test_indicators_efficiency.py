"""6.4 服务效率: every indicator on a hand-built fixture, and the working-day arithmetic behind the
time limits; expected values worked out in the comments."""

import datetime as dt

import duckdb
import numpy as np
import pytest
from builders import callback, measured, row, ticket
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline_eval.config.calendar import load_calendar, register_sql
from hotline_eval.core.connection import connect

CYCLE = [
    ticket(1, "a", "2026-07-01 09:00:00", handling_mode="direct_answer", closed_at="2026-07-01 09:30:00"),  # 0.5 h
    ticket(2, "a", "2026-07-01 08:00:00", closed_at="2026-07-03 08:00:00"),  # 48 h
    ticket(3, "a", "2026-07-01 08:00:00", handling_mode="referred_to_origin", closed_at="2026-07-01 08:05:00"),
    ticket(4, "a", "2026-07-20 08:00:00", closed_at="2026-08-02 08:00:00"),  # closed in August
    ticket(5, "a", "2026-07-20 08:00:00"),  # still open
    ticket(6, "a", "2026-06-30 08:00:00", closed_at="2026-07-01 08:00:00"),  # accepted in June, closed in July: 24 h
]


def test_request_cycle_time_avg_6_4_1_direct_and_dispatched_closed_in_the_period(root, tmp_path):
    r = row(measured(root, tmp_path, {"tickets": CYCLE}), "request_cycle_time_avg")
    assert (r["numerator"], r["denominator"]) == (pytest.approx(72.5), 3)  # 0.5 + 48 + 24 h over t1, t2, t6
    assert r["value"] == pytest.approx(72.5 / 3)


def test_request_cycle_time_median_6_4_1_is_the_median_of_the_records_not_of_monthly_values(root, tmp_path):
    tickets = [
        *CYCLE,
        ticket(7, "a", "2026-07-01 08:00:00", closed_at="2026-07-01 10:00:00"),  # 2 h
        ticket(8, "a", "2026-07-01 08:00:00", closed_at="2026-07-01 12:00:00"),  # 4 h
        ticket(9, "a", "2026-07-31 08:00:00", closed_at="2026-08-01 08:00:00"),  # 24 h, closed in August
    ]
    result = measured(root, tmp_path, {"tickets": tickets}, end="2026-08-31")
    july = row(result, "request_cycle_time_median", month="2026-07")
    assert (july["value"], july["denominator"]) == (pytest.approx(4.0), 5)  # 0.5, 2, 4, 24, 48 h
    august = row(result, "request_cycle_time_median", month="2026-08")
    assert august["value"] == pytest.approx((312 + 24) / 2)  # t4 (13 days) and t9 (24 h)
    pooled = row(result, "request_cycle_time_median")
    # seven records 0.5, 2, 4, 24, 24, 48, 312 h: the median is 24 h, not a mean of the two monthly medians
    assert (pooled["value"], pooled["denominator"]) == (pytest.approx(24.0), 7)
    assert row(result, "request_cycle_time_avg")["value"] == pytest.approx((0.5 + 2 + 4 + 24 + 24 + 48 + 312) / 7)


def event(
    event_id,
    city,
    started,
    ended,
    *,
    drill=False,
    last_drill="2026-03-01",
    activated_min=20,
    surge=0.88,
    normal=0.95,
    review=None,
):
    start = dt.datetime.fromisoformat(started)
    return {
        "event_id": event_id,
        "city": city,
        "started_at": started,
        "ended_at": ended,
        "trigger": "drill" if drill else "surge",
        "drill": drill,
        "plan_exists": True,
        "last_drill_at": last_drill,
        "plan_activated_at": str(start + dt.timedelta(minutes=activated_min)),
        "surge_answer_rate": surge,
        "normal_answer_rate": normal,
        "review_done_at": review,
    }


EVENTS = [
    # city a, two real events:
    # E1 (Fri 10 July): drilled in March ✓, plan on after 20 min ✓, surge rate 0.88 ≥ 0.9 × 0.95 = 0.855 ✓,
    #    review on Tue 14 July, within 5 working days of the end (Fri 17 July 18:00) ✓ → 4 criteria → 2 points
    event("E1", "a", "2026-07-10 09:00:00", "2026-07-10 18:00:00", review="2026-07-14 10:00:00"),
    # E2 (Mon 20 July): last drill May 2025 ✗, plan on after 45 min ✗, 0.90 ≥ 0.855 ✓, review Wed 29 July,
    #    after Mon 27 July 12:00 ✗ → 1 criterion → 0 points
    event(
        "E2",
        "a",
        "2026-07-20 09:00:00",
        "2026-07-20 12:00:00",
        last_drill="2025-05-01",
        activated_min=45,
        surge=0.90,
        review="2026-07-29 10:00:00",
    ),
    event("D1", "a", "2026-07-25 09:00:00", "2026-07-25 12:00:00", drill=True, review="2026-07-27 10:00:00"),
    # city b, drills only: the LATEST drill is rated, capped at 1.5 points
    # D2 meets all four (2 points, capped 1.5); D3: surge 0.80 < 0.855 ✗, review after Wed 29 July ✗ → 2 → 1 point
    event("D2", "b", "2026-07-05 09:00:00", "2026-07-05 12:00:00", drill=True, review="2026-07-06 10:00:00"),
    event(
        "D3",
        "b",
        "2026-07-22 09:00:00",
        "2026-07-22 12:00:00",
        drill=True,
        last_drill="2026-07-05",
        activated_min=10,
        surge=0.80,
        review="2026-08-10 10:00:00",
    ),
    # city c: one drill meeting all four criteria → 2 points, capped at 1.5
    event("D4", "c", "2026-07-05 09:00:00", "2026-07-05 12:00:00", drill=True, review="2026-07-06 10:00:00"),
    # city d: its only event was in June, before the period
    event("E9", "d", "2026-06-20 09:00:00", "2026-06-20 12:00:00", review="2026-06-22 10:00:00"),
]
EMERGENCY_TICKETS = [
    ticket(1, "a", "2026-07-10 10:00:00", emergency_id="E1", closed_at="2026-07-11 10:00:00"),  # 24 h
    ticket(2, "a", "2026-07-10 10:00:00", emergency_id="E1", closed_at="2026-07-10 16:00:00"),  # 6 h
    ticket(3, "a", "2026-07-10 10:00:00", closed_at="2026-07-10 11:00:00"),  # not about the event
    ticket(4, "b", "2026-07-05 10:00:00", emergency_id="D2", closed_at="2026-07-05 11:00:00"),  # a drill's ticket
]


@pytest.fixture(scope="module")
def emergencies(root, tmp_path_factory):
    tables = {"emergencies": EVENTS, "tickets": EMERGENCY_TICKETS}
    return measured(root, tmp_path_factory.mktemp("emergencies"), tables, cities=("a", "b", "c", "d"))


def test_emergency_response_capability_6_4_2_mean_points_over_real_events(emergencies):
    r = row(emergencies, "emergency_response_capability")
    assert (r["numerator"], r["denominator"], r["status"]) == (2.0, 2, "ok")  # (2 + 0) / 2 events; D1 ignored
    assert r["value"] == pytest.approx(1.0)


def test_emergency_response_capability_6_4_2_latest_drill_only_when_no_real_event(emergencies):
    assert row(emergencies, "emergency_response_capability", "b")["value"] == pytest.approx(1.0)  # D3, not D2
    assert row(emergencies, "emergency_response_capability", "c")["value"] == pytest.approx(1.5)  # capped
    assert row(emergencies, "emergency_response_capability", "d")["status"] == "no_data"


def test_emergency_resolution_time_avg_6_4_2(emergencies):
    r = row(emergencies, "emergency_resolution_time_avg")
    assert (r["numerator"], r["denominator"]) == (30, 2)  # 24 h + 6 h
    assert r["value"] == pytest.approx(15.0)


def test_emergency_resolution_time_avg_6_4_2_not_applicable_without_a_real_event(emergencies):
    for city in ("b", "c", "d"):  # drills only, or no event in the period
        assert row(emergencies, "emergency_resolution_time_avg", city)["status"] == "not_applicable"


CALLBACK_TICKETS = [
    ticket(1, "a", closed_at="2026-07-02 10:00:00"),  # Thu
    ticket(2, "a", closed_at="2026-07-03 10:00:00"),  # Fri
    ticket(3, "a", closed_at="2026-07-02 10:00:00"),
    ticket(4, "a", closed_at="2026-07-02 10:00:00"),
    ticket(5, "a", closed_at="2026-07-02 10:00:00", callback_required=False),  # anonymous: no callback due
    ticket(6, "a", closed_at="2026-07-02 10:00:00"),  # nobody called back
    ticket(7, "a", closed_at="2026-06-30 10:00:00"),  # closed in June
]
CALLBACKS = [
    callback(1, "a", "t1", "2026-07-03 09:00:00"),  # next day ✓
    callback(2, "a", "t2", "2026-07-07 09:00:00"),  # Tue: 2 working days after Fri 10:00 end Tue 10:00 ✓
    callback(3, "a", "t3", "2026-07-07 09:00:00"),  # Tue: the limit was Mon 10:00 ✗ (outside the window)
    callback(4, "a", "t4", None, reached=False, attempts=3, first_attempt_at="2026-07-03 09:00:00"),  # unreachable
    callback(5, "a", "t7", "2026-07-01 09:00:00"),
]


def test_callback_completion_rate_6_4_3_within_two_working_days(root, tmp_path):
    result = measured(root, tmp_path, {"tickets": CALLBACK_TICKETS, "callbacks": CALLBACKS})
    r = row(result, "callback_completion_rate")
    assert (r["numerator"], r["denominator"]) == (2, 5)  # t1, t2 of t1, t2, t3, t4, t6


def test_callback_completion_rate_6_4_3_unreachable_policy(root, tmp_path):
    params = {"unreachable_counts_as_completed": True}
    result = measured(root, tmp_path, {"tickets": CALLBACK_TICKETS, "callbacks": CALLBACKS}, parameters=params)
    assert row(result, "callback_completion_rate")["numerator"] == 3  # t4: three failed attempts count


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

"""The period rule against the data (§5.1.1.3, §5.1.2.3): whole months covered, the gap named."""

import datetime as dt

import pandas as pd
import pytest

from hotline_eval.core.errors import PeriodError
from hotline_eval.quality.period_rule import check_data_period, longest_run, month_coverage
from tests.support.hand_built import evaluation

# ---- the period rule against the data (§5.1.1.3, §5.1.2.3) -----------------------------------------


def days(city, start, end, skip=()):
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    out = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    return [{"city": city, "day": d} for d in out if d.isoformat() not in skip]


def test_longest_run_of_covered_months():
    assert longest_run([True, False, True, True]) == 2
    assert longest_run([False, False]) == 0


def test_a_special_evaluation_fails_when_a_month_of_data_is_missing_and_names_the_gap():
    ev = evaluation(
        cities=("a", "b"),
        start="2026-07-01",
        end="2026-09-30",
        type="special",
        indicators={"answer_rate": {"level": 5, "change": 5}},
    )
    # a: every day; b: August has records on 20 of 31 days (< 90 %)
    august_gap = [f"2026-08-{d:02d}" for d in range(10, 21)]
    frame = pd.DataFrame(days("a", "2026-07-01", "2026-09-30") + days("b", "2026-07-01", "2026-09-30", august_gap))
    coverage = month_coverage(frame, ev).set_index(["city", "month"])
    assert coverage.loc[("b", "2026-08"), "days_with_data"] == 20 and not coverage.loc[("b", "2026-08"), "covered"]
    with pytest.raises(PeriodError) as exc:
        check_data_period(coverage.reset_index(), ev)
    message = str(exc.value)
    assert "b市（b）：2026-08 有记录的天数为20天（共31天）" in message and "§5.1.2.3" in message
    assert "a市" not in message


def test_one_covered_month_is_enough_for_a_comprehensive_evaluation():
    ev = evaluation(cities=("a", "b"), start="2026-07-01", end="2026-09-30")
    b_whole = days("b", "2026-07-01", "2026-09-30")
    september_only = pd.DataFrame(days("a", "2026-09-01", "2026-09-30") + b_whole)
    check_data_period(month_coverage(september_only, ev), ev)  # no error
    nothing_whole = pd.DataFrame(
        days("a", "2026-07-01", "2026-07-20") + days("a", "2026-08-10", "2026-08-25") + b_whole
    )
    with pytest.raises(PeriodError, match="2026-07 有记录的天数为20天（共31天）"):
        check_data_period(month_coverage(nothing_whole, ev), ev)


def test_a_partial_month_at_the_edge_does_not_count():
    ev = evaluation(cities=("a", "b"), start="2026-07-15", end="2026-08-31")
    coverage = month_coverage(pd.DataFrame(days("a", "2026-07-15", "2026-08-31")), ev)
    coverage = coverage[coverage["city"] == "a"].set_index("month")
    assert coverage.loc["2026-07", "days"] == 17 and not coverage.loc["2026-07", "whole"]
    assert coverage.loc["2026-08", "covered"]

"""Appendix A scoring rules, each against a hand-computed example (indicators.md §3)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from canonical import evaluation
from hotline_eval.catalogue import load_catalogue
from hotline_eval.scoring import NOT_GRADED, best_of, complement, ratio_higher, ratio_lower, score_indicators, totals


def test_higher_is_better_is_value_over_reference_capped():
    assert ratio_higher(np.array([0.6]), 0.8, 0)[0] == pytest.approx(0.75)
    assert ratio_higher(np.array([0.9]), 0.8, 0)[0] == 1.0  # a benchmark can be exceeded: capped


def test_lower_is_better_is_reference_over_value_with_floors():
    assert ratio_lower(np.array([20.0]), 10.0, 1.0)[0] == pytest.approx(0.5)
    # a reference of 0.5 s and a value of 0.8 s are both raised to the 1 s floor: full marks
    assert ratio_lower(np.array([0.8]), 0.5, 1.0)[0] == 1.0
    assert ratio_lower(np.array([4.0]), 0.5, 1.0)[0] == pytest.approx(0.25)


def test_bounded_lower_rates_score_their_complement():
    assert complement(np.array([0.25]), 0.05, 0)[0] == pytest.approx(0.75 / 0.95)
    assert complement(np.array([0.0]), 0.0, 0)[0] == 1.0  # the best unit with no returns


def test_the_reference_holder_is_named_and_ties_share_it():
    ref = best_of(pd.Series({"a": 0.9, "b": 0.95, "c": 0.95}), "higher")
    assert (ref.value, ref.holder) == (0.95, "b、c")
    assert best_of(pd.Series({"a": 12.0, "b": 20.0}), "lower").holder == "a"


@given(value=st.floats(0, 1), reference=st.floats(0.01, 1), worse=st.floats(0, 1))
def test_scores_stay_in_range_and_move_the_right_way(value, reference, worse):
    for rule in (ratio_higher, complement):
        s = rule(np.array([value]), reference, 0)[0]
        assert 0 <= s <= 1
    lower_value = value * worse
    assert ratio_higher(np.array([lower_value]), reference, 0)[0] <= ratio_higher(np.array([value]), reference, 0)[0]


def pooled(rows):
    frame = pd.DataFrame(rows, columns=["city", "indicator", "value", "status", "numerator", "denominator"])
    return frame.assign(unit="", month="all", flag="")


def test_no_data_is_not_scored_and_the_total_is_rescaled_over_available_points(root):
    catalogue = load_catalogue(root)
    active = [catalogue.indicator("answer_rate"), catalogue.indicator("answer_wait_avg")]  # 4 and 2 points
    ev = evaluation(cities=("a", "b"), indicators=["answer_rate", "answer_wait_avg"])
    ind = pooled(
        [
            ("a", "answer_rate", 0.9, "ok", 9, 10),
            ("b", "answer_rate", 0.6, "ok", 6, 10),
            ("a", "answer_wait_avg", 10.0, "ok", 100, 10),
            ("b", "answer_wait_avg", np.nan, "no_data", 0, 0),
        ]
    )
    scores = score_indicators(ind, ev, active, ev.parameter_values(catalogue))
    b = scores[scores.city == "b"].set_index("indicator")
    assert b.loc["answer_rate", "score"] == pytest.approx(4 * 0.6 / 0.9)
    assert np.isnan(b.loc["answer_wait_avg", "score"])
    assert b.loc["answer_rate", "reference_holder"] == "a"
    t = totals(scores, ev, catalogue, total_points=6).set_index("city")
    assert t.loc["b", "total"] == pytest.approx(4 * 0.6 / 0.9 / 4 * 100)  # over the 4 available points
    assert t.loc["b", "coverage"] == pytest.approx(4 / 6 * 100)
    assert t.loc["b", "grade"] == NOT_GRADED  # coverage 66.7 < 80
    assert t.loc["a", "grade"] == "优秀" and t.loc["a", "rank"] == 1


def test_benchmark_reference_cites_its_source(root):
    catalogue = load_catalogue(root)
    ev = evaluation(
        cities=("a",),
        indicators=["answer_rate"],
        reference={
            "strategy": "benchmark",
            "benchmarks": {"answer_rate": {"value": 0.98, "source": "常州市2021年（cn-12345-published-stats）"}},
        },
    )
    ind = pooled([("a", "answer_rate", 0.931, "ok", 931, 1000)])
    scores = score_indicators(ind, ev, [catalogue.indicator("answer_rate")], ev.parameter_values(catalogue))
    row = scores.iloc[0]
    assert row["score"] == pytest.approx(4 * 0.931 / 0.98)
    assert row["reference_holder"].startswith("常州市2021年")

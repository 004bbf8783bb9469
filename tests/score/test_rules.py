"""Appendix A scoring rules, each against a hand-computed example (indicators.md §3.2–§3.4)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from hotline_eval.config.evaluation import Item
from hotline_eval.score.rules import (
    RULES,
    best_of,
    complement,
    points_share,
    pooled_values,
    ratio_higher,
    ratio_lower,
    score_item,
)
from tests.support.builders import indicator
from tests.support.hand_built import evaluation


def values(rows: dict[str, float | None], status=None) -> pd.DataFrame:
    """A values frame: city → value (None = no data)."""
    out = pd.DataFrame(index=pd.Index(list(rows), name="city"))
    out["value"] = [np.nan if v is None else v for v in rows.values()]
    out["numerator"] = out["value"] * 100
    out["denominator"] = 100.0
    out["n"] = 100.0
    out["status"] = status or ["ok" if v is not None else "no_data" for v in rows.values()]
    out["flag"] = ""
    out["ci_low"] = np.nan
    out["ci_high"] = np.nan
    return out


def scored(ind, rows, ev=None, points=None, params=None, **kw):
    ev = ev or evaluation(cities=tuple(rows))
    item = Item(ind, "level", ind.points if points is None else points)
    out = score_item(item, values(rows, **kw), ev, params or {"floor_seconds": 1})
    return out.set_index("city")


# ---- A.1 ratio rules ------------------------------------------------------------------------------


def test_a_reference_of_0_is_flagged_where_it_decides_the_score():
    """Every city at 0 on a higher-better count: all score 0, flagged zero_reference, which the report's
    appendix explains (issue 19, point 3). A lower-better ratio with no floor: full marks only at 0."""
    higher = scored(indicator("innovations", "higher", "count"), {"a": 0.0, "b": 0.0})
    assert (higher["score"] == 0.0).all() and (higher["flag"] == "zero_reference").all()
    lower = scored(indicator("complaints", "lower", "count"), {"a": 0.0, "b": 2.0}, params={})
    assert lower.loc["a", "score"] == 4.0 and lower.loc["b", "score"] == 0.0
    assert (lower["flag"] == "zero_reference").all()
    floored = scored(indicator("wait", "lower", "seconds"), {"a": 0.0, "b": 2.0})  # floor 1 s: 1 ÷ 2
    assert floored.loc["b", "score"] == 2.0 and (floored["flag"] == "").all()
    rate = scored(indicator("redo", "lower_rate", "percent"), {"a": 0.0, "b": 0.2})  # (1 − 0.2) ÷ (1 − 0)
    assert rate.loc["b", "score"] == pytest.approx(3.2) and (rate["flag"] == "").all()


def test_higher_is_better_is_value_over_reference_capped():
    assert ratio_higher(np.array([0.6]), 0.8)[0] == pytest.approx(0.75)
    assert ratio_higher(np.array([0.9]), 0.8)[0] == 1.0  # a benchmark can be exceeded: capped
    assert ratio_higher(np.array([0.5]), 0.0)[0] == 0.0  # a reference of 0: 0 (flagged, see below)


def test_lower_is_better_is_reference_over_value_with_floors():
    assert ratio_lower(np.array([20.0]), 10.0, 1.0)[0] == pytest.approx(0.5)
    # a reference of 0.5 s and a value of 0.8 s are both raised to the 1 s floor: full marks
    assert ratio_lower(np.array([0.8]), 0.5, 1.0)[0] == 1.0
    assert ratio_lower(np.array([4.0]), 0.5, 1.0)[0] == pytest.approx(0.25)  # 1 / 4
    assert ratio_lower(np.array([0.0]), 0.0, 0.0)[0] == 1.0  # v = 0 with r = 0 gives full marks


def test_bounded_lower_rates_score_their_complement():
    assert complement(np.array([0.25]), 0.05)[0] == pytest.approx(0.75 / 0.95)
    assert complement(np.array([0.0]), 0.0)[0] == 1.0  # the best unit with no returns


def test_province_best_reference_is_named_and_ties_share_it():
    ref = best_of(pd.Series({"a": 0.9, "b": 0.95, "c": 0.95}), "higher")
    assert (ref.value, ref.holder) == (0.95, "b、c")
    assert best_of(pd.Series({"a": 12.0, "b": 20.0}), "lower").holder == "a"
    assert best_of(pd.Series({"a": 0.02, "b": 0.19}), "lower_rate").holder == "a"


def test_a_ratio_score_keeps_value_reference_holder_and_terms():
    out = scored(indicator(points=4), {"a": 0.9, "b": 0.6, "c": None})
    # reference = best = 0.9 (a); b: 4 × 0.6 / 0.9 = 2.6667; c has no data: no score, never 0
    assert out.loc["b", "score"] == pytest.approx(4 * 0.6 / 0.9)
    assert out.loc["a", "score"] == 4.0
    assert np.isnan(out.loc["c", "score"])
    assert out.loc["b", "reference"] == 0.9 and out.loc["b", "reference_holder"] == "a"
    assert (out.loc["b", "numerator"], out.loc["b", "denominator"], out.loc["b", "n"]) == (60.0, 100.0, 100.0)
    assert out.loc["b", "rule"] == "higher"


def test_lower_duration_scored_against_the_fastest_city():
    out = scored(indicator("answer_wait_avg", "lower", "seconds", points=2), {"a": 12.0, "b": 18.0, "c": 48.0})
    # reference 12 s (a); b: 2 × 12/18 = 1.3333; c: 2 × 12/48 = 0.5
    assert out["score"].to_dict() == pytest.approx({"a": 2.0, "b": 4 / 3, "c": 0.5})


def test_a_sample_below_the_minimum_is_not_scored():
    out = scored(indicator(points=3), {"a": 0.9, "b": 0.8}, status=["ok", "insufficient_sample"])
    assert out.loc["a", "score"] == 3.0 and np.isnan(out.loc["b", "score"])


def test_benchmark_reference_cites_its_source():
    ev = evaluation(
        cities=("a",),
        indicators=["answer_rate"],
        reference={
            "strategy": "benchmark",
            "benchmarks": {"answer_rate": {"value": 0.98, "source": "常州市12345平台年度工作情况发布", "year": 2021}},
        },
    )
    out = scored(indicator(points=4), {"a": 0.931}, ev=ev)
    assert out.loc["a", "score"] == pytest.approx(4 * 0.931 / 0.98)  # 3.8
    assert out.loc["a", "reference_holder"] == "常州市12345平台年度工作情况发布（2021年）"  # the year is added


def test_mixed_uses_the_benchmark_where_pinned_and_the_best_city_elsewhere():
    ev = evaluation(
        cities=("a", "b"),
        reference={"strategy": "mixed", "benchmarks": {"answer_rate": {"value": 0.98, "source": "常州市2021年"}}},
    )
    pinned = scored(indicator(points=4), {"a": 0.96, "b": 0.90}, ev=ev)
    assert pinned.loc["a", "score"] == pytest.approx(4 * 0.96 / 0.98)  # the best city is below the benchmark
    free = scored(indicator("dispatch_timely_rate", points=1), {"a": 0.96, "b": 0.90}, ev=ev)
    assert free.loc["a", "score"] == 1.0 and free.loc["b", "score"] == pytest.approx(0.90 / 0.96)


def test_zero_below_threshold_zeroes_the_score_and_says_so():
    ev = evaluation(cities=("a", "b"), thresholds={"answer_rate": {"zero_below": 0.85}})
    out = scored(indicator(points=4), {"a": 0.95, "b": 0.82}, ev=ev)
    # without the rule b would score 4 × 0.82/0.95 = 3.45; 0.82 < 0.85 → 0 (Lianyungang-style local rule)
    assert out.loc["b", "score"] == 0.0 and "threshold" in out.loc["b", "flag"]
    assert out.loc["a", "score"] == 4.0 and out.loc["a", "flag"] == ""


def test_zero_above_threshold_for_a_lower_better_indicator():
    ev = evaluation(cities=("a", "b"), thresholds={"answer_wait_avg": {"zero_above": 40}})
    out = scored(indicator("answer_wait_avg", "lower", "seconds", points=2), {"a": 12.0, "b": 42.0}, ev=ev)
    assert out.loc["b", "score"] == 0.0  # 42 s > 40 s


# ---- A.2 qualitative and A.3 expert indicators -----------------------------------------------------


def test_level_factor_score_is_points_times_the_mean_factor_without_a_reference():
    ind = indicator("agent_attitude", unit="factor", points=4, kind="qualitative", scoring="level_factor")
    # samples A, B, C, D average (1 + 0.8 + 0.5 + 0) / 4 = 0.575 → 4 × 0.575 = 2.3 (no reference, A.2)
    out = scored(ind, {"a": 0.575, "b": 1.0})
    assert out.loc["a", "score"] == pytest.approx(2.3)
    assert np.isnan(out.loc["a", "reference"]) and out.loc["a", "rule"] == "level_factor"


def test_rule_points_are_capped_at_the_points_and_scale_with_the_plan():
    ind = indicator("emergency_response_capability", unit="points", points=2, kind="qualitative", scoring="rule_points")
    out = scored(ind, {"a": 1.5, "b": 2.5})
    assert out.loc["a", "score"] == 1.5 and out.loc["b", "score"] == 2.0  # 3 of 4 criteria; capped
    # a plan giving it 4 points scales the rule table's 2-point result: 4 × 1.5/2 = 3
    assert scored(ind, {"a": 1.5, "b": 2.0}, points=4).loc["a", "score"] == 3.0


def test_expert_panel_value_is_scored_on_the_indicator_scale():
    ind = indicator("innovation_new_technology", unit="points", points=2, kind="expert", scoring="expert_panel")
    out = scored(ind, {"a": 1.6, "b": None})
    assert out.loc["a", "score"] == pytest.approx(1.6) and np.isnan(out.loc["b", "score"])
    assert out.loc["a", "rule"] == "expert_panel"


def test_an_expert_panel_is_scored_on_the_points_the_evaluation_gives():
    """A definition gives an innovation indicator 4 points instead of the catalogue's 2; its expert sheets and
    range check use 4, and five experts giving 2 of 4 made 4.00 of 4 (2 ÷ the catalogue's 2). Issue 19, point 2."""
    ind = indicator("innovation_new_technology", unit="points", points=2, kind="expert", scoring="expert_panel")
    out = scored(ind, {"a": 2.0, "b": 4.0}, points=4)
    assert out.loc["a", "score"] == pytest.approx(2.0) and out.loc["b", "score"] == pytest.approx(4.0)


def test_pooled_values_give_every_city_a_row_and_missing_ones_no_data():
    rows = pd.DataFrame(
        [
            {
                "city": "a",
                "unit": "",
                "month": "all",
                "indicator": "answer_rate",
                "numerator": 9,
                "denominator": 10,
                "value": 0.9,
                "status": "ok",
                "flag": "",
            },
            {
                "city": "a",
                "unit": "",
                "month": "2026-07",
                "indicator": "answer_rate",
                "numerator": 9,
                "denominator": 10,
                "value": 0.9,
                "status": "ok",
                "flag": "",
            },
        ]
    )
    out = pooled_values(rows, "answer_rate", ["a", "b"])
    assert out.loc["a", "n"] == 10 and out.loc["b", "status"] == "no_data"


def test_n_is_the_records_behind_the_value_not_the_denominator():
    """万人诉求比 divides 27,588 requests by 2,505 person-months: scores.csv said n = 2,505 where indicators.csv
    said n = 27,588 (issue 19, point 5)."""
    row = {"city": "a", "unit": "", "month": "all", "indicator": "requests_per_10k", "status": "ok", "flag": ""}
    rows = pd.DataFrame([row | {"numerator": 27588, "denominator": 2505.0, "n": 27588, "value": 11.01}])
    assert pooled_values(rows, "requests_per_10k", ["a"]).loc["a", "n"] == 27588
    older = rows.drop(columns="n")  # outputs without n: the denominator, as before
    assert pooled_values(older, "requests_per_10k", ["a"]).loc["a", "n"] == 2505.0


# ---- properties -----------------------------------------------------------------------------------

positive = st.floats(0.01, 1000, allow_nan=False)
rate = st.floats(0, 1, allow_nan=False)


@given(value=rate, reference=st.floats(0.01, 1), points=st.floats(0.5, 10))
def test_higher_score_is_within_zero_and_points(value, reference, points):
    s = points * ratio_higher(np.array([value]), reference)[0]
    assert 0 <= s <= points


@given(value=positive, reference=positive, floor=st.floats(0, 2))
def test_lower_score_is_within_zero_and_one(value, reference, floor):
    assert 0 <= ratio_lower(np.array([value]), reference, floor)[0] <= 1


@given(value=rate, reference=st.floats(0, 0.99))
def test_complement_score_is_within_zero_and_one(value, reference):
    assert 0 <= complement(np.array([value]), reference)[0] <= 1


@given(a=rate, b=rate, reference=st.floats(0.01, 1))
def test_a_higher_value_never_scores_less_when_higher_is_better(a, b, reference):
    lo, hi = sorted((a, b))
    assert ratio_higher(np.array([hi]), reference)[0] >= ratio_higher(np.array([lo]), reference)[0]


@given(a=positive, b=positive, reference=positive, floor=st.floats(0, 2))
def test_a_longer_duration_never_scores_more(a, b, reference, floor):
    lo, hi = sorted((a, b))
    assert ratio_lower(np.array([hi]), reference, floor)[0] <= ratio_lower(np.array([lo]), reference, floor)[0]


@given(a=rate, b=rate, reference=st.floats(0, 0.99))
def test_a_higher_bad_rate_never_scores_more(a, b, reference):
    lo, hi = sorted((a, b))
    assert complement(np.array([hi]), reference)[0] <= complement(np.array([lo]), reference)[0]


@given(
    vals=st.lists(st.floats(0.001, 1, allow_nan=False), min_size=1, max_size=8),
    direction=st.sampled_from(["higher", "lower", "lower_rate"]),
    floor=st.floats(0, 0.5),
)
@example(vals=[0.99999, 1.0], direction="higher", floor=0.0)  # a near-tie is not a tie
def test_the_reference_holder_gets_full_points(vals, direction, floor):
    if direction == "lower_rate":
        vals = [min(v, 0.999) for v in vals]
    series = pd.Series(vals, index=[f"c{i}" for i in range(len(vals))])
    ref = best_of(series, direction)
    holder = ref.holder.split("、")[0]
    assert RULES[direction](np.array([series[holder]]), ref.value, floor)[0] == pytest.approx(1.0)


@given(v=st.floats(-1, 20), points=st.floats(0.5, 10))
def test_rule_and_panel_points_stay_within_the_points(v, points):
    ind = indicator("x", unit="points", points=points, kind="expert", scoring="expert_panel")
    assert 0 <= points_share(np.array([v]), ind)[0] <= 1


def test_score_indicators_gives_each_indicator_s_level_score(root):
    from hotline_eval.config.catalogue import load_catalogue
    from hotline_eval.score.rules import score_indicators

    catalogue = load_catalogue(root)
    ev = evaluation(cities=("a", "b"), indicators={"answer_rate": 4})
    rows = pd.DataFrame(
        [
            {
                "city": c,
                "unit": "",
                "month": "all",
                "indicator": "answer_rate",
                "numerator": n,
                "denominator": 100,
                "value": n / 100,
                "status": "ok",
                "flag": "",
            }
            for c, n in (("a", 90), ("b", 60))
        ]
    )
    out = score_indicators(rows, ev, ev.active_indicators(catalogue), {}).set_index("city")
    assert out.loc["b", "score"] == pytest.approx(4 * 0.6 / 0.9) and out.loc["b", "reference_holder"] == "a"

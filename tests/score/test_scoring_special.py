"""Refined sub-items of special evaluations: a themed activity against its baseline (§5.1.2.1) and
time-slot segments (§5.1.2.2), on hand-built calls whose values are worked out in the comments."""

import math

import numpy as np
import pandas as pd
import pytest

from hotline_eval.config.catalogue import load_catalogue
from hotline_eval.score.scoring import ScoringContext, score_evaluation
from tests.support.hand_built import evaluation, run_measure

UNITS = pd.DataFrame(columns=["unit_id", "city", "class", "name_zh"])
_ids = iter(range(100_000))


def calls(city, at, answered, abandoned, wait=10):
    """`answered` calls answered after `wait` seconds and `abandoned` calls abandoned after 50 s, all at `at`."""
    out = []
    for outcome in ["answered"] * answered + ["abandoned"] * abandoned:
        stamp = pd.Timestamp(at)
        out.append(
            {
                "call_id": f"c{next(_ids)}",
                "city": city,
                "arrived_at": str(stamp),
                "queue_entered_at": str(stamp),
                "answered_at": str(stamp + pd.Timedelta(seconds=wait)) if outcome == "answered" else None,
                "ended_at": str(stamp + pd.Timedelta(seconds=120 if outcome == "answered" else 50)),
                "outcome": outcome,
                "is_valid": True,
            }
        )
    return out


CALLS = [
    # the activity: Friday 2026-09-18, 09:00–11:00 — 4 calls, all answered after 40 s
    *calls("a", "2026-09-18 09:30", 4, 0, wait=40),
    *calls("a", "2026-09-18 14:00", 0, 4),  # the same day outside the window: neither window nor baseline
    # the baseline: other Fridays, 09:00–11:00
    *calls("a", "2026-09-11 09:30", 2, 2, wait=20),
    *calls("a", "2026-09-04 10:59:59", 3, 1, wait=30),
    *calls("a", "2026-09-04 11:00", 0, 2),  # 11:00 is the end of the slot (excluded)
    *calls("a", "2026-09-25 09:30", 0, 4),  # 25 September is a holiday (params/calendar.yaml): excluded
    *calls("a", "2026-09-17 09:30", 0, 4),  # a Thursday: not the activity's weekday
    # nights (18:00–08:00) and weekends
    *calls("a", "2026-09-02 23:00", 2, 2),
    *calls("b", "2026-09-03 07:59", 3, 1),
    *calls("b", "2026-09-03 08:00", 0, 1),  # 08:00 is day time
    *calls("a", "2026-09-05 10:00", 1, 0),  # a Saturday
    *calls("b", "2026-09-06 10:00", 1, 1),  # a Sunday
]


def special_evaluation():
    return evaluation(
        cities=("a", "b"),
        start="2026-07-01",
        end="2026-09-30",
        type="special",
        indicators={
            "answer_rate": {"level": 10, "change": 5, "activity": 5, "segments": {"night": 5, "weekend": 5}},
            "answer_wait_avg": {"level": 5, "change": 5, "activity": 5},
        },
        segments={
            "night": {"zh": "夜间", "hours": ["18:00", "08:00"]},
            "weekend": {"zh": "周末", "weekdays": [6, 7]},
        },
        activity={
            "zh": "领导接听日",
            "windows": [{"date": "2026-09-18", "start": "09:00", "end": "11:00"}],
            "exclude_holidays": True,
        },
    )


@pytest.fixture(scope="module")
def measured(root, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("special")
    return tmp / "data", run_measure(root, tmp, {"calls": CALLS}, special_evaluation())


def assessed(root, measured, gate=None):
    data_dir, indicators = measured
    ev, catalogue = special_evaluation(), load_catalogue(root)
    gate = gate or (lambda rows: rows)
    ctx = ScoringContext(root, data_dir, ev, catalogue, ev.parameter_values(catalogue), gate(indicators), gate=gate)
    return score_evaluation(ctx, UNITS, [])


@pytest.fixture(scope="module")
def result(root, measured):
    return assessed(root, measured)


def test_the_activity_window_against_the_same_weekday_and_hours(result):
    act = result.special["activity"].set_index(["city", "indicator"])
    rate = act.loc[("a", "answer_rate")]
    assert (rate["window_numerator"], rate["window_denominator"]) == (4, 4)  # window 4 / 4 = 100 %
    # baseline: 11 Sep 2 of 4 + 4 Sep 3 of 4 (10:59:59) = 5 of 8 = 62.5 %
    assert (rate["baseline_numerator"], rate["baseline_denominator"]) == (5, 8)
    assert rate["difference"] == pytest.approx(1 - 0.625)
    # two-proportion z: pooled 9/12 = 0.75, se = √(0.75 × 0.25 × (1/4 + 1/8)) = 0.26517, z = 0.375 / se
    z = 0.375 / math.sqrt(0.75 * 0.25 * (1 / 4 + 1 / 8))
    assert rate["z"] == pytest.approx(z) and rate["p_value"] == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert rate["verdict"] == "no_difference"  # p = 0.157: four calls are too few to call it better


def test_an_average_is_compared_without_a_test_and_scored_against_the_baseline(result):
    act = result.special["activity"].set_index(["city", "indicator"])
    wait = act.loc[("a", "answer_wait_avg")]
    # window 40 s; baseline answered waits: 2 × 20 s + 3 × 30 s = 130 s over 5 calls = 26 s
    assert wait["window_value"] == 40 and wait["baseline_value"] == pytest.approx(26)
    assert wait["verdict"] == "not_tested" and np.isnan(wait["p_value"])
    scores = result.scores.set_index(["city", "indicator"])
    assert scores.loc[("a", "answer_wait_avg.activity"), "score"] == pytest.approx(5 * 26 / 40)
    assert scores.loc[("a", "answer_rate.activity"), "score"] == 5.0  # better than the baseline: capped
    assert scores.loc[("a", "answer_rate.activity"), "reference"] == pytest.approx(0.625)
    assert np.isnan(scores.loc[("b", "answer_rate.activity"), "score"])  # b has no call in the window


def test_segment_values_and_their_province_best_reference(result):
    scores = result.scores.set_index(["city", "indicator"])
    night_a, night_b = scores.loc[("a", "answer_rate.night")], scores.loc[("b", "answer_rate.night")]
    # nights: a 23:00 2 of 4 = 0.5; b 07:59 3 of 4 = 0.75 (the 08:00 call is day time)
    assert (night_a["value"], night_b["value"]) == (0.5, 0.75)
    assert night_a["reference_holder"] == "b" and night_a["score"] == pytest.approx(5 * 0.5 / 0.75)
    # weekends: a Saturday 1 of 1; b Sunday 1 of 2
    weekend_b = scores.loc[("b", "answer_rate.weekend")]
    assert weekend_b["value"] == 0.5 and weekend_b["score"] == pytest.approx(5 * 0.5 / 1.0)
    assert night_a["item"] == "segment" and night_a["segment"] == "night"


def test_every_sub_item_is_a_scored_row_and_the_points_add_up(result):
    a = result.scores[result.scores["city"] == "a"]
    assert sorted(a["indicator"]) == sorted(
        [
            "answer_rate",
            "answer_rate.change",
            "answer_rate.activity",
            "answer_rate.night",
            "answer_rate.weekend",
            "answer_wait_avg",
            "answer_wait_avg.change",
            "answer_wait_avg.activity",
        ]
    )
    assert a["points"].sum() == 45


def test_the_quality_gate_reaches_every_windowed_sub_item(root, measured):
    def block_b(rows):  # what the data-quality gate does to indicators of failing data (§5.2.7)
        hit = (rows["city"] == "b") & (rows["indicator"] == "answer_rate")
        return rows.assign(status=np.where(hit, "quality_blocked", rows["status"]))

    scores = assessed(root, measured, gate=block_b).scores.set_index(["city", "indicator"])
    for item in ("answer_rate", "answer_rate.night", "answer_rate.weekend", "answer_rate.change"):
        assert scores.loc[("b", item), "status"] == "quality_blocked" and np.isnan(scores.loc[("b", item), "score"])
    # a's night value is now its own province best: b's blocked 0.75 is no reference
    assert scores.loc[("a", "answer_rate.night"), "reference_holder"] == "a"
    assert scores.loc[("b", "answer_wait_avg.change"), "status"] != "quality_blocked"  # only what failed

"""The expert panel of Appendix A.3 (indicators.md §5): trimmed mean, panel size, dispersion, rescoring."""

import numpy as np
import pandas as pd
import pytest
from test_scoring import indicator

from canonical import evaluation
from hotline_eval.expert import panel

INNOVATION = indicator("innovation_new_technology", unit="points", points=2, kind="expert", scoring="expert_panel")


def scores(city, values, round=1, external=(), indicator_id=INNOVATION.id, first=1):
    return [
        {
            "evaluation_id": "test",
            "expert_id": f"E{i:02d}",
            "city": city,
            "indicator": indicator_id,
            "round": round,
            "score": v,
            "affiliation": "external" if i in external else "internal",
        }
        for i, v in enumerate(values, start=first)
    ]


def run(rows, cities=("a",)):
    ev = evaluation(cities=cities)
    result, detail = panel(pd.DataFrame(rows), ev, [INNOVATION])
    return result.set_index("city"), detail


def test_five_experts_drop_one_highest_and_one_lowest():
    result, detail = run(scores("a", [1.0, 1.4, 1.6, 1.5, 2.0], external=(5,)))
    # drop 1.0 and 2.0: (1.4 + 1.6 + 1.5) / 3 = 1.5
    assert result.loc["a", "value"] == pytest.approx(1.5)
    assert result.loc["a", "denominator"] == 5 and result.loc["a", "numerator"] == pytest.approx(4.5)
    assert result.loc["a", "flag"] == ""
    trimmed = detail[detail["trimmed"]]
    assert sorted(trimmed["score"]) == [1.0, 2.0] and len(detail) == 5  # every score kept for appeals


def test_four_or_three_experts_take_the_plain_mean_and_are_warned_about():
    result, _ = run(scores("a", [1.0, 1.2, 1.4, 1.6], external=(1,)))
    assert result.loc["a", "value"] == pytest.approx(1.3)  # (1.0 + 1.2 + 1.4 + 1.6) / 4, nothing dropped
    assert result.loc["a", "flag"] == "panel_below_minimum"
    result, _ = run(scores("a", [1.0, 1.2, 1.4], external=(1,)))
    assert result.loc["a", "value"] == pytest.approx(1.2)


def test_fewer_than_three_scores_is_no_data():
    result, _ = run(scores("a", [1.0, 1.8], external=(1,)), cities=("a", "b"))
    assert result.loc["a", "status"] == "no_data" and np.isnan(result.loc["a", "value"])
    assert "panel_too_small" in result.loc["a", "flag"]
    assert result.loc["b", "status"] == "no_data" and result.loc["b", "flag"] == ""  # no scores at all


def test_a_panel_without_an_external_expert_is_warned_about():
    result, _ = run(scores("a", [1.0, 1.2, 1.4, 1.4, 1.5]))
    assert result.loc["a", "flag"] == "no_external_expert" and result.loc["a", "status"] == "ok"


def test_a_wide_first_round_calls_for_one_moderated_rescoring():
    # spread 1.8 − 0.4 = 1.4 > 50 % of 2 points = 1.0
    result, _ = run(scores("a", [0.4, 1.2, 1.4, 1.5, 1.8], external=(5,)))
    assert result.loc["a", "flag"] == "rescoring_required"
    assert result.loc["a", "value"] == pytest.approx((1.2 + 1.4 + 1.5) / 3)  # provisional, first round


def test_after_rescoring_the_last_round_is_used_and_both_are_kept():
    rows = scores("a", [0.4, 1.2, 1.4, 1.5, 1.8], external=(5,)) + scores(
        "a", [1.0, 1.2, 1.3, 1.4, 1.6], round=2, external=(5,)
    )
    result, detail = run(rows)
    assert result.loc["a", "value"] == pytest.approx((1.2 + 1.3 + 1.4) / 3)  # round 2, trimmed
    assert result.loc["a", "flag"] == "rescored"
    assert len(detail) == 10 and detail[detail["round"] == 1]["used"].sum() == 0
    assert set(detail[detail["round"] == 1]["note"]) == {"已复评，采用最后一轮"}


def test_a_score_above_the_points_or_repeated_is_kept_but_not_used():
    rows = scores("a", [1.0, 1.2, 1.4, 1.5, 2.5], external=(5,))  # 2.5 > 2 points
    rows += [dict(rows[0], score=0.2)]  # E01 scores twice in round 1
    result, detail = run(rows)
    # used: 1.0, 1.2, 1.4, 1.5 (n = 4, plain mean 1.275)
    assert result.loc["a", "value"] == pytest.approx((1.0 + 1.2 + 1.4 + 1.5) / 4)
    notes = detail.set_index("score")["note"]
    assert notes[2.5].startswith("分值超出") and notes[0.2].startswith("同一专家")


def test_scores_of_another_evaluation_are_ignored():
    rows = scores("a", [1.0, 1.2, 1.4], external=(1,)) + [
        dict(r, evaluation_id="other", score=0.0) for r in scores("a", [0.0, 0.0, 0.0], first=4)
    ]
    result, _ = run(rows)
    assert result.loc["a", "value"] == pytest.approx(1.2) and result.loc["a", "denominator"] == 3

"""The expert panel of Appendix A.3 (indicators.md §5): trimmed mean, panel size, dispersion, rescoring."""

import numpy as np
import pandas as pd
import pytest

from hotline_eval.score.expert_panel import panel
from tests.support.builders import indicator
from tests.support.hand_built import evaluation

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


def run(rows, cities=("a", "b")):
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


# ---- the panel inside the scoring stage (pipeline.analyse) -----------------------------------------

EXPERT_ENTRY = """
  - id: innovation_new_technology
    zh: 新技术引入
    en: New-technology adoption
    dimension: innovation
    clause: 6.7.1
    kind: expert
    direction: higher
    unit: points
    points: 2
    scoring: expert_panel
    method: [REP]
    formula_zh: 专家组评分的截尾平均数
"""


@pytest.fixture
def project(root, tmp_path):
    """The real params with an expert-scored entry added to the catalogue (issue 3 brings the real ones)."""
    params = tmp_path / "params"
    params.mkdir()
    for name in (
        "schema.yaml",
        "evaluation-defaults.yaml",
        "calendar.yaml",
        "wording",
        "comparison.yaml",
        "provinces",
    ):
        (params / name).symlink_to(root / "params" / name)
    text = (root / "params" / "indicators.yaml").read_text(encoding="utf-8")
    if f"id: {INNOVATION.id}" not in text:  # the catalogue of issue 3 has it already (2 points, §6.7.1)
        text = text.rstrip() + "\n" + EXPERT_ENTRY
    (params / "indicators.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def daily_calls(city, skip=()):
    return [
        {
            "call_id": f"{city}{d}",
            "city": city,
            "arrived_at": f"2026-07-{d:02d} 10:00:00",
            "queue_entered_at": f"2026-07-{d:02d} 10:00:00",
            "answered_at": f"2026-07-{d:02d} 10:00:12",
            "ended_at": f"2026-07-{d:02d} 10:03:00",
            "outcome": "answered",
            "is_valid": True,
        }
        for d in range(1, 32)
        if d not in skip
    ]


def analysed(project, calls, expert_rows):
    from types import SimpleNamespace

    from hotline_eval.pipeline import analyse
    from tests.support.hand_built import write_tables

    ev = evaluation(cities=("a", "b"), indicators={"answer_rate": 4, "innovation_new_technology": 2})
    paths = SimpleNamespace(out=project / "out", data=project / "out" / "data")
    write_tables(project, paths.data, {"calls": calls, "expert_scores": expert_rows})
    analyse(project, ev, paths)
    return paths.out


def test_the_panel_is_scored_in_the_pipeline_and_every_score_kept(project):
    from openpyxl import load_workbook

    rows = scores("a", [1.0, 1.4, 1.6, 1.5, 2.0], external=(5,)) + scores("b", [0.8, 1.0, 1.2])
    out = analysed(project, daily_calls("a") + daily_calls("b"), rows)
    indicators = pd.read_csv(out / "indicators.csv", encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    panel_rows = indicators[indicators["indicator"] == INNOVATION.id].set_index("city")
    assert panel_rows.loc["a", "value"] == pytest.approx(1.5) and panel_rows.loc["b", "value"] == pytest.approx(1.0)
    s = pd.read_csv(out / "scores.csv", encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    s = s.set_index(["city", "indicator"])
    assert s.loc[("a", INNOVATION.id), "score"] == pytest.approx(1.5) and s.loc[("a", INNOVATION.id), "n"] == 5
    assert s.loc[("b", INNOVATION.id), "flag"] == "panel_below_minimum;no_external_expert"
    # totals: a answers every call (4 points) + 1.5 → 5.5 / 6 × 100
    totals = pd.read_csv(out / "totals.csv", encoding="utf-8-sig").set_index("city")
    assert totals.loc["a", "total"] == pytest.approx(5.5 / 6 * 100)
    assert totals.loc["a", "dim_innovation"] == pytest.approx(1.5)
    ws = load_workbook(out / "scores.xlsx")["专家评分"]
    assert ws.max_row - 1 == 8  # all eight scores, trimmed ones included


def test_a_month_without_enough_days_of_data_stops_the_scoring_and_names_the_gap(project):
    from hotline_eval.core.errors import PeriodError

    gap = range(5, 16)  # b: records on 20 of 31 days
    with pytest.raises(PeriodError, match=r"b市（b）：2026-07 有记录的天数为20天（共31天）"):
        analysed(project, daily_calls("a") + daily_calls("b", skip=gap), [])

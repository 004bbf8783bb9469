"""Totals: rescaling over available points, coverage, grades, one-vote veto, innovation bonus, ranks."""

import numpy as np
import pandas as pd
import pytest

from hotline_eval.core.errors import ConfigError
from hotline_eval.score.rules import NOT_GRADED
from hotline_eval.score.totals import totals
from hotline_eval.score.veto import SOURCES, VetoRecord, collect, veto_source
from tests.support.hand_built import ROOT, evaluation


def row(city, indicator, dimension, points, score, kind="system"):
    return {
        "city": city,
        "indicator": indicator,
        "dimension": dimension,
        "points": points,
        "score": score,
        "kind": kind,
    }


def test_no_data_is_not_scored_and_the_total_is_rescaled_over_available_points(catalogue):
    ev = evaluation(cities=("a", "b"))
    scores = pd.DataFrame(
        [
            row("a", "answer_rate", "response", 4, 4.0),
            row("a", "answer_wait_avg", "response", 2, 2.0),
            row("b", "answer_rate", "response", 4, 2.6667),
            row("b", "answer_wait_avg", "response", 2, np.nan),  # no data
        ]
    )
    t = totals(scores, ev, catalogue, []).set_index("city")
    assert t.loc["b", "total"] == pytest.approx(2.6667 / 4 * 100)  # over the 4 available points, not 6
    assert t.loc["b", "coverage"] == pytest.approx(4 / 6 * 100)
    assert t.loc["b", "grade"] == NOT_GRADED  # coverage 66.7 < 80
    assert t.loc["a", "grade"] == "优秀" and t.loc["a", "rank"] == 1  # 100 points: the band of 90 and more
    assert t.loc["b", "dim_response"] == pytest.approx(2.6667) and t.loc["b", "dimavail_response"] == 4
    assert t.loc["b", "dimpoints_response"] == 6


def test_grade_bands_include_their_minimum(catalogue):
    grades = [
        {"grade": "优秀", "min": 90},
        {"grade": "良好", "min": 80},
        {"grade": "合格", "min": 60},
        {"grade": "不合格", "min": 0},
    ]
    ev = evaluation(cities=("a", "b", "c", "d"), grades=grades)
    scores = pd.DataFrame(
        [row(c, "x", "response", 10, s) for c, s in zip("abcd", [9.0, 8.999, 6.0, 5.99], strict=True)]
    )
    t = totals(scores, ev, catalogue, []).set_index("city")
    # 90 → 优秀; 89.99 → 良好; 60 → 合格; 59.9 → 不合格
    assert t["grade"].to_dict() == {"a": "优秀", "b": "良好", "c": "合格", "d": "不合格"}


def test_ties_share_the_better_rank(catalogue):
    ev = evaluation(cities=("a", "b", "c"))
    scores = pd.DataFrame(
        [row("a", "x", "response", 10, 8.0), row("b", "x", "response", 10, 9.0), row("c", "x", "response", 10, 8.0)]
    )
    t = totals(scores, ev, catalogue, []).set_index("city")
    assert t["rank"].to_dict() == {"a": 2, "b": 1, "c": 2}


def test_one_vote_veto_sets_the_grade_whatever_the_score(catalogue):
    ev = evaluation(cities=("a", "b"), vetoes=[{"city": "a", "reason_zh": "经核查存在回访数据造假"}])
    scores = pd.DataFrame([row("a", "x", "response", 10, 9.8), row("b", "x", "response", 10, 7.0)])
    vetoes = collect(ROOT, ev, None)
    t = totals(scores, ev, catalogue, vetoes).set_index("city")
    assert t.loc["a", "grade"] == "不合格" and t.loc["a", "veto"]
    assert t.loc["a", "veto_reason"] == "经核查存在回访数据造假（评价方案）"
    assert t.loc["a", "total"] == pytest.approx(98)  # the score itself stays on record
    assert not t.loc["b", "veto"]


def test_another_stage_can_feed_a_veto_through_the_hook(catalogue):
    ev = evaluation(cities=("a", "b"))

    @veto_source("test-quality")
    def quality(root, ev, out):
        return [VetoRecord("b", "系统导出数据与原始记录不符", "数据质量核查"), VetoRecord("zz", "not evaluated", "x")]

    try:
        found = collect(ROOT, ev, None)
    finally:
        del SOURCES["test-quality"]
    assert [(v.city, v.source_zh) for v in found] == [("b", "数据质量核查")]  # unknown cities are ignored
    t = totals(pd.DataFrame([row("b", "x", "response", 10, 10.0)]), ev, catalogue, found).set_index("city")
    assert t.loc["b", "grade"] == "不合格"


def test_a_declared_quality_veto_is_triggered_by_a_failing_check_with_its_result_as_reason(tmp_path, catalogue):
    """indicators.md §6: a plan may declare a veto the data-quality assessment triggers (issue 19, point 7)."""
    from hotline_eval.quality import QUALITY_CSV
    from hotline_eval.quality.frame import COLUMNS

    check = {"table": "tickets", "month": "all", "item": "", "scope": "tickets", "severity": "gate", "data_version": 1}
    rows = [  # 工单抽样核验: a 62 of 80 matching (lower bound 67.3 %), b 79 of 80 (93.1 %)
        check | {"city": "a", "check": "verified_accuracy_low", "value": 0.673, "threshold": 0.9, "passed": False},
        check | {"city": "b", "check": "verified_accuracy_low", "value": 0.931, "threshold": 0.9, "passed": True},
        check | {"city": "b", "check": "record_recall", "value": 0.9, "threshold": 0.98, "passed": False},
    ]
    pd.DataFrame(rows).reindex(columns=COLUMNS).to_csv(tmp_path / QUALITY_CSV, index=False, encoding="utf-8-sig")
    declared = {"checks": ["verified_accuracy_low"], "reason_zh": "抽样核验发现报送数据与源系统记录不符"}
    ev = evaluation(cities=("a", "b"), quality_veto=declared)
    found = collect(ROOT, ev, tmp_path)
    assert [(v.city, v.source_zh) for v in found] == [("a", "数据质量核查")]  # b's recall failure is no veto
    assert found[0].reason_zh == (
        "抽样核验发现报送数据与源系统记录不符：工单 全期 抽样核验准确率95%置信下限 67.3%，门槛≥90%"
    )
    assert collect(ROOT, evaluation(cities=("a", "b")), tmp_path) == [], "off unless the definition declares it"
    with pytest.raises(ConfigError, match=r"quality_veto\.checks\.0"):
        evaluation(quality_veto={"checks": ["duplicates"], "reason_zh": "重复记录过多"})  # a count, no gate


def test_innovation_inside_counts_in_the_hundred(catalogue):
    ev = evaluation(cities=("a", "b"), innovation="inside")
    scores = pd.DataFrame([row("a", "x", "response", 93, 83.7), row("a", "innov", "innovation", 7, 3.5, "expert")])
    t = totals(scores, ev, catalogue, []).set_index("city")
    assert t.loc["a", "total"] == pytest.approx((83.7 + 3.5) / 100 * 100)  # 87.2
    assert t.loc["a", "bonus"] == 0


def test_innovation_as_a_bonus_is_added_on_top_of_the_rescaled_total(catalogue):
    ev = evaluation(cities=("a", "b"), innovation="bonus")
    scores = pd.DataFrame(
        [
            row("a", "x", "response", 93, 83.7),
            row("a", "innov", "innovation", 7, 3.5, "expert"),
            row("b", "x", "response", 93, 93.0),
            row("b", "innov", "innovation", 7, np.nan, "expert"),  # no panel: no bonus
        ]
    )
    t = totals(scores, ev, catalogue, []).set_index("city")
    # a: 83.7 / 93 × 100 = 90 on the base, + 3.5 bonus = 93.5; coverage over the 93 base points
    assert t.loc["a", "total"] == pytest.approx(83.7 / 93 * 100 + 3.5)
    assert t.loc["a", "bonus"] == 3.5 and t.loc["a", "coverage"] == pytest.approx(100)
    assert t.loc["b", "total"] == pytest.approx(100) and t.loc["b", "coverage"] == pytest.approx(100)
    assert t.loc["b", "rank"] == 1


def test_a_city_without_any_data_has_no_total_no_grade_and_no_rank(catalogue):
    ev = evaluation(cities=("a", "b"))
    scores = pd.DataFrame([row("a", "x", "response", 10, 5.0), row("b", "x", "response", 10, np.nan)])
    t = totals(scores, ev, catalogue, []).set_index("city")
    assert np.isnan(t.loc["b", "total"]) and t.loc["b", "grade"] == NOT_GRADED and np.isnan(t.loc["b", "rank"])

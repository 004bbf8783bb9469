"""Handling units (§4.2) scored and ranked within their city and class (indicators.md §3.1)."""

import pandas as pd
import pytest

from hotline_eval.config.catalogue import load_catalogue
from hotline_eval.score.units import unit_scores, unit_totals
from tests.support.hand_built import evaluation

UNITS = pd.DataFrame(
    [
        {"unit_id": "a-d1", "city": "a", "class": "district", "name_zh": "甲市东城区"},
        {"unit_id": "a-d2", "city": "a", "class": "district", "name_zh": "甲市西城区"},
        {"unit_id": "a-d3", "city": "a", "class": "district", "name_zh": "甲市南山区"},
        {"unit_id": "a-hr", "city": "a", "class": "department", "name_zh": "甲市人社局"},
        {"unit_id": "b-d1", "city": "b", "class": "district", "name_zh": "乙市东城区"},
    ]
)


def unit_row(city, unit, indicator, num, den):
    return {
        "city": city,
        "unit": unit,
        "month": "all",
        "indicator": indicator,
        "numerator": num,
        "denominator": den,
        "value": num / den,
        "status": "ok",
        "flag": "",
        "ci_low": None,
        "ci_high": None,
    }


@pytest.fixture
def scored(root):
    catalogue = load_catalogue(root)
    ev = evaluation(
        cities=("a", "b"),
        indicators={"result_satisfaction": 5, "return_for_redo_rate": 1},
        units={"evaluate": True, "classes": ["district", "department"], "min_denominator": 20},
    )
    rows = pd.DataFrame(
        [
            unit_row("a", "a-d1", "result_satisfaction", 90, 100),  # best district of city a
            unit_row("a", "a-d2", "result_satisfaction", 72, 100),
            unit_row("a", "a-d3", "result_satisfaction", 10, 10),  # 10 < 20: too few to score
            unit_row("a", "a-hr", "result_satisfaction", 60, 100),  # a department: its own class
            unit_row("b", "b-d1", "result_satisfaction", 50, 100),  # another city: never compared with a
            unit_row("a", "a-x9", "result_satisfaction", 99, 100),  # not in the units table
            unit_row("a", "a-d1", "return_for_redo_rate", 4, 100),
            unit_row("a", "a-d2", "return_for_redo_rate", 2, 100),
            unit_row("a", "", "result_satisfaction", 172, 210),  # the agency row is not a unit
        ]
    )
    items = ev.items(catalogue)
    out = unit_scores(rows, UNITS, ev, items, ev.parameter_values(catalogue))
    return ev, out.set_index(["unit", "base_indicator"])


def test_the_reference_is_the_best_unit_of_the_same_city_and_class(scored):
    _, s = scored
    d2 = s.loc[("a-d2", "result_satisfaction")]
    assert d2["reference"] == 0.9 and d2["reference_holder"] == "a-d1"
    assert d2["score"] == pytest.approx(5 * 0.72 / 0.90)  # 4.0
    assert s.loc[("a-hr", "result_satisfaction"), "score"] == 5.0  # the only department: its own best
    assert s.loc[("b-d1", "result_satisfaction"), "score"] == 5.0  # city b's only district
    assert d2["unit_name"] == "甲市西城区" and d2["class"] == "district"


def test_a_unit_below_the_minimum_volume_is_listed_but_not_scored(scored):
    _, s = scored
    d3 = s.loc[("a-d3", "result_satisfaction")]
    assert d3["status"] == "insufficient_sample" and pd.isna(d3["score"])
    assert s.loc[("a-d2", "result_satisfaction"), "reference"] == 0.9  # d3's 100 % is not the reference


def test_a_unit_missing_from_the_units_table_is_kept_but_not_compared(scored):
    _, s = scored
    x9 = s.loc[("a-x9", "result_satisfaction")]
    assert x9["status"] == "unlisted_unit" and x9["class"] == "unlisted" and pd.isna(x9["score"])


def test_unit_totals_rank_within_city_and_class(scored):
    ev, s = scored
    t = unit_totals(s.reset_index(), ev).set_index("unit")
    # a-d1: satisfaction 5 + redo complement (1 − 0.04)/(1 − 0.02) × 1 = 0.9796 → 5.9796 / 6 × 100
    assert t.loc["a-d1", "total"] == pytest.approx((5 + 0.96 / 0.98) / 6 * 100)
    # a-d2: 4.0 + 1.0 → 5.0 / 6 × 100 = 83.33
    assert t.loc["a-d2", "total"] == pytest.approx(5 / 6 * 100)
    assert (t.loc["a-d1", "rank"], t.loc["a-d2", "rank"]) == (1, 2)
    assert t.loc["a-d1", "units_in_class"] == 2
    # a-d3 has no scored indicator: listed, not ranked; the department ranks first in its own class
    assert not t.loc["a-d3", "ranked"] and pd.isna(t.loc["a-d3", "rank"])
    assert t.loc["a-hr", "rank"] == 1 and t.loc["a-hr", "units_in_class"] == 1
    assert not t.loc["a-x9", "ranked"]


def test_units_can_be_left_out_of_an_evaluation(root):
    catalogue = load_catalogue(root)
    ev = evaluation(cities=("a", "b"), units={"evaluate": False, "classes": [], "min_denominator": 20})
    rows = pd.DataFrame([unit_row("a", "a-d1", "result_satisfaction", 90, 100)])
    assert unit_scores(rows, UNITS, ev, ev.items(catalogue), {}).empty

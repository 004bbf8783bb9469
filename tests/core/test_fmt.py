"""Numbers written the Chinese way (notes/report-style.md §2.5): every format checked on hand values."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from hotline_eval.core import fmt


def test_rates_are_percentages_with_one_decimal():
    assert fmt.pct(0.93846) == "93.8%"  # 0.93846 × 100 = 93.846 → 93.8
    assert fmt.pct(1.0) == "100.0%"
    assert fmt.pct(0.0004) == "0.0%"


def test_changes_of_rates_are_in_percentage_points():
    assert fmt.points_change(0.0123) == "提升1.2个百分点"  # 0.0123 × 100 = 1.23 points
    assert fmt.points_change(-0.0049) == "下降0.5个百分点"
    assert fmt.points_change(0.0004) == "持平"  # 0.04 points rounds to 0.0


def test_scores_have_two_decimals_and_changes_say_which_way():
    assert fmt.score(90.0372) == "90.04分"
    assert fmt.score_change(1.254) == "提高1.25分"
    assert fmt.score_change(-0.4) == "下降0.40分"
    assert fmt.score_change(0.004) == "持平"
    assert fmt.signed(2.504) == "+2.50"
    assert fmt.signed(-0.13) == "−0.13"


def test_counts_are_exact_below_ten_thousand_and_in_wan_above():
    assert fmt.count(2877, "件") == "2877件"
    assert fmt.count(15320, "件") == "1.53万件"  # 15320 ÷ 10000 = 1.532
    assert fmt.count(90215) == "9.02万"


def test_growth_of_counts_has_two_decimals():
    assert fmt.growth(8000, 8260) == "增长3.25%"  # 260 ÷ 8000 = 3.25 %
    assert fmt.growth(8000, 7912) == "下降1.10%"  # −88 ÷ 8000 = −1.10 %
    assert fmt.growth(0, 5) == fmt.DASH


def test_ranks_and_their_changes():
    assert fmt.rank(3.0, 8) == "第3位（共8个）"
    assert fmt.rank_change(5, 3) == "上升2位"  # from 5th to 3rd
    assert fmt.rank_change(2, 4) == "下降2位"
    assert fmt.rank_change(4, 4) == "持平"
    assert fmt.rank_arrow(5, 3) == "↑2" and fmt.rank_arrow(2, 3) == "↓1"


def test_values_in_their_units():
    assert fmt.value(17.8771, "seconds") == "17.9秒"
    assert fmt.value(26.04, "hours") == "26.0小时"
    assert fmt.value(0.9123, "percent") == "91.2%"
    assert fmt.value(1.234, "per_10k") == "1.23件/万人·月"
    assert fmt.bare(0.9123, "percent") == "91.2" and fmt.bare(17.88, "seconds") == "17.9"


def test_dates_and_chinese_ordinals():
    assert fmt.date(dt.date(2026, 7, 1)) == "2026年7月1日"
    assert [fmt.ordinal(n) for n in (1, 7, 10, 11, 20, 23)] == ["一", "七", "十", "十一", "二十", "二十三"]
    with pytest.raises(ValueError):
        fmt.ordinal(0)


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT])
def test_a_missing_value_is_a_dash_never_a_python_word(missing):
    for text in (
        fmt.pct(missing),
        fmt.score(missing),
        fmt.count(missing),
        fmt.value(missing, "seconds"),
        fmt.signed(missing),
        fmt.rank(missing, 8),
        fmt.rank_change(missing, 3),
    ):
        assert text == fmt.DASH


def test_a_month_label_carries_its_year_when_the_months_shown_span_years():
    """Over 2017-12 … 2020-01 the labels were 12月, 1月 … and later years overwrote earlier ones."""
    within = ["2026-07", "2026-08", "2026-09"]
    assert [fmt.month(m, within) for m in within] == ["7月", "8月", "9月"]
    across = ["2025-12", "2026-01"]
    assert [fmt.month(m, across) for m in across] == ["2025年12月", "2026年1月"]
    assert fmt.month("2026-01", ["2025-12"]) == "2026年1月", "the month itself counts among those shown"
    days = [dt.date(2017, 12, 28), dt.date(2018, 1, 3)]
    assert fmt.day(days[0], days) == "2017年12月28日" and fmt.day(dt.date(2026, 7, 1)) == "7月1日"


def test_chart_ticks_are_thinned_to_at_most_twelve_and_labelled_alike():
    months = [f"{y}-{m:02d}" for y in (2018, 2019, 2020) for m in range(1, 13)][:26]
    at, labels = fmt.month_ticks(months)
    assert at == list(range(0, 26, 3)) and len(labels) == 9 <= 12
    assert labels[0] == "2018年1月" and labels[1] == "2018年4月" and labels[-1] == "2020年1月"
    assert fmt.month_ticks(["2026-07", "2026-08"]) == ([0, 1], ["7月", "8月"])

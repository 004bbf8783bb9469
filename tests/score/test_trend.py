"""Special evaluations (§5.1.2.4): monthly series, month-over-month change, trend verdicts, change points.

The hand-built province has two cities over July–September 2026 (92 days), 20 human-requested calls
a day each. City a answers 14 + ⌊w / 2⌋ of them in week w (a planted, steadily rising answer rate);
city b answers 17, 18, 16, 17, 18, 16, … by week (no trend, only noise).
"""

import datetime as dt
import itertools

import numpy as np
import pandas as pd
import pytest

from hotline_eval.config.catalogue import load_catalogue
from hotline_eval.config.evaluation import ChangeScoring
from hotline_eval.score.scoring import ScoringContext, score_evaluation
from hotline_eval.score.trend import change_share, monthly_series, trend_test
from tests.support.hand_built import evaluation, run_measure

START = dt.date(2026, 7, 1)
DAYS = 92
PATTERN_B = [17, 18, 16]
UNITS = pd.DataFrame(columns=["unit_id", "city", "class", "name_zh"])


def answered_per_day(city: str, day: int) -> int:
    week = day // 7
    return 14 + week // 2 if city == "a" else PATTERN_B[week % 3]


def calls(city: str, day: int) -> list[dict]:
    date = START + dt.timedelta(days=day)
    out = []
    for i in range(20):
        at = f"{date} 10:{i:02d}:00"
        answered = i < answered_per_day(city, day)
        out.append(
            {
                "call_id": f"{city}{day:03d}{i:02d}",
                "city": city,
                "arrived_at": at,
                "queue_entered_at": at,
                "answered_at": f"{date} 10:{i:02d}:10" if answered else None,
                "ended_at": f"{date} 10:{i:02d}:50",
                "outcome": "answered" if answered else "abandoned",  # abandons waited 50 s: not misdials
                "is_valid": True,
            }
        )
    return out


def special(**extra):
    definition = {
        "type": "special",
        "indicators": {"answer_rate": {"level": 6, "change": 4}},
        "trend": {"alpha": 0.05, "monthly_min_points": 6, "short_period_days": 7, "material_change": {"percent": 0.01}},
    }
    return evaluation(cities=("a", "b"), start="2026-07-01", end="2026-09-30", **(definition | extra))


@pytest.fixture(scope="module")
def province(root, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("trend")
    rows = [c for city, day in itertools.product("ab", range(DAYS)) for c in calls(city, day)]
    ev = special()
    indicators = run_measure(root, tmp, {"calls": rows}, ev)
    return tmp / "data", indicators


def run(root, province, ev):
    data_dir, indicators = province
    catalogue = load_catalogue(root)
    ctx = ScoringContext(root, data_dir, ev, catalogue, ev.parameter_values(catalogue), indicators)
    return score_evaluation(ctx, UNITS, [])


def month_rate(city: str, month: int) -> float:
    days = [d for d in range(DAYS) if (START + dt.timedelta(days=d)).month == month]
    return sum(answered_per_day(city, d) for d in days) / (20 * len(days))


def test_the_monthly_series_and_its_month_over_month_change(root, province):
    _, indicators = province
    ev = special()
    series = monthly_series(indicators, ev, ev.items(load_catalogue(root))).set_index(["city", "month"])
    for month in (7, 8, 9):
        assert series.loc[("a", f"2026-{month:02d}"), "value"] == pytest.approx(month_rate("a", month))
    change = month_rate("a", 8) - month_rate("a", 7)
    assert series.loc[("a", "2026-08"), "change"] == pytest.approx(change)
    assert np.isnan(series.loc[("a", "2026-07"), "change"])  # no month before the first


def test_a_planted_trend_is_detected_on_weekly_values(root, province):
    result = run(root, province, special())
    short = result.special["short"].set_index(["city", "period"])
    weekly_a = [(14 + w // 2) / 20 for w in range(13)]  # 0.70, 0.70, 0.75, …, 1.00
    assert short.xs("a", level="city")["value"].tolist() == pytest.approx(weekly_a)
    trend = result.special["trend"].set_index("city")
    assert trend.loc["a", "basis"] == "short" and trend.loc["a", "n"] == 13
    # Theil–Sen = the median of the pairwise slopes, worked out here without scipy
    pairwise = [(weekly_a[j] - weekly_a[i]) / (j - i) for i in range(13) for j in range(i + 1, 13)]
    assert trend.loc["a", "slope"] == pytest.approx(np.median(pairwise))
    assert trend.loc["a", "slope_per_month"] == pytest.approx(np.median(pairwise) * (365.25 / 12) / 7)
    assert trend.loc["a", "p_value"] < 0.001 and trend.loc["a", "verdict"] == "improving"


def test_a_flat_series_with_noise_is_not_called_a_trend(root, province):
    result = run(root, province, special())
    trend = result.special["trend"].set_index("city")
    assert trend.loc["b", "p_value"] > 0.05 and trend.loc["b", "verdict"] == "stable"


def test_the_change_item_earns_points_by_verdict(root, province):
    result = run(root, province, special())
    scores = result.scores.set_index(["city", "indicator"])
    level_a = sum(answered_per_day("a", d) for d in range(DAYS)) / (20 * DAYS)
    level_b = sum(answered_per_day("b", d) for d in range(DAYS)) / (20 * DAYS)
    best = max(level_a, level_b)  # b: 0.8505 holds the reference; a: 0.8451
    assert best == level_b
    assert scores.loc[("a", "answer_rate"), "score"] == pytest.approx(6 * level_a / best)
    assert scores.loc[("a", "answer_rate.change"), "score"] == pytest.approx(4 * 1.0)  # improving
    assert scores.loc[("a", "answer_rate.change"), "flag"] == "improving"
    # b is stable, but it holds the reference (level share 1 ≥ 0.95): stable at the top earns full points
    assert scores.loc[("b", "answer_rate.change"), "score"] == pytest.approx(4 * 1.0)
    assert scores.loc[("b", "answer_rate.change"), "flag"] == "stable"
    total_a = (6 * level_a / best + 4) / 10 * 100
    assert result.totals.set_index("city").loc["a", "total"] == pytest.approx(total_a)


def test_months_are_scored_against_one_fixed_reference(root, province):
    result = run(root, province, special())
    monthly = result.special["monthly"].set_index(["city", "month"])
    best = max(sum(answered_per_day(c, d) for d in range(DAYS)) / (20 * DAYS) for c in "ab")
    for month in (7, 8, 9):
        row = monthly.loc[("a", f"2026-{month:02d}")]
        assert row["reference"] == pytest.approx(best)  # the period's reference, the same every month
        assert row["share"] == pytest.approx(min(month_rate("a", month) / best, 1))


def test_with_three_monthly_values_the_test_cannot_call_a_trend(root, province):
    # testing on the 3 monthly values: the smallest possible two-sided p is 2 / 3! = 1/3
    ev = special(trend={"alpha": 0.05, "monthly_min_points": 3, "short_period_days": 7})
    trend = run(root, province, ev).special["trend"].set_index("city")
    assert trend.loc["a", "basis"] == "month" and trend.loc["a", "n"] == 3
    assert trend.loc["a", "p_value"] == pytest.approx(1 / 3) and trend.loc["a", "verdict"] == "stable"


def test_trend_direction_follows_the_indicator():
    falling = np.array([30.0, 28, 27, 25, 24, 22, 21, 19, 18, 16])
    assert trend_test(falling, "lower", 0.05, 1.0).verdict == "improving"  # waits getting shorter
    assert trend_test(falling, "higher", 0.05, 1.0).verdict == "worsening"
    assert trend_test(falling / 100, "lower_rate", 0.05, 0.01).verdict == "improving"


def test_a_significant_but_immaterial_drift_is_stable():
    drift = 0.995 - 0.0003 * np.arange(13)  # 0.36 percentage points over the period, perfectly monotone
    test = trend_test(drift, "higher", 0.05, material=0.01)
    assert test.p_value < 0.001 and test.estimate == pytest.approx(-0.0036)
    assert test.verdict == "stable"
    assert trend_test(drift, "higher", 0.05, material=0.0).verdict == "worsening"


def test_too_few_or_constant_values_are_stable():
    assert trend_test(np.array([0.9, 0.95]), "higher", 0.05).verdict == "stable"
    constant = trend_test(np.array([0.9] * 8), "higher", 0.05)
    assert constant.verdict == "stable" and constant.slope == 0


def test_change_share_by_verdict_and_the_stable_city_at_the_reference():
    rules = ChangeScoring(improving=1.0, stable=0.6, worsening=0.0, stable_full_at=0.95)
    assert change_share("improving", 0.5, rules) == 1.0
    assert change_share("worsening", 1.0, rules) == 0.0
    assert change_share("stable", 0.94, rules) == 0.6
    assert change_share("stable", 0.96, rules) == 1.0  # nothing left to improve
    assert change_share("stable", np.nan, rules) == 0.6

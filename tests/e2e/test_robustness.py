"""The totals' firmness: the rescoring board, bootstrap, rank stability and drop-one influence."""

import numpy as np
import pandas as pd
import pytest

from hotline_eval.compare import robustness
from hotline_eval.compare.settings import load_settings

pytestmark = pytest.mark.slow


def test_the_board_reproduces_every_score_and_total(demo, results):
    b = robustness.board(results)
    scores = pd.read_csv(demo.out / "scores.csv")
    share = robustness.shares(b, b.value, "best", results.evaluation.thresholds)
    expected = scores.pivot(index="city", columns="indicator", values="score").reindex(index=b.cities, columns=b.items)
    assert np.allclose(share * b.points, expected.to_numpy(), equal_nan=True, atol=1e-12)
    totals = pd.read_csv(demo.out / "totals.csv").set_index("city").loc[b.cities]
    assert robustness.totals(b, share) == pytest.approx(totals["total"].to_numpy(), abs=1e-9)
    assert robustness.ranks(robustness.totals(b, share)).tolist() == totals["rank"].tolist()


def test_dropping_an_indicator_rescales_over_the_remaining_points(demo, results):
    totals = pd.read_csv(demo.out / "totals.csv").set_index("city")
    scores = pd.read_csv(demo.out / "scores.csv")
    row = scores[(scores["city"] == "dongpo") & (scores["indicator"] == "first_contact_rate")].iloc[0]
    t = totals.loc["dongpo"]
    expected = (t["raw"] - row["score"]) / (t["available"] - row["points"]) * 100
    inf = robustness.influence(results).set_index(["indicator", "city"])
    assert inf.loc[("first_contact_rate", "dongpo"), "total_without"] == pytest.approx(expected)
    # everyone else's total without it, ranked here: where does 东坡市 land?
    others = scores[(scores["indicator"] == "first_contact_rate")].set_index("city")
    without = (
        (totals["raw"] - others["score"].fillna(0))
        / (totals["available"] - others["points"].where(others["score"].notna(), 0))
        * 100
    )
    assert (
        inf.loc[("first_contact_rate", "dongpo"), "rank_without"]
        == without.rank(ascending=False, method="min")["dongpo"]
    )


def test_the_bootstrap_is_reproducible(results):
    one, two = robustness.bootstrap(results), robustness.bootstrap(results)
    assert np.array_equal(one.totals, two.totals)
    assert (one.summary["low"] < one.summary["high"]).all()


def test_redrawn_values_follow_each_values_sampling_distribution(demo, results):
    """A rate is binomial (sd √(p(1−p)/n)); a mean is normal with the records' standard error."""
    b = robustness.board(results)
    drawn = robustness.value_draws(results, b, 4000, 11)
    ind = pd.read_csv(demo.out / "indicators.csv", dtype={"unit": str, "month": str})
    ind = ind[ind["unit"].isna() & (ind["month"] == "all")].set_index(["city", "indicator"])
    c, i = b.cities.index("yunling"), b.items.index("answer_rate")
    x, n = ind.loc[("yunling", "answer_rate"), ["numerator", "denominator"]]
    assert drawn[:, c, i].mean() == pytest.approx(x / n, abs=4 * np.sqrt(x / n * (1 - x / n) / n / 4000))
    assert drawn[:, c, i].std() == pytest.approx(np.sqrt(x / n * (1 - x / n) / n), rel=0.05)
    sq = results.moments.set_index(["city", "unit", "month", "indicator"]).loc[
        ("yunling", "", "all", "answer_wait_avg"), "squares"
    ]
    total, count = ind.loc[("yunling", "answer_wait_avg"), ["numerator", "denominator"]]
    variance = (sq - total**2 / count) / (count - 1)
    k = b.items.index("answer_wait_avg")
    assert drawn[:, c, k].std() == pytest.approx(np.sqrt(variance / count), rel=0.05)
    assert np.isnan(drawn[:, b.cities.index("jinsha"), i]).all()  # blocked by the quality gate: never drawn


def test_without_noise_and_with_one_reference_the_ranks_do_not_move(results, monkeypatch):
    settings = load_settings(results.root)
    fixed = settings.model_copy(
        update={"robustness": settings.robustness.model_copy(update={"weight_noise": 0.0, "references": ["best"]})}
    )
    monkeypatch.setattr(robustness, "load_settings", lambda root: fixed)
    s = robustness.rank_stability(results)
    assert (s["low"] == s["rank"]).all() and (s["high"] == s["rank"]).all() and (s["kept"] == 1).all()


def test_rank_stability_is_reproducible_and_contains_the_nominal_rank(results):
    one, two = robustness.rank_stability(results), robustness.rank_stability(results)
    pd.testing.assert_frame_equal(one, two)
    assert ((one["low"] <= one["rank"]) & (one["rank"] <= one["high"])).all()

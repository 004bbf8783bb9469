"""The reference strategies and the expert-panel redraws of the robustness checks, by hand
(the checks on the sample province are in tests/e2e/test_robustness.py)."""

import numpy as np
import pytest

from hotline_eval.compare import robustness
from hotline_eval.compare.robustness import best, second_best, top_quartile
from hotline_eval.config.evaluation import ExpertPanelRules
from hotline_eval.score.expert_panel import trimmed_mean


def test_reference_strategies_by_hand():
    v = np.array([[0.9, 10.0], [0.8, 12.0], [np.nan, 11.0], [0.95, 9.0], [0.85, 14.0]])  # cities × items
    assert best(v[:, :1], "higher")[0] == 0.95 and best(v[:, 1:], "lower")[0] == 9.0
    assert second_best(v[:, :1], "higher")[0] == 0.9 and second_best(v[:, 1:], "lower")[0] == 10.0
    # the 75th percentile of 0.8, 0.85, 0.9, 0.95 (linear): 0.9125; the 25th of 9, 10, 11, 12, 14: 10
    assert top_quartile(v[:, :1], "higher")[0] == pytest.approx(0.9125)
    assert top_quartile(v[:, 1:], "lower")[0] == pytest.approx(10.0)


def test_a_draw_axis_in_front_is_handled_per_draw():
    v = np.array([[[1.0], [3.0], [2.0]], [[5.0], [4.0], [6.0]]])  # 2 draws × 3 cities × 1 item
    assert best(v, "higher")[:, 0].tolist() == [3.0, 6.0]
    assert second_best(v, "lower")[:, 0].tolist() == [2.0, 5.0]


def test_resampled_panels_use_the_trimmed_mean_of_the_expert_panel():
    rules = ExpertPanelRules(min_experts=5, min_external=1, trim_from=5, min_scores=3, dispersion_share=0.5)
    scores = np.array([1.2, 1.7, 0.9, 0.7, 1.2])
    drawn = robustness._resample_panel(np.random.default_rng(7), scores, rules, 200)
    picks = scores[np.random.default_rng(7).integers(0, 5, size=(200, 5))]
    assert drawn == pytest.approx([trimmed_mean(row, rules)[0] for row in picks])

"""The statistics of the comparisons, each against an independent computation (scipy or by hand)."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sp

from hotline_eval.core import stats


def test_two_proportions_is_the_pooled_z_test():
    # 45/100 against 30/100: pooled p = 0.375, se = sqrt(0.375 × 0.625 × 0.02) = 0.0684653…
    z, p = stats.two_proportions(45, 100, 30, 100)
    se = np.sqrt(0.375 * 0.625 * (1 / 100 + 1 / 100))
    assert z == pytest.approx(0.15 / se)
    assert p == pytest.approx(2 * sp.norm.sf(0.15 / se))
    # the same as scipy's chi-square test of the 2×2 table without continuity correction
    chi2 = sp.chi2_contingency([[45, 55], [30, 70]], correction=False)
    assert p == pytest.approx(chi2[1])


def test_welch_means_agree_with_scipy_for_large_samples():
    rng = np.random.default_rng(1)
    a, b = rng.exponential(20, 4000), rng.exponential(21, 3000)
    m1, v1 = stats.mean_variance(a.sum(), (a**2).sum(), len(a))
    assert m1 == pytest.approx(a.mean()) and v1 == pytest.approx(a.var(ddof=1))
    m2, v2 = stats.mean_variance(b.sum(), (b**2).sum(), len(b))
    z, p = stats.two_means(m1, v1, len(a), m2, v2, len(b))
    welch = sp.ttest_ind(a, b, equal_var=False)
    assert z == pytest.approx(welch.statistic)  # Welch's statistic; the normal tail instead of t's
    assert p == pytest.approx(welch.pvalue, rel=0.02)


def test_poisson_rates_is_the_conditional_binomial_test():
    # 60 events in 5 exposure units against 40 in 5: k1 | k1 + k2 = 100 is Binomial(100, 0.5)
    assert stats.poisson_rates(60, 5.0, 40, 5.0) == pytest.approx(sp.binomtest(60, 100, 0.5).pvalue)


def test_benjamini_hochberg_by_hand_and_missing_tests_do_not_count():
    # p sorted 0.01, 0.02, 0.03, 0.5 (m = 4): p·m/rank = 0.04, 0.04, 0.04, 0.5, made monotone from the top
    q = stats.benjamini_hochberg([0.03, np.nan, 0.01, 0.5, 0.02])
    assert np.isnan(q[1])
    assert q[[0, 2, 3, 4]] == pytest.approx([0.04, 0.04, 0.5, 0.04])


def test_wilson_still_gives_the_textbook_interval():
    low, high = stats.wilson(np.array([8.0]), np.array([10.0]))
    assert low[0] == pytest.approx(0.4902, abs=1e-4) and high[0] == pytest.approx(0.9433, abs=1e-4)


def test_untestable_rows_get_no_p_value():
    _z, p = stats.two_proportions(
        np.array([1.0, 0.0]), np.array([0.0, 10.0]), np.array([5.0, 0.0]), np.array([10.0, 10.0])
    )
    assert np.isnan(p[0]) and p[1] == pytest.approx(1.0)
    assert pd.isna(stats.mean_variance(5.0, 30.0, 1)[1])

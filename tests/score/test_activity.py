"""The themed activity's two-proportion test, by hand."""

import math

import numpy as np
import pytest

from hotline_eval.score.activity import two_proportion


def test_two_proportion_test_by_hand():
    z, p = two_proportion(30, 100, 20, 100)
    # pooled 0.25; se = √(0.25 × 0.75 × 0.02) = 0.061237; z = 0.1 / se = 1.63299
    assert z == pytest.approx(0.1 / math.sqrt(0.25 * 0.75 * 0.02))
    assert p == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert np.isnan(two_proportion(1, 0, 1, 2)[0])

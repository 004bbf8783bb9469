"""Sample allocation over strata and the sample size (§7.2), on hand values."""

import numpy as np

from hotline_eval.cycle.fieldwork.design import load_design
from hotline_eval.cycle.fieldwork.sampling import allocate, sample_size


def test_allocation_is_proportional_with_a_minimum_per_stratum():
    # shares of 20: 100/161 → 12.4, 50/161 → 6.2, 10/161 → 1.2, 1/161 → 0.1 (raised to the minimum 1)
    assert list(allocate(np.array([100, 50, 10, 1]), 20, 1)) == [12, 6, 1, 1]
    # a stratum smaller than its share gives all it has; the rest goes to the others
    assert list(allocate(np.array([3, 100]), 50, 5)) == [3, 47]
    # every stratum gets its minimum even when that exceeds n (the sample grows, see sample_size)
    assert list(allocate(np.array([5, 5, 5]), 2, 1)) == [1, 1, 1]


def test_sample_size_is_the_target_raised_to_the_minimum_and_capped_at_the_population(root):
    design = load_design(root)  # target 100, at least 1 per stratum
    assert sample_size(10_000, np.array([5000, 5000]), design, 30) == 100
    assert sample_size(60, np.array([30, 30]), design, 30) == 60  # census
    assert sample_size(10_000, np.full(150, 66), design, 30) == 150  # 150 strata need 150 records

"""Property-based tests (hypothesis) of the Appendix A scoring rules: a share of the points in [0, 1], full marks
at the reference, the right direction with the value, and the best city of the province holds the reference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline_eval.score.rules import RULES, best_of

# ---------------------------------------------------------------------------------------------
# Scoring (Appendix A rules, hotline_eval.score.rules)


values = st.floats(min_value=0, max_value=1e6, allow_nan=False)
rates = st.floats(min_value=0, max_value=1, allow_nan=False)
floors = st.floats(min_value=0.01, max_value=100, allow_nan=False)


@given(values, values, floors)
def test_ratio_rules_give_a_share_between_zero_and_one(v, r, floor):
    for rule in ("higher", "lower"):
        share = RULES[rule](np.array([v]), r, floor)[0]
        assert 0 <= share <= 1


@given(rates, rates)
def test_the_complement_rule_gives_a_share_between_zero_and_one(v, r):
    assert 0 <= RULES["lower_rate"](np.array([v]), r, 0)[0] <= 1


@given(st.floats(min_value=1e-6, max_value=1e6), floors)
def test_the_reference_itself_earns_full_marks(r, floor):
    assert RULES["higher"](np.array([r]), r, floor)[0] == 1
    assert RULES["lower"](np.array([r]), r, floor)[0] == 1
    if r <= 1:
        assert RULES["lower_rate"](np.array([r]), r, 0)[0] == 1


@given(values, values, st.floats(min_value=1e-6, max_value=1e6), floors)
def test_shares_move_the_right_way_with_the_value(v1, v2, r, floor):
    low, high = sorted((v1, v2))
    assert RULES["higher"](np.array([low]), r, floor)[0] <= RULES["higher"](np.array([high]), r, floor)[0]
    assert RULES["lower"](np.array([low]), r, floor)[0] >= RULES["lower"](np.array([high]), r, floor)[0]


@given(rates, rates, st.floats(min_value=0, max_value=0.999))
def test_a_higher_bad_rate_never_scores_more(v1, v2, r):
    low, high = sorted((v1, v2))
    assert RULES["lower_rate"](np.array([low]), r, 0)[0] >= RULES["lower_rate"](np.array([high]), r, 0)[0]


@given(
    st.floats(min_value=1e-3, max_value=1e3),
    st.floats(min_value=1e-3, max_value=1e3),
    st.floats(min_value=0.01, max_value=100),
)
def test_ratio_rules_do_not_depend_on_the_unit(v, r, k):
    # seconds or minutes, per cent or per mille: the share is the same (no floor in play)
    assert RULES["higher"](np.array([v * k]), r * k, 0)[0] == pytest.approx(RULES["higher"](np.array([v]), r, 0)[0])
    assert RULES["lower"](np.array([v * k]), r * k, 0)[0] == pytest.approx(RULES["lower"](np.array([v]), r, 0)[0])


@given(st.floats(min_value=0, max_value=1, exclude_max=True), floors)
def test_values_below_the_floor_count_as_the_floor(fraction, floor):
    v = fraction * floor  # drawn below the floor directly: filtering with assume() starved the search
    r = floor * 3
    assert RULES["lower"](np.array([v]), r, floor)[0] == RULES["lower"](np.array([floor]), r, floor)[0] == 1


@given(
    st.dictionaries(
        st.sampled_from(["linjiang", "qingshan", "baihe", "yunling", "dongpo"]),
        st.floats(min_value=0.01, max_value=1e4),
        min_size=1,
    ),
    st.sampled_from(["higher", "lower"]),
)
def test_the_best_city_holds_the_reference_and_nobody_beats_it(by_city, direction):
    values = pd.Series(by_city)
    ref = best_of(values, direction)
    best = values.max() if direction == "higher" else values.min()
    assert ref.value == best
    holders = set(ref.holder.split("、"))
    # every city with the best value holds it (whether near-ties share it is scoring's own rule)
    assert holders >= set(values.index[values == best])
    shares = RULES[direction](values.to_numpy(), ref.value, 0)
    assert (shares <= 1).all()
    assert all(shares[list(values.index).index(h)] == 1 for h in values.index[values == best])

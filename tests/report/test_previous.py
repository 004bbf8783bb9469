"""Changes since the previous evaluation, as the documents show them."""

import math

import pandas as pd
import pytest

from hotline_eval.report.previous import total_changes


def test_changes_since_the_previous_evaluation():
    now = pd.DataFrame(
        {"total": [90.0, 95.0, 70.0], "rank": [2.0, 1.0, 3.0], "grade": ["优秀", "优秀", "合格"]},
        index=pd.Index(["a", "b", "c"], name="city"),
    )
    before = pd.DataFrame(
        {"total": [85.0, 80.0], "rank": [1.0, 2.0], "grade": ["良好", "良好"]}, index=pd.Index(["a", "b"], name="city")
    )
    changes = total_changes(now, before)
    assert changes.loc["a", "delta"] == pytest.approx(5.0)  # 90 − 85
    assert changes.loc["a", "places_up"] == -1  # from 1st to 2nd
    assert changes.loc["b", "delta"] == pytest.approx(15.0) and changes.loc["b", "places_up"] == 1
    assert math.isnan(changes.loc["c", "delta"])  # not evaluated before: no change
    assert total_changes(now, None)["delta"].isna().all()

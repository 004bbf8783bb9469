"""Time windows of special evaluations: the short periods of the trend test."""

import datetime as dt

from hotline_eval.measure.windows import short_periods
from tests.support.hand_built import evaluation


def test_short_periods_are_whole_seven_day_blocks_from_the_start():
    periods = short_periods(evaluation(start="2026-07-01", end="2026-09-30").period, 7)
    assert len(periods) == 13  # 92 days = 13 × 7 + 1; the last day is left out
    assert periods[0] == (dt.date(2026, 7, 1), dt.date(2026, 7, 7))
    assert periods[-1] == (dt.date(2026, 9, 23), dt.date(2026, 9, 29))

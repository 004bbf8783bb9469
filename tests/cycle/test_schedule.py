"""The schedule of an evaluation: milestones and the appeal deadline in working days, an impossible schedule named."""

import datetime as dt

import pytest

from hotline_eval.config.definitions import load_evaluation
from hotline_eval.core.errors import ConfigError
from hotline_eval.cycle.schedule import appeal_deadline, timeline


def test_the_milestones_are_derived_in_working_days(root):
    t = timeline(root, load_evaluation(root, "demo-comprehensive"))
    # outcomes observed to 30 September + 15 days; data due 3 working days later (Fri 16, Mon 19, Tue 20)
    assert t.outcomes_until == dt.date(2026, 10, 15) and t.data_due == dt.date(2026, 10, 20)
    # results issued Friday 30 October (30 days after the period); fieldwork ends 2 working days before
    assert (t.fieldwork_start, t.fieldwork_end, t.issued) == (
        dt.date(2026, 10, 21),
        dt.date(2026, 10, 28),
        dt.date(2026, 10, 30),
    )
    assert t.appeal_deadline == dt.date(2026, 11, 13)  # 10 working days after 30 October


def test_an_impossible_schedule_names_the_key_to_fix(root):
    ev = load_evaluation(root, "demo-comprehensive")
    early = ev.model_copy(update={"schedule": ev.schedule.model_copy(update={"data_due": dt.date(2026, 10, 9)})})
    with pytest.raises(ConfigError) as err:
        timeline(root, early)
    assert "schedule.data_due" in str(err.value) and "2026-10-15" in str(err.value)
    crossed = ev.model_copy(update={"schedule": ev.schedule.model_copy(update={"fieldwork_end": dt.date(2026, 11, 2)})})
    with pytest.raises(ConfigError, match=r"schedule\.fieldwork_end"):
        timeline(root, crossed)


def test_the_appeal_deadline_counts_working_days_from_the_day_after_issue(root):
    # 2026-10-30 is a Friday: Nov 2–6 and Nov 9–13 are ten working days → Friday 13 November.
    assert appeal_deadline(root, dt.date(2026, 10, 30), 10) == dt.date(2026, 11, 13)
    # 2026-09-28 (Mon): 9/29, 9/30 count; Oct 1–7 are the National Day holiday; Oct 8, 9 count,
    # Saturday Oct 10 is a working day (调休, params/calendar.yaml), then Oct 12–16 → Friday 16 October.
    assert appeal_deadline(root, dt.date(2026, 9, 28), 10) == dt.date(2026, 10, 16)

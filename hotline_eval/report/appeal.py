"""The appeal notice (§8.2): how, to whom and by when an evaluated object may appeal its score."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hotline_eval.evaluation import Evaluation
from hotline_eval.report import fmt
from hotline_eval.workdays import load_calendar


def appeal_deadline(root: Path, issued: dt.date, days: int) -> dt.date:
    """The last day to appeal: `days` working days counted from the day after `issued`."""
    if days < 1:
        raise ValueError("appeal_days must be at least 1")
    calendar = load_calendar(root)
    day, counted = issued, 0
    while counted < days:
        day += dt.timedelta(days=1)
        counted += calendar.is_workday(day)
    return day


def appeal_facts(root: Path, evaluation: Evaluation, issued: dt.date | None = None) -> dict[str, str]:
    """The values the appeal wording needs: issue date, number of working days, deadline, organiser."""
    issued = issued or evaluation.issued_on
    days = evaluation.appeal_days
    return {
        "issued": fmt.date(issued),
        "days": str(days),
        "deadline": fmt.date(appeal_deadline(root, issued, days)),
        "organiser": evaluation.organiser_zh,
    }


def appeal_items(root: Path, evaluation: Evaluation, wording: dict) -> list[str]:
    """The appeal notice's numbered items, worded from params/wording.yaml `appeal.items`."""
    facts = appeal_facts(root, evaluation)
    return [item.format(**facts) for item in wording["appeal"]["items"]]

"""The evaluation's timeline (§5.2.3, §8.2): publication of the plan, the period, data submission,
fieldwork, the results and the appeal deadline — the dates the plan publishes and the appeals obey.

Dates come from the evaluation definition (`published_on`, `period`, `schedule`, `report_date`,
`appeal_days`) or are derived in working days (params/calendar.yaml); see evaluation-defaults.yaml.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from hotline_eval.config.calendar import Calendar, load_calendar
from hotline_eval.config.catalogue import load_catalogue
from hotline_eval.config.evaluation import Evaluation
from hotline_eval.core import fmt
from hotline_eval.core.errors import ConfigError


@dataclass(frozen=True)
class Timeline:
    published: dt.date | None  # the plan is published (§5.2.3)
    start: dt.date  # the period (collection)
    end: dt.date
    outcomes_until: dt.date  # last day outcomes of the period's requests are observed (the cut-off)
    data_due: dt.date
    fieldwork_start: dt.date
    fieldwork_end: dt.date
    issued: dt.date  # results issued (report date)
    appeal_deadline: dt.date | None  # last day to appeal (§8.2); None: no appeal (appeal_days 0)


def shift_workdays(calendar: Calendar, day: dt.date, n: int) -> dt.date:
    """The n-th working day after `day` (n > 0) or before it (n < 0); `day` itself for n = 0."""
    step = dt.timedelta(days=1 if n >= 0 else -1)
    counted = 0
    while counted < abs(n):
        day += step
        counted += calendar.is_workday(day)
    return day


def timeline(root: Path, ev: Evaluation) -> Timeline:
    """Every milestone of the evaluation; an impossible order is an error naming the definition's key."""
    calendar = load_calendar(root)
    grace = int(ev.parameter_values(load_catalogue(root))["outcome_grace_days"])
    plan = ev.schedule
    outcomes_until = ev.period.end + dt.timedelta(days=grace)
    data_due = plan.data_due or shift_workdays(calendar, outcomes_until, plan.data_due_workdays)
    start = plan.fieldwork_start or shift_workdays(calendar, data_due, 1)
    end = plan.fieldwork_end or shift_workdays(calendar, ev.issued_on, -plan.review_workdays)
    out = Timeline(
        published=ev.published_on,
        start=ev.period.start,
        end=ev.period.end,
        outcomes_until=outcomes_until,
        data_due=data_due,
        fieldwork_start=start,
        fieldwork_end=end,
        issued=ev.issued_on,
        appeal_deadline=appeal_deadline(root, ev.issued_on, ev.appeal_days) if ev.appeal_days else None,
    )
    _check_order(ev, out)
    return out


def _check_order(ev: Evaluation, t: Timeline) -> None:
    path = f"params/evaluations/{ev.id}.yaml"
    steps = [
        ("published_on", t.published, "period.end", t.end, "评价方案应在评价周期结束前发布"),
        ("schedule.data_due", t.data_due, "schedule.fieldwork_start", t.fieldwork_start, "数据上报截止后才开始评审"),
        ("schedule.fieldwork_start", t.fieldwork_start, "schedule.fieldwork_end", t.fieldwork_end, "评审先开始后结束"),
        ("schedule.fieldwork_end", t.fieldwork_end, "report_date", t.issued, "结果应在实地评审结束后发布"),
    ]
    if t.data_due < t.outcomes_until:
        raise ConfigError(
            path,
            "schedule.data_due",
            f"数据上报截止日期 {t.data_due} 早于办理结果的观察截止日期 {t.outcomes_until}"
            "（评价周期结束日加 outcome_grace_days）",
            fix="请将 schedule.data_due 设为更晚的日期",
        )
    for key, first, other, second, rule in steps:
        if first is not None and first > second:
            raise ConfigError(
                path,
                key,
                f"{first} 晚于 {other} {second}（{rule}）",
                fix="请调整 schedule 下的日期（data_due、fieldwork_start、fieldwork_end），或推迟 report_date",
            )


def appeal_deadline(root: Path, issued: dt.date, days: int) -> dt.date:
    """The last day to appeal: `days` working days counted from the day after `issued`."""
    if days < 1:
        raise ValueError("appeal_days 至少为 1")
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

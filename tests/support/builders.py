"""Row builders for hand-built canonical tables: one readable line per record in the indicator tests.

Times are Beijing time 'YYYY-MM-DD HH:MM:SS'; offsets are in seconds after a record's first stamp,
so a fixture reads like the story it tells ("answered 15 s after arrival").
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from hotline_eval.config.catalogue import Indicator
from tests.support.hand_built import evaluation, run_measure, value

FORMAT = "%Y-%m-%d %H:%M:%S"
H = 3600
DAY = 86400


def at(base: str, seconds: float | None = 0) -> str | None:
    """`base` plus `seconds` as a timestamp string; None stays None."""
    if seconds is None:
        return None
    return (dt.datetime.strptime(base, FORMAT) + dt.timedelta(seconds=seconds)).strftime(FORMAT)


def call(i, city, arrived, *, outcome, queue=None, ring=None, answer=None, end, valid=True, **extra) -> dict:
    """A call; queue/ring/answer/end are seconds after arrival (queue None = no IVR)."""
    return {
        "call_id": f"c{i}",
        "city": city,
        "arrived_at": arrived,
        "queue_entered_at": at(arrived, queue),
        "alerting_at": at(arrived, ring),
        "answered_at": at(arrived, answer),
        "ended_at": at(arrived, end),
        "outcome": outcome,
        "is_valid": valid,
        **extra,
    }


def chat(i, city, started, *, channel="web", human=None, agent=None, end=600, outcome="served", valid=True) -> dict:
    """An online session; human/agent/end are seconds after it started."""
    return {
        "session_id": f"s{i}",
        "city": city,
        "channel": channel,
        "started_at": started,
        "human_requested_at": at(started, human),
        "first_agent_msg_at": at(started, agent),
        "ended_at": at(started, end),
        "outcome": outcome,
        "is_valid": valid,
    }


def bot_test(i, city, sent, *, channel="online", task="qa", response=None, answer=None, correct=None, **extra):
    """A scripted bot test; response/answer are seconds after the question was sent."""
    return {
        "test_id": f"b{i}",
        "city": city,
        "channel": channel,
        "task_type": task,
        "sent_at": sent,
        "first_response_at": at(sent, response),
        "correct_answer_at": at(sent, answer),
        "correct": correct,
        **extra,
    }


def ticket(i, city, accepted="2026-07-01 08:00:00", **fields) -> dict:
    """A valid, normal, dispatched work order of unit u1 accepted at `accepted`, with any other fields.

    Columns with a schema default are always given (a column set on some rows only would be NULL on
    the others in a hand-built table, where ingest would have filled the default).
    """
    base = {
        "ticket_id": f"t{i}",
        "city": city,
        "channel": "phone",
        "accepted_at": accepted,
        "handling_mode": "dispatched",
        "unit_id": "u1",
        "is_valid": True,
        "urgency": "normal",
        "contact_required": True,
        "callback_required": True,
        "returned_count": 0,
        "redispatch_count": 0,
        "reopened_count": 0,
    }
    return base | fields


def callback(i, city, ticket_id, completed="2026-07-10 10:00:00", **fields) -> dict:
    base = {"callback_id": f"v{i}", "city": city, "ticket_id": ticket_id, "completed_at": completed}
    return base | {"reached": completed is not None, "attempts": 1} | fields


def qc(sample_id, city, object_type, sampled="2026-07-15 10:00:00", **fields) -> dict:
    return {"sample_id": sample_id, "city": city, "object_type": object_type, "sampled_at": sampled} | fields


def capability(city, figure, has) -> dict:
    """A self-reported capability declaration (self_reports, period 'all')."""
    return {"city": city, "period": "all", "figure": figure, "value": 1 if has else 0}


def measured(root: Path, tmp_path: Path, tables: dict[str, list[dict]], **evaluation_fields) -> pd.DataFrame:
    """Run the engine on hand-built tables for an evaluation of cities a, b (July 2026 unless given)."""
    return run_measure(root, tmp_path, tables, evaluation(**evaluation_fields))


def row(frame: pd.DataFrame, indicator: str, city: str = "a", month: str = "all", unit: str = "") -> pd.Series:
    return value(frame, indicator, city, month, unit)


def indicator(id="answer_rate", direction="higher", unit="percent", points=4.0, kind="system", scoring="ratio"):
    """A catalogue entry built in the test (qualitative and expert entries arrive with issue 3)."""
    fields = {} if kind == "expert" else {"source": "calls", "numerator": "count", "denominator": "count"}
    return Indicator.model_validate(
        {
            "id": id,
            "zh": id,
            "en": id,
            "dimension": "response",
            "clause": "6.1.1",
            "kind": kind,
            "direction": direction,
            "unit": unit,
            "points": points,
            "scoring": scoring,
            "formula_zh": "测试",
            **fields,
        }
    )

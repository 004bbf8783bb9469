"""Consistency checks (§5.2.7, indicators.md §8.3) on hand-built tables: intra-record rules, cross-source
deviation, cross-period jumps; the arithmetic is in the comments."""

import pandas as pd
import pytest

from hotline_eval.quality import consistency
from hotline_eval.quality.rejects import COLUMNS as REJECT_COLUMNS
from tests.support.hand_built import evaluation
from tests.support.quality_tables import context, report, row, ticket

# ---------------------------------------------------------------- 一致性 (§8.3)


def test_intra_record_rules_count_violations_and_add_ingest_rule_rejects(root, tmp_path):
    tickets = [
        ticket(1, replied_at="2026-07-07 10:00:00", closed_at="2026-07-07 12:00:00"),
        ticket(2, replied_at="2026-07-07 10:00:00", closed_at="2026-07-07 09:00:00"),  # closed before the reply
        ticket(3, dispatched_at="2026-07-06 10:00:00", due_at="2026-07-06 09:00:00"),  # due before dispatch
        ticket(4),
    ]
    rule_reject = pd.DataFrame([{"city": "a", "table": "tickets", "kind": "rule"}]).reindex(
        columns=REJECT_COLUMNS, fill_value=""
    )
    ctx = context(root, tmp_path, {"tickets": tickets}, rejects=rule_reject)
    frame = consistency.intra_record(ctx)
    july = row(frame, month="2026-07")
    assert (july["numerator"], july["denominator"]) == (2, 4)  # t1 and t4 pass every rule
    period = row(frame)
    assert (period["numerator"], period["denominator"]) == (2, 5)  # + the row ingest rejected for a row rule
    violations = consistency.rule_violations(ctx)
    assert row(violations, item="close_after_reply")["value"] == 1
    assert row(violations, item="due_after_dispatch")["value"] == 1
    assert row(violations, item="reply_after_contact")["value"] == 0


def test_cross_source_deviation_against_the_self_report(root, tmp_path):
    tickets = [ticket(i, closed_at="2026-07-08 10:00:00") for i in range(5)]
    ctx = context(root, tmp_path, {"tickets": tickets, "self_reports": [report("a", "2026-07", "closed_total", 4)]})
    r = row(consistency.cross_source(ctx), month="2026-07", item="closed_total")
    assert r["value"] == pytest.approx(0.25)  # |5 − 4| ÷ 4
    assert r["passed"] is False and r["scope"] == "tickets.closed_at"


def test_a_cross_period_jump_is_flagged_not_failed(root, tmp_path):
    months = [("07", 31, 1), ("08", 31, 1), ("09", 30, 1), ("10", 31, 2)]  # calls per day: 1, 1, 1, 2
    calls = []
    for month, days, per_day in months:
        for d in range(1, days + 1):
            for k in range(per_day):
                calls.append(
                    {
                        "call_id": f"c{month}{d}{k}",
                        "city": "a",
                        "arrived_at": f"2026-{month}-{d:02d} 1{k}:00:00",
                        "ended_at": f"2026-{month}-{d:02d} 1{k}:05:00",
                        "outcome": "ivr_only",
                    }
                )
    ev = evaluation(end="2026-10-31")
    frame = consistency.period_jump(context(root, tmp_path, {"calls": calls}, ev))
    # September: trailing July and August (σ = 0, floored at 10 % of the mean 1) and no change: 0σ
    assert row(frame, month="2026-09")["value"] == pytest.approx(0.0)
    # October: a change of 1 call per day against σ = 0.1: 10σ > 3σ, flagged for explanation
    october = row(frame, month="2026-10")
    assert october["value"] == pytest.approx(10.0)
    assert october["passed"] is False and october["severity"] == "flag"
    assert frame[frame["month"] == "2026-08"].empty  # fewer than two trailing months

"""The quality gate: a failing check blocks only the indicators reading the failing table or field."""

import math

import pandas as pd

from hotline_eval.quality.gate import BLOCKED, apply_gate
from tests.support.quality_tables import tiny_catalogue

# ---------------------------------------------------------------- the gate


def test_a_failing_gate_blocks_only_the_indicators_reading_the_failing_table_or_field():
    catalogue = tiny_catalogue(
        [
            ("waits", "calls", ["calls.answered_at"], {}),
            ("ontime", "tickets", ["tickets.due_at", "tickets.closed_at"], {}),
            ("dispatch", "tickets", ["tickets.dispatched_at"], {}),
            ("undeclared", "tickets", [], {}),  # no data_needs: any failing field of its table blocks it
        ]
    )
    measured = pd.DataFrame(
        [
            {"city": c, "unit": "", "month": m, "indicator": i, "numerator": 1, "denominator": 2, "value": 0.5}
            | {"status": "ok", "flag": "", "ci_low": 0.1, "ci_high": 0.9}
            for c in ("a", "b")
            for m in ("2026-07", "2026-08", "all")
            for i in ("waits", "ontime", "dispatch", "undeclared")
        ]
    )
    quality = pd.DataFrame(
        [
            # city a: due_at incomplete in August; the calls table fails for the whole period
            {"city": "a", "table": "tickets", "month": "2026-08", "check": "field_completeness", "item": "due_at"}
            | {"scope": "tickets.due_at", "severity": "gate", "passed": False},
            {"city": "a", "table": "calls", "month": "all", "check": "record_recall", "item": "calls_total"}
            | {"scope": "calls", "severity": "gate", "passed": False},
            # passing gates, failing flags and info rows never block
            {"city": "b", "table": "calls", "month": "all", "check": "record_recall", "item": "calls_total"}
            | {"scope": "calls", "severity": "gate", "passed": True},
            {"city": "b", "table": "tickets", "month": "2026-08", "check": "period_jump", "item": ""}
            | {"scope": "tickets", "severity": "flag", "passed": False},
        ]
    )
    gated = apply_gate(measured, quality, catalogue).set_index(["city", "indicator", "month"])
    blocked = {k for k, s in gated["status"].items() if s == BLOCKED}
    expected = {("a", "waits", m) for m in ("2026-07", "2026-08", "all")}  # the calls table: every month
    expected |= {("a", i, m) for i in ("ontime", "undeclared") for m in ("2026-08", "all")}  # August and the period
    assert blocked == expected
    assert gated.loc[("a", "ontime", "all"), "flag"] == "quality:tickets.field_completeness[due_at]@2026-08"
    assert math.isnan(gated.loc[("a", "waits", "all"), "value"])  # the value is withheld, never scored
    assert gated.loc[("a", "ontime", "2026-07"), "value"] == 0.5  # July is not affected

"""Precision checks (查准率, §5.2.7, indicators.md §8.2) on hand-built tables: record precision and its parts,
verified accuracy with its Wilson bound; the arithmetic is in the comments."""

import math

import pandas as pd
import pytest

from hotline_eval.quality import precision
from hotline_eval.quality.rejects import COLUMNS as REJECT_COLUMNS
from tests.support.quality_tables import context, row, ticket

# ---------------------------------------------------------------- 查准率 (§8.2)

PRECISION_TICKETS = [
    ticket(1),
    ticket(2, caller_hash="h2"),
    ticket(3),
    ticket(4),
    ticket("5", caller_hash="h1"),  # same caller, channel, category and minute as t1: an undeclared duplicate
    ticket(6, invalid_reason="test"),  # a test record left valid
    ticket(7, caller_hash="h2", is_valid=False, invalid_reason="duplicate"),  # declared by the source: not counted
    ticket(8, accepted_at="2026-03-01 09:00:00"),  # outside the window (tickets look back 92 days)
]
REJECTS = pd.DataFrame(
    [
        {"city": "a", "table": "tickets", "kind": "duplicate_id", "reason": "编号重复，与x 第1行相同"},
        {"city": "a", "table": "tickets", "kind": "invalid", "reason": "代码不在允许范围内"},
    ]
).reindex(columns=REJECT_COLUMNS, fill_value="")


def test_record_precision_per_month_and_for_the_period(root, tmp_path):
    ctx = context(root, tmp_path, {"tickets": PRECISION_TICKETS}, rejects=REJECTS)
    frame = precision.record_precision(ctx)
    july = row(frame, month="2026-07")
    assert (july["numerator"], july["denominator"]) == (5, 7)  # t1..t7 received; t5 (duplicate) and t6 (test) not valid
    period = row(frame)
    assert (period["numerator"], period["denominator"]) == (5, 10)  # + t8 outside the window + 2 rejected rows
    assert period["passed"] is False


def test_precision_parts_are_counted(root, tmp_path):
    ctx = context(root, tmp_path, {"tickets": PRECISION_TICKETS}, rejects=REJECTS)
    assert row(precision.duplicates(ctx), month="2026-07")["value"] == 1  # t5
    assert row(precision.duplicates(ctx))["value"] == 2  # t5 + the row rejected for a repeated id
    assert row(precision.test_records(ctx))["value"] == 1  # t6
    assert row(precision.out_of_window(ctx))["value"] == 1  # t8
    rejected = precision.rejected(ctx)
    assert set(rejected["item"]) == {"：编号重复", "：代码不在允许范围内"} and rejected["value"].sum() == 2


def wilson_low(x, n, z=1.959963984540054):
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half


def test_verified_accuracy_with_its_wilson_lower_bound(root, tmp_path):
    rows = [{"city": "a", "record_table": "calls", "record_id": f"c{i}", "matches": i >= 4} for i in range(50)]
    ctx = context(root, tmp_path, {"verifications": rows})
    acc = row(precision.verified_accuracy(ctx), table="calls")
    assert (acc["numerator"], acc["denominator"]) == (46, 50) and acc["passed"] is False  # 92 % < 95 %
    low = row(precision.verified_accuracy_low(ctx), table="calls")
    assert low["value"] == pytest.approx(wilson_low(46, 50))  # ≈ 0.812 < 0.90
    assert low["value"] == pytest.approx(0.8116, abs=1e-4)

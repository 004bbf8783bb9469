"""Recall checks (查全率, §5.2.7, indicators.md §8.1) on hand-built tables: record recall against the control
total, gap days, period coverage, field completeness; the arithmetic is in the comments."""

import pytest

from hotline_eval.quality import recall
from tests.support.quality_tables import call, context, report, row, ticket

# ---------------------------------------------------------------- 查全率 (§8.1)

GAPPY_CALLS = [call(d, "a", d) for d in range(1, 32) if d not in (10, 11)]  # 29 calls, none on 10 and 11 July


def test_record_recall_compares_records_with_the_self_reported_control_total(root, tmp_path):
    ctx = context(root, tmp_path, {"calls": GAPPY_CALLS, "self_reports": [report("a", "2026-07", "calls_total", 30)]})
    r = row(recall.record_recall(ctx), month="2026-07", item="calls_total")
    assert (r["numerator"], r["denominator"]) == (29, 30)
    assert r["value"] == pytest.approx(29 / 30) and r["passed"] is False  # 96.7 % < 98 %
    assert row(recall.record_recall(ctx), item="calls_total")["value"] == pytest.approx(29 / 30)  # pooled = July


def test_gap_days_and_period_coverage(root, tmp_path):
    ctx = context(root, tmp_path, {"calls": GAPPY_CALLS, "self_reports": [report("a", "2026-07", "calls_total", 30)]})
    coverage = row(recall.period_coverage(ctx), month="2026-07")
    assert (coverage["numerator"], coverage["denominator"]) == (29, 31)  # 31 days of July, 29 with calls
    assert coverage["passed"] is False  # coverage must be 100 %
    assert row(recall.gap_days(ctx), month="2026-07")["value"] == 2
    from hotline_eval.quality.examples import gap_day_examples

    days = gap_day_examples(ctx)[0]
    assert list(days["record"]) == ["2026-07-10", "2026-07-11"]


def test_period_coverage_is_counted_from_the_records_without_self_reports(root, tmp_path):
    # no control totals: no recall row, but coverage still applies to every city that supplies calls
    ctx = context(root, tmp_path, {"calls": [*GAPPY_CALLS, call(99, "b", 3)], "tickets": []})
    assert recall.record_recall(ctx).empty
    coverage = recall.period_coverage(ctx)
    a, b = row(coverage, month="2026-07"), row(coverage, city="b", month="2026-07")
    assert (a["numerator"], a["denominator"], a["passed"]) == (29, 31, False)  # gaps on 10 and 11 July
    assert (b["numerator"], b["denominator"], b["passed"]) == (1, 31, False)  # one call on 3 July
    assert row(recall.gap_days(ctx), city="b", month="2026-07")["value"] == 30
    assert set(coverage["table"]) == {"calls"}  # no work orders supplied: not expected to cover any day


def test_a_reported_zero_excuses_the_month_and_a_reported_total_makes_it_expected(root, tmp_path):
    reports = [report("a", "2026-07", "calls_total", 0), report("b", "2026-07", "tickets_total", 5)]
    ctx = context(root, tmp_path, {"calls": GAPPY_CALLS, "tickets": [], "self_reports": reports})
    coverage = recall.period_coverage(ctx)
    assert coverage[coverage["table"] == "calls"].empty  # a reported 0 calls in July: no day is a gap
    b = row(coverage, city="b", month="2026-07")  # 5 work orders reported, none received: 31 gap days
    assert (b["table"], b["numerator"], b["denominator"]) == ("tickets", 0, 31)


def test_field_completeness_counts_only_records_where_the_field_is_expected(root, tmp_path):
    tickets = [ticket(i, due_at="2026-07-10 18:00:00") for i in range(4)]
    tickets += [ticket(4)]  # dispatched without a due time
    tickets += [ticket(5, handling_mode="direct_answer"), ticket(6, handling_mode="direct_answer")]  # not expected
    ctx = context(root, tmp_path, {"tickets": tickets})
    ctx.needed_fields = {"tickets": ["due_at", "closed_at"]}  # closed_at is optional (open tickets)
    frame = recall.field_completeness(ctx)
    due = row(frame, month="2026-07", item="due_at")
    assert (due["numerator"], due["denominator"]) == (4, 5)  # 4 of the 5 dispatched tickets
    assert due["passed"] is False and due["scope"] == "tickets.due_at"
    assert frame[frame["item"] == "closed_at"].empty

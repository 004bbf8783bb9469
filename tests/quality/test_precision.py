"""The data-quality checks (§5.2.7, indicators.md §8) on hand-built tables; the arithmetic is in the comments."""

import math
import shutil

import pandas as pd
import pytest

from canonical import evaluation, write_tables
from hotline_eval.config.catalogue import Catalogue
from hotline_eval.core.errors import ConfigError
from hotline_eval.quality import consistency, precision, recall, relevance
from hotline_eval.quality.context import QualityContext, open_quality_data
from hotline_eval.quality.gate import BLOCKED, apply_gate
from hotline_eval.quality.rejects import COLUMNS as REJECT_COLUMNS
from hotline_eval.quality.spec import load_quality_spec


def context(root, tmp_path, tables, ev=None, rejects=None) -> QualityContext:
    write_tables(root, tmp_path / "data", tables)
    con = open_quality_data(root, tmp_path / "data")
    return QualityContext(root, con, ev or evaluation(), rejects if rejects is not None else no_rejects())


def no_rejects() -> pd.DataFrame:
    return pd.DataFrame(columns=REJECT_COLUMNS)


def row(frame, city="a", month="all", item="", table=None):
    rows = frame[(frame["city"] == city) & (frame["month"] == month) & (frame["item"] == item)]
    if table:
        rows = rows[rows["table"] == table]
    assert len(rows) == 1, f"{city}/{month}/{item}: {len(rows)} rows"
    return rows.iloc[0]


def call(i, city, day, outcome="answered", valid=True):
    stamp = f"2026-07-{day:02d} 10:00:00"
    return {
        "call_id": f"c{i}",
        "city": city,
        "arrived_at": stamp,
        "answered_at": stamp if outcome == "answered" else None,
        "ended_at": f"2026-07-{day:02d} 10:05:00",
        "outcome": outcome,
        "is_valid": valid,
    }


def report(city, period, figure, value):
    return {"city": city, "period": period, "figure": figure, "value": value}


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


def test_a_city_without_a_control_total_has_no_recall_row(root, tmp_path):
    ctx = context(root, tmp_path, {"calls": [*GAPPY_CALLS, call(99, "b", 3)]})
    assert recall.record_recall(ctx).empty and recall.period_coverage(ctx).empty


def ticket(i, city="a", **fields):
    base = {
        "ticket_id": f"t{i}",
        "city": city,
        "channel": "web",
        "accepted_at": "2026-07-06 09:00:00",
        "handling_mode": "dispatched",
        "unit_id": "u1",
        "caller_hash": f"h{i}",
        "category_code": "010101",
        "is_valid": True,
    }
    return base | fields


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


# ---------------------------------------------------------------- 关联度 (§8.4)


def test_linkage_of_phone_tickets_to_calls(root, tmp_path):
    calls = [call(i, "a", 5) for i in range(3)]
    tickets = [ticket(i, channel="phone", call_id=f"c{i}") for i in range(3)]  # linked
    tickets += [ticket(3, channel="phone", call_id="c999"), ticket(4, channel="phone")]  # unknown id, no id
    tickets += [ticket(5, channel="web")]  # not linkable
    frame = relevance.linkage(context(root, tmp_path, {"calls": calls, "tickets": tickets}))
    r = row(frame, month="2026-07", item="ticket_call")
    assert (r["numerator"], r["denominator"]) == (3, 5)
    assert r["threshold"] == 0.95 and r["passed"] is False and r["scope"] == "tickets.call_id"


def tiny_catalogue(indicators, calls_sql="SELECT * FROM calls WHERE is_valid"):
    return Catalogue.model_validate(
        {
            "parameters": {"outcome_grace_days": {"default": 15, "zh": "宽限期"}},
            "dimensions": [{"id": "response", "clause": "6.1", "zh": "服务响应", "en": "Service response"}],
            "sources": {
                "calls": {"table": "calls", "sql": calls_sql},
                "tickets": {"table": "tickets", "sql": "SELECT * FROM tickets WHERE is_valid"},
            },
            "indicators": [
                {
                    "zh": i,
                    "en": i,
                    "dimension": "response",
                    "clause": "6.1.1",
                    "kind": "system",
                    "direction": "higher",
                    "unit": "percent",
                    "points": 1,
                    "cohort": "arrived_at" if source == "calls" else "accepted_at",
                    "numerator": "count",
                    "denominator": "count",
                    "formula_zh": "—",
                    "id": i,
                    "source": source,
                    "data_needs": needs,
                    **extra,
                }
                for i, source, needs, extra in indicators
            ],
        }
    )


@pytest.mark.parametrize(
    "calls_sql",
    [
        "SELECT * FROM calls WHERE is_valid",  # records known by their row number
        "SELECT call_id, city, arrived_at, outcome FROM calls WHERE is_valid",  # by their key
    ],
)
def test_indicator_relevance_is_the_share_of_records_feeding_an_indicator(root, tmp_path, calls_sql):
    calls = [call(i, "a", 5) for i in range(4)]  # four valid answered calls in July: used
    calls += [call(4, "a", 6, outcome="abandoned"), call(5, "a", 6, valid=False)]  # not used
    calls += [{**call(6, "a", 30), "arrived_at": "2026-06-30 10:00:00", "ended_at": "2026-06-30 10:05:00"}]
    ctx = context(root, tmp_path, {"calls": calls})
    ctx.catalogue = tiny_catalogue([("answered", "calls", [], {"where": "outcome = 'answered'"})], calls_sql)
    ctx.active = list(ctx.catalogue.indicators)
    frame = relevance.relevance(ctx)
    july = row(frame, month="2026-07")
    assert (july["numerator"], july["denominator"]) == (4, 6)
    period = row(frame)
    assert (period["numerator"], period["denominator"]) == (4, 7)  # the June call is received but not used


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


# ---------------------------------------------------------------- params


def test_a_quality_params_error_names_the_file_and_key(root, tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(root / "params", copy / "params")
    path = copy / "params" / "quality.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("target: calls.call_id", "target: calls.call_no"))
    with pytest.raises(ConfigError) as err:
        load_quality_spec(copy)
    assert "quality.yaml" in str(err.value) and "links.0" in str(err.value) and "calls.call_no" in str(err.value)


def test_every_check_has_a_chinese_name_and_every_gate_a_threshold(root):
    spec = load_quality_spec(root)
    for check_id, check in spec.checks.items():
        assert check.zh, check_id
        assert check.severity == "info" or check.threshold is not None, check_id

"""The measurement engine on hand-built data; every expected value is worked out in the comments."""

import pytest

from tests.support.hand_built import evaluation, run_measure, value


def call(i, city, arrived, queued, answered, ended, outcome, valid=True):
    return {
        "call_id": f"c{i}",
        "city": city,
        "arrived_at": arrived,
        "queue_entered_at": queued,
        "answered_at": answered,
        "ended_at": ended,
        "outcome": outcome,
        "is_valid": valid,
    }


CALLS = [
    # city a, July: waits 10, 20, 30 s → average answer wait 20 s (§6.1.1)
    call(
        1, "a", "2026-07-01 09:00:00", "2026-07-01 09:00:05", "2026-07-01 09:00:15", "2026-07-01 09:02:00", "answered"
    ),
    call(
        2, "a", "2026-07-01 10:00:00", "2026-07-01 10:00:05", "2026-07-01 10:00:25", "2026-07-01 10:05:00", "answered"
    ),
    call(
        3, "a", "2026-07-02 10:00:00", "2026-07-02 10:00:05", "2026-07-02 10:00:35", "2026-07-02 10:05:00", "answered"
    ),
    # an abandon after 10 s counts; an abandon after 3 s is a short abandon (misdial) and leaves the denominator
    call(4, "a", "2026-07-02 11:00:00", "2026-07-02 11:00:05", None, "2026-07-02 11:00:15", "abandoned"),
    call(5, "a", "2026-07-02 11:10:00", "2026-07-02 11:10:05", None, "2026-07-02 11:10:08", "abandoned"),
    # a system rejection counts against the rate; IVR-only and invalid calls are outside it
    call(6, "a", "2026-07-03 11:00:00", "2026-07-03 11:00:05", None, "2026-07-03 11:00:07", "rejected"),
    call(7, "a", "2026-07-03 12:00:00", None, None, "2026-07-03 12:01:00", "ivr_only"),
    call(
        8,
        "a",
        "2026-07-03 13:00:00",
        "2026-07-03 13:00:02",
        "2026-07-03 13:00:04",
        "2026-07-03 13:00:09",
        "answered",
        valid=False,
    ),
    # city a, August: one answered call, no IVR (queue time = arrival), wait 40 s
    call(9, "a", "2026-08-05 09:00:00", None, "2026-08-05 09:00:40", "2026-08-05 09:03:00", "answered"),
    # city b: answered calls only → abandon wait is a structural zero
    call(
        10, "b", "2026-07-01 09:00:00", "2026-07-01 09:00:00", "2026-07-01 09:00:08", "2026-07-01 09:01:00", "answered"
    ),
    # outside the period: ignored
    call(11, "b", "2026-06-30 23:59:00", "2026-06-30 23:59:00", None, "2026-06-30 23:59:30", "abandoned"),
]


@pytest.fixture
def calls_result(root, tmp_path):
    return run_measure(root, tmp_path, {"calls": CALLS}, evaluation(end="2026-08-31"))


def test_answer_rate_6_1_1_excludes_short_abandons_ivr_and_invalid(calls_result):
    july = value(calls_result, "answer_rate", "a", "2026-07")
    assert (july["numerator"], july["denominator"]) == (3, 5)  # answered 1,2,3 of 1,2,3,4,6
    assert july["value"] == pytest.approx(0.6)


def test_pooled_rates_pool_numerators_and_denominators_never_average_months(calls_result):
    pooled = value(calls_result, "answer_rate", "a")
    assert (pooled["numerator"], pooled["denominator"]) == (4, 6)
    assert pooled["value"] == pytest.approx(4 / 6)  # not (0.6 + 1.0) / 2


def test_answer_wait_6_1_1_counts_from_queue_entry_or_arrival(calls_result):
    assert value(calls_result, "answer_wait_avg", "a", "2026-07")["value"] == pytest.approx(20.0)
    assert value(calls_result, "answer_wait_avg", "a", "2026-08")["value"] == pytest.approx(40.0)
    assert value(calls_result, "answer_wait_avg", "a")["value"] == pytest.approx((10 + 20 + 30 + 40) / 4)


def test_abandon_wait_6_1_1_skips_short_abandons_and_flags_structural_zero(calls_result):
    assert value(calls_result, "abandon_wait_avg", "a", "2026-07")["value"] == pytest.approx(10.0)
    b = value(calls_result, "abandon_wait_avg", "b")
    assert (b["value"], b["status"], b["flag"]) == (0.0, "ok", "structural_zero")


def test_a_month_without_any_data_is_no_data_not_zero(calls_result):
    b_aug = value(calls_result, "answer_rate", "b", "2026-08")
    assert b_aug["status"] == "no_data" and b_aug["denominator"] == 0
    assert b_aug["value"] != b_aug["value"]  # NaN


def ticket(i, city, **fields):
    base = {
        "ticket_id": f"t{i}",
        "city": city,
        "channel": "phone",
        "accepted_at": "2026-07-01 08:00:00",
        "handling_mode": "dispatched",
        "unit_id": "u1",
    }
    return base | fields


TICKETS = [
    # on-time completion (§6.6.2): final due in July; closed on time, late, never, on time thanks to an extension
    ticket(1, "a", due_at="2026-07-10 18:00:00", closed_at="2026-07-09 12:00:00"),
    ticket(2, "a", due_at="2026-07-10 18:00:00", closed_at="2026-07-09 12:00:00"),
    ticket(3, "a", due_at="2026-07-10 18:00:00", closed_at="2026-07-11 09:00:00"),
    ticket(4, "a", due_at="2026-07-10 18:00:00"),
    ticket(
        5,
        "a",
        due_at="2026-07-10 18:00:00",
        extension_approved_due_at="2026-07-15 18:00:00",
        closed_at="2026-07-12 10:00:00",
        unit_id="u2",
    ),
    # due in August: outside a July-only evaluation
    ticket(6, "a", due_at="2026-08-03 18:00:00", closed_at="2026-07-30 10:00:00"),
]


def test_ontime_completion_6_6_2_uses_the_final_due_date(root, tmp_path):
    result = run_measure(root, tmp_path, {"tickets": TICKETS}, evaluation())
    a = value(result, "ontime_completion_rate", "a")
    assert (a["numerator"], a["denominator"]) == (3, 5)  # tickets 1, 2, 5 of 1–5
    u2 = value(result, "ontime_completion_rate", "a", unit="u2")
    assert (u2["numerator"], u2["denominator"]) == (1, 1)


def test_ontime_completion_without_any_extension_column_counts_the_original_due_time(root, tmp_path):
    """A system without approved extensions: the column only refines the indicator (`refines`), so the
    indicator is computed at the original due times (ticket 5 is late at 12 July against 10 July), not
    reported as no data for want of a column the data cannot have."""
    from hotline_eval.config.sql import register_tables
    from hotline_eval.core.connection import connect
    from hotline_eval.measure.engine import measure
    from tests.support.hand_built import write_tables

    plain = [{k: v for k, v in t.items() if k != "extension_approved_due_at"} for t in TICKETS]
    write_tables(root, tmp_path / "data", {"tickets": plain})
    columns = [
        "ticket_id",
        "city",
        "channel",
        "accepted_at",
        "handling_mode",
        "unit_id",
        "due_at",
        "closed_at",
        "is_valid",
    ]
    con = connect()
    register_tables(con, root, tmp_path / "data")
    a = value(measure(con, root, evaluation(), {"tickets": columns}), "ontime_completion_rate", "a")
    assert (a["status"], a["flag"], a["numerator"], a["denominator"]) == ("ok", "", 2, 5)


DISPATCH = [
    # urgent: 20 min (on time), 45 min (late) against 30 min
    ticket(1, "a", urgency="urgent", submitted_at="2026-07-01 10:00:00", dispatched_at="2026-07-01 10:20:00"),
    ticket(2, "a", urgency="urgent", submitted_at="2026-07-01 10:00:00", dispatched_at="2026-07-01 10:45:00"),
    # normal: 1.5 h (on time); night intake at 20:00, clock starts 08:30, dispatched 09:30 (on time); 3 h (late)
    ticket(3, "a", submitted_at="2026-07-01 09:00:00", dispatched_at="2026-07-01 10:30:00"),
    ticket(4, "a", submitted_at="2026-07-01 20:00:00", dispatched_at="2026-07-02 09:30:00"),
    ticket(5, "a", submitted_at="2026-07-01 09:00:00", dispatched_at="2026-07-01 12:00:00"),
    # handled directly: not dispatched, outside the cohort
    ticket(6, "a", handling_mode="direct_answer", submitted_at="2026-07-01 09:00:00"),
]


def test_dispatch_timeliness_6_2_4(root, tmp_path):
    result = run_measure(root, tmp_path, {"tickets": DISPATCH}, evaluation())
    a = value(result, "dispatch_timely_rate", "a")
    assert (a["numerator"], a["denominator"]) == (3, 5)


def test_return_for_redo_6_6_6_counts_tickets_returned_at_least_once(root, tmp_path):
    tickets = [ticket(i, "a", replied_at="2026-07-05 10:00:00", returned_count=n) for i, n in enumerate([0, 0, 2, 0])]
    result = run_measure(root, tmp_path, {"tickets": tickets}, evaluation())
    assert value(result, "return_for_redo_rate", "a")["value"] == pytest.approx(0.25)


CALLBACKS = [
    {
        "callback_id": f"v{i}",
        "city": "a",
        "ticket_id": f"t{i}",
        "completed_at": "2026-07-20 10:00:00",
        "result_level": level,
    }
    for i, level in enumerate(["very_satisfied", "satisfied", "basic", "dissatisfied", None])
]


def test_result_satisfaction_6_5_2_weights_levels_and_skips_non_responses(root, tmp_path):
    tickets = [ticket(i, "a", unit_id="u1" if i < 2 else "u2") for i in range(5)]
    tables = {"tickets": tickets, "callbacks": CALLBACKS}
    default = run_measure(root, tmp_path, tables, evaluation())
    assert value(default, "result_satisfaction", "a")["value"] == pytest.approx(3 / 4)
    assert value(default, "result_satisfaction", "a", unit="u2")["value"] == pytest.approx(1 / 2)
    weights = {"very_satisfied": 1, "satisfied": 1, "basic": 0.6, "dissatisfied": 0, "very_dissatisfied": 0}
    custom = run_measure(root, tmp_path, tables, evaluation(parameters={"satisfaction_weights": weights}))
    assert value(custom, "result_satisfaction", "a")["value"] == pytest.approx(2.6 / 4)


def test_wilson_interval_accompanies_rates(calls_result):
    from scipy.stats import binomtest

    row = value(calls_result, "answer_rate", "a")
    expected = binomtest(4, 6).proportion_ci(method="wilson")
    assert row["ci_low"] == pytest.approx(expected.low) and row["ci_high"] == pytest.approx(expected.high)


def test_an_indicator_needing_a_column_no_source_provides_is_no_data_not_computed(root, tmp_path):
    """ring_time_avg needs alerting_at: a source that does not record it gives no data, flagged
    not_provided, while indicators whose columns are all provided are computed as usual."""
    from hotline_eval.config.sql import register_tables
    from hotline_eval.core.connection import connect
    from hotline_eval.measure.engine import measure
    from tests.support.hand_built import write_tables

    write_tables(root, tmp_path / "data", {"calls": CALLS})
    columns = ["call_id", "city", "arrived_at", "queue_entered_at", "answered_at", "ended_at", "outcome", "is_valid"]
    provided = {"calls": columns}
    con = connect()
    register_tables(con, root, tmp_path / "data")
    result = measure(con, root, evaluation(), provided)
    ring = value(result, "ring_time_avg", "a")
    assert (ring["status"], ring["flag"], ring["denominator"]) == ("no_data", "not_provided", 0)
    unique = value(result, "unique_caller_answer_rate", "a")  # needs caller_hash
    assert (unique["status"], unique["flag"]) == ("no_data", "not_provided")
    wait = value(result, "answer_wait_avg", "a")
    assert (wait["status"], wait["value"]) == ("ok", pytest.approx(20.0))
    everything = measure(con, root, evaluation())  # without the record of what is provided: as before
    assert value(everything, "answer_wait_avg", "a")["value"] == pytest.approx(20.0)
    assert value(everything, "ring_time_avg", "a")["flag"] != "not_provided"

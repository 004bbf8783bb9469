"""6.6 问题解决质量: every indicator on a hand-built fixture; expected values worked out in the comments."""

import pytest

from tests.support.builders import callback, measured, qc, row, ticket

DIRECT = [
    ticket(1, "a", handling_mode="direct_answer"),
    ticket(2, "a", handling_mode="three_way_closed"),
    ticket(3, "a", handling_mode="direct_handle"),
    ticket(4, "a"),
    ticket(5, "a"),
    ticket(6, "a", handling_mode="referred_to_origin"),  # left the hotline: outside both
    ticket(7, "a", handling_mode="direct_answer", is_valid=False),  # nuisance request: outside both
    ticket(8, "a", "2026-08-01 09:00:00", handling_mode="direct_answer"),  # accepted in August
]


def test_direct_handling_rate_6_6_1(root, tmp_path):
    r = row(measured(root, tmp_path, {"tickets": DIRECT}), "direct_handling_rate")
    assert (r["numerator"], r["denominator"]) == (3, 5)  # t1, t2, t3 of t1–t5


def test_direct_handling_accuracy_6_6_1_accurate_and_reasonable(root, tmp_path):
    samples = (
        [qc(f"d{i}", "a", "direct", accurate=True, reasonable=True) for i in range(24)]
        + [qc(f"r{i}", "a", "direct", accurate=True, reasonable=False) for i in range(3)]  # needed a dispatch
        + [qc(f"w{i}", "a", "direct", accurate=False, reasonable=True) for i in range(3)]
    )
    r = row(measured(root, tmp_path, {"qc_samples": samples}), "direct_handling_accuracy")
    assert (r["numerator"], r["denominator"], r["status"]) == (24, 30, "ok")


DUE = "2026-07-10 18:00:00"
ONTIME = [
    ticket(1, "a", due_at=DUE, closed_at="2026-07-09 12:00:00"),  # on time
    ticket(2, "a", due_at=DUE, closed_at="2026-07-11 09:00:00"),  # late
    ticket(3, "a", due_at=DUE),  # still open past its due time: late
    ticket(
        4,
        "a",
        due_at=DUE,
        extension_approved_due_at="2026-07-15 18:00:00",
        closed_at="2026-07-12 10:00:00",
        unit_id="u2",
    ),  # on time thanks to an approved extension
    ticket(5, "a", due_at=DUE, closed_at="2026-07-12 10:00:00"),  # extension asked but not approved: late
    ticket(6, "a", due_at="2026-08-03 18:00:00", closed_at="2026-07-30 10:00:00"),  # due in August
    ticket(7, "a", handling_mode="direct_answer", closed_at="2026-07-01 09:00:00"),  # no time limit
    ticket(
        8,
        "a",
        due_at="2026-06-28 18:00:00",
        extension_approved_due_at="2026-07-05 18:00:00",
        closed_at="2026-07-04 10:00:00",
        unit_id="u2",
    ),  # extended into July: its final due time counts
]


def test_ontime_completion_rate_6_6_2_final_due_time_with_approved_extensions(root, tmp_path):
    result = measured(root, tmp_path, {"tickets": ONTIME})
    r = row(result, "ontime_completion_rate")
    assert (r["numerator"], r["denominator"]) == (3, 6)  # t1, t4, t8 of t1–t5, t8
    assert row(result, "ontime_completion_rate", unit="u1")["value"] == pytest.approx(1 / 4)  # t1 of t1, t2, t3, t5
    assert row(result, "ontime_completion_rate", unit="u2")["value"] == pytest.approx(2 / 2)


OVERALL = [
    ticket(1, "a", dispatched_at="2026-07-02 09:00:00", closed_at="2026-07-05 09:00:00"),
    ticket(2, "a", dispatched_at="2026-07-30 09:00:00", closed_at="2026-08-15 23:00:00"),  # last day of the grace
    ticket(3, "a", dispatched_at="2026-07-30 09:00:00", closed_at="2026-08-20 09:00:00"),  # after the cut-off
    ticket(4, "a", dispatched_at="2026-07-15 09:00:00"),  # open
    ticket(5, "a", dispatched_at="2026-06-30 09:00:00", closed_at="2026-07-01 09:00:00"),  # dispatched in June
]


def test_overall_completion_rate_6_6_2_closed_by_the_cut_off(root, tmp_path):
    r = row(measured(root, tmp_path, {"tickets": OVERALL}), "overall_completion_rate")
    assert (r["numerator"], r["denominator"]) == (2, 4)  # cut-off = 31 July + 15 days: t1, t2 of t1–t4


def test_overall_completion_rate_6_6_2_grace_days_are_a_parameter(root, tmp_path):
    result = measured(root, tmp_path, {"tickets": OVERALL}, parameters={"outcome_grace_days": 5})
    assert row(result, "overall_completion_rate")["numerator"] == 1  # t2 closed after 5 August


def test_accepted_completion_rate_6_6_2_counts_every_accepted_request_closed_by_the_cut_off(root, tmp_path):
    tickets = [
        ticket(1, "a", "2026-07-02 09:00:00", handling_mode="direct_answer", closed_at="2026-07-02 09:10:00"),
        ticket(2, "a", "2026-07-30 09:00:00", dispatched_at="2026-07-30 10:00:00", closed_at="2026-08-15 23:00:00"),
        ticket(3, "a", "2026-07-30 09:00:00", dispatched_at="2026-07-30 10:00:00", closed_at="2026-08-20 09:00:00"),
        ticket(4, "a", "2026-07-15 09:00:00", dispatched_at="2026-07-15 10:00:00"),  # open
        ticket(5, "a", "2026-06-30 09:00:00", dispatched_at="2026-06-30 10:00:00", closed_at="2026-07-01 09:00:00"),
        ticket(6, "a", "2026-07-03 09:00:00", is_valid=False, closed_at="2026-07-03 10:00:00"),  # invalid
    ]
    r = row(measured(root, tmp_path, {"tickets": tickets}), "accepted_completion_rate")
    assert (r["numerator"], r["denominator"]) == (2, 4)  # t1, t2 of t1–t4 (t3 after the cut-off, t5 in June)


SUPERVISED = [
    ticket(1, "a", supervised_at="2026-07-03 09:00:00", closed_at="2026-07-10 09:00:00"),  # callback: solved
    ticket(2, "a", supervised_at="2026-07-03 09:00:00", closed_at="2026-07-10 09:00:00"),  # callback: not solved
    ticket(3, "a", supervised_at="2026-07-03 09:00:00", closed_at="2026-07-10 09:00:00", unit_id="u2"),  # no callback
    ticket(4, "a", supervised_at="2026-07-03 09:00:00", unit_id="u2"),  # still open
    ticket(5, "a", supervised_at="2026-07-03 09:00:00", closed_at="2026-08-20 09:00:00", unit_id="u2"),  # too late
    ticket(6, "a", supervised_at="2026-06-29 09:00:00", closed_at="2026-07-02 09:00:00"),  # supervised in June
    ticket(7, "b", closed_at="2026-07-02 09:00:00"),  # city b supervised nothing
]
SUPERVISED_CALLBACKS = [
    callback(1, "a", "t1", "2026-07-11 10:00:00", result_level="satisfied", resolved="yes"),
    callback(2, "a", "t2", "2026-07-11 10:00:00", result_level="dissatisfied", resolved="no"),
]


def test_supervised_resolution_rate_6_6_2(root, tmp_path):
    result = measured(root, tmp_path, {"tickets": SUPERVISED, "callbacks": SUPERVISED_CALLBACKS})
    r = row(result, "supervised_resolution_rate")
    assert (r["numerator"], r["denominator"]) == (2, 5)  # t1, t3 of t1–t5
    assert row(result, "supervised_resolution_rate", unit="u2")["value"] == pytest.approx(1 / 3)
    b = row(result, "supervised_resolution_rate", "b")
    assert b["status"] == "no_data"  # nothing supervised: no data, never full marks


ONE_TIME = [
    ticket(1, "a", closed_at="2026-07-02 09:00:00"),  # clean ✓
    ticket(2, "a", closed_at="2026-07-02 09:00:00", returned_count=1),  # returned for redo ✗
    ticket(3, "a", closed_at="2026-07-02 09:00:00", reopened_count=1),  # reopened ✗
    ticket(4, "a", closed_at="2026-07-05 09:00:00"),  # the caller came back 10 days later ✗
    ticket(5, "a", closed_at="2026-07-25 09:00:00"),  # came back 16 days later, in August, before the cut-off ✗
    ticket(6, "a", closed_at="2026-07-31 10:00:00"),  # came back 20 days later, after the cut-off: not observed ✓
    ticket(7, "a", closed_at="2026-07-01 09:00:00"),  # came back 40 days later, outside the 30-day window ✓
    ticket(8, "a", closed_at="2026-07-20 09:00:00"),  # chased while still open, not after closure ✓
    ticket(9, "a", handling_mode="referred_to_origin", closed_at="2026-07-02 09:00:00"),  # not handled here
    # the repeat requests themselves (still open)
    ticket(11, "a", "2026-07-15 09:00:00", repeat_of="t4"),
    ticket(12, "a", "2026-08-10 09:00:00", repeat_of="t5"),
    ticket(13, "a", "2026-08-20 09:00:00", repeat_of="t6"),
    ticket(14, "a", "2026-08-10 09:00:00", repeat_of="t7"),
    ticket(15, "a", "2026-07-18 09:00:00", repeat_of="t8"),
]


def test_one_time_completion_rate_6_6_3_repeat_window_crosses_the_period_end(root, tmp_path):
    r = row(measured(root, tmp_path, {"tickets": ONE_TIME}), "one_time_completion_rate")
    assert (r["numerator"], r["denominator"]) == (4, 8)  # t1, t6, t7, t8 of t1–t8


def test_one_time_completion_rate_6_6_3_repeat_window_is_a_parameter(root, tmp_path):
    result = measured(root, tmp_path, {"tickets": ONE_TIME}, parameters={"repeat_window_days": 45})
    assert row(result, "one_time_completion_rate")["numerator"] == 3  # t7's repeat after 40 days now counts


RESOLVE = [
    ticket(1, "a", dispatched_at="2026-07-01 08:00:00", closed_at="2026-07-03 08:00:00"),  # 48 h
    ticket(2, "a", dispatched_at="2026-07-02 08:00:00", closed_at="2026-07-02 20:00:00", unit_id="u2"),  # 12 h
    ticket(3, "a", handling_mode="direct_answer", closed_at="2026-07-01 08:10:00"),  # not dispatched
]


def test_resolve_time_avg_6_6_3_dispatched_tickets_agency_and_unit(root, tmp_path):
    result = measured(root, tmp_path, {"tickets": RESOLVE})
    assert row(result, "resolve_time_avg")["value"] == pytest.approx(30.0)  # (48 + 12) / 2 h
    assert row(result, "resolve_time_avg", unit="u1")["value"] == pytest.approx(48.0)
    assert row(result, "resolve_time_avg", unit="u2")["value"] == pytest.approx(12.0)


REQUESTS = (
    [ticket(i, "a", "2026-07-10 09:00:00") for i in range(30)]
    + [ticket(100 + i, "a", "2026-08-05 09:00:00") for i in range(10)]
    + [ticket(200, "a", "2026-07-10 09:00:00", is_valid=False)]
    + [ticket(300 + i, "b", "2026-07-10 09:00:00") for i in range(5)]
)
POPULATION = [
    {"city": "a", "year": 2025, "residents": 20_000},  # the latest year not after the period
    {"city": "a", "year": 2019, "residents": 10_000},
    {"city": "a", "year": 2030, "residents": 99_999},
    {"city": "b", "year": 2027, "residents": 50_000},  # only a later figure: used as the best available
]


def test_requests_per_10k_6_6_4_per_month_per_10000_residents(root, tmp_path):
    tables = {"tickets": REQUESTS, "population": POPULATION}
    result = measured(root, tmp_path, tables, end="2026-08-31")
    r = row(result, "requests_per_10k")
    assert (r["numerator"], r["denominator"]) == (40, pytest.approx(4.0))  # 40 requests / (2 months × 2 万人)
    assert r["value"] == pytest.approx(10.0)
    assert row(result, "requests_per_10k", month="2026-07")["value"] == pytest.approx(15.0)  # 30 / 2
    assert row(result, "requests_per_10k", month="2026-08")["value"] == pytest.approx(5.0)  # 10 / 2
    # b's export holds no work order in August: a month the data do not cover (one month of 5 万人)
    assert row(result, "requests_per_10k", "b")["value"] == pytest.approx(5 / (1 * 5))


def test_requests_per_10k_6_6_4_a_month_without_any_record_is_no_data_and_does_not_dilute(root, tmp_path):
    """A month the export does not cover showed 0.00 per 10,000 residents and lowered the period's rate."""
    tables = {"tickets": REQUESTS, "population": POPULATION}
    result = measured(root, tmp_path, tables, end="2026-09-30")  # September: no record of any city
    september = row(result, "requests_per_10k", month="2026-09")
    assert september["status"] == "no_data" and september["value"] != september["value"]  # NaN
    assert row(result, "requests_per_10k")["value"] == pytest.approx(40 / (2 * 2))  # July and August only


def test_requests_per_10k_6_6_4_prorates_a_partial_month(root, tmp_path):
    tables = {"tickets": REQUESTS, "population": POPULATION}
    result = measured(root, tmp_path, tables, end="2026-08-15")
    # months in the period: July (31 of 31 days) and 15 of August's 31 days: 2 万人 × (1 + 15/31) person-months
    assert row(result, "requests_per_10k")["value"] == pytest.approx(40 / (2 * (1 + 15 / 31)))
    assert row(result, "requests_per_10k", month="2026-08")["value"] == pytest.approx(10 / (2 * 15 / 31))


REPLIES = [qc(f"u1-{i}", "a", "reply", unit_id="u1", complete=True, solved=i < 16) for i in range(20)] + [
    qc(f"u2-{i}", "a", "reply", unit_id="u2", complete=i < 5, solved=True) for i in range(10)
]


def test_reply_compliance_rate_6_6_5_complete_and_solved(root, tmp_path):
    result = measured(root, tmp_path, {"qc_samples": REPLIES})
    r = row(result, "reply_compliance_rate")
    assert (r["numerator"], r["denominator"], r["status"]) == (21, 30, "ok")  # 16 of u1 + 5 of u2
    u1 = row(result, "reply_compliance_rate", unit="u1")
    assert (u1["value"], u1["status"]) == (pytest.approx(0.8), "insufficient_sample")  # 20 samples < 30


REDO = [
    ticket(1, "a", replied_at="2026-07-05 10:00:00", returned_count=0),
    ticket(2, "a", replied_at="2026-07-05 10:00:00", returned_count=2),
    ticket(3, "a", replied_at="2026-07-05 10:00:00", returned_count=1, unit_id="u2"),
    ticket(4, "a", replied_at="2026-07-05 10:00:00", returned_count=0, unit_id="u2"),
    ticket(5, "a"),  # no reply yet
    ticket(6, "a", replied_at="2026-08-05 10:00:00", returned_count=1),  # replied in August
]


def test_return_for_redo_rate_and_count_6_6_6(root, tmp_path):
    result = measured(root, tmp_path, {"tickets": REDO})
    rate = row(result, "return_for_redo_rate")
    assert (rate["numerator"], rate["denominator"]) == (2, 4)  # t2, t3 returned at least once
    count = row(result, "return_for_redo_count")
    assert (count["value"], count["status"]) == (3, "ok")  # 2 + 1 returns: the 退回重办数 of §6.6.6
    assert row(result, "return_for_redo_count", unit="u1")["value"] == 2
    assert row(result, "return_for_redo_rate", unit="u2")["value"] == pytest.approx(1 / 2)

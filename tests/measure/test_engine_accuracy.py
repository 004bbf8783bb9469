"""6.2 服务准确性: every indicator on a hand-built fixture; expected values worked out in the comments."""

import pytest
from scipy.stats import binomtest

from tests.support.builders import bot_test, call, measured, qc, row, ticket

CONSULT = (
    # city a: 30 sampled consultations, 27 answered correctly; two samples of other kinds do not count
    [qc(f"a{i}", "a", "consult_call", correct=i < 27) for i in range(30)]
    + [qc("x1", "a", "ticket", correct=False, score=50), qc("x2", "a", "direct", correct=False)]
    # city b: 29 samples, one short of the minimum of 30
    + [qc(f"b{i}", "b", "consult_call", correct=True) for i in range(29)]
)


@pytest.fixture(scope="module")
def consult(root, tmp_path_factory):
    return measured(root, tmp_path_factory.mktemp("consult"), {"qc_samples": CONSULT})


def test_agent_answer_accuracy_6_2_1(consult):
    r = row(consult, "agent_answer_accuracy")
    assert (r["numerator"], r["denominator"], r["n"], r["status"]) == (27, 30, 30, "ok")
    assert r["value"] == pytest.approx(0.9)


def test_agent_answer_accuracy_6_2_1_carries_a_wilson_interval(consult):
    r = row(consult, "agent_answer_accuracy")
    expected = binomtest(27, 30).proportion_ci(confidence_level=0.95, method="wilson")
    assert (r["ci_low"], r["ci_high"]) == (pytest.approx(expected.low), pytest.approx(expected.high))


def test_agent_answer_accuracy_6_2_1_below_30_samples_is_insufficient(consult):
    r = row(consult, "agent_answer_accuracy", "b")
    assert (r["status"], r["n"], r["value"]) == ("insufficient_sample", 29, 1.0)  # shown, not scored


MERGED_CALLS = [
    call(
        3, "a", "2026-07-01 09:00:00", outcome="answered", answer=5, end=200, transfer_target_type="origin_department"
    ),
    call(4, "a", "2026-07-01 09:30:00", outcome="answered", answer=5, end=200, transfer_target_type="emergency_110"),
]
MERGED = [
    ticket(1, "a", merged_domain_id="12315"),  # dispatched by 12345: handled in one place
    ticket(2, "a", merged_domain_id="12315", handling_mode="referred_to_origin"),  # sent back to 12315
    ticket(3, "a", merged_domain_id="12333", handling_mode="direct_answer", call_id="c3"),  # call put through to 12333
    ticket(4, "a", merged_domain_id="12333", call_id="c4"),  # lawful hand-off to 110: out of the cohort
    ticket(5, "a"),  # not a merged-hotline request
    ticket(6, "a", merged_domain_id="12329", channel="merged_hotline", handling_mode="direct_answer"),
]


def test_merged_hotline_self_handled_rate_6_2_2(root, tmp_path):
    result = measured(root, tmp_path, {"tickets": MERGED, "calls": MERGED_CALLS})
    r = row(result, "merged_hotline_self_handled_rate")
    assert (r["numerator"], r["denominator"]) == (2, 4)  # t1, t6 of t1, t2, t3, t6 (1 − referral rate 2/4)


T0 = "2026-07-06 10:00:00"
QA = [
    # five questions: four answered correctly after 10, 20, 30 and 40 s; one wrong (no correct answer)
    bot_test(1, "a", T0, response=1, answer=10, correct=True),
    bot_test(2, "a", T0, response=1, answer=20, correct=True),
    bot_test(3, "a", T0, channel="phone", response=2, answer=30, correct=True),
    bot_test(4, "a", T0, channel="phone", response=2, answer=40, correct=True),
    bot_test(5, "a", T0, response=1, correct=False),
    # a self-service task is not a question
    bot_test(6, "a", T0, channel="phone", task="self_service", started_at=T0, success=False),
]


@pytest.fixture(scope="module")
def qa(root, tmp_path_factory):
    return measured(root, tmp_path_factory.mktemp("qa"), {"bot_tests": QA}, parameters={"min_sample": 1})


def test_bot_answer_accuracy_6_2_3_verbatim_formula(qa):
    r = row(qa, "bot_answer_accuracy")  # 抽查测试准确答复数 ÷ 抽查测试总数
    assert (r["numerator"], r["denominator"]) == (4, 5)


def test_bot_time_to_answer_avg_6_2_3_over_correct_answers_only(qa):
    r = row(qa, "bot_time_to_answer_avg")
    assert (r["numerator"], r["denominator"]) == (100, 4)  # 10 + 20 + 30 + 40 s; the wrong answer is left out
    assert r["value"] == pytest.approx(25.0)


DISPATCH = [
    # urgent: 20 min (on time) and 45 min (late) against 30 min
    ticket(1, "a", urgency="urgent", submitted_at="2026-07-01 10:00:00", dispatched_at="2026-07-01 10:20:00"),
    ticket(2, "a", urgency="urgent", submitted_at="2026-07-01 10:00:00", dispatched_at="2026-07-01 10:45:00"),
    # normal: 1.5 h (on time); submitted at 20:00, the clock starts 08:30 next day, dispatched 09:30 (1 h);
    # 3 h (late)
    ticket(3, "a", submitted_at="2026-07-01 09:00:00", dispatched_at="2026-07-01 10:30:00"),
    ticket(4, "a", submitted_at="2026-07-01 20:00:00", dispatched_at="2026-07-02 09:30:00"),
    ticket(5, "a", submitted_at="2026-07-01 09:00:00", dispatched_at="2026-07-01 12:00:00"),
    # handled directly: never dispatched, outside the cohort
    ticket(6, "a", handling_mode="direct_answer", submitted_at="2026-07-01 09:00:00"),
    # first dispatched in June: another period
    ticket(7, "a", submitted_at="2026-06-30 09:00:00", dispatched_at="2026-06-30 09:10:00"),
]


def test_dispatch_timely_rate_6_2_4(root, tmp_path):
    r = row(measured(root, tmp_path, {"tickets": DISPATCH}), "dispatch_timely_rate")
    assert (r["numerator"], r["denominator"]) == (3, 5)  # t1, t3, t4 of t1–t5


def test_dispatch_timely_rate_6_2_4_fractional_hour_limit(root, tmp_path):
    # 1.6 h: t3 (1.5 h) and t4 (1 h) stay on time; a limit rounded down to 1 h would make t3 late
    result = measured(root, tmp_path, {"tickets": DISPATCH}, parameters={"dispatch_limit_normal_h": 1.6})
    assert row(result, "dispatch_timely_rate")["numerator"] == 3
    result = measured(root, tmp_path, {"tickets": DISPATCH}, parameters={"dispatch_limit_normal_h": 1.25})
    assert row(result, "dispatch_timely_rate")["numerator"] == 2  # t1, t4


def test_dispatch_timely_rate_6_2_4_office_hours_are_a_parameter(root, tmp_path):
    # opening at 10:00: t4 (submitted 20:00) has its clock start at 10:00 next day and was dispatched
    # before it (0 h); t3 submitted 09:00 starts at 10:00, dispatched 10:30 (0.5 h); t5 starts 10:00,
    # dispatched 12:00 (2 h): on time at exactly the limit
    params = {"office_hours": {"open": "10:00", "close": "18:00"}}
    result = measured(root, tmp_path, {"tickets": DISPATCH}, parameters=params)
    assert row(result, "dispatch_timely_rate")["numerator"] == 4  # t1, t3, t4, t5


# Working hours (§6.2.4 "2个工作小时"): 08:30–18:00 on the working days of params/calendar.yaml.
# Each case is its own city, with its working hours counted by hand; the clock-hour rule (a clock
# started at the next 08:30 for tickets submitted outside office hours) finds every case late.
WORKING_HOURS = {
    # case: (submitted, dispatched, working hours, with a 12:00–13:30 lunch break)
    "saturday": ("2026-07-04 10:00", "2026-07-06 09:00", 0.5, 0.5),  # Sat rest; Mon 08:30–09:00
    "evening": ("2026-07-01 17:30", "2026-07-02 08:45", 0.75, 0.75),  # Wed 17:30–18:00 + Thu 08:30–08:45
    "limit": ("2026-07-01 17:00", "2026-07-02 09:30", 2.0, 2.0),  # exactly the limit: on time
    "over": ("2026-07-01 17:00", "2026-07-02 09:31", 2 + 1 / 60, 2 + 1 / 60),
    "night": ("2026-07-01 22:00", "2026-07-02 10:31", 2 + 1 / 60, 2 + 1 / 60),  # clock from Thu 08:30
    # 1–7 Oct 2026 national holiday: Wed 30 Sep 17:00–18:00 + Thu 8 Oct 08:30–09:00
    "holiday": ("2026-09-30 17:00", "2026-10-08 09:00", 1.5, 1.5),
    # Sat 10 Oct 2026 is a working day (调休): Fri 0.5 h + Sat 9.5 h (8 h with lunch) + Mon 10 min
    "working_weekend": ("2026-10-09 17:30", "2026-10-12 08:40", 10 + 1 / 6, 8 + 2 / 3),
    # year end: Wed 31 Dec 2025 17:00–18:00; 1–3 Jan 2026 holidays; Sun 4 Jan a working day 08:30–09:00
    "year_end": ("2025-12-31 17:00", "2026-01-04 09:00", 1.5, 1.5),
    # 11:00–14:00: 3 h, of which 1.5 h lunch when a lunch break is set
    "lunch": ("2026-07-01 11:00", "2026-07-01 14:00", 3.0, 1.5),
}


@pytest.mark.parametrize("lunch", [None, {"from": "12:00", "to": "13:30"}], ids=["no_lunch", "lunch"])
def test_dispatch_timely_rate_6_2_4_counts_working_hours(root, tmp_path, lunch):
    tickets = [
        ticket(i, case, submitted_at=f"{sub}:00", dispatched_at=f"{disp}:00")
        for i, (case, (sub, disp, _, _)) in enumerate(WORKING_HOURS.items())
    ]
    params = {"lunch_break": lunch} if lunch else {}
    result = measured(
        root,
        tmp_path,
        {"tickets": tickets},
        cities=tuple(WORKING_HOURS),
        start="2025-12-01",
        end="2026-10-31",
        parameters=params,
    )
    timely = {case for case in WORKING_HOURS if row(result, "dispatch_timely_rate", case)["numerator"] == 1}
    hours = {case: h_lunch if lunch else h for case, (_, _, h, h_lunch) in WORKING_HOURS.items()}
    assert timely == {case for case, h in hours.items() if h <= 2}
    expected = {"saturday", "evening", "limit", "holiday", "year_end"} | ({"lunch"} if lunch else set())
    assert timely == expected


def test_office_hours_6_2_4_impossible_hours_are_refused():
    from hotline_eval.core.errors import ConfigError
    from tests.support.hand_built import evaluation

    with pytest.raises(ConfigError, match="lunch_break"):
        evaluation(parameters={"lunch_break": {"from": "17:30", "to": "19:00"}})
    with pytest.raises(ConfigError, match="open 应早于 close"):
        evaluation(parameters={"office_hours": {"open": "18:00", "close": "08:30"}})


PRECISE = [
    ticket(1, "a", first_unit_id="u1", dispatched_at="2026-07-02 09:00:00"),  # kept
    ticket(  # sent back as not its duty, approved, re-dispatched to u2: not precise
        2,
        "a",
        first_unit_id="u1",
        unit_id="u2",
        sendback_reason="wrong_unit",
        sendback_approved=True,
        redispatch_count=1,
        dispatched_at="2026-07-02 09:00:00",
    ),
    ticket(  # sent back, but the agency rejected the send-back: counts as kept
        3,
        "a",
        first_unit_id="u1",
        sendback_reason="wrong_unit",
        sendback_approved=False,
        dispatched_at="2026-07-02 09:00:00",
    ),
    # re-dispatched from u2 to u3 without a recorded send-back: not precise
    ticket(4, "a", first_unit_id="u2", unit_id="u3", redispatch_count=1, dispatched_at="2026-07-02 09:00:00"),
    ticket(  # sent back for an incomplete ticket and completed by the same unit: precise
        5,
        "a",
        first_unit_id="u2",
        unit_id="u2",
        sendback_reason="incomplete_ticket",
        sendback_approved=True,
        redispatch_count=0,
        dispatched_at="2026-07-02 09:00:00",
    ),
    ticket(6, "a", handling_mode="direct_answer", unit_id=None),
]


def test_precise_dispatch_rate_6_2_4_agency_and_first_target_unit(root, tmp_path):
    result = measured(root, tmp_path, {"tickets": PRECISE})
    a = row(result, "precise_dispatch_rate")
    assert (a["numerator"], a["denominator"]) == (3, 5)  # t1, t3, t5 of t1–t5
    u1 = row(result, "precise_dispatch_rate", unit="u1")
    assert (u1["numerator"], u1["denominator"]) == (2, 3)  # by FIRST target unit: t1, t3 of t1, t2, t3
    u2 = row(result, "precise_dispatch_rate", unit="u2")
    assert (u2["numerator"], u2["denominator"]) == (1, 2)  # t5 of t4, t5

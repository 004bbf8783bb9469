"""6.1 服务响应: every indicator on a hand-built fixture; expected values worked out in the comments."""

import pytest

from tests.support.builders import at, bot_test, call, capability, chat, measured, row, ticket

DAY1, DAY2 = "2026-07-01", "2026-07-02"

CALLS = [
    # answered: waits 10, 20, 30 s from queue entry (c3 has no IVR, so its wait runs from arrival);
    # rings 3 and 5 s (c3 has no ring time); talks 120 and 300 s, c3's 3,700 s line is stuck
    call(1, "a", f"{DAY1} 09:00:00", outcome="answered", queue=5, ring=12, answer=15, end=135, caller_hash="X"),
    call(2, "a", f"{DAY1} 10:00:00", outcome="answered", queue=5, ring=20, answer=25, end=325, caller_hash="Y"),
    call(3, "a", f"{DAY1} 11:00:00", outcome="answered", answer=30, end=3730, caller_hash="W"),
    # abandons after 10 s and 30 s (and 20 s on day 2) count; c5 gave up after 3 s: a short abandon (misdial)
    call(4, "a", f"{DAY1} 12:00:00", outcome="abandoned", queue=5, end=15, caller_hash="X"),
    call(5, "a", f"{DAY1} 12:10:00", outcome="abandoned", queue=5, end=8, caller_hash="U"),
    call(6, "a", f"{DAY1} 12:20:00", outcome="abandoned", queue=5, end=35, caller_hash="Z"),
    # a system rejection and a queue-callback request: human-requested, not answered
    call(7, "a", f"{DAY1} 12:30:00", outcome="rejected", queue=5, end=7, caller_hash="Z"),
    call(8, "a", f"{DAY1} 12:40:00", outcome="callback_requested", queue=5, end=65, caller_hash="V"),
    # IVR only, and an invalid (silent) call: outside every 6.1.1 cohort
    call(9, "a", f"{DAY1} 13:00:00", outcome="ivr_only", end=60, caller_hash="T"),
    call(10, "a", f"{DAY1} 14:00:00", outcome="answered", queue=2, answer=4, end=9, caller_hash="S", valid=False),
    call(11, "a", f"{DAY2} 09:00:00", outcome="abandoned", queue=5, end=25, caller_hash="X"),
    # city b: one answered call and no abandon at all
    call(20, "b", "2026-07-03 09:00:00", outcome="answered", queue=0, ring=6, answer=8, end=60, caller_hash="B"),
]


@pytest.fixture(scope="module")
def calls(root, tmp_path_factory):
    return measured(root, tmp_path_factory.mktemp("calls"), {"calls": CALLS})


def test_answer_wait_avg_6_1_1_from_queue_entry_or_arrival(calls):
    r = row(calls, "answer_wait_avg")
    assert (r["numerator"], r["denominator"]) == (60, 3)  # 10 + 20 + 30 s over c1, c2, c3
    assert r["value"] == pytest.approx(20.0)


def test_abandon_wait_avg_6_1_1_leaves_out_short_abandons(calls):
    r = row(calls, "abandon_wait_avg")
    assert (r["numerator"], r["denominator"]) == (60, 3)  # c4 10 s + c6 30 s + c11 20 s; c5 (3 s) is a misdial
    assert r["value"] == pytest.approx(20.0)


def test_abandon_wait_avg_6_1_1_is_a_flagged_structural_zero_without_abandons(calls):
    r = row(calls, "abandon_wait_avg", "b")  # b had human-requested traffic and nobody abandoned
    assert (r["value"], r["status"], r["flag"], r["denominator"]) == (0.0, "ok", "structural_zero", 0)


def test_ring_time_avg_6_1_1_over_calls_with_a_ring_time(calls):
    r = row(calls, "ring_time_avg")
    assert (r["numerator"], r["denominator"]) == (8, 2)  # c1 3 s + c2 5 s; c3 has no alerting time
    assert r["value"] == pytest.approx(4.0)


def test_answer_rate_6_1_1_counts_rejections_and_callback_requests_against_it(calls):
    r = row(calls, "answer_rate")
    # answered c1 c2 c3 of: 3 answered + 3 abandoned (c4 c6 c11; c5 is short) + rejected c7 + callback c8 = 8
    assert (r["numerator"], r["denominator"]) == (3, 8)
    assert r["value"] == pytest.approx(3 / 8)


def test_answer_rate_6_1_1_callback_policy_exclude(root, tmp_path):
    result = measured(root, tmp_path, {"calls": CALLS}, parameters={"callback_request_counts_as_unanswered": False})
    assert row(result, "answer_rate")["value"] == pytest.approx(3 / 7)  # c8 leaves the denominator


def test_answer_rate_6_1_1_short_abandon_threshold_zero_counts_every_abandon(root, tmp_path):
    result = measured(root, tmp_path, {"calls": CALLS}, parameters={"short_abandon_s": 0})
    assert row(result, "answer_rate")["denominator"] == 9  # c5 is back: GB/T 33358's plain count


def test_answer_within_15s_rate_companion_of_answer_rate(calls):
    r = row(calls, "answer_within_15s_rate")
    assert (r["numerator"], r["denominator"]) == (1, 8)  # only c1 (10 s) within 15 s; same denominator


def test_unique_caller_answer_rate_counts_each_caller_once_a_day(calls):
    r = row(calls, "unique_caller_answer_rate")
    # caller-days: X day 1 (c1 answered) yes, Y yes, W yes, Z (c6, c7) no, V (c8) no, X day 2 (c11) no;
    # U (short abandon), T (IVR only) and S (invalid) are not human-requested calls
    assert (r["numerator"], r["denominator"]) == (3, 6)


def test_talk_time_avg_6_1_1_three_calls_are_too_few_to_trim(calls):
    # p99.9 of 3 calls is the longest (the ⌈0.999 × 3⌉ = 3rd): nothing is trimmed, c3 counts
    r = row(calls, "talk_time_avg")
    assert (r["numerator"], r["denominator"]) == (4120, 3)  # 120 + 300 + 3,700 s


def test_talk_time_avg_6_1_1_a_fixed_cap_instead_of_the_quantile(root, tmp_path):
    result = measured(root, tmp_path, {"calls": CALLS}, parameters={"talk_time_trim_quantile": None})
    r = row(result, "talk_time_avg")
    assert (r["numerator"], r["denominator"]) == (420, 2)  # 120 + 300 s; c3's 3,700 s exceeds the 3,600 s cap


def stuck_lines(stuck: int, month: str = "2026-07") -> list[dict]:
    """2,000 answered calls of 100 s, the last `stuck` of them 10 h long."""
    return [
        call(
            i, "a", f"{month}-{1 + i % 28:02d} 09:00:00", outcome="answered", answer=0, end=36000 if i < stuck else 100
        )
        for i in range(2000)
    ]


def test_talk_time_avg_6_1_1_trims_the_longest_tenth_of_a_percent(root, tmp_path):
    # 2,000 calls: the cut is the ⌈0.999 × 2,000⌉ = 1,998th shortest. Two stuck lines sit above it and
    # are left out (mean 100 s); with three, the 1,998th is itself a stuck line and all stay in.
    two = row(measured(root, tmp_path / "two", {"calls": stuck_lines(2)}), "talk_time_avg")
    assert (two["numerator"], two["denominator"]) == (1998 * 100, 1998)
    three = row(measured(root, tmp_path / "three", {"calls": stuck_lines(3)}), "talk_time_avg")
    assert (three["numerator"], three["denominator"]) == (1997 * 100 + 3 * 36000, 2000)


def test_talk_time_avg_6_1_1_one_cut_for_the_whole_period(root, tmp_path):
    # July: 2,000 calls, one stuck line of 10 h; August: 10 calls, nine of 100 s and one of 2 h. On its
    # own August would keep its 2 h call (the ⌈9.99⌉ = 10th of 10 is the cut); the period's cut over
    # 2,010 calls is the ⌈2,007.99⌉ = 2,008th shortest, 100 s, so it is trimmed in August as in the
    # period, and the months add up to the period.
    august = [
        call(3000 + i, "a", "2026-08-03 09:00:00", outcome="answered", answer=0, end=7200 if i == 0 else 100)
        for i in range(10)
    ]
    result = measured(root, tmp_path, {"calls": stuck_lines(1) + august}, end="2026-08-31")
    assert row(result, "talk_time_avg", month="2026-08")["denominator"] == 9
    assert row(result, "talk_time_avg", month="2026-07")["denominator"] == 1999
    assert row(result, "talk_time_avg")["denominator"] == 1999 + 9


CHATS = [
    chat(1, "a", f"{DAY1} 09:00:00", human=60, agent=90, end=390),  # response 30 s, service 300 s
    chat(2, "a", f"{DAY1} 10:00:00", channel="wechat", human=10, agent=70, end=670),  # 60 s, 600 s
    chat(3, "a", f"{DAY1} 11:00:00", human=20, end=200, outcome="abandoned"),  # left before an agent joined
    chat(4, "a", f"{DAY1} 12:00:00", end=100, outcome="bot_only"),  # never asked for a human
    chat(5, "a", f"{DAY1} 13:00:00", human=5, agent=6, end=10, valid=False),  # invalid
]


@pytest.fixture(scope="module")
def chats(root, tmp_path_factory):
    return measured(root, tmp_path_factory.mktemp("chats"), {"chats": CHATS})


def test_online_first_response_avg_6_1_2(chats):
    r = row(chats, "online_first_response_avg")
    assert (r["numerator"], r["denominator"]) == (90, 2)  # 30 + 60 s over the sessions an agent joined
    assert r["value"] == pytest.approx(45.0)


def test_online_service_time_avg_6_1_2(chats):
    assert row(chats, "online_service_time_avg")["value"] == pytest.approx((300 + 600) / 2)


def test_online_answer_rate_companion_6_1_2(chats):
    r = row(chats, "online_answer_rate")
    assert (r["numerator"], r["denominator"]) == (2, 3)  # s1, s2 joined of s1, s2, s3 asking for a human


T0 = "2026-07-06 10:00:00"
BOT_TESTS = [
    # city a: phone bot answers in 2 and 4 s (mean 3), online bot in 1, 1 and 4 s (mean 2)
    bot_test(1, "a", T0, channel="phone", response=2),
    bot_test(2, "a", T0, channel="phone", response=4),
    bot_test(3, "a", T0, response=1),
    bot_test(4, "a", T0, response=1),
    bot_test(5, "a", T0, response=4),
    bot_test(6, "a", T0, response=None),  # the bot never answered: no latency to measure
    # self-service tasks: 60 s and 90 s done, one failed (counted at the 180 s cap)
    bot_test(7, "a", T0, channel="phone", task="self_service", started_at=T0, done_at=at(T0, 60), success=True),
    bot_test(8, "a", T0, channel="phone", task="self_service", started_at=T0, done_at=at(T0, 90), success=True),
    bot_test(9, "a", T0, channel="phone", task="self_service", started_at=T0, done_at=at(T0, 30), success=False),
    # city b: an online bot only
    bot_test(10, "b", T0, response=5),
    # city c declares it has no bot and no IVR: its stray test rows do not make the indicators applicable
    bot_test(11, "c", T0, response=2),
    bot_test(12, "c", T0, channel="phone", task="self_service", started_at=T0, done_at=at(T0, 50), success=True),
]
SELF_REPORTS = [capability("c", "has_bot", False), capability("c", "has_ivr", False)]


@pytest.fixture(scope="module")
def bots(root, tmp_path_factory):
    tables = {"bot_tests": BOT_TESTS, "self_reports": SELF_REPORTS}
    return measured(root, tmp_path_factory.mktemp("bots"), tables, cities=("a", "b", "c"), parameters={"min_sample": 1})


def test_bot_response_time_avg_6_1_3_weights_channels_equally(bots):
    assert row(bots, "bot_response_time_phone")["value"] == pytest.approx(3.0)  # (2 + 4) / 2
    assert row(bots, "bot_response_time_online")["value"] == pytest.approx(2.0)  # (1 + 1 + 4) / 3
    r = row(bots, "bot_response_time_avg")
    assert r["value"] == pytest.approx((3.0 + 2.0) / 2)  # channels equally weighted, not (2+4+1+1+4)/5 = 2.4
    assert r["n"] == 5


def test_bot_response_time_avg_6_1_3_drops_a_channel_without_bot(bots):
    assert row(bots, "bot_response_time_phone", "b")["status"] == "no_data"
    assert row(bots, "bot_response_time_avg", "b")["value"] == pytest.approx(5.0)  # online only


def test_bot_indicators_6_1_3_not_applicable_without_bot_or_ivr(bots):
    for indicator in ("bot_response_time_avg", "bot_response_time_online", "self_service_time_avg"):
        r = row(bots, indicator, "c")
        assert r["status"] == "not_applicable" and r["value"] != r["value"]  # NaN, never 0 or full


def test_bot_response_time_avg_6_1_3_channel_weights_are_a_parameter(root, tmp_path):
    params = {"min_sample": 1, "bot_channel_weights": {"phone": 3, "online": 1}}
    result = measured(root, tmp_path, {"bot_tests": BOT_TESTS}, parameters=params)
    assert row(result, "bot_response_time_avg")["value"] == pytest.approx((3 * 3.0 + 1 * 2.0) / 4)


def test_bot_response_time_avg_6_1_3_small_test_sets_are_insufficient(root, tmp_path):
    result = measured(root, tmp_path, {"bot_tests": BOT_TESTS})  # default minimum 30 tests
    assert row(result, "bot_response_time_phone")["status"] == "insufficient_sample"  # n = 2
    assert row(result, "bot_response_time_avg")["status"] == "insufficient_sample"  # no channel qualifies


def test_self_service_time_avg_6_1_3_counts_failures_at_the_cap(bots):
    r = row(bots, "self_service_time_avg")
    assert (r["numerator"], r["denominator"]) == (60 + 90 + 180, 3)
    assert r["value"] == pytest.approx(110.0)


MOBILE_TICKETS = [
    ticket(1, "a", "2026-07-01 10:00:00", channel="wechat", first_response_at="2026-07-02 09:00:00"),  # 23 h: on time
    ticket(2, "a", "2026-07-01 10:00:00", channel="mini_program", first_response_at="2026-07-02 11:00:00"),  # 25 h
    ticket(3, "a", "2026-07-01 10:00:00", channel="app"),  # never answered: late
    ticket(4, "a", "2026-07-01 10:00:00", channel="web", first_response_at="2026-07-01 11:00:00"),  # not mobile
    ticket(5, "a", "2026-07-01 10:00:00"),  # phone
    ticket(6, "a", "2026-07-01 10:00:00", channel="wechat", first_response_at="2026-07-01 11:00:00", is_valid=False),
]
MOBILE_CHATS = [
    chat(11, "a", f"{DAY1} 09:00:00", channel="mini_program", human=10, agent=130),  # 120 s: within 3 min
    chat(12, "a", f"{DAY1} 09:00:00", channel="app", human=10, agent=210),  # 200 s: late
    chat(13, "a", f"{DAY1} 09:00:00", channel="web", human=10, agent=20),  # not a mobile channel
    chat(14, "a", f"{DAY1} 09:00:00", channel="wechat", end=60, outcome="bot_only"),  # no human asked for
]


def test_mobile_response_timely_rate_6_1_4_forms_24_h_live_sessions_3_min(root, tmp_path):
    result = measured(root, tmp_path, {"tickets": MOBILE_TICKETS, "chats": MOBILE_CHATS})
    r = row(result, "mobile_response_timely_rate")
    assert (r["numerator"], r["denominator"]) == (2, 5)  # t1 and s11 of t1, t2, t3, s11, s12
    assert r["value"] == pytest.approx(0.4)

"""6.3 服务规范性: every indicator on a hand-built fixture; expected values worked out in the comments."""

import pytest

from tests.support.builders import at, call, measured, qc, row, ticket


def items(sample, rule, levels, veto=None):
    """One qc row per rated sub-item of a sampled call (items named rule.sub_item)."""
    return [
        qc(sample, "a", "call", item=f"{rule}.s{k}", level=level, veto=(veto == k)) for k, level in enumerate(levels)
    ]


RULES = (
    # attitude (§6.3.1): S1 A, A, B → (1 + 1 + 0.8) / 3; S2 rated on two sub-items only: B, D → (0.8 + 0) / 2
    items("S1", "attitude", "AAB")
    + items("S2", "attitude", "BD")
    # professionalism (§6.3.2): S1 all A → 1; S2 all D → 0; S3 A, A, A but a veto on its second item → 0
    + items("S1", "professionalism", "AAA")
    + items("S2", "professionalism", "DDD")
    + items("S3", "professionalism", "AAA", veto=1)
    # language (§6.3.3): S1 Mandarin A, guidance B (request recorded within 1–2 min), special situation C
    + items("S1", "language", "ABC")
    # rows of other QC kinds are not rule-table ratings
    + [qc("T1", "a", "ticket", score=90), qc("C1", "a", "consult_call", correct=True)]
)


@pytest.fixture(scope="module")
def rules(root, tmp_path_factory):
    return measured(root, tmp_path_factory.mktemp("rules"), {"qc_samples": RULES}, parameters={"min_sample": 1})


def test_agent_attitude_6_3_1_mean_over_samples_of_sub_item_means(rules):
    r = row(rules, "agent_attitude")
    s1, s2 = (1 + 1 + 0.8) / 3, (0.8 + 0) / 2
    assert (r["denominator"], r["n"]) == (2, 2)  # two samples, not five rated items
    assert r["value"] == pytest.approx((s1 + s2) / 2)  # 0.6667, not the item mean (2.8 + 0.8) / 5 = 0.72


def test_agent_professionalism_6_3_2_veto_zeroes_the_sample(rules):
    assert row(rules, "agent_professionalism")["value"] == pytest.approx((1 + 0 + 0) / 3)


def test_agent_language_6_3_3(rules):
    assert row(rules, "agent_language")["value"] == pytest.approx((1 + 0.8 + 0.5) / 3)


def test_rule_table_level_factors_are_parameters(root, tmp_path):
    params = {"min_sample": 1, "level_factors": {"A": 1.0, "B": 0.6, "C": 0.5, "D": 0.0}}
    result = measured(root, tmp_path, {"qc_samples": RULES}, parameters=params)
    assert row(result, "agent_attitude")["value"] == pytest.approx(((1 + 1 + 0.6) / 3 + (0.6 + 0) / 2) / 2)


def test_rule_table_indicators_need_30_samples_by_default(root, tmp_path):
    result = measured(root, tmp_path, {"qc_samples": RULES})
    assert row(result, "agent_attitude")["status"] == "insufficient_sample"


def test_rule_table_mean_carries_an_interval(rules):
    r = row(rules, "agent_professionalism")
    assert 0 <= r["ci_low"] < r["value"] < r["ci_high"] <= 1


TICKET_QC = [
    qc("q1", "a", "ticket", score=95, veto=False),  # pass
    qc("q2", "a", "ticket", score=80, veto=False),  # pass: at the pass mark
    qc("q3", "a", "ticket", score=79, veto=False),  # fail
    qc("q4", "a", "ticket", score=90, veto=True),  # fail: privacy breach (veto)
    qc("q5", "a", "ticket", score=85, veto=False),  # pass
]


def test_ticket_qc_pass_rate_6_3_4(root, tmp_path):
    result = measured(root, tmp_path, {"qc_samples": TICKET_QC}, parameters={"min_sample": 1})
    assert row(result, "ticket_qc_pass_rate")["value"] == pytest.approx(3 / 5)  # q1, q2, q5


def test_ticket_qc_pass_mark_is_a_parameter(root, tmp_path):
    params = {"min_sample": 1, "ticket_qc_pass_mark": 85}
    result = measured(root, tmp_path, {"qc_samples": TICKET_QC}, parameters=params)
    assert row(result, "ticket_qc_pass_rate")["value"] == pytest.approx(2 / 5)  # q1, q5


END = "2026-07-01 10:05:00"
SUBMIT_CALLS = [
    call(i, "a", "2026-07-01 10:00:00", outcome="answered", queue=5, answer=10, end=300) for i in (1, 2, 3, 4)
]  # every call ends at 10:05:00
SUBMIT = [
    ticket(1, "a", call_id="c1", submitted_at=at(END, 90)),  # 90 s after the call
    ticket(2, "a", call_id="c2", submitted_at=at(END, -60)),  # during the call: 0
    ticket(3, "a", call_id="c3", submitted_at=at(END, 30)),  # 30 s
    ticket(4, "a", call_id="c4", submitted_at=at(END, 26 * 3600)),  # 26 h later: a data error, left out
    ticket(5, "a", call_id="c99", submitted_at=at(END, 10)),  # its call is not in the calls table
    ticket(6, "a", channel="web", submitted_at=at(END, 10)),  # not a phone request
]


def test_ticket_submit_time_avg_6_3_4(root, tmp_path):
    result = measured(root, tmp_path, {"tickets": SUBMIT, "calls": SUBMIT_CALLS})
    r = row(result, "ticket_submit_time_avg")
    assert (r["numerator"], r["denominator"]) == (120, 3)  # (90 + 0 + 30) s over t1, t2, t3
    assert r["value"] == pytest.approx(40.0)

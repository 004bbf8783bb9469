"""Judging a quality row (quality/frame.finish): a month of a proportion check on evidence, the period
on its value, and an evaluation's policy (§5.2.7, docs/method/data-quality.md#a-month-on-evidence)."""

import math

import pandas as pd
import pytest

from hotline_eval.config.quality import load_quality_spec
from hotline_eval.core.errors import ConfigError
from hotline_eval.quality.frame import finish, rate
from hotline_eval.quality.summary import QualityLabels, rules_text
from tests.support.hand_built import ROOT, evaluation


def wilson_upper(k: int, n: int, z: float = 1.959963984540054) -> float:
    """The upper end of the Wilson score interval, written out from its textbook formula."""
    p = k / n
    return (p + z * z / (2 * n) + z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (1 + z * z / n)


def completeness(counts: list[tuple[str, int, int]], spec) -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            {"city": "a", "table": "tickets", "month": m, "item": "due_at", "scope": "tickets.due_at"}
            | {"numerator": k, "denominator": n}
            for m, k, n in counts
        ]
    )
    return finish(rate(frame), "field_completeness", spec).set_index("month")


def test_a_month_fails_only_when_the_upper_end_of_its_interval_is_below_the_threshold():
    spec = load_quality_spec(ROOT)
    assert spec.checks["field_completeness"].min == 0.95 and spec.monthly_evidence.min_records == 20
    judged = completeness(
        [("2026-07", 18, 20), ("2026-08", 17, 20), ("2026-09", 2, 3), ("2026-10", 9400, 10000), ("all", 17, 20)],
        spec,
    )
    # 18 of 20 (90 %): upper end 97.2 % ≥ 95 %, passes; 17 of 20 (85 %): upper end 94.8 %, fails
    assert wilson_upper(18, 20) > 0.95 > wilson_upper(17, 20)
    assert judged.loc["2026-07", "bound"] == pytest.approx(wilson_upper(18, 20))
    assert judged.loc["2026-07", "passed"] is True and judged.loc["2026-08", "passed"] is False
    # 3 records are too few to judge a month on its own (they count in the period)
    assert judged.loc["2026-09", "passed"] is None and judged.loc["2026-09", "value"] == pytest.approx(2 / 3)
    # 94 % of 10,000: upper end 94.4 %, fails on evidence
    assert judged.loc["2026-10", "passed"] is False
    # the period is judged on its value: 85 % fails although its upper end would pass at n = 20
    assert judged.loc["all", "passed"] is False and math.isnan(judged.loc["all", "bound"])


def test_without_the_evidence_rule_every_month_is_judged_on_its_value():
    spec = load_quality_spec(ROOT).model_copy(update={"monthly_evidence": None})
    judged = completeness([("2026-07", 18, 20), ("2026-09", 2, 3)], spec)
    assert judged.loc["2026-07", "passed"] is False and judged.loc["2026-09", "passed"] is False


def test_a_count_or_deviation_check_is_not_judged_on_an_interval():
    """cross_source (records against a self-reported figure) is not a proportion: its value decides."""
    spec = load_quality_spec(ROOT)
    assert not spec.checks["cross_source"].proportion and not spec.checks["period_coverage"].proportion
    frame = pd.DataFrame([{"city": "a", "table": "calls", "month": "2026-07", "value": 0.03, "numerator": 3}])
    judged = finish(frame.assign(denominator=100, item="", scope="calls"), "cross_source", spec)
    assert judged["passed"].iloc[0] is False and judged["bound"].isna().all()


POLICY = {
    "field_completeness": {"min": 0.9, "reason_zh": "公开样本为随机抽取，部分字段按原系统规则可为空。"},
    "period_jump": {"severity": "info", "reason_zh": "样本月份不连续，不比较月度波动"},
}


def test_an_evaluation_changes_a_threshold_and_a_severity_with_its_reason():
    ev = evaluation(quality=POLICY)
    labels = QualityLabels(ROOT, ev)
    assert labels.spec.checks["field_completeness"].min == 0.9
    assert labels.spec.checks["period_jump"].severity == "info"
    assert load_quality_spec(ROOT).checks["field_completeness"].min == 0.95, "params/quality.yaml is unchanged"
    judged = completeness([("all", 92, 100)], labels.spec)
    assert judged.loc["all", "passed"] is True  # 92 % passes the evaluation's 90 %
    from hotline_eval.config.wording import load_wording

    text = "".join(rules_text(labels, ev, load_wording(ROOT)["quality_rules"]))
    assert "字段完整率门槛由≥95%调整为≥90%（理由：公开样本为随机抽取，部分字段按原系统规则可为空）" in text
    assert "环比异常波动由需说明的提示改为只计数的记录（理由：样本月份不连续，不比较月度波动）" in text
    assert "字段完整率≥90%" in text and "电话工单→话务记录≥95%" in text
    assert "不足20条的，不单独判断" in text


@pytest.mark.parametrize(
    ("policy", "key", "message"),
    [
        ({"completeness": {"min": 0.9, "reason_zh": "理由写在这里"}}, "quality.completeness", "未知的数据质量检查"),
        ({"cross_source": {"min": 0.9, "reason_zh": "理由写在这里"}}, "quality.cross_source", "max（上限）"),
        ({"duplicates": {"max": 3, "reason_zh": "理由写在这里"}}, "quality.duplicates", "只是计数"),
        ({"linkage": {"min": 0.8, "reason_zh": "短"}}, "quality.linkage", "至少4个字"),
        ({"linkage": {"reason_zh": "没有给出调整"}}, "quality.linkage", "min 或 max"),
    ],
)
def test_a_policy_that_cannot_apply_is_refused_naming_its_key(policy, key, message):
    with pytest.raises(ConfigError) as caught:
        evaluation(quality=policy)
    assert key in str(caught.value) and message in str(caught.value)

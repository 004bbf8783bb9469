"""End to end: the evaluation plan (评价方案, §5.2.3) rendered as a document."""

import re

import pytest

from tests.support.documents import assert_documents_clean, lint_rules, visible_text

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def written(root, outputs_dir):
    from hotline_eval.report.plan import render_plan

    return render_plan(root, "demo-special", pdf=False)


@pytest.mark.parametrize("rule", lint_rules())
def test_the_plan_passes_the_linter(written, rule):
    assert_documents_clean(written["lint"], rule)


def test_the_plan_document(written):
    page = written["html"].read_text(encoding="utf-8")
    text = visible_text(page)
    assert "示例省2026年第三季度12345热线接通与办理时效专项评价方案" in text.replace(
        " ", ""
    )  # the cover sets it on two lines
    for heading in (
        "一、评价目的和依据",
        "二、评价对象、类型和周期",
        "三、评价指标和分值",
        "四、数据采集方式",
        "五、数据和材料报送要求",
        "六、计分规则和等级",
        "七、工作安排",
        "八、申诉",
    ):
        assert heading in text
    assert "满分100分" in text and "逐月变化10分" in text and "领导干部走进12345热线" in text
    assert "2026年10月20日" in text and "2026年11月13日" in text  # data due, appeal deadline
    assert not re.search(r"\bnan\b|\bNone\b|NaT", text)

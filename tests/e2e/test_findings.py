"""The comparison and findings notebooks, each run alone as in JupyterLab, show what the package computed:
comparisons with their tables and charts, problems, measures naming who acts, the §8.5 tracking."""

import html as htmllib
import re

import pytest

from hotline_eval import narrative
from hotline_eval.narrative import comparison as say
from hotline_eval.report.render import execute
from hotline_eval.results import load

pytestmark = pytest.mark.slow
ARTEFACTS = re.compile(r"\bnan\b|\bNone\b|NaT|<NA>|Traceback|\binf\b|\bTrue\b|\bFalse\b|\b[a-z]+_[a-z_]+\b")


@pytest.fixture(scope="module")
def shown(root, demo, q2, tmp_path_factory):
    """03-comparison and 05-findings of 东坡市, with the second quarter as the previous evaluation."""
    nb = execute(
        [root / "notebooks" / "city" / "03-comparison.ipynb", root / "notebooks" / "city" / "05-findings.ipynb"],
        tmp_path_factory.mktemp("findings") / "findings.ipynb",
        {"evaluation": "demo-comprehensive", "city": "dongpo", "root": str(root), "previous": "demo-2026q2"},
        cwd=root / "notebooks" / "city",
    )
    markup = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells for o in c.get("outputs", []))
    text = htmllib.unescape(re.sub(r"<[^>]+>", "", re.sub(r'src="data:[^"]+"', "", markup)))
    return markup, text


@pytest.fixture(scope="module")
def story(root, demo, q2):
    return narrative.story(load(root, "demo-comprehensive"), "dongpo", load(root, "demo-2026q2"))


def test_the_sections_are_numbered_from_the_shared_context(shown):
    markup, _ = shown
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", markup)
    assert headings == ["一、比较分析", "二、存在的主要问题", "三、整改措施"]  # numbered afresh when run alone
    subsections = re.findall(r"<h3[^>]*>(.*?)</h3>", markup)
    for expected in (
        "（一）与全省各设区市比较",
        "（二）时间维度比较",
        "（三）受理渠道比较（§5.2.2）",
        "（四）承办单位办理情况比较",
        "（五）不满意原因分析（§6.5.3）",
        "（三）上期问题整改跟踪（§8.5）",
    ):
        assert expected in subsections


def test_the_problems_and_measures_are_the_narratives(shown, story):
    _, text = shown
    for p in story.problems:
        assert f"{p.number}. {p.headline}。{p.text}" in text
    for m in story.measures:
        assert m.text in text
        assert m.actor in text and m.deadline in text
    assert story.tracking_text in text


def test_the_comparisons_have_their_text_tables_and_charts(shown, story):
    markup, text = shown
    assert say.ranking(story.a, "dongpo") in text
    assert "全省各设区市综合得分与排名稳定性" in text and "东坡市各受理渠道工单量及办理指标" in text
    assert "东坡市承办单位得分及主要指标（按类别排名）" in text and "东坡市不满意原因构成" in text
    assert "东坡市整改任务清单" in text and "东坡市上期问题相关指标变化" in text
    figures = re.findall(r"<figcaption>(图\d+)　", markup)
    assert len(figures) >= 5 and figures == [f"图{k}" for k in range(1, len(figures) + 1)]
    assert all(re.search(r'alt="[^"]{10,}"', img) for img in re.findall(r"<img [^>]*>", markup))


def test_the_reader_sees_no_code_artefacts(shown):
    _, text = shown
    found = ARTEFACTS.findall(text)
    assert not found, found[:5]

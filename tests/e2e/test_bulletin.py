"""The province bulletin (通报, §5.2.5) against the previous quarter: every number checked independently."""

import html as htmllib
import re
import shutil
import subprocess

import pandas as pd
import pytest

from hotline_eval.report.bulletin import render_bulletin
from hotline_eval.report.pdf import find_engine
from tests.support.documents import assert_documents_clean, lint_rules, visible_text

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bulletin(root, demo, q2):
    pdf = None if shutil.which("pdftotext") else False
    return render_bulletin(root, "demo-comprehensive", previous="demo-2026q2", pdf=pdf)


@pytest.mark.parametrize("rule", lint_rules())
def test_the_bulletin_passes_the_linter(bulletin, rule):
    assert_documents_clean(bulletin["lint"], rule)


@pytest.fixture(scope="module")
def text(bulletin):
    return visible_text(bulletin["html"])


@pytest.fixture(scope="module")
def totals(demo, q2):
    now = pd.read_csv(demo.out / "totals.csv").set_index("city")
    before = pd.read_csv(q2.out / "totals.csv").set_index("city")
    return now, before


def names(root):
    from hotline_eval.config.definitions import load_evaluation

    return {c.id: c.name_zh for c in load_evaluation(root, "demo-comprehensive").cities}


def test_the_header_title_and_addressees(text):
    assert "示例省政务服务管理办公室" in text[:60]  # the issuer heads the page
    assert "关于示例省2026年第三季度12345政务服务便民热线服务质量综合评价结果的通报" in text
    assert "各设区市人民政府，省直有关部门：" in text
    assert "现将有关情况通报如下" in text


def test_every_gongwen_element_of_the_definition_is_printed(bulletin):
    """demo-comprehensive gives 发文字号, 抄送 and 印发机关 (documents: in its definition): the HTML (so the
    PDF) and the Word file carry each of them where GB/T 9704 puts it, the 印发日期 the results' date."""
    import lxml.html
    from docx import Document

    page = lxml.html.parse(str(bulletin["html"])).getroot()
    head = page.find_class("bulletin-head")[0]
    assert [e.get("class") for e in head] == [
        "bulletin-issuer", "bulletin-number", "bulletin-rule", "bulletin-title", "bulletin-addressees"
    ]  # fmt: skip
    assert head.find_class("bulletin-number")[0].text_content() == "示热办〔2026〕12号"
    imprint = [p.text_content() for p in page.find_class("bulletin-imprint")[0].iter("p")]
    assert imprint == ["抄送：省政府办公厅。", "示例省政务服务管理办公室2026年10月30日印发"]
    if "docx" in bulletin:
        doc = Document(str(bulletin["docx"]))
        assert [p.text for p in doc.paragraphs if p.text][1] == "示热办〔2026〕12号"
        imprint = [row.cells[0].text for row in doc.tables[-1].rows]
        assert imprint == ["抄送：省政府办公厅。", "示例省政务服务管理办公室\t2026年10月30日印发"]


def test_the_ranking_shows_each_citys_change_since_the_previous_quarter(bulletin, totals, root):
    now, before = totals
    page = bulletin["html"].read_text(encoding="utf-8")
    table = re.search(r"表1　全省各设区市综合得分排名.*?</table>", page, re.S).group(0)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]
    shown = {}
    for row in rows:
        cells = [htmllib.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        shown[cells[1]] = cells
    assert len(shown) == 8
    for city, name in names(root).items():
        delta = now.loc[city, "total"] - before.loc[city, "total"]
        moved = int(before.loc[city, "rank"]) - int(now.loc[city, "rank"])
        cells = shown[name]
        assert cells[0] == str(int(now.loc[city, "rank"])) and cells[2] == f"{now.loc[city, 'total']:.2f}"
        expected = f"{'+' if delta > 0 else '−'}{abs(delta):.2f}" if round(delta, 2) else "0.00"
        assert cells[5] == expected, (name, cells)
        assert cells[6] == ("持平" if moved == 0 else f"{'↑' if moved > 0 else '↓'}{abs(moved)}"), (name, cells)


def test_the_overview_states_volumes_mean_score_and_its_change(demo, totals, text):
    now, before = totals
    tickets = pd.read_parquet(demo.out / "data" / "tickets.parquet", columns=["is_valid", "accepted_at"])
    local = tickets["accepted_at"].dt.tz_convert("Asia/Shanghai")
    in_period = (local >= "2026-07-01") & (local < "2026-10-01") & tickets["is_valid"].fillna(True)
    assert f"共受理有效工单{in_period.sum() / 10_000:.2f}万件" in text
    mean_change = now["total"].mean() - before["total"].mean()
    word = "提高" if mean_change > 0 else "下降"
    assert f"全省平均综合得分{now['total'].mean():.2f}分，较上期{word}{abs(mean_change):.2f}分" in text


def test_highlights_and_laggards_name_the_right_cities_and_the_indicators_that_cost_most(demo, totals, text, root):
    now, _ = totals
    city_names = names(root)
    order = now.sort_values("rank").index
    good = text.split("表现较好的地区")[1].split("需要改进的地区")[0]
    for k, city in enumerate(order[:3], 1):
        assert f"{k}. {city_names[city]}综合得分{now.loc[city, 'total']:.2f}分，居全省第{k}位" in good
    bad = text.split("需要改进的地区")[1].split("三、存在的主要问题")[0]
    scores = pd.read_csv(demo.out / "scores.csv")
    for city in order[-3:]:
        own = scores[(scores["city"] == city) & scores["score"].notna()].copy()
        own["lost"] = own["points"] - own["score"]
        worst = own.sort_values(["lost", "indicator"], ascending=[False, True]).iloc[0]
        assert f"{city_names[city]}综合得分{now.loc[city, 'total']:.2f}分" in bad
        assert f"失{worst['lost']:.2f}分" in bad.split(city_names[city])[1]


def test_requirements_carry_the_rectification_and_appeal_dates(text):
    # issued 2026-10-30: rectification report within 30 days → 2026-11-29; appeal 10 working days → 2026-11-13
    assert "整改情况于2026年11月29日前书面报送省热线办" in text
    assert "10个工作日内（即2026年11月13日前）" in text


def test_the_annex_lists_every_indicator_for_every_city(bulletin, root):
    from hotline_eval.config.catalogue import load_catalogue

    page = bulletin["html"].read_text(encoding="utf-8")
    annex = page.split("各设区市评价指标值一览表")[-1]
    for ind in load_catalogue(root).indicators:
        assert ind.zh in annex
    assert all(name in annex for name in names(root).values())


def test_the_bulletin_pdf_reads_like_the_html(bulletin, text):
    if "pdf" not in bulletin:
        pytest.skip("needs a PDF engine and pdftotext")
    pdf_text = subprocess.run(
        ["pdftotext", "-layout", str(bulletin["pdf"]), "-"], capture_output=True, text=True, check=True
    ).stdout
    # a 公文 (documents.bulletin_style gongwen, GB/T 9704): "— 1 —", not the report's "第 1 页 / 共 n 页"
    assert re.search(r"—\s*1\s*—", pdf_text) and "共" not in pdf_text.split("\f")[0][-40:], "page number"
    assert "关于示例省2026年第三季度" in pdf_text and "工作要求" in pdf_text
    if find_engine().name == "weasyprint":  # its footnote area: the 版记 at the foot of the last page
        from tests.support.office import depth_on_page

        assert 0.8 < depth_on_page(bulletin["pdf"], "印发") < 0.9  # the type area ends at 0.88
    assert not re.search(r"\bnan\b|\bNone\b|NaT|Traceback", pdf_text)


def test_without_a_previous_evaluation_there_is_no_change_column(root, demo):
    from hotline_eval.config.wording import load_wording
    from hotline_eval.report.context import ReportContext
    from hotline_eval.report.table_frames import ranking_table
    from hotline_eval.results import load

    results = load(root, "demo-comprehensive")
    ctx = ReportContext(results, {}, "")
    frame, _ = ranking_table(results, load_wording(root), ctx.changes)
    assert list(frame.columns) == ["位次", "城市", "综合得分", "等级", "有效分值占比"]


def test_the_city_reports_dimension_table_shows_the_change_of_each_score_rate(root, totals, q2):
    from hotline_eval.config.wording import load_wording
    from hotline_eval.report.table_frames import dimension_table
    from hotline_eval.results import load

    now, before = totals
    words = load_wording(root)
    table = dimension_table(load(root, "demo-comprehensive"), words, "dongpo", load(root, "demo-2026q2")).set_index(
        "维度"
    )
    # 服务响应 (§6.1): score ÷ available points now and before, the difference in percentage points
    rate_now = now.loc["dongpo", "dim_response"] / now.loc["dongpo", "dimavail_response"]
    rate_before = before.loc["dongpo", "dim_response"] / before.loc["dongpo", "dimavail_response"]
    points = round((rate_now - rate_before) * 100, 1)
    expected = "持平" if points == 0 else f"{'提升' if points > 0 else '下降'}{abs(points):.1f}个百分点"
    assert table.loc["服务响应（§6.1）", "较上期"] == expected

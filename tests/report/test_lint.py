"""The document linter (report/lint.py) on small crafted documents: each rule on the real defects it was made
for, and the near misses it must let through."""

from __future__ import annotations

import datetime as dt

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from hotline_eval.report import charts, lint, tables
from hotline_eval.report.lint import Finding, lint_html, load_rules
from tests.support import ROOT

RULES = load_rules(ROOT)
ONE_YEAR = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
ACROSS_YEARS = (dt.date(2025, 12, 1), dt.date(2026, 2, 28))


def page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head><title>标题</title>{head}</head><body><main>{body}</main></body></html>"


def hits(body: str, period: tuple[dt.date, dt.date] = ONE_YEAR, head: str = "") -> list[Finding]:
    return lint_html(page(body, head), *period, RULES)


def rules_of(body: str, period: tuple[dt.date, dt.date] = ONE_YEAR) -> list[tuple[str, str]]:
    return [(f.rule, f.match) for f in hits(body, period)]


# ---- text rules: the defects seen in real documents ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("χ²检验（经Benjamini–Hochberg校正）：。", [("empty_clause", "：。")]),
        ("主要问题：；其次", [("empty_clause", "：；")]),
        ("原因（）尚待核实", [("empty_clause", "（）")]),
        ("原因（ ）", [("empty_clause", "（ ）")]),
        ("满意率为nan%", [("missing_value", "nan")]),
        ("承办单位：None", [("missing_value", "None")]),
        ("办结日期NaT，增幅inf", [("missing_value", "NaT"), ("missing_value", "inf")]),
        ("青山市{name}的得分", [("placeholder", "{name}")]),
        ("得分{{ x }}分", [("placeholder", "{{ x }}")]),
        ("第{0}位，{}个", [("placeholder", "{0}"), ("placeholder", "{}")]),
        ("{score:.2f}分", [("placeholder", "{score:.2f}")]),
        ("311服务服务质量评价报告", [("doubled_word", "服务服务")]),
        ("各市议会选区议会选区分子、分母合并计算", [("doubled_word", "议会选区议会选区")]),
        ("数据来源见report_cards目录", [("english_word", "report_cards")]),
        ("按status统计", [("english_word", "status")]),
        ("期间填all，1为是", [("english_word", "all")]),
    ],
)
def test_each_text_rule_catches_its_defect(text, expected):
    assert rules_of(f"<p>{text}</p>") == expected


@pytest.mark.parametrize(
    "text",
    [
        "评价周期为2026年7月1日至2026年9月30日，共3个月。",  # a colon followed by text, durations
        "得分：89.21分（良好）；位次：第5位。",
        "常常、天天、人人、谢谢：单字重叠不是重复的标签",
        "请研究研究再定",  # an allowed XYXY word
        "12345热线服务质量评价报告",
        "χ²检验经Benjamini–Hochberg校正，Wilson区间，Theil–Sen斜率，Mann–Kendall检验",
        "报送PDF、Excel和CSV文件（UTF-8编码，期间填YYYY-MM），IVR、AI客服、ID、KPI",
        "GB/T 33358—2016《政府热线服务规范》",
        "MyLA311服务请求（Hack for LA的311-data项目截取的样本）",
        "来源：data.lacity.org，https://example.org/a?b=c，见 params/quality.yaml、rejects/ 和 quality_examples.csv",
        "记录编号AA0207-7039、A级、p值、n为样本量",
        "期间填“all”，1为是",
    ],
)
def test_near_misses_pass(text):
    assert hits(f"<p>{text}</p>") == []


def test_a_finding_quotes_its_text_with_context_and_the_nearest_heading():
    before, after = (
        "评价周期内全省各设区市热线工作机构均按要求报送数据，",
        "经检验各市之间差异显著的指标共有七项请见下表",
    )
    body = f"<h2>一、评价概况</h2><h3>（二）比较分析</h3><p>{before}χ²检验（经Benjamini–Hochberg校正）：。{after}"
    (finding,) = hits(body + "</p><h3>（三）下一节</h3>")
    assert finding.heading == "（二）比较分析"
    assert finding.excerpt == "…enjamini–Hochberg校正）：。经检验各市之间差异显著的指标共有七项请见…"  # 20 either side
    assert "：。" in finding.excerpt and finding.message == RULES.messages["empty_clause"]
    assert finding.line().startswith("文档检查：（二）比较分析：")


def test_a_missing_value_is_not_reported_again_as_an_english_word():
    assert rules_of("<p>None</p><p>nan%</p>") == [("missing_value", "None"), ("missing_value", "nan")]


def test_a_doubled_label_word_is_allowed_when_listed_whole_or_by_its_half():
    rules = RULES.model_copy(update={"doubled": lint.DoubledWords(allowed=["选区"])})
    assert lint_html(page("<p>议会选区选区</p>"), *ONE_YEAR, rules) == []
    assert [f.match for f in lint_html(page("<p>服务服务</p>"), *ONE_YEAR, rules)] == ["服务服务"]


# ---- months ------------------------------------------------------------------------------------


def test_year_less_months_are_flagged_only_when_the_period_crosses_a_year():
    text = (
        "<p>2月较1月上升3.2个百分点。</p><table><tr><th>1月</th><th>12月</th></tr><tr><td>1</td><td>2</td></tr></table>"
    )
    assert rules_of(text) == []
    assert rules_of(text, ACROSS_YEARS) == [("ambiguous_month", m) for m in ("2月", "1月", "1月", "12月")]


@pytest.mark.parametrize(
    "text",
    [
        "2026年2月较2025年12月上升",
        "2025-12至2026-02",
        "近3个月、12个月、逐月、每月、上月、本月、月度",
        "2026年1—2月、2025年11月至12月",  # a range or list continuing from a month with its year
        "2025年12月、1月和2月",
        "第3月起",  # the period's third month, no calendar month
    ],
)
def test_months_with_their_year_and_durations_pass_across_years(text):
    assert rules_of(f"<p>{text}</p>", ACROSS_YEARS) == []


def test_a_list_of_months_after_a_year_less_one_stays_year_less():
    assert rules_of("<p>1月至2月</p>", ACROSS_YEARS) == [("ambiguous_month", "1月"), ("ambiguous_month", "2月")]


# ---- what a reader sees ------------------------------------------------------------------------


def test_only_what_a_reader_sees_is_read():
    head = "<style>.x { content: 'None'; } /* {name} */</style><script>var a = {name};</script>"
    body = (
        '<div class="jp-InputArea"><pre>print(None)  # {name}</pre></div>'
        '<p data-x="None" title="ok">正文</p><!-- {name} -->'
    )
    assert hits(body, head=head) == []


def test_alt_text_and_the_running_head_are_reader_text():
    head = '<style>@page { @top-right { content: "311服务服务质量评价报告"; } }</style>'
    body = '<figure class="chart"><img src="data:image/png;base64,AAAA" alt="满意率nan%"/><figcaption>图1</figcaption></figure>'
    found = hits(body, head=head)
    assert [(f.rule, f.match, f.heading) for f in found] == [
        ("missing_value", "nan", ""),
        ("doubled_word", "服务服务", lint.CSS_HEADING),
    ]


def test_literal_cells_may_hold_english_names_but_no_other_defect():
    frame = pd.DataFrame({"字段": ["calls_total", "None"], "说明": ["来电总量", "—"]})
    html = tables.html_table(frame, "自报数据", literal=["字段"])
    assert rules_of(html) == [("missing_value", "None")]
    assert rules_of(tables.html_table(frame, "自报数据")) == [
        ("english_word", "calls_total"),
        ("missing_value", "None"),
    ]
    assert rules_of("<p>列名<code>calls_total</code></p>") == []


# ---- tables and charts -------------------------------------------------------------------------


def test_a_table_with_a_header_and_no_data_row_is_flagged():
    empty = tables.html_table(pd.DataFrame(columns=["城市", "得分"]), "各市得分", number=3)
    grouped = (
        "<table><thead><tr><th>指标</th></tr></thead><tbody><tr class='group'><th>服务响应</th></tr></tbody></table>"
    )
    found = hits("<h3>（一）得分</h3>" + empty + grouped)
    assert [(f.rule, f.excerpt, f.heading) for f in found] == [
        ("empty_table", "表3　各市得分", "（一）得分"),
        ("empty_table", "指标 服务响应", "（一）得分"),
    ]


def test_a_table_with_rows_passes_and_so_does_the_cover_facts_table():
    full = tables.html_table(pd.DataFrame({"城市": ["青山市"], "得分": ["89.21"]}), "各市得分")
    facts = '<table class="cover-facts"><tr><th>评价对象</th><td>青山市</td></tr></table>'
    assert hits(full + facts) == []


def test_the_texts_a_chart_shows_are_reader_text():
    """Titles, axis and tick labels and legends of a chart are checked like the text around it (the
    picture itself cannot be read back)."""
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [1.0, 2.0, 1.5], label="value")
    ax.set_xticks([0, 1, 2], ["2025年12月", "1月", "2月"])
    ax.set_title("满意率nan%")
    ax.legend()
    html = charts.figure_html(fig, "逐月变化", alt="折线图", number=1)
    assert 'data-text="' in html and "2025年12月" in html
    found = {(f.rule, f.match) for f in hits(html, ACROSS_YEARS)}
    defects = {("missing_value", "nan"), ("english_word", "value")}
    assert found == defects | {("ambiguous_month", "1月"), ("ambiguous_month", "2月")}
    assert {(f.rule, f.match) for f in hits(html, ONE_YEAR)} == defects, "within one year a bare month is clear"


def test_the_texts_of_a_chart_do_not_run_together_into_a_phone_number():
    """Tick values 2500 and 5000 written side by side read as the landline 2500 5000 to the personal-number
    scan of every output: the chart's texts are kept apart."""
    from hotline_eval.core.masking import find_personal_numbers

    fig, ax = plt.subplots()
    ax.bar([0, 1], [2500.0, 5000.0])
    ax.set_yticks([0, 2500, 5000, 7500], ["0", "2500", "5000", "7500"])
    html = charts.figure_html(fig, "话务量", alt="条形图", number=1)
    assert "2500" in html and find_personal_numbers(html.split("<img")[0]) == []


def test_a_chart_without_data_is_flagged():
    fig, ax = plt.subplots()
    ax.bar([0, 1], [float("nan")] * 2)
    ax.axhline(1.0)  # a reference line is no data
    empty = charts.figure_html(fig, "各市得分", alt="条形图", number=2)
    fig, ax = plt.subplots()
    ax.bar([0, 1], [0.0, 3.0])
    full = charts.figure_html(fig, "各市得分", alt="条形图", number=3)
    no_image = (
        '<figure class="chart"><img src="data:image/png;base64," alt="x"/><figcaption>图4　空</figcaption></figure>'
    )
    assert [(f.rule, f.excerpt) for f in hits(empty + full + no_image)] == [
        ("empty_chart", "图2　各市得分"),
        ("empty_chart", "图4　空"),
    ]


@pytest.mark.parametrize(
    ("draw", "plots"),
    [
        (lambda ax: ax.plot([0, 1], [float("nan")] * 2), False),
        (lambda ax: ax.plot([0, 1], [1.0, 2.0]), True),
        (lambda ax: ax.scatter([float("nan")], [1.0]), False),
        (lambda ax: ax.scatter([1.0], [1.0]), True),
        (lambda ax: ax.fill_between([0, 1], [float("nan")] * 2, [1.0, 1.0]), False),
        (lambda ax: ax.imshow([[1.0, 2.0]]), True),
        (lambda ax: ax.text(0.5, 0.5, "无数据"), False),
        (lambda ax: ax.axvline(0.5), False),
    ],
)
def test_what_counts_as_plotted_data(draw, plots):
    fig, ax = plt.subplots()
    draw(ax)
    assert charts.plots_data(fig) is plots
    plt.close(fig)


@pytest.mark.filterwarnings("ignore:All-NaN slice encountered")  # seaborn's colour scale of no data
def test_an_all_missing_heatmap_is_empty_though_its_colour_bar_is_drawn():
    import seaborn as sns

    fig, ax = plt.subplots()
    sns.heatmap(pd.DataFrame([[float("nan"), float("nan")]]), ax=ax)
    assert not charts.plots_data(fig)
    fig, ax = plt.subplots()
    sns.heatmap(pd.DataFrame([[0.5, float("nan")]]), ax=ax)
    assert charts.plots_data(fig)
    plt.close("all")


# ---- the findings file ---------------------------------------------------------------------------


def test_findings_are_written_beside_the_document_and_read_back(tmp_path):
    found = hits("<h2>一、概况</h2><p>得分nan分</p>")
    path = lint.write_findings(lint.lint_file(tmp_path / "report.html"), found)
    assert path == tmp_path / "report.lint.json"
    assert lint.read_findings(path) == found
    assert lint.read_findings(lint.write_findings(path, [])) == []
    assert lint.read_findings(tmp_path / "missing.lint.json") == []

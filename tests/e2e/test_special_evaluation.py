"""End to end: the shipped special evaluation (demo-special) scores every sub-item and records its series; its
report shows the monthly change; the trend notebook shows nothing for a comprehensive evaluation."""

import pandas as pd
import pytest

from tests.support.documents import assert_documents_clean, lint_rules

# ---- end to end: the shipped special evaluation (sample province) -----------------------------------


@pytest.fixture(scope="module")
def demo_special(root, outputs_dir):
    from hotline_eval.pipeline import prepare

    return prepare(root, "demo-special")


def read(paths, name):
    return pd.read_csv(paths.out / name, encoding="utf-8-sig", keep_default_na=False, na_values=[""])


@pytest.mark.slow
def test_demo_special_scores_every_sub_item_and_records_its_series(demo_special):
    from openpyxl import load_workbook

    totals, scores = read(demo_special, "totals.csv"), read(demo_special, "scores.csv")
    assert (totals["points"] == 100).all() and totals["grade"].notna().all()  # the sub-items' points total 100
    trend = read(demo_special, "trend.csv")
    assert len(trend) == 8 * 4 and set(trend["basis"]) == {"short"}
    assert set(trend["verdict"]) <= {"improving", "stable", "worsening"}
    # 13 weekly values, except where the indicator cannot be scored at all (e.g. blocked by the quality gate)
    level = scores[scores["item"] == "level"].set_index(["city", "indicator"])["status"]
    change = scores[scores["item"] == "change"].set_index(["city", "base_indicator"])["status"]
    for r in trend.itertuples():
        if r.n != 13:
            assert (
                level[(r.city, r.indicator)] != "ok" and change[(r.city, r.indicator)] == level[(r.city, r.indicator)]
            )
    assert len(read(demo_special, "monthly.csv")) == 8 * 4 * 3 and len(read(demo_special, "activity.csv")) == 8 * 2
    # the plan's local rule: a connection rate below 85 % earns no level points
    level = scores[scores["indicator"] == "answer_rate"]
    below = level[level["value"] < 0.85]
    assert (below["score"] == 0).all() and below["flag"].str.contains("threshold").all()
    # the benchmark (Changzhou 2021, 98.16 %) is the reference of the connection rate, with its source
    assert set(level["reference"]) == {0.9816} and level["reference_holder"].str.startswith("常州市").all()
    sheets = load_workbook(demo_special.out / "scores.xlsx", read_only=True).sheetnames
    assert {"逐月变化", "趋势检验", "主题活动"} <= set(sheets)


@pytest.fixture(scope="module")
def special_report(root, demo_special):
    from hotline_eval.report.city import render_city

    return render_city(root, "demo-special", "baihe", pdf=False)


@pytest.mark.slow
@pytest.mark.parametrize("rule", lint_rules())
def test_the_special_report_passes_the_linter(special_report, rule):
    assert_documents_clean(special_report["lint"], rule)


@pytest.mark.slow
def test_the_special_report_shows_the_monthly_change_section(special_report):
    html = special_report["html"].read_text(encoding="utf-8")
    assert "专项评价：逐月变化与主题活动" in html and "白河市专项指标逐月变化与趋势结论" in html
    assert "按7天为一期" in html and "固定参考值" in html and "领导干部走进12345热线" in html


@pytest.mark.slow
def test_the_trend_notebook_shows_nothing_for_a_comprehensive_evaluation(root, demo, tmp_path):
    import nbformat

    from hotline_eval.report.render import execute

    params = {"evaluation": "demo-comprehensive", "city": "linjiang", "root": str(root)}
    nb = execute([root / "notebooks" / "city" / "03-trend.ipynb"], tmp_path / "t.ipynb", params, cwd=root)
    shown = [
        o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") != "stream"
    ]
    assert shown == []
    assert isinstance(nb, nbformat.NotebookNode)

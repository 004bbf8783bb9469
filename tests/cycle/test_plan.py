"""The evaluation plan (评价方案, §5.2.3): every indicator with points adding up to the evaluation's total,
the columns each object prepares (exactly those ingest reads). The rendered plan: tests/e2e/test_plan.py."""

import pandas as pd
import pytest

from hotline_eval.config.catalogue import load_catalogue
from hotline_eval.config.definitions import load_evaluation
from hotline_eval.config.wording import load_wording
from hotline_eval.cycle import plan
from hotline_eval.ingest.canonical import ingest
from hotline_eval.ingest.discovery import discover


def points(table: pd.DataFrame) -> float:
    return sum(float(p) for p in table["分值"] if p != "参考")


def test_the_comprehensive_plan_lists_all_45_indicators_worth_100_points(root):
    ev, words = load_evaluation(root, "demo-comprehensive"), load_wording(root)
    table = plan.indicator_table(root, ev, words)
    catalogue = load_catalogue(root)
    scored = [i for i in catalogue.indicators if not i.report_only]
    assert len(scored) == 45
    listed = {name.split("（§")[0] for name in table["指标（条款）"]}
    assert listed == {i.zh for i in catalogue.indicators}  # every indicator, its companions included
    assert points(table) == pytest.approx(100)  # 16 + 11 + 18 + 10 + 18 + 20 + 7 (indicators.md §0)
    row = table[table["指标（条款）"] == "接通率（§6.1.1）"].iloc[0]
    assert (row["分值"], row["所需数据"]) == ("4.0", "话务记录") and row["计算方法"].startswith("人工接通来电数")
    dims = plan.dimension_points(ev, catalogue).set_index("维度")["分值"]
    assert dims["服务响应（§6.1）"] == "16.0" and dims["合计"] == "100.0"


def test_the_special_plan_lists_each_indicators_sub_items_and_their_points(root):
    ev, words = load_evaluation(root, "demo-special"), load_wording(root)
    table = plan.indicator_table(root, ev, words).set_index("指标（条款）")
    # params/evaluations/demo-special.yaml: answer_rate 20 + 10 + 5 + 5, answer_wait_avg 10 + 5 + 5,
    # dispatch_timely_rate 15 + 10, ontime_completion_rate 10 + 5 = 100
    assert points(table) == pytest.approx(100) == plan.total_points(ev, load_catalogue(root))
    assert table.loc["接通率（§6.1.1）", "分值"] == "40.0"
    assert table.loc["接通率（§6.1.1）", "子项及分值"] == (
        "指标水平20分；逐月变化10分；主题活动5分；分时段：夜间（18:00—次日8:00）5分"
    )
    assert table.loc["分派及时率（§6.2.4）", "子项及分值"] == "指标水平15分；逐月变化10分"


def test_the_columns_the_plan_names_are_read_by_ingest(root, tmp_path):
    """A city that prepares its template files with exactly the plan's headers gets them accepted."""
    ev, words = load_evaluation(root, "demo-comprehensive"), load_wording(root)
    required = {r.table: r for r in plan.data_requirements(root, ev, words)}
    assert {"calls", "tickets", "callbacks", "chats"} <= set(required)
    assert required["qc_samples"].source == "review" and required["units"].source == "template"
    units = required["units"]
    assert list(units.columns["字段"]) == ["单位编码", "单位类别", "单位名称"] and units.files == "承办单位*.csv"
    folder = tmp_path / "linjiang"
    folder.mkdir()
    rows = [["linjiang-d01", "区", "临江市东区"], ["linjiang-water", "公共企事业单位", "临江市水务集团"]]
    frame = pd.DataFrame(rows, columns=list(units.columns["字段"]))
    frame.to_csv(folder / "承办单位.csv", index=False, encoding="utf-8")
    report = ingest(root, discover(root, folder, ["province-template"], "linjiang"), tmp_path / "out", ev.city_ids())
    assert report.totals()["units"] == {"rows_in": 2, "accepted": 2, "rejected": 0}
    got = pd.read_parquet(tmp_path / "out" / "data" / "units.parquet")
    assert list(got["class"]) == ["district", "enterprise"]
    # every column an indicator needs from a template table is one the plan names
    catalogue = load_catalogue(root)
    for need in {n for i in ev.active_indicators(catalogue) for n in i.data_needs}:
        table, column = need.split(".")
        if table in required and required[table].source == "template":
            from hotline_eval.config.mapping import load_mapping

            header = load_mapping(root, "province-template").tables[table].source(column).source
            assert header in set(required[table].columns["字段"]), need

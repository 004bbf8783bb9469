"""Documents on data of other shapes than the sample province's (issue 18): each shape is derived from a
real data set (../shared/data/real, never copied here) or from the sample province, in a copy of
params/, run through the ordinary pipeline, and its documents are rendered once and read as their
reader would.

- years: every 25th request of the four MyLA311 samples (work orders only, Dec 2017 – Jan 2020: 26
  months of which only four hold records, a dozen to a few dozen per district and month; a method test
  with no appeal and no rectification deadline) — month labels must carry their year, the 26-month
  tables are turned, no label is doubled, nothing institutional is assumed, months of a few records
  are not judged on their own;
- gated: the one-week MyLA311 evaluation with every quality gate failed (an impossible completeness
  threshold set by the evaluation's quality policy) — no district has a score: the documents say so
  instead of crashing on a missing rank;
- change: the one-week MyLA311 evaluation scoring only the month-by-month change — no total, no grade,
  no "below the reference";
- unit_ids: two cities of the sample province without their units table (handling units known only
  by their ids on the work orders) — the units are still compared, as one class.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from hotline_eval.config.evaluation import shared_folder
from hotline_eval.core.paramfiles import project_root
from tests.quality.test_frame import wilson_upper
from tests.support.documents import assert_documents_clean, lint_rules, visible_text

ROOT = project_root(Path(__file__).parent)
LA = shared_folder(ROOT) / "data" / "real" / "la-myla311-samples"

pytestmark = [pytest.mark.slow]


def project(tmp: Path, definition: dict) -> Path:
    """A project folder: a copy of params/ with one more evaluation."""
    shutil.copytree(ROOT / "params", tmp / "params")
    for folder in ("notebooks", "templates"):
        (tmp / folder).symlink_to(ROOT / folder)
    (tmp / "params" / "evaluations" / f"{definition['id']}.yaml").write_text(
        yaml.safe_dump(definition, allow_unicode=True), encoding="utf-8"
    )
    return tmp


def thinned(source: Path, folder: Path, every: int) -> Path:
    """The MyLA311 samples with every `every`-th request kept (a sparse sample: a district's month holds
    a dozen or a few dozen requests); the population tables whole."""
    for path in source.glob("*.csv"):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        keep = lines if path.name.startswith("nc_") else lines[:1] + lines[1::every]
        (folder / path.name).write_text("".join(keep), encoding="utf-8")
    return folder


def la_definition(**changes) -> dict:
    definition = yaml.safe_load((ROOT / "params" / "evaluations" / "real-la311.yaml").read_text(encoding="utf-8"))
    definition["data"]["inputs"][0]["dir"] = str(LA)
    return definition | changes


def need_la() -> None:
    if not LA.is_dir():
        pytest.skip(f"the MyLA311 samples are not at {LA}")


SAMPLED = "MyLA311公开样本每25条取1条，不是全量数据，许多日期没有记录"


@pytest.fixture(scope="module")
def years(outputs_dir, tmp_path_factory):
    from hotline_eval.pipeline import prepare
    from hotline_eval.report.bulletin import render_bulletin
    from hotline_eval.report.city import render_city
    from hotline_eval.report.plan import render_plan

    need_la()
    sparse = thinned(LA, tmp_path_factory.mktemp("la-sparse"), every=25)
    inputs = {"dir": str(sparse), "systems": ["la-myla311", "la-myla311-2020", "la-nc-population"]}
    definition = la_definition(
        id="shape-years",
        period={"start": "2017-12-01", "end": "2020-01-31"},
        trend={"short_period_days": 28},
        quality={"period_coverage": {"severity": "flag", "reason_zh": SAMPLED}},
    )
    definition["data"]["inputs"] = [inputs]
    root = project(tmp_path_factory.mktemp("years"), definition)
    prepare(root, "shape-years")
    return {
        "report": render_city(root, "shape-years", "cd01", pdf=False),
        "bulletin": render_bulletin(root, "shape-years", pdf=False),
        "plan": render_plan(root, "shape-years", pdf=False),
    }


GATED = "检验无一选区计分时的报告"


@pytest.fixture(scope="module")
def gated(outputs_dir, tmp_path_factory):
    from hotline_eval.pipeline import prepare
    from hotline_eval.report.bulletin import render_bulletin
    from hotline_eval.report.city import render_city

    need_la()
    definition = la_definition(id="shape-gated", quality={"field_completeness": {"min": 1.01, "reason_zh": GATED}})
    root = project(tmp_path_factory.mktemp("gated"), definition)
    prepare(root, "shape-gated")
    return {
        "report": render_city(root, "shape-gated", "cd01", pdf=False),
        "bulletin": render_bulletin(root, "shape-gated", pdf=False),
    }


def texts(written: dict) -> dict[str, str]:
    return {name: visible_text(files["html"]) for name, files in written.items()}


BARE_MONTH = re.compile(r"(?<![年\d月])(1[0-2]|[1-9])月(?![份度末初底中])")


@pytest.mark.real
def test_over_several_years_every_month_label_carries_its_year(years):
    """Over 26 months the monthly tables had columns 1月…12月, later years overwriting earlier ones, and
    the text said “1月较12月…” with no year."""
    years = texts(years)
    for name, text in years.items():
        bare = [m.group(0) for m in BARE_MONTH.finditer(text)]
        assert not bare, f"{name}: month labels without a year: {bare[:5]}"
    report = years["report"]
    assert "2017年12月" in report and "2019年12月" in report and "2020年1月" in report
    assert report.count("2018年1月环比") == 1, "each month once, in the turned table of the special section"


@pytest.mark.real
def test_a_long_period_turns_the_monthly_tables(years):
    """26 months across would be 26 value and 25 change columns: the table lists months down instead."""
    report = texts(years)["report"]
    assert re.search(r"月份 诉求平均办理时长（§6\.4\.1） 总办结率（§6\.6\.2） 万人诉求比（§6\.6\.4）", report)


@pytest.mark.real
def test_labels_are_not_doubled_and_nothing_institutional_is_assumed(years):
    """311服务服务质量, 各市议会选区议会选区, 报送省热线办, an appeal deadline and 话务来电0通 for a method test
    of work orders only."""
    years = texts(years)
    for name, text in years.items():
        assert "服务服务" not in text and "议会选区议会选区" not in text, name
        assert "省热线办" not in text and "设区市" not in text, name
        assert "申诉截止" not in text, name
    assert "话务来电" not in years["bulletin"] and "申诉" not in years["bulletin"]
    assert "不设申诉程序" in years["plan"]
    assert "前书面报送" not in years["report"] and "前完成" not in years["report"]


@pytest.mark.real
def test_a_district_without_any_score_is_reported_not_crashed_on(gated):
    """Every quality gate failed: no total, no grade, no rank (int(NaN) in the narrative crashed the report)."""
    report, bulletin = texts(gated)["report"], texts(gated)["bulletin"]
    assert "计分指标均无可用得分" in report and "不参与排名" in report
    assert "整体处于全市中游" not in report, "no place among the others is stated for a district without a total"
    assert "不作排名" in bulletin and "予以通报表扬" not in bulletin
    assert f"字段完整率门槛由≥95%调整为≥101%（理由：{GATED}）" in report, "the evaluation's policy and its reason"
    # the special section: no tables of dashes and “无数据” for indicators the gate withheld
    assert "洛杉矶市第1选区各专项指标均无可用的月度值（数据质量不达标），不作逐月比较" in report
    assert "全市各市议会选区的专项指标均无可用的月度值，不作趋势比较" in report
    assert "均无指标呈显著向好趋势" not in report
    assert "洛杉矶市第1选区主要指标各月均无可用的月度值" in report, "no monthly chart of nothing (it crashed)"


@pytest.mark.real
def test_months_of_a_handful_of_records_do_not_withhold_the_period(years, outputs_dir):
    """A district's month of a few requests with one field empty failed the 95 % completeness gate and
    withheld the period's value for every indicator reading the field: a month is now judged on evidence
    (docs/method/data-quality.md#a-month-on-evidence; the rule's arithmetic: tests/quality/test_frame.py)."""
    from hotline_eval.quality import load_quality

    quality = load_quality(outputs_dir / "shape-years")
    months = quality[(quality["check"] == "field_completeness") & (quality["month"] != "all")]
    few = months[months["denominator"] < 20]
    assert len(few) > 20, "the sparse shape has many months of few records"
    assert few["passed"].isna().all(), "a month of fewer than 20 records is not judged on its own"
    judged = months[months["denominator"] >= 20]
    for _, r in judged.iterrows():
        upper = wilson_upper(int(r["numerator"]), int(r["denominator"]))
        assert r["passed"] == (upper >= r["threshold"]), (r["city"], r["month"], r["item"])
    assert (
        "逐月判断时，字段完整率、记录查准率、记录内逻辑一致率、关联率按其95%置信区间的上限与门槛比较"
        in texts(years)["plan"]
    )


@pytest.mark.real
def test_coverage_is_counted_from_the_records_and_the_policy_is_stated(years, outputs_dir):
    """MyLA311 reports no control totals: coverage used not to be computed at all (§5.2.7). Now every
    district-month is counted from the requests; the thinned sample leaves days without a request,
    and the definition's policy (flag, with its reason) keeps them from blocking and says why."""
    from hotline_eval.quality import load_quality

    quality = load_quality(outputs_dir / "shape-years")
    coverage = quality[(quality["check"] == "period_coverage") & (quality["month"] != "all")]
    assert len(coverage) == 15 * 26 and set(coverage["table"]) == {"tickets"}  # 15 districts × 26 months
    assert (coverage["severity"] == "flag").all() and (coverage["value"] < 1).all()
    written = texts(years)
    assert SAMPLED in written["report"] and SAMPLED in written["plan"]


@pytest.fixture(scope="module")
def change(outputs_dir, tmp_path_factory):
    from hotline_eval.pipeline import prepare
    from hotline_eval.report.bulletin import render_bulletin
    from hotline_eval.report.city import render_city

    need_la()
    items = {"request_cycle_time_avg": {"change": 10}, "requests_per_10k": {"change": 5}}
    root = project(tmp_path_factory.mktemp("change"), la_definition(id="shape-change", indicators=items))
    prepare(root, "shape-change")
    from hotline_eval.report.index import write_index
    from hotline_eval.report.lint import lint_file

    documents = {
        "report": render_city(root, "shape-change", "cd02", pdf=False),
        "bulletin": render_bulletin(root, "shape-change", pdf=False),
    }
    index = write_index(root, "shape-change")
    return documents | {"index": {"html": index, "lint": lint_file(index)}}


@pytest.mark.real
def test_a_definition_scoring_only_change_has_no_total_and_no_grade(change, outputs_dir):
    """A change-only special evaluation gave “60.00分 合格”, “95%区间为60.00分至60.00分” and “各项计分指标均未
    达到参考值水平”: it now reports its sub-items without a total (docs/method/scoring.md#grades)."""
    totals = pd.read_csv(outputs_dir / "shape-change" / "totals.csv", dtype={"city": str})
    assert totals["total"].isna().all() and set(totals["grade"]) == {"不予定级"}
    scores = pd.read_csv(outputs_dir / "shape-change" / "scores.csv", dtype={"city": str})
    change_scores = scores[scores["item"] == "change"]
    assert len(change_scores) == 30 and change_scores["score"].notna().all(), "the sub-items are scored"
    report, bulletin = texts(change)["report"], texts(change)["bulletin"]
    assert "只对变化或活动子项计分，不计算综合得分" in report  # the cover
    assert "不计算综合得分、不划分等级" in report and "等级划分" not in report
    for untrue in ("合格", "95%区间", "未达到参考值", "逐项剔除", "分，居第"):
        assert untrue not in report, untrue
    assert "变化子项得分" in report, "the sub-items' results are shown"
    assert "不计算综合得分，不予定级，不作排名" in bulletin and "通报表扬" not in bulletin.replace("不通报表扬", "")
    index = texts(change)["index"]
    assert "综合得分" not in index and "位次" not in index, "no total or rank column of dashes"


@pytest.fixture(scope="module")
def unit_ids(demo, outputs_dir, tmp_path_factory):
    """Two sample cities' exports without their units table (承办单位.csv)."""
    from hotline_eval.pipeline import prepare
    from hotline_eval.report.city import render_city

    tmp = tmp_path_factory.mktemp("unit-ids")
    province = yaml.safe_load((ROOT / "params" / "provinces" / "sample.yaml").read_text(encoding="utf-8"))
    cities = [c for c in province["cities"] if c["id"] in ("dongpo", "linjiang")]
    for c in cities:
        shutil.copytree(demo.raw / c["id"], tmp / "raw" / c["id"], ignore=shutil.ignore_patterns("承办单位*"))
    definition = yaml.safe_load((ROOT / "params" / "evaluations" / "demo-comprehensive.yaml").read_text("utf-8"))
    definition.pop("province", None)
    definition |= {
        "id": "shape-unit-ids",
        "cities": [{"id": c["id"], "name_zh": c["name_zh"]} for c in cities],
        "data": {
            "inputs": [
                {"dir": str(tmp / "raw" / c["id"]), "systems": [c["system"], "province-template"], "city": c["id"]}
                for c in cities
            ]
        },
    }
    root = project(tmp / "project", definition)
    prepare(root, "shape-unit-ids")
    return {"report": render_city(root, "shape-unit-ids", "dongpo", pdf=False)}


def test_units_known_only_by_their_ids_are_still_compared(unit_ids, outputs_dir):
    """Without a units table every unit was “unlisted”: no unit scored, a table of dashes and
    “分类比较…：。另有25个单位因数据覆盖不足未参与排名”. They are now compared as one class."""
    out = outputs_dir / "shape-unit-ids"
    tickets = pd.read_parquet(out / "data" / "tickets.parquet", columns=["city", "unit_id", "handling_mode"])
    named = tickets[tickets["city"] == "dongpo"]["unit_id"].dropna().nunique()
    totals = pd.read_csv(out / "unit_totals.csv", dtype={"unit": str})
    own = totals[totals["city"] == "dongpo"]
    assert set(own["class"]) == {"unclassified"} and len(own) == named
    assert own["ranked"].sum() >= 10 and own["rank"].min() == 1
    scores = pd.read_csv(out / "unit_scores.csv", dtype={"unit": str})
    ontime = scores[(scores["city"] == "dongpo") & (scores["indicator"] == "ontime_completion_rate")]
    ok = ontime[ontime["status"] == "ok"]
    assert len(ok) >= 10 and (ok["reference"] == ok["value"].max()).all(), "the best unit of the city is the reference"
    report = texts(unit_ids)["report"]
    assert f"承接东坡市12345热线工单的{named}个承办单位（未报送单位名录，按工单中的单位编号计）" in report
    assert "东坡市未报送承办单位名录，承办单位以工单中的单位编号列示、不分类别，在本市全部承办单位中比较" in report
    best = own.sort_values(["rank", "unit"]).iloc[0]
    assert re.search(rf"未分类承办单位\d+个，{re.escape(best['unit'])}得分最高", report)


SHAPES = ["years", "gated", "change", "unit_ids"]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("rule", lint_rules())
def test_every_document_of_every_shape_passes_the_linter(shape, rule, request):
    for written in request.getfixturevalue(shape).values():
        assert_documents_clean(written["lint"], rule)

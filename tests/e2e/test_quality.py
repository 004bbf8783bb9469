"""The planted defects of the sample province are found with their exact counts; clean cities pass untouched.

What was planted is in raw/<city>/defects.json (hotline_eval/sample/defects.py, configured in
params/provinces/sample.yaml). The expected counts below come from that ledger and from counting
the canonical Parquet tables with pandas, independently of the DuckDB checks.
"""

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from hotline_eval.cli import cli
from hotline_eval.config.catalogue import load_catalogue
from hotline_eval.config.definitions import load_evaluation
from hotline_eval.config.province import load_province
from hotline_eval.core.masking import find_personal_numbers
from hotline_eval.measure.engine import measure
from hotline_eval.pipeline import open_data
from hotline_eval.quality import load_examples, load_quality
from hotline_eval.score.rules import score_indicators

pytestmark = pytest.mark.slow
DEFECTIVE = {"jinsha", "shiqiao"}
TZ = "Asia/Shanghai"


@pytest.fixture(scope="module")
def quality(demo):
    return load_quality(demo.out)


@pytest.fixture(scope="module")
def ledger(demo):
    """kind → what defects.py planted in 金沙市 (each kind is planted once there)."""
    planted = json.loads((demo.raw / "jinsha" / "defects.json").read_text(encoding="utf-8"))["defects"]
    return {d["kind"]: d for d in planted}


def table(demo, name, columns=None):
    return pd.read_parquet(demo.data / f"{name}.parquet", columns=columns)


def month_of(stamps: pd.Series) -> pd.Series:
    return stamps.dt.tz_convert(TZ).dt.strftime("%Y-%m")


def one(quality, check, city="jinsha", month="all", item="", tbl=None):
    rows = quality[
        (quality["city"] == city)
        & (quality["check"] == check)
        & (quality["month"] == month)
        & (quality["item"] == item)
    ]
    if tbl:
        rows = rows[rows["table"] == tbl]
    assert len(rows) == 1, f"{city} {check} {month} {item}: {len(rows)} rows"
    return rows.iloc[0]


def test_the_configured_defects_were_planted_as_asked(root, ledger):
    """The ledger holds what was asked for in params/provinces/sample.yaml (no candidate ran short)."""
    asked = {d.kind: d for d in load_province(root, "sample").defects["jinsha"]}
    assert sum(ledger["broken_links"]["planted"]["by_month"].values()) == asked["broken_links"].n == 100
    assert sum(ledger["duplicates"]["planted"]["rekeyed"].values()) == asked["duplicates"].rekeyed == 16
    assert sum(ledger["duplicates"]["planted"]["same_id"].values()) == asked["duplicates"].same_id == 8
    assert sum(ledger["swapped_times"]["planted"]["by_month"].values()) == 30
    assert ledger["out_of_period"]["planted"]["added"] == 12


def test_missing_days_are_found_as_gap_days_on_exactly_the_planted_dates(demo, quality, ledger):
    gaps = quality[(quality["check"] == "gap_days") & (quality["month"] != "all") & (quality["value"] > 0)]
    assert list(zip(gaps["city"], gaps["table"], gaps["month"], gaps["value"], strict=True)) == [
        ("jinsha", "calls", "2026-08", 2)
    ]
    days = load_examples(demo.out).query("check == 'gap_days'")
    assert list(days["record"]) == ledger["missing_days"]["planted"]["days"] == ["2026-08-12", "2026-08-13"]
    coverage = one(quality, "period_coverage", month="2026-08", tbl="calls")
    assert (coverage["numerator"], coverage["denominator"], coverage["passed"]) == (29, 31, False)


def test_recall_and_cross_source_compare_the_records_with_the_self_reports(demo, quality, ledger):
    calls = table(demo, "calls", ["city", "arrived_at"])
    aug_calls = int(((calls["city"] == "jinsha") & (month_of(calls["arrived_at"]) == "2026-08")).sum())
    reports = table(demo, "self_reports").query("city == 'jinsha'").set_index(["period", "figure"])["value"]
    recall = one(quality, "record_recall", month="2026-08", item="calls_total")
    assert (recall["numerator"], recall["denominator"]) == (aug_calls, reports[("2026-08", "calls_total")])
    # two days of calls are missing: about 6 % of August, far below the 98 % gate
    assert recall["value"] < 0.95 and recall["passed"] is False
    assert reports[("2026-08", "calls_total")] - aug_calls >= ledger["missing_days"]["planted"]["removed"] - 10

    tickets = table(demo, "tickets", ["city", "closed_at", "is_valid"]).query("city == 'jinsha' and is_valid")
    closed_sep = int((month_of(tickets["closed_at"].dropna()) == "2026-09").sum())
    offset = ledger["self_report_offset"]["planted"]
    closed = one(quality, "cross_source", month="2026-09", item="closed_total")
    assert (closed["numerator"], closed["denominator"]) == (closed_sep, offset["reported_after"])
    assert closed["value"] == pytest.approx(abs(closed_sep - offset["reported_after"]) / offset["reported_after"])
    assert closed["passed"] is False and closed["scope"] == "tickets.closed_at"


def test_duplicates_test_records_and_out_of_period_records_are_counted_exactly(quality, ledger):
    dup = ledger["duplicates"]["planted"]
    for month, n in dup["rekeyed"].items():
        assert one(quality, "duplicates", month=month, tbl="tickets")["value"] == n
    # the period adds the 8 copies under the same number, which ingest rejected
    assert one(quality, "duplicates", tbl="tickets")["value"] == 16 + 8
    assert one(quality, "rejected", tbl="tickets", item="ticket_id：编号重复")["value"] == 8
    for month, n in ledger["test_records"]["planted"]["by_month"].items():
        assert one(quality, "test_records", month=month, tbl="tickets")["value"] == n
    assert one(quality, "out_of_window", tbl="calls")["value"] == 12


def test_out_of_order_timestamps_are_found_by_the_rules_or_rejected_at_ingest(demo, quality, ledger):
    for month, n in ledger["swapped_times"]["planted"]["by_month"].items():
        assert one(quality, "rule_violations", month=month, item="close_after_reply")["value"] == n
    others = quality[(quality["city"] == "jinsha") & (quality["check"] == "rule_violations")]
    assert others[others["item"] != "close_after_reply"]["value"].sum() == 0
    # calls ending before they arrive break a row rule of the schema: ingest rejected them
    assert one(quality, "rejected", tbl="calls", item="ended_at：结束时间早于来电时间")["value"] == 5
    calls = table(demo, "calls", ["city", "arrived_at"])
    in_period = int(
        ((calls["city"] == "jinsha") & month_of(calls["arrived_at"]).isin(["2026-07", "2026-08", "2026-09"])).sum()
    )
    intra = one(quality, "intra_record", tbl="calls")
    assert intra["denominator"] == in_period + 5


def test_broken_ticket_to_call_links_are_counted_per_month(demo, quality, ledger):
    tickets = table(demo, "tickets", ["city", "channel", "accepted_at"]).query(
        "city == 'jinsha' and channel == 'phone'"
    )
    phone = month_of(tickets["accepted_at"]).value_counts()
    broken = ledger["broken_links"]["planted"]["by_month"]
    orphaned = ledger["missing_days"]["planted"]["orphaned"]["tickets.call_id"]
    for month in ("2026-07", "2026-08", "2026-09"):
        link = one(quality, "linkage", month=month, item="ticket_call")
        unlinked = broken.get(month, 0) + orphaned.get(month, 0)
        assert (link["denominator"], link["numerator"]) == (phone[month], phone[month] - unlinked)
    assert one(quality, "linkage", month="2026-07", item="ticket_call")["passed"] is False  # 100 of ~1,440
    qc = one(quality, "linkage", month="2026-08", item="qc_call")
    assert (
        qc["denominator"] - qc["numerator"]
        == ledger["missing_days"]["planted"]["orphaned"]["qc_samples.object_id"]["2026-08"]
    )


def test_the_verification_sample_finds_the_missing_recordings(quality):
    acc = one(quality, "verified_accuracy", tbl="calls")
    assert (acc["numerator"], acc["denominator"], acc["passed"]) == (46, 50, False)


def test_missing_due_times_fail_field_completeness_in_shiqiao(demo, quality):
    tickets = table(demo, "tickets", ["city", "handling_mode", "accepted_at", "due_at"])
    aug = tickets[(tickets["city"] == "shiqiao") & (month_of(tickets["accepted_at"]) == "2026-08")]
    dispatched = aug[aug["handling_mode"] == "dispatched"]
    due = one(quality, "field_completeness", city="shiqiao", month="2026-08", item="due_at")
    assert (due["denominator"], due["numerator"]) == (len(dispatched), len(dispatched) - 300)
    assert due["passed"] is False


def reads(ind, catalogue, scope):
    """Whether the indicator reads the scope: its data needs, either source's of data_needs_any included."""
    table, _, column = scope.partition(".")
    source = catalogue.sources[ind.source].table if ind.source else None
    needs = [*ind.data_needs, *(n for group in ind.data_needs_any for n in group)]
    if not column:
        return source == table or any(n.startswith(f"{table}.") for n in needs)
    return scope in needs or (not needs and source == table)


def test_the_indicators_reading_failing_data_are_quality_blocked_and_not_scored(root, demo, quality):
    catalogue = load_catalogue(root)
    ev = load_evaluation(root, "demo-comprehensive")
    computed = [i for i in ev.active_indicators(catalogue) if i.kind != "expert"]
    ind = pd.read_csv(demo.out / "indicators.csv", dtype={"unit": str, "flag": str}, keep_default_na=False)
    pooled = ind[(ind["unit"] == "") & (ind["month"] == "all")]
    scores = pd.read_csv(demo.out / "scores.csv")
    for city, scopes in {
        # 金沙市: the calls table fails (recall, coverage, verification); closed totals and the call links too
        "jinsha": ["calls", "calls.outcome", "tickets.closed_at", "tickets.call_id"],
        # 石桥市: only the due time of tickets is incomplete
        "shiqiao": ["tickets.due_at"],
    }.items():
        failing = quality[(quality["city"] == city) & (quality["severity"] == "gate") & (quality["passed"] == False)]  # noqa: E712
        assert set(failing["scope"]) == set(scopes)
        expected = {i.id for i in computed if any(reads(i, catalogue, s) for s in scopes)}
        blocked = set(pooled[(pooled["city"] == city) & (pooled["status"] == "quality_blocked")]["indicator"])
        assert blocked == expected and blocked
        own = scores[scores["city"] == city].set_index("indicator")
        scored = [i for i in sorted(blocked) if i in own.index]  # report-only companions have no score row
        assert scored and own.loc[scored, "score"].isna().all()
        assert (own.loc[scored, "status"] == "quality_blocked").all()
        assert own.drop(index=scored)["score"].notna().any()  # the others are still scored
    assert "answer_rate" in set(pooled[pooled["status"] == "quality_blocked"]["indicator"])


def test_clean_cities_pass_every_gate(quality):
    clean = quality[~quality["city"].isin(DEFECTIVE) & (quality["severity"] == "gate")]
    assert len(clean) > 600
    failed = clean[clean["passed"] == False]  # noqa: E712
    assert failed.empty, failed.to_string()


def test_clean_cities_score_the_same_with_and_without_the_quality_stage(root, demo):
    """Clean cities keep their values and statuses; their scores change only where a blocked value set the reference.

    With the province's best value as reference (Appendix A.1), a blocked city can no longer hold it:
    the reference becomes the best value among the data that passed the gate.
    """
    ev = load_evaluation(root, "demo-comprehensive")
    catalogue = load_catalogue(root)
    ungated = score_indicators(
        measure(open_data(root, demo), root, ev), ev, ev.active_indicators(catalogue), ev.parameter_values(catalogue)
    )
    gated = pd.read_csv(demo.out / "scores.csv", dtype={"reference_holder": str}, keep_default_na=False, na_values=[""])
    both = ungated.merge(gated, on=["city", "indicator"], suffixes=("_without", "_with"))
    both = both[both["indicator"].isin({i.id for i in catalogue.indicators if i.kind != "expert"})]
    clean = both[~both["city"].isin(DEFECTIVE)]
    assert len(clean) == 6 * both["indicator"].nunique()
    assert np.allclose(clean["value_without"], clean["value_with"], equal_nan=True)
    assert (clean["status_without"] == clean["status_with"]).all()
    moved = set()
    for indicator, part in clean.groupby("indicator"):
        holders = set(part["reference_holder_without"].iloc[0].split("、"))
        blocked_here = set(both.query("indicator == @indicator & status_with == 'quality_blocked'")["city"])
        if holders & blocked_here:
            moved.add(indicator)
            direction = catalogue.indicator(indicator).direction
            ok = both.query("indicator == @indicator & status_with == 'ok'")["value_with"]
            best = ok.max() if direction == "higher" else ok.min()
            assert part["reference_with"].iloc[0] == pytest.approx(best)
            assert not set(part["reference_holder_with"].iloc[0].split("、")) & blocked_here
        else:
            assert np.allclose(part["score_without"], part["score_with"], equal_nan=True), indicator
    # only blocked indicators can move (in the sample: 金沙市's defective calls held the best abandon wait)
    blocked = set(both.query("city in @DEFECTIVE & status_with == 'quality_blocked'")["indicator"])
    assert moved <= blocked


def test_results_say_which_data_version_they_used(demo, quality):
    manifest = json.loads(demo.manifest.read_text(encoding="utf-8"))
    version = manifest["versions"][-1]["version"]
    assert manifest["data_version"] == version
    assert set(quality["data_version"]) == {version}
    assert set(pd.read_csv(demo.out / "scores.csv")["data_version"]) == {version}


def test_examples_carry_no_personal_data(demo):
    text = (demo.out / "quality_examples.csv").read_text(encoding="utf-8-sig")
    assert find_personal_numbers(text) == []
    hashes = set(table(demo, "tickets", ["caller_hash"])["caller_hash"].dropna())
    assert not any(h in text for h in list(hashes)[:2000])


def test_check_prints_a_readable_summary_and_strict_fails_on_a_failed_gate(demo):
    runner = CliRunner()
    result = runner.invoke(cli, ["check", "--city", "jinsha", "--strict"])
    assert result.exit_code == 1, result.output
    assert "金沙市 数据质量评估" in result.output and "未通过的门槛检查" in result.output
    assert "话务记录 8月 记录查全率（来电总量）" in result.output
    assert "数据质量不达标、不予计分的指标" in result.output and "接通率" in result.output
    clean = runner.invoke(cli, ["check", "--city", "linjiang", "--strict"])
    assert clean.exit_code == 0, clean.output
    assert "全部门槛检查通过" in clean.output
    province = runner.invoke(cli, ["check"])
    assert "临江市：门槛检查" in province.output and "全部通过" in province.output
    assert "金沙市：门槛检查" in province.output and "项指标数据质量不达标" in province.output


def test_the_city_report_shows_the_failing_checks_and_the_blocked_indicators(root, demo):
    import re

    from hotline_eval.report.city import render_city

    written = render_city(root, "demo-comprehensive", "jinsha", pdf=False)
    text = written["html"].read_text(encoding="utf-8")
    body = re.sub(r"data:[a-z/+0-9]+;base64,[A-Za-z0-9+/=]+", "", text)
    section = re.sub(r"<[^>]+>", " ", body[body.index('id="quality"') :])
    # the section follows 四、比较分析 (notebooks/city/03-comparison): its number comes from the report context
    assert "五、数据质量评估" in body and "金沙市未达到门槛的数据质量检查" in section
    assert "记录查全率（来电总量）" in section and "2026-08-12" in section and "当日无记录" in section
    # the blocked indicators read 数据质量不达标 in the indicator tables of section 三
    analysis = re.sub(r"<[^>]+>", " ", body[body.index('id="analysis"') : body.index('id="quality"')])
    assert re.search(r"接通率（§6\.1\.1）\s+—.*?数据质量不达标", analysis, re.S)
    assert find_personal_numbers(body) == []

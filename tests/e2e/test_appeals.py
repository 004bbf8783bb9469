"""End to end: the sample province's second quarter with its appeals (params/appeals/demo-2026q2.yaml): the accepted
appeal re-scored, the log, the score sheet and the manifest, and the city appendix."""

import numpy as np
import pandas as pd
import pytest


def read(path):
    return pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, na_values=[""])


@pytest.mark.slow
def test_the_demo_appeal_is_accepted_and_both_results_stay_on_record(root, q2):
    import yaml

    spec = yaml.safe_load((root / "params" / "appeals" / "demo-2026q2.yaml").read_text(encoding="utf-8"))
    excluded = spec["appeals"][0]["records"]["calls"]
    calls = pd.read_parquet(q2.out / "data" / "calls.parquet")
    mine = calls[(calls["city"] == "yunling") & calls["call_id"].isin(excluded)]
    # every excluded call is a valid abandon after at least 5 s in the queue, inside the period: each one
    # leaves the answer rate's denominator and nothing else
    wait = (mine["ended_at"] - mine["queue_entered_at"].fillna(mine["arrived_at"])).dt.total_seconds()
    assert len(mine) == len(excluded) == 11
    assert (mine["outcome"] == "abandoned").all() and mine["is_valid"].all() and (wait >= 5).all()

    before_ind, after_ind = read(q2.out / "indicators_original.csv"), read(q2.out / "indicators.csv")

    def pooled(frame, city, ind):
        rows = frame[(frame["city"] == city) & (frame["indicator"] == ind) & frame["unit"].isna()]
        return rows[rows["month"] == "all"].iloc[0]

    was, now = pooled(before_ind, "yunling", "answer_rate"), pooled(after_ind, "yunling", "answer_rate")
    assert now["numerator"] == was["numerator"] and now["denominator"] == was["denominator"] - 11
    assert now["value"] == pytest.approx(was["numerator"] / (was["denominator"] - 11))

    before, after = read(q2.out / "scores_original.csv"), read(q2.out / "scores.csv")
    rate = after[after["indicator"] == "answer_rate"].set_index("city")
    values = rate["value"].where(rate["status"] == "ok")
    assert rate.loc["yunling", "reference"] == pytest.approx(values.max())  # the best city's value
    assert rate.loc["yunling", "score"] == pytest.approx(4 * now["value"] / values.max())
    # the change of the total: the change of the city's scores over its available points
    t_before, t_after = read(q2.out / "totals_original.csv"), read(q2.out / "totals.csv")
    tb, ta = (t.set_index("city").loc["yunling"] for t in (t_before, t_after))
    gained = after[after["city"] == "yunling"]["score"].sum() - before[before["city"] == "yunling"]["score"].sum()
    assert gained > 0 and ta["available"] == tb["available"]
    assert ta["total"] - tb["total"] == pytest.approx(gained / tb["available"] * 100)
    # other cities' results are the same before and after (yunling does not hold any changed reference)
    others = t_after[t_after["city"] != "yunling"].set_index("city")["total"]
    assert np.allclose(others, t_before.set_index("city").loc[others.index, "total"])


@pytest.mark.slow
def test_the_appeal_log_the_score_sheet_and_the_manifest(root, q2):
    import json

    import openpyxl

    from hotline_eval.core.store import sha256_file

    log = read(q2.out / "appeals.csv").set_index("id")
    assert list(log["decision"]) == ["accepted", "refused", "late"]
    assert "2026年8月13日" in log.loc["SS-2026Q2-03", "reason"]  # issued 2026-07-30 + 10 working days
    assert log.loc["SS-2026Q2-02", "total_before"] == log.loc["SS-2026Q2-02", "total_after"]
    assert log.loc["SS-2026Q2-01", "total_after"] > log.loc["SS-2026Q2-01", "total_before"]
    book = openpyxl.load_workbook(q2.out / "scores.xlsx", read_only=True)
    rows = list(book["申诉"].iter_rows(values_only=True))
    assert rows[0][0] == "申诉编号" and [r[8] for r in rows[1:]] == ["采纳", "不予采纳", "逾期不予受理"]
    assert "申诉前后" in book.sheetnames
    manifest = json.loads((q2.out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["appeals"]["sha256"] == sha256_file(root / "params" / "appeals" / "demo-2026q2.yaml")
    assert manifest["appeals"]["decisions"] == {"accepted": 1, "refused": 1, "late": 1, "pending": 0}


@pytest.mark.slow
def test_the_city_appendix_shows_the_appeal_log_with_scores_before_and_after(root, q2):
    from hotline_eval.config.wording import load_wording
    from hotline_eval.report.appeal import appeal_summary, appeal_table, changed_items
    from hotline_eval.results import load

    results, words = load(root, "demo-2026q2"), load_wording(root)
    totals = read(q2.out / "appeal_totals.csv").set_index("city")
    text = "".join(appeal_summary(results, words, "yunling"))
    assert f"{totals.loc['yunling', 'total_before']:.2f}分变为{totals.loc['yunling', 'total_after']:.2f}分" in text
    table = appeal_table(results, words, "yunling")
    assert list(table["复核结论"]) == ["采纳"] and table["申诉指标"].iloc[0] == "接通率、未接通等待时长"
    changed = changed_items(results, words, "yunling").set_index("指标")
    before = read(q2.out / "appeal_changes.csv").set_index(["city", "indicator"]).loc[("yunling", "answer_rate")]
    assert changed.loc["接通率", "得分（复核前→后）"] == f"{before['score_before']:.3f}→{before['score_after']:.3f}"
    assert appeal_table(results, words, "linjiang").empty  # no appeal of its own
    assert "复核前后未变" in "".join(appeal_summary(results, words, "linjiang"))

"""Appeals (§8.2): deadlines, decisions, re-scoring without the records an accepted appeal proves invalid,
and the results before and after both on record. Expected numbers are worked out in the comments."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from builders import call

from canonical import evaluation, write_tables
from hotline_eval.config.evaluation import Item
from hotline_eval.config.sql import register_tables
from hotline_eval.core.connection import connect
from hotline_eval.core.errors import ConfigError
from hotline_eval.cycle.appeals import load_appeals, write_adjusted_data
from hotline_eval.measure.engine import measure
from hotline_eval.score.rules import pooled_values, score_item

# results issued 2026-07-31 (Friday): 10 working days from Monday 3 August → Friday 14 August 2026
EV = evaluation(report_date=dt.date(2026, 7, 31), appeal_days=10)
DEADLINE = dt.date(2026, 8, 14)


def appeals_file(tmp_path, *entries, evaluation_id="test"):
    import yaml

    path = tmp_path / "appeals.yaml"
    path.write_text(yaml.safe_dump({"evaluation": evaluation_id, "appeals": list(entries)}, allow_unicode=True))
    return path


def appeal(**fields):
    base = {"id": "A1", "city": "a", "claim": "测试来电被计入", "filed": dt.date(2026, 8, 3)}
    return base | fields


def test_the_deadline_is_appeal_days_working_days_after_the_results(root, tmp_path):
    loaded = load_appeals(root, EV, appeals_file(tmp_path, appeal()))
    assert (loaded.issued, loaded.deadline) == (dt.date(2026, 7, 31), DEADLINE)
    assert loaded.decisions[0].outcome == "pending"


def test_an_appeal_filed_after_the_deadline_is_refused_with_the_deadline_named(root, tmp_path):
    late = appeal(filed=DEADLINE + dt.timedelta(days=1))
    on_time = appeal(id="A2", filed=DEADLINE, decision="refused", reason="不属实", decided=dt.date(2026, 8, 20))
    loaded = load_appeals(root, EV, appeals_file(tmp_path, late, on_time))
    first, second = loaded.decisions
    assert first.outcome == "late" and "2026年8月14日" in first.reason and "逾期" in first.reason
    assert second.outcome == "refused"  # filed on the last day: in time
    assert loaded.counts() == {"accepted": 0, "refused": 1, "late": 1, "pending": 0}


def test_a_late_appeal_recorded_as_accepted_is_an_error_naming_the_key_and_the_deadline(root, tmp_path):
    late = appeal(
        filed=dt.date(2026, 8, 17),
        decision="accepted",
        reason="是",
        decided=dt.date(2026, 8, 18),
        records={"calls": ["c1"]},
    )
    with pytest.raises(ConfigError) as err:
        load_appeals(root, EV, appeals_file(tmp_path, late))
    assert "appeals[0].decision" in str(err.value) and "2026-08-14" in str(err.value)


@pytest.mark.parametrize(
    "fields, key",
    [
        ({"city": "x"}, "appeals[0].city"),
        ({"decision": "accepted", "reason": "是", "decided": dt.date(2026, 8, 5)}, "appeals[0].records"),
        ({"decision": "refused"}, "appeals[0].reason"),
        ({"records": {"people": ["p1"]}}, "appeals[0].records.people"),
        ({"indicators": ["no_such_indicator"]}, "appeals[0].indicators"),
        ({"decided": dt.date(2026, 8, 1)}, "appeals[0].decided"),
    ],
)
def test_bad_appeal_entries_name_the_file_and_key(root, tmp_path, fields, key):
    with pytest.raises(ConfigError) as err:
        load_appeals(root, EV, appeals_file(tmp_path, appeal(**fields)))
    assert key in str(err.value) and "appeals.yaml" in str(err.value)


# ---- re-scoring on hand-built calls ---------------------------------------------------------------

DAY = "2026-07-01"
CALLS = [
    # city a: 8 answered, 2 abandoned after 20 s in the queue → answer rate 8 / 10 = 0.8
    *[call(i, "a", f"{DAY} 09:{i:02d}:00", outcome="answered", queue=5, answer=10, end=100) for i in range(8)],
    call(8, "a", f"{DAY} 10:00:00", outcome="abandoned", queue=5, end=25),
    call(9, "a", f"{DAY} 10:05:00", outcome="abandoned", queue=5, end=25),
    # city b: 9 answered, 1 abandoned → 0.9, the best of the two: b holds the reference
    *[call(20 + i, "b", f"{DAY} 09:{i:02d}:00", outcome="answered", queue=5, answer=10, end=100) for i in range(9)],
    call(29, "b", f"{DAY} 10:00:00", outcome="abandoned", queue=5, end=25),
]


def scores_from(root, data_dir, ev):
    con = connect()
    register_tables(con, root, data_dir)
    values = measure(con, root, ev)
    from hotline_eval.config.catalogue import load_catalogue

    ind = load_catalogue(root).indicator("answer_rate")
    return score_item(Item(ind, "level", 4.0), pooled_values(values, "answer_rate", ev.city_ids()), ev, {})


def test_an_accepted_appeal_leaves_its_records_out_and_moves_everyones_reference(root, tmp_path):
    write_tables(root, tmp_path / "data", {"calls": CALLS})
    accepted = appeal(
        records={"calls": ["c8", "c9"]}, decision="accepted", reason="测试来电", decided=dt.date(2026, 8, 6)
    )
    loaded = load_appeals(root, EV, appeals_file(tmp_path, accepted))
    before = scores_from(root, tmp_path / "data", EV).set_index("city")
    left_out = write_adjusted_data(root, tmp_path / "data", tmp_path / "after", loaded)
    after = scores_from(root, tmp_path / "after", EV).set_index("city")
    assert sorted(left_out["id"]) == ["c8", "c9"] and set(left_out["table"]) == {"calls"}
    # before: a 0.8, b 0.9 (reference, held by b): a scores 4 × 0.8 / 0.9, b 4
    assert before.loc["a", "value"] == pytest.approx(0.8) and before.loc["a", "reference_holder"] == "b"
    assert before.loc["a", "score"] == pytest.approx(4 * 0.8 / 0.9) and before.loc["b", "score"] == pytest.approx(4)
    # after: a 8 / 8 = 1.0 becomes the reference; b's score falls to 4 × 0.9 / 1.0 = 3.6
    assert after.loc["a", "value"] == pytest.approx(1.0) and after.loc["b", "reference_holder"] == "a"
    assert after.loc["a", "score"] == pytest.approx(4) and after.loc["b", "score"] == pytest.approx(3.6)
    # the uploaded data are untouched
    assert len(pd.read_parquet(tmp_path / "data" / "calls.parquet")) == 20
    assert len(pd.read_parquet(tmp_path / "after" / "calls.parquet")) == 18


def test_an_accepted_appeal_naming_a_record_the_city_does_not_hold_is_an_error(root, tmp_path):
    write_tables(root, tmp_path / "data", {"calls": CALLS})
    # c20 exists, but it is city b's call
    wrong = appeal(records={"calls": ["c8", "c20"]}, decision="accepted", reason="是", decided=dt.date(2026, 8, 6))
    loaded = load_appeals(root, EV, appeals_file(tmp_path, wrong))
    with pytest.raises(ConfigError) as err:
        write_adjusted_data(root, tmp_path / "data", tmp_path / "after", loaded)
    assert "appeals[0].records.calls" in str(err.value) and "c20" in str(err.value) and "c8" not in str(err.value)


# ---- the sample province's second quarter: params/appeals/demo-2026q2.yaml --------------------------


@pytest.fixture(scope="module")
def q2(root, outputs_dir):
    from hotline_eval.pipeline import prepare

    return prepare(root, "demo-2026q2")


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

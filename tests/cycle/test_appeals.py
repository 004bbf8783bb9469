"""Appeals (§8.2): deadlines, decisions, re-scoring without the records an accepted appeal proves invalid,
and the results before and after both on record. Expected numbers are worked out in the comments."""

import datetime as dt

import pandas as pd
import pytest

from hotline_eval.config.evaluation import Item
from hotline_eval.config.sql import register_tables
from hotline_eval.core.connection import connect
from hotline_eval.core.errors import ConfigError
from hotline_eval.cycle.appeals import load_appeals, write_adjusted_data
from hotline_eval.measure.engine import measure
from hotline_eval.score.rules import pooled_values, score_item
from tests.support.builders import call
from tests.support.hand_built import evaluation, write_tables

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

"""The mapping language by example: the shipped example export (docs/examples/12345-export) read
through params/mappings/example-12345.yaml, a new mapping written as YAML only, and mapping mistakes
named when the mapping loads."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from hotline_eval.core.errors import ConfigError
from hotline_eval.ingest.canonical import ingest
from hotline_eval.ingest.discovery import discover

EXAMPLE = "docs/examples/12345-export"


def beijing(series: pd.Series) -> list[str]:
    return [None if pd.isna(v) else v.tz_convert("Asia/Shanghai").strftime("%m-%d %H:%M:%S") for v in series]


def _cleared(out: Path, table: str) -> list[dict]:
    with (out / "cleared" / f"{table}.csv").open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def rejects(out: Path, table: str) -> list[dict]:
    with (out / "rejects" / f"{table}.csv").open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def example(root, tmp_path_factory):
    folder = root / EXAMPLE
    out = tmp_path_factory.mktemp("example")
    report = ingest(root, discover(root, folder, ["example-12345"], "demo"), out, ["demo"], base_dir=folder)
    return report, out


def test_example_calls_gbk_title_row_date_and_time_columns_durations_and_a_filter(example):
    report, out = example
    (calls,) = [f for f in report.files if f.table == "calls"]
    # 7 rows under the header: H0004 is outbound (filtered, excluded), H0007's talk time "7分钟" is unreadable
    assert (calls.encoding, calls.header_row) == ("gb18030", 2)
    assert (calls.rows_in, calls.accepted, calls.rejected, calls.excluded) == (6, 5, 1, 1)
    frame = pd.read_parquet(out / "data" / "calls.parquet").set_index("call_id")
    assert list(frame.index) == ["H0001", "H0002", "H0003", "H0005", "H0006"]
    # H0001: arrived 08:30:05, 20 s in the voice menu, 35 s queueing, 5 s ringing, talk 00:03:15
    assert beijing(frame.loc[["H0001"], "queue_entered_at"]) == ["07-01 08:30:25"]
    assert beijing(frame.loc[["H0001"], "alerting_at"]) == ["07-01 08:31:00"]
    assert beijing(frame.loc[["H0001"], "answered_at"]) == ["07-01 08:31:05"]
    assert beijing(frame.loc[["H0001"], "ended_at"]) == ["07-01 08:34:20"]  # 20 + 35 + 5 + 195 s
    # H0002 abandoned after 62 s in the queue: no ring, no answer, the empty durations add nothing
    assert beijing(frame.loc["H0002", ["alerting_at", "answered_at", "ended_at"]]) == [None, None, "07-01 08:42:27"]
    # H0003 stayed in the voice menu: no queue entry (when: 呼叫结果 <> 语音自助)
    assert beijing(frame.loc[["H0003"], "queue_entered_at"]) == [None]
    assert frame.loc["H0003", "outcome"] == "ivr_only"
    # H0005 starts at 23:58:30 and ends after midnight, on the next day
    assert beijing(frame.loc[["H0005"], "ended_at"]) == ["07-02 00:03:36"]
    # "138 0000 0001" is the caller of H0001 written with spaces: one hash
    assert frame.loc["H0001", "caller_hash"] == frame.loc["H0005", "caller_hash"]
    (bad,) = rejects(out, "calls")
    assert (bad["行号"], bad["列"], bad["源列"]) == (
        "9",
        "ended_at",
        "来电日期 + 来电时刻 + 语音导航时长（秒） + 排队时长（秒） + 振铃时长（秒） + 通话时长",
    )
    assert "7分钟" in bad["值"] and "时:分:秒" in bad["原因"]


def test_example_tickets_excel_title_rows_excel_dates_and_two_text_formats(example):
    report, out = example
    (tickets,) = [f for f in report.files if f.table == "tickets"]
    # GD0006 closed before it was accepted: the record is kept, its closing time cleared (§5.2.7 consistency)
    assert (tickets.header_row, tickets.rows_in, tickets.accepted, tickets.rejected, tickets.cleared) == (3, 6, 6, 0, 1)
    frame = pd.read_parquet(out / "data" / "tickets.parquet").set_index("ticket_id")
    assert beijing(frame["accepted_at"])[:2] == ["07-01 08:33:40", "07-01 09:15:00"]  # Excel date cells
    # 办结时间 written as 2026年07月03日 16:20 (GD0002) and as 2026-07-06 11:00:00 (GD0004)
    assert beijing(frame.loc[["GD0002", "GD0004"], "closed_at"]) == ["07-03 16:20:00", "07-06 11:00:00"]
    assert beijing(frame.loc[["GD0003"], "closed_at"]) == [None]  # still open
    assert frame.loc["GD0005", "is_valid"] == False  # noqa: E712 (a numpy bool)
    assert frame["unit_id"].dropna().tolist() == ["U-城管局", "U-住建局", "U-城管局"]
    assert beijing(frame.loc[["GD0006"], "closed_at"]) == [None]
    assert rejects(out, "tickets") == []
    (cleared,) = _cleared(out, "tickets")
    assert (cleared["行号"], cleared["列"], cleared["原因"]) == ("9", "closed_at", "办结时间早于受理时间")
    assert "诉求人姓名" in report.personal_columns_dropped
    for path in out.rglob("*"):
        if path.is_file():
            assert "张三".encode() not in path.read_bytes() and b"13800000007" not in path.read_bytes()


NEW_MAPPING = {
    "id": "my-export",
    "name_zh": "测试：只写YAML的新映射",
    "read": {"encoding": "utf-8", "header_row": 1},
    "tables": {
        "calls": {
            "files": "calls*.csv",
            "filter": "\"类型\" <> '虚拟'",
            "columns": {
                "call_id": {"expr": '"线路" || \'-\' || "编号"'},
                "city": {"const": "demo"},
                "arrived_at": {"from": ["日期", "时刻"], "format": ["%y%m%d %H:%M:%S", "%Y/%m/%d %H:%M:%S"]},
                "answered_at": {
                    "from": ["日期", "时刻"],
                    "format": ["%y%m%d %H:%M:%S", "%Y/%m/%d %H:%M:%S"],
                    "add_seconds": "等待",
                    "when": "\"结果\" = '接通'",
                },
                "ended_at": {
                    "from": ["日期", "时刻"],
                    "format": ["%y%m%d %H:%M:%S", "%Y/%m/%d %H:%M:%S"],
                    "add_seconds": ["等待", "通话"],
                },
                "outcome": {"from": "结果", "values": {"接通": "answered", "放弃": "abandoned"}},
                "agent_id": {"from": "坐席", "mask": "id"},
            },
        }
    },
}


@pytest.fixture
def own_root(root, tmp_path):
    """A copy of params/ to which a test adds its own mapping: a new source needs YAML only."""
    copy = tmp_path / "project"
    shutil.copytree(root / "params", copy / "params")
    return copy


def test_a_new_mapping_needs_only_yaml(own_root, tmp_path):
    (own_root / "params" / "mappings" / "my-export.yaml").write_text(
        yaml.safe_dump(NEW_MAPPING, allow_unicode=True), encoding="utf-8"
    )
    data = tmp_path / "exports"
    data.mkdir()
    (data / "calls_1.csv").write_text(
        "线路,编号,类型,日期,时刻,等待,通话,结果,坐席\n"
        "A1,1,真实,260701,09:00:00,30,0:02:00,接通,王小明\n"  # answered 09:00:30, ended 09:02:30
        "A2,1,真实,2026/07/01,09:10:00,45,,放弃,\n"  # the other date layout; no talk time
        "A1,2,虚拟,260701,09:20:00,0,0,接通,王小明\n",  # a virtual call: excluded
        encoding="utf-8",
    )
    report = ingest(own_root, discover(own_root, data, ["my-export"], None), tmp_path / "out", ["demo"])
    (counted,) = report.files
    assert (counted.rows_in, counted.accepted, counted.rejected, counted.excluded) == (2, 2, 0, 1)
    frame = pd.read_parquet(tmp_path / "out" / "data" / "calls.parquet").set_index("call_id")
    assert beijing(frame["answered_at"]) == ["07-01 09:00:30", None]
    assert beijing(frame["ended_at"]) == ["07-01 09:02:30", "07-01 09:10:45"]
    assert frame.loc["A1-1", "city"] == "demo"
    assert len(frame.loc["A1-1", "agent_id"]) == 16 and "王小明" not in frame["agent_id"].fillna("").tolist()
    assert set(counted.provided) >= {"call_id", "arrived_at", "answered_at", "ended_at", "outcome", "agent_id"}
    assert "alerting_at" not in counted.provided and "is_valid" in counted.provided  # is_valid is presumed


@pytest.mark.parametrize(
    ("column", "spec", "message"),
    [
        ("outcome", {"from": "结果", "add_seconds": "等待"}, "不是时间戳"),
        ("agent_id", {"from": "坐席", "mask": "id", "values": {"x": "y"}}, "脱敏列"),
        ("agent_id", {"const": "x", "when": "true"}, "const"),
        ("agent_id", {"from": ["坐席", "线路"], "mask": "id"}, "只含一列"),
        ("outcome", {"from": "结果", "format": "%Y"}, "只有时间和日期列才能设 format"),
        ("caller_hash", {"from": "线路"}, "须写 mask: phone"),  # the number would be stored as it is
    ],
)
def test_mapping_mistakes_are_named(own_root, column, spec, message):
    from hotline_eval.config.mapping import load_mapping

    mapping = yaml.safe_load(yaml.safe_dump(NEW_MAPPING, allow_unicode=True))
    mapping["tables"]["calls"]["columns"][column] = spec
    (own_root / "params" / "mappings" / "my-export.yaml").write_text(
        yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=message):
        load_mapping(own_root, "my-export")

"""Property-based tests (hypothesis) of ingest.

Ingest: for any mix of good and bad rows, in any supported encoding and line ending, with
awkward text (commas, quotes, line breaks, Chinese) in a free-text column, ingest accepts
exactly the rows an independent Python reading of the same rows says are good, rejects the
others at the right row numbers, and returns the text unchanged; every accepted time layout
means the same instant.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotline_eval.config.mapping import load_mapping
from hotline_eval.ingest.canonical import ingest
from hotline_eval.ingest.discovery import InputFile
from hotline_eval.ingest.textfiles import WHITESPACE

HEADER = [
    "呼叫流水号",
    "来电时间",
    "进入队列时间",
    "振铃时间",
    "应答时间",
    "挂机时间",
    "呼叫结果",
    "坐席工号",
    "转接类型",
    "满意度评价",
    "主叫号码",
    "有效标识",
    "无效原因",
]
OUTCOMES = {"人工接通": "answered", "放弃": "abandoned", "系统拒接": "rejected"}
START = dt.datetime(2026, 7, 1, 8, 0, 0)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# ---------------------------------------------------------------------------------------------
# Ingest


text_values = st.one_of(
    st.text(alphabet=st.sampled_from(list("ab,\"\n 临江工号—’'\\;\t\u3000\u00a0")), max_size=8),
    st.sampled_from(["A01", "坐席7", "NULL", "无", "-", " A02 "]),
)


@st.composite
def call_rows(draw):
    """A vendor-a call row and whether it is good (decided here, independently of ingest)."""
    n = draw(st.integers(0, 40))
    start = START + dt.timedelta(minutes=n)
    length = draw(st.integers(-120, 600))  # negative: ends before it arrives
    outcome = draw(st.sampled_from([*OUTCOMES, "挂断"]))  # 挂断 is not a known code
    arrived = draw(st.sampled_from([start.strftime("%Y-%m-%d %H:%M:%S"), "2026-07-01 25:00:00", ""]))
    answered = (start + dt.timedelta(seconds=5)).strftime("%Y-%m-%d %H:%M:%S") if outcome == "人工接通" else ""
    row = {
        "呼叫流水号": f"C{draw(st.integers(0, 12))}",
        "来电时间": arrived,
        "进入队列时间": "",
        "振铃时间": "",
        "应答时间": answered,
        "挂机时间": (start + dt.timedelta(seconds=length)).strftime("%Y-%m-%d %H:%M:%S"),
        "呼叫结果": outcome,
        "坐席工号": draw(text_values),
        "转接类型": "无",
        "满意度评价": "",
        "主叫号码": f"13{draw(st.integers(100000000, 999999999))}",
        "有效标识": "有效",
        "无效原因": "",
    }
    valid_time = arrived == start.strftime("%Y-%m-%d %H:%M:%S")
    # the schema's row rules: ends not before it arrives (ending before the answer is left to the
    # quality assessment's consistency checks, §5.2.7)
    good = valid_time and outcome in OUTCOMES and length >= 0
    return row, good


def expected(rows: list[tuple[dict, bool]]) -> tuple[list[int], list[str]]:
    """Rejected row numbers (header = row 1) and accepted ids, by plain Python.

    A row is rejected when it is bad on its own or repeats an id seen in an earlier row.
    """
    seen: set[str] = set()
    rejected, accepted = [], []
    for number, (row, good) in enumerate(rows, start=2):
        duplicate = row["呼叫流水号"] in seen
        seen.add(row["呼叫流水号"])
        if good and not duplicate:
            accepted.append(row["呼叫流水号"])
        else:
            rejected.append(number)
    return rejected, accepted


def write(rows: list[dict], path: Path, encoding: str, newline: str) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=HEADER, lineterminator=newline)
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


@pytest.fixture
def scratch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("prop")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@SETTINGS
@given(
    st.lists(call_rows(), min_size=1, max_size=30),
    st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]),
    st.sampled_from(["\n", "\r\n"]),
)
def test_ingest_accepts_exactly_the_good_rows_and_keeps_their_text(root, scratch, rows, encoding, newline):
    path = scratch / f"话务明细_{len(list(scratch.iterdir()))}.csv"
    out = path.with_suffix("")
    write([r for r, _ in rows], path, encoding, newline)
    report = ingest(root, [InputFile(path, "vendor-a", "calls", "linjiang")], out, ["linjiang"], base_dir=scratch)
    rejected, accepted = expected(rows)
    nulls = set(load_mapping(root, "vendor-a").read_options("calls").null_values)
    assert report.totals()["calls"] == {"rows_in": len(rows), "accepted": len(accepted), "rejected": len(rejected)}
    with (out / "rejects" / "calls.csv").open(encoding="utf-8-sig") as fh:
        assert [int(r["行号"]) for r in csv.DictReader(fh)] == rejected
    data = pd.read_parquet(out / "data" / "calls.parquet")
    assert data["call_id"].tolist() == accepted  # in file order
    agents = [r["坐席工号"] for r, _ in rows]
    first_good = {
        row["呼叫流水号"]: row["坐席工号"]
        for (row, _), n in zip(rows, range(2, len(rows) + 2), strict=True)
        if n not in rejected
    }
    for call_id, agent in zip(data["call_id"], data["agent_id"], strict=True):
        raw = first_good[call_id]
        agent = None if pd.isna(agent) else agent
        stripped = raw.strip(WHITESPACE)
        assert agent == (None if stripped in nulls or not stripped else stripped), (raw, agent, agents)


beijing_times = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31)).map(
    lambda t: t.replace(microsecond=0)
)
LAYOUTS = ["%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y%m%d%H%M%S", "%Y年%m月%d日 %H:%M:%S"]


@SETTINGS
@given(
    st.lists(
        st.tuples(beijing_times, st.sampled_from(LAYOUTS), st.sampled_from(["naive", "+08:00", "Z"])),
        min_size=1,
        max_size=12,
    )
)
def test_every_time_layout_means_the_same_instant(corpus_root, scratch, stamps):
    # naive text is Beijing time (UTC+8 all year since 1991); an offset is honoured
    lines = ["呼叫编号,城市,来电时间,应答时间,挂机时间,呼叫结果,主叫号码,坐席工号,姓名"]
    instants = []
    for i, (t, layout, zone) in enumerate(stamps):
        utc = t - dt.timedelta(hours=8)
        if zone == "naive":
            text = t.strftime(layout)
        elif zone == "+08:00":
            text = t.strftime("%Y-%m-%dT%H:%M:%S") + "+08:00"
        else:
            text = utc.strftime("%Y-%m-%dT%H:%M:%S") + "Z"
        lines.append(f"F{i},linjiang,{text},,2100-01-01 00:00:00,放弃,,,")
        instants.append(pd.Timestamp(utc, tz="UTC"))
    path = scratch / f"flex_{len(list(scratch.iterdir()))}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = path.with_suffix("")
    report = ingest(corpus_root, [InputFile(path, "corpus-flex", "calls")], out, ["linjiang"], base_dir=scratch)
    assert report.totals()["calls"]["accepted"] == len(stamps)
    data = pd.read_parquet(out / "data" / "calls.parquet")
    assert data["arrived_at"].tolist() == instants

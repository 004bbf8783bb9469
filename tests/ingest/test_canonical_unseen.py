"""The worked example's exports changed in ordinary ways nobody here wrote (line ends converted twice,
a header repeated by joining files, Excel's scientific notation, two-digit years, a bad closing
time): every row is accepted, rejected, excluded or kept with a field cleared, and each is listed."""

from __future__ import annotations

import csv
import shutil

import duckdb
import pandas as pd
import pytest

from hotline_eval.ingest.canonical import ingest
from hotline_eval.ingest.discovery import InputFile, discover

EXAMPLE = "docs/examples/12345-export"
CALLS = "话务清单_2026-07.csv"
# The example's calls: 7 rows under the header; H0004 is outbound (excluded), H0007 has an unreadable talk time.
BASE = (6, 5, 1, 1)  # rows_in (of the table), accepted, rejected, excluded


def listed(out, name):
    with (out / name).open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def run(root, tmp_path, change):
    folder = tmp_path / "in"
    shutil.copytree(root / EXAMPLE, folder)
    path = folder / CALLS
    text = path.read_bytes().decode("gb18030").replace("\r\n", "\n")
    path.write_bytes(change(text).encode("gb18030"))
    out = tmp_path / "out"
    report = ingest(root, discover(root, folder, ["example-12345"], "demo"), out, ["demo"], base_dir=folder)
    (calls,) = [f for f in report.files if f.table == "calls"]
    assert calls.rows_in == calls.accepted + calls.rejected
    assert len(listed(out, "rejects/calls.csv")) == calls.rejected
    assert len([r for r in listed(out, "excluded.csv") if r["表"] == "calls"]) == calls.excluded
    return calls, out


@pytest.mark.parametrize(
    "line_end",
    [pytest.param("\r\r\n", id="CR-CR-LF"), pytest.param("\r", id="CR-only"), pytest.param("\r\n", id="CRLF")],
)
def test_any_line_end_reads_every_row(root, tmp_path, line_end):
    calls, _ = run(root, tmp_path, lambda t: t.replace("\n", line_end))
    assert (calls.rows_in, calls.accepted, calls.rejected, calls.excluded) == BASE


def test_line_ends_mixed_within_a_file(root, tmp_path):
    def mix(text):
        lines = text.split("\n")
        return "".join(line + ("\r\n", "\n", "\r", "\r\r\n")[i % 4] for i, line in enumerate(lines) if line)

    calls, _ = run(root, tmp_path, mix)
    assert (calls.rows_in, calls.accepted, calls.rejected, calls.excluded) == BASE


def test_the_filter_applies_to_well_formed_rows_only_and_excluded_rows_are_listed(root, tmp_path):
    def damage(text):
        lines = text.split("\n")
        header, h0001 = lines[1], lines[2]
        extra = [
            header,  # file 7: the header again (two exports joined)
            "H0099",  # file 8: a row of one field
            h0001.replace("H0001", "H0098").replace("呼入", "呼入\u200b"),  # file 9: a zero-width space
            h0001.replace("H0001", "H0097").replace("呼入", ""),  # file 10: the filter column empty
        ]
        return "\n".join(lines[:6] + extra + lines[6:])

    calls, out = run(root, tmp_path, damage)
    # 7 + 4 rows under the header: H0098 is inbound and accepted; the header, the short row and the
    # row the filter cannot decide are rejected; H0004 (outbound, file row 6) is the one excluded
    assert (calls.rows_in, calls.accepted, calls.rejected, calls.excluded) == (10, 6, 4, 1)
    reasons = {r["行号"]: r["原因"] for r in listed(out, "rejects/calls.csv")}
    assert "表头行" in reasons["7"] and "字段数少于表头" in reasons["8"] and "筛选条件" in reasons["10"]
    (excluded,) = listed(out, "excluded.csv")
    assert (excluded["文件"], excluded["行号"], excluded["筛选所用列的值"]) == (CALLS, "6", "呼叫方向=呼出")
    assert "H0098" in pd.read_parquet(out / "data" / "calls.parquet")["call_id"].tolist()


def test_two_digit_years_are_refused_unless_the_format_says_so(root, tmp_path):
    calls, out = run(root, tmp_path, lambda t: t.replace("2026-07-01", "26-07-01"))
    # H0001–H0005 are dated 07-01: read as the year 26 they are rejected; H0006 stays, H0007 as before
    assert (calls.accepted, calls.rejected) == (1, 5)
    reasons = [r["原因"] for r in listed(out, "rejects/calls.csv") if r["行号"] != "9"]
    assert len(reasons) == 4 and all("年份不是四位数" in r for r in reasons)  # H0004 is excluded first


def test_scientific_notation_rejects_an_id_and_clears_a_phone_number(root, tmp_path):
    def excel(text):
        return text.replace("13800000002", "1.38E+10").replace("13800000003", "1.38E+10").replace("H0003", "1.23E+04")

    calls, out = run(root, tmp_path, excel)
    assert (calls.accepted, calls.rejected, calls.cleared) == (4, 2, 1)
    frame = pd.read_parquet(out / "data" / "calls.parquet").set_index("call_id")
    assert pd.isna(frame.loc["H0002", "caller_hash"])  # not the hash of "13810", shared with H0003
    (cleared,) = listed(out, "cleared/calls.csv")
    assert (cleared["行号"], cleared["列"]) == ("4", "caller_hash") and "科学计数法" in cleared["原因"]
    bad_id = [r for r in listed(out, "rejects/calls.csv") if r["列"] == "call_id"]
    assert [(r["行号"], r["值"]) for r in bad_id] == [("5", "1.23E+04")]


@pytest.mark.parametrize(
    ("other", "bad_column"),
    [
        pytest.param("1.5 AS is_valid", "is_valid", id="boolean-vs-number"),
        pytest.param("[1, 2] AS arrived_at", "arrived_at", id="timestamp-vs-list"),
    ],
)
def test_parquet_files_of_one_table_with_other_column_types_are_read_each_with_its_own(
    root, tmp_path, other, bad_column
):
    # Two canonical calls files that disagree on a column's type: the first file's values must not be
    # cast to the second's (true would read as 1.0 and be rejected), and nothing may crash.
    first = (
        "'C1' AS call_id, 'linjiang' AS city, TIMESTAMP '2026-07-01 09:00:00' AS arrived_at, "
        "TIMESTAMP '2026-07-01 09:03:00' AS ended_at, 'abandoned' AS outcome, true AS is_valid"
    )
    second = ", ".join(other if part.endswith(f"AS {bad_column}") else part for part in first.split(", "))
    second = second.replace("'C1'", "'C2'")
    for name, select in (("calls_a.parquet", first), ("calls_b.parquet", second)):
        duckdb.sql(f"COPY (SELECT {select}) TO '{tmp_path / name}'")
    files = [InputFile(tmp_path / n, "canonical", "calls", "linjiang") for n in ("calls_a.parquet", "calls_b.parquet")]
    report = ingest(root, files, tmp_path / "out", ["linjiang"], base_dir=tmp_path)
    assert [(f.file, f.accepted, f.rejected) for f in report.files] == [
        ("calls_a.parquet", 1, 0),
        ("calls_b.parquet", 0, 1),
    ]
    (bad,) = listed(tmp_path / "out", "rejects/calls.csv")
    assert (bad["文件"], bad["列"]) == ("calls_b.parquet", bad_column)

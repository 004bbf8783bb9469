"""Ingest: encodings, Excel title rows, rejects with file/row/column/reason, reconciliation, masking."""

import csv
import filecmp

import duckdb
import pandas as pd
import pytest
import xlsxwriter

from hotline_eval.core.errors import InputError
from hotline_eval.ingest.canonical import ingest
from hotline_eval.ingest.discovery import InputFile
from tests.support import CORPUS

HEADER_A = "呼叫流水号,来电时间,进入队列时间,振铃时间,应答时间,挂机时间,呼叫结果,坐席工号,转接类型,满意度评价,主叫号码,有效标识,无效原因"
ROWS_A = [
    # 1 good answered call
    "C1,2026-07-01 09:00:00,2026-07-01 09:00:20,2026-07-01 09:00:25,2026-07-01 09:00:30,2026-07-01 09:03:30,人工接通,A01,无,满意,13812345678,有效,",
    # 2 good abandon, same caller written differently (+86 and spaces): must hash alike
    "C2,2026-07-01 09:05:00,2026-07-01 09:05:10,,,2026-07-01 09:05:50,放弃,,,未评价,+86 138 1234 5678,有效,",
    # 3 bad timestamp
    "C3,2026/07/01 9点,2026-07-01 09:10:10,,,2026-07-01 09:10:50,放弃,,,,13900000000,有效,",
    # 4 unknown outcome code
    "C4,2026-07-01 09:20:00,2026-07-01 09:20:10,,,2026-07-01 09:20:50,挂断,,,,13900000001,有效,",
    # 5 duplicate id of row 1
    "C1,2026-07-01 09:30:00,2026-07-01 09:30:10,,,2026-07-01 09:30:50,放弃,,,,13900000002,有效,",
    # 6 call ended before it arrived
    "C6,2026-07-01 10:00:00,,,,2026-07-01 09:00:00,放弃,,,,13900000003,有效,",
]


def write_csv(path, header, rows, encoding="utf-8-sig"):
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))
    return path


def run(root, tmp_path, files, cities=("linjiang",)):
    report = ingest(root, files, tmp_path / "out", list(cities), base_dir=tmp_path)
    return report, tmp_path / "out"


def rejects(out, table):
    with (out / "rejects" / f"{table}.csv").open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def test_utf8_csv_rejects_are_named_and_counts_reconcile(root, tmp_path):
    path = write_csv(tmp_path / "话务明细_2026-07.csv", HEADER_A, ROWS_A)
    report, out = run(root, tmp_path, [InputFile(path, "vendor-a", "calls", "linjiang")])
    counts = report.totals()["calls"]
    assert counts == {"rows_in": 6, "accepted": 2, "rejected": 4}
    bad = {int(r["行号"]): r for r in rejects(out, "calls")}
    assert set(bad) == {4, 5, 6, 7}  # file rows (the header is row 1)
    assert bad[4]["列"] == "arrived_at" and "无法解析为时间" in bad[4]["原因"]
    assert bad[5]["列"] == "outcome" and bad[5]["值"] == "挂断" and "代码" in bad[5]["原因"]
    assert bad[6]["列"] == "call_id" and "第2行" in bad[6]["原因"]
    assert bad[7]["列"] == "ended_at"
    assert all(r["文件"] == "话务明细_2026-07.csv" and r["处理建议"] for r in bad.values())


def test_phone_numbers_become_one_salted_hash_and_never_reach_the_output(root, tmp_path):
    path = write_csv(tmp_path / "话务明细_2026-07.csv", HEADER_A, ROWS_A)
    _, out = run(root, tmp_path, [InputFile(path, "vendor-a", "calls", "linjiang")])
    calls = pd.read_parquet(out / "data" / "calls.parquet")
    assert calls["caller_hash"].nunique() == 1  # +86 138 1234 5678 is the same caller as 13812345678
    assert len(calls["caller_hash"].iloc[0]) == 16
    for file in (out / "data" / "calls.parquet", out / "rejects" / "calls.csv"):
        text = file.read_bytes()
        for number in (b"13812345678", b"13900000000", b"13900000001", b"13900000003"):
            assert number not in text


def test_timestamps_are_read_as_beijing_time(root, tmp_path):
    path = write_csv(tmp_path / "话务明细_2026-07.csv", HEADER_A, ROWS_A[:1])
    _, out = run(root, tmp_path, [InputFile(path, "vendor-a", "calls", "linjiang")])
    arrived = pd.read_parquet(out / "data" / "calls.parquet")["arrived_at"].iloc[0]
    assert arrived.tz_convert("Asia/Shanghai").strftime("%Y-%m-%d %H:%M") == "2026-07-01 09:00"
    assert arrived.tz_convert("UTC").hour == 1


def test_gbk_csv_of_vendor_b_is_read(root, tmp_path):
    header = (
        "呼叫ID,呼入时间,排队开始,振铃开始,接听时间,结束时间,呼叫状态,工号,转接去向,评价结果,来电号码,是否有效,无效类型"
    )
    rows = [
        "B1,2026/07/02 10:00:00,2026/07/02 10:00:05,2026/07/02 10:00:09,2026/07/02 10:00:12,"
        "2026/07/02 10:04:00,接通,Q01,0,2,13711112222,1,"
    ]
    path = write_csv(tmp_path / "呼叫记录_2026-07.csv", header, rows, encoding="gb18030")
    report, out = run(root, tmp_path, [InputFile(path, "vendor-b", "calls", "qingshan")], cities=["qingshan"])
    assert report.files[0].encoding == "gb18030"
    calls = pd.read_parquet(out / "data" / "calls.parquet")
    assert calls.loc[0, "outcome"] == "answered" and calls.loc[0, "survey_level"] == "satisfied"
    assert calls.loc[0, "transfer_target_type"] == "none"


def test_xlsx_with_title_rows_and_a_merged_title(root, tmp_path):
    path = tmp_path / "话务报表_2026-07.xlsx"
    header = [
        "话单号",
        "呼入时间",
        "转人工时间",
        "振铃时间",
        "摘机时间",
        "挂断时间",
        "通话结果",
        "话务员",
        "来电号码",
        "有效",
    ]
    import datetime as dt

    with xlsxwriter.Workbook(path, {"default_date_format": "yyyy-mm-dd hh:mm:ss"}) as wb:
        ws = wb.add_worksheet()
        ws.merge_range(0, 0, 0, 9, "南湖市12345热线话务报表")
        ws.write_row(1, 0, ["导出时间：2026-08-01"])
        ws.write_row(2, 0, header)
        t = dt.datetime(2026, 7, 3, 8, 0, 0)
        ws.write_row(
            3,
            0,
            [
                "X1",
                t,
                t,
                t,
                t + dt.timedelta(seconds=9),
                t + dt.timedelta(seconds=99),
                "已接听",
                "N1",
                13600001111,
                "是",
            ],
        )
        ws.write_row(4, 0, ["X2", "不是时间", None, None, None, t, "未接听放弃", None, 13600001112, "是"])
    report, out = run(root, tmp_path, [InputFile(path, "vendor-c", "calls", "nanhu")], cities=["nanhu"])
    assert report.files[0].header_row == 3
    assert report.totals()["calls"] == {"rows_in": 2, "accepted": 1, "rejected": 1}
    assert rejects(out, "calls")[0]["行号"] == "5"
    calls = pd.read_parquet(out / "data" / "calls.parquet")
    assert calls.loc[0, "outcome"] == "answered"
    assert (calls.loc[0, "ended_at"] - calls.loc[0, "arrived_at"]).total_seconds() == 99


def test_a_workbook_whose_rows_are_on_another_sheet_is_an_error_not_an_empty_export(root, tmp_path):
    """The first sheet has the header and nothing under it, the records are on a second sheet: reading
    the first sheet only gave a file of 0 rows and the records vanished (issue 17)."""
    path = tmp_path / "话务报表_2026-07.xlsx"
    header = ["话单号", "呼入时间", "挂断时间", "通话结果", "有效"]
    with xlsxwriter.Workbook(path) as wb:
        wb.add_worksheet("表头").write_row(0, 0, header)
        data = wb.add_worksheet("7月明细")
        data.write_row(0, 0, header)
        data.write_row(1, 0, ["X1", "2026-07-03 08:00:00", "2026-07-03 08:01:39", "已接听", "是"])
    with pytest.raises(InputError) as err:
        run(root, tmp_path, [InputFile(path, "vendor-c", "calls", "nanhu")], cities=["nanhu"])
    message = str(err.value)
    assert "话务报表_2026-07.xlsx" in message and "7月明细" in message and "read.sheet" in message
    # a header-only workbook of one sheet is an empty export, not an error
    with xlsxwriter.Workbook(path) as wb:
        wb.add_worksheet("表头").write_row(0, 0, header)
    report, _ = run(root, tmp_path, [InputFile(path, "vendor-c", "calls", "nanhu")], cities=["nanhu"])
    assert report.totals()["calls"] == {"rows_in": 0, "accepted": 0, "rejected": 0}


def test_a_city_outside_the_evaluation_is_rejected_not_lost(root, tmp_path):
    path = write_csv(tmp_path / "话务明细_2026-07.csv", HEADER_A, ROWS_A[:2])
    report, out = run(root, tmp_path, [InputFile(path, "vendor-a", "calls", "atlantis")])
    assert report.totals()["calls"] == {"rows_in": 2, "accepted": 0, "rejected": 2}
    assert all(r["列"] == "city" and "不在本次评价对象" in r["原因"] for r in rejects(out, "calls"))


def test_a_missing_required_column_is_a_clear_error(root, tmp_path):
    header = HEADER_A.replace("来电时间", "来电日期")
    path = write_csv(tmp_path / "话务明细_2026-07.csv", header, ROWS_A[:1])
    with pytest.raises(InputError) as err:
        run(root, tmp_path, [InputFile(path, "vendor-a", "calls", "linjiang")])
    message = str(err.value)
    assert "话务明细_2026-07.csv" in message and "来电时间" in message and "vendor-a.yaml" in message


def test_every_canonical_table_is_written_even_without_input(root, tmp_path):
    path = write_csv(tmp_path / "话务明细_2026-07.csv", HEADER_A, ROWS_A[:1])
    _, out = run(root, tmp_path, [InputFile(path, "vendor-a", "calls", "linjiang")])
    assert duckdb.sql(f"SELECT count(*) FROM '{out / 'data' / 'tickets.parquet'}'").fetchall()[0][0] == 0
    assert (out / "rejects" / "tickets.csv").exists()


def test_ingesting_the_same_files_twice_gives_identical_files(root, tmp_path):
    # the whole corpus that can be read, several systems and tables at once
    from hotline_eval.ingest.discovery import InputFile

    files = [
        InputFile(CORPUS / "files" / name, "vendor-a", "calls", "linjiang")
        for name in ("enc_gbk.csv", "ragged_rows.csv", "calls_duplicate_ids.csv", "inject_formula.csv", "typed.parquet")
    ] + [InputFile(CORPUS / "files" / "xlsx_title_merged.xlsx", "vendor-c", "calls", "nanhu")]
    cities = ["linjiang", "nanhu"]
    first = ingest(root, files, tmp_path / "a", cities, base_dir=CORPUS)
    second = ingest(root, list(reversed(files))[::-1], tmp_path / "b", cities, base_dir=CORPUS)
    assert first.as_dict() == second.as_dict()
    for sub in ("data", "rejects"):
        compared = filecmp.dircmp(tmp_path / "a" / sub, tmp_path / "b" / sub)
        assert compared.left_only == compared.right_only == []
        _, mismatch, errors = filecmp.cmpfiles(
            tmp_path / "a" / sub, tmp_path / "b" / sub, compared.common, shallow=False
        )
        assert mismatch == errors == []

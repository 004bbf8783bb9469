"""The bad-input corpus (tests/corpus/): every file gets a clear error or counted rejections.

For each file the expected numbers are worked out from the file itself (tests/corpus/build.py
writes it, tests/corpus/README.md describes it): rows in = accepted + rejected, exactly, and
every rejected row is named by file, row (as a spreadsheet numbers it: header and title rows
included), column, reason and what to do.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from hotline_eval.core.errors import InputError, InputErrors
from hotline_eval.ingest.canonical import ingest
from hotline_eval.ingest.discovery import InputFile
from tests.support import CORPUS

FILES = CORPUS / "files"
CITIES = ["linjiang", "qingshan", "nanhu"]
HEADER_A = "呼叫流水号,来电时间,进入队列时间,振铃时间,应答时间,挂机时间,呼叫结果,坐席工号,转接类型,满意度评价,主叫号码,有效标识,无效原因"
UTC = dt.UTC


def run(corpus_root: Path, tmp_path: Path, name: str, system: str = "vendor-a", table: str = "calls", city="linjiang"):
    out = tmp_path / "out"
    report = ingest(corpus_root, [InputFile(FILES / name, system, table, city)], out, CITIES, base_dir=FILES)
    (count,) = report.files
    assert count.rows_in == count.accepted + count.rejected, "rows in = accepted + rejected"
    with (out / "rejects" / f"{table}.csv").open(encoding="utf-8-sig") as fh:
        rejected = list(csv.DictReader(fh))
    assert len(rejected) == count.rejected, "every rejected row is listed"
    data = pd.read_parquet(out / "data" / f"{table}.parquet")
    assert len(data) == count.accepted, "every accepted row is in the table"
    return count, rejected, data


# (file, system, table, city) → (rows in, accepted, rejected, {row: (column, words of the reason)})
COUNTED = {
    # 3 good rows behind a UTF-8 byte-order mark
    "enc_utf8_bom.csv": (3, 3, 0, {}),
    # the same rows in GB18030: detected, read
    "enc_gbk.csv": (3, 3, 0, {}),
    # UTF-16 with BOM (Excel "Unicode text" but comma-separated), CRLF: read
    "enc_utf16.csv": (3, 3, 0, {}),
    # UTF-8 file whose rows 2 and 4 were saved in GBK: 5 rows = 3 + 2 rejected with their numbers
    "enc_utf8_with_gbk_rows.csv": (5, 3, 2, {2: ("(整行)", "编码"), 4: ("(整行)", "编码")}),
    # CRLF and LF lines mixed: 4 rows, all read
    "enc_mixed_newlines.csv": (4, 4, 0, {}),
    # header lacks an optional column (满意度评价): 2 rows accepted, survey_level empty
    "col_missing_optional.csv": (2, 2, 0, {}),
    # an extra column (备注) and a personal column (诉求人姓名): ignored, not staged
    "col_extra.csv": (2, 2, 0, {}),
    # 12 time formats (corpus-flex declares none): 6 naive + 3 with offsets parse, 3 do not
    "flex_timestamp_formats.csv": (
        12,
        9,
        3,
        {
            11: ("arrived_at", "无法解析为时间"),
            12: ("arrived_at", "无法解析为时间"),
            13: ("arrived_at", "无法解析为时间"),
        },
    ),
    # vendor-a declares %Y-%m-%d %H:%M:%S: an ISO time with offset and fractional seconds do not fit
    "calls_aware_with_declared_format.csv": (
        3,
        1,
        2,
        {3: ("arrived_at", "%Y-%m-%d %H:%M:%S"), 4: ("ended_at", "%Y-%m-%d %H:%M:%S")},
    ),
    # qc scores: 90 ok; 95% (a percentage in a 0–100 score), 九十, 101, -3, "1,000"; veto 也许; 录音 unmapped
    "flex_qc_wrong_types.csv": (
        8,
        1,
        7,
        {
            3: ("score", "不是数值"),
            4: ("score", "不是数值"),
            5: ("score", "大于允许的最大值 100"),
            6: ("score", "小于允许的最小值 0"),
            7: ("score", "大于允许的最大值 100"),
            8: ("veto", "不是是/否值"),
            9: ("object_type", "代码不在允许范围内"),
        },
    ),
    # ended before arrival, answered before arrival, "answered" without an answer time
    "calls_negative_durations.csv": (
        4,
        1,
        3,
        {
            3: ("ended_at", "结束时间早于来电时间"),
            4: ("answered_at", "应答时间早于来电时间"),
            5: ("answered_at", "没有应答时间"),
        },
    ),
    # rows not in time order: nothing wrong with that
    "calls_unsorted.csv": (3, 3, 0, {}),
    # a city outside the evaluation and an empty city (corpus-flex reads the city column)
    "flex_city_not_in_evaluation.csv": (4, 2, 2, {3: ("city", "不在本次评价对象"), 4: ("city", "城市为空")}),
    # codes the mapping does not know, one per coded column
    "calls_unknown_codes.csv": (
        4,
        1,
        3,
        {3: ("outcome", "代码"), 4: ("transfer_target_type", "代码"), 5: ("survey_level", "代码")},
    ),
    # a header and no rows: zero rows, no error
    "header_only.csv": (0, 0, 0, {}),
    # the file ends in the middle of row 4: 3 rows = 2 + the cut row
    "truncated_mid_row.csv": (3, 2, 1, {4: ("(整行)", "字段数少于表头")}),
    # row 3 has a field too many, row 4 four too few, row 5 is blank (not a row), row 6 a bad time:
    # 5 rows = 2 + 3, and row 6 keeps its number although rows 3–5 were set aside before it
    "ragged_rows.csv": (
        5,
        2,
        3,
        {3: ("(整行)", "字段数多于表头"), 4: ("(整行)", "字段数少于表头"), 6: ("arrived_at", "无法解析为时间")},
    ),
    # a quoted value spanning two lines is one row (as in a spreadsheet): the bad time is row 3
    "quoted_newline.csv": (3, 2, 1, {3: ("arrived_at", "无法解析为时间")}),
    # Parquet with real TIMESTAMP columns
    "typed.parquet": (3, 3, 0, {}),
    # formula-looking values: rejected as unknown codes / not a boolean, written inert
    "inject_formula.csv": (
        5,
        1,
        4,
        {
            2: ("outcome", "代码"),
            3: ("transfer_target_type", "代码"),
            4: ("survey_level", "代码"),
            5: ("is_valid", "是/否"),
        },
    ),
    # personal numbers in the wrong columns: rejected, and masked in the rejects file
    "pii_in_values.csv": (
        3,
        0,
        3,
        {2: ("outcome", "代码"), 3: ("transfer_target_type", "代码"), 4: ("survey_level", "代码")},
    ),
}
SPECIAL = {
    "flex_timestamp_formats.csv": ("corpus-flex", "calls", None),
    "flex_qc_wrong_types.csv": ("corpus-flex", "qc_samples", None),
    "flex_city_not_in_evaluation.csv": ("corpus-flex", "calls", None),
}


@pytest.mark.parametrize("name", sorted(COUNTED))
def test_counted_rejections_name_row_column_reason_and_fix(corpus_root, tmp_path, name):
    system, table, city = SPECIAL.get(name, ("vendor-a", "calls", "linjiang"))
    rows_in, accepted, rejected, expected = COUNTED[name]
    count, rejects, _ = run(corpus_root, tmp_path, name, system, table, city)
    assert (count.rows_in, count.accepted, count.rejected) == (rows_in, accepted, rejected)
    found = {int(r["行号"]): r for r in rejects}
    assert set(found) == set(expected)
    for row, (column, words) in expected.items():
        assert found[row]["文件"] == name
        assert found[row]["列"] == column
        assert words in found[row]["原因"], found[row]
        assert found[row]["处理建议"], "every rejection says what to do"


def test_excel_title_rows_merged_cells_blank_row_and_total_row(corpus_root, tmp_path):
    # Rows 1–2 title and note, header in row 3, data in rows 4 and 6–9, row 5 blank; the 有效
    # cell is merged over rows 6–7; row 8 has text in a time cell; row 9 is a 合计 total row.
    count, rejects, data = run(corpus_root, tmp_path, "xlsx_title_merged.xlsx", "vendor-c", "calls", "nanhu")
    assert count.header_row == 3 and count.blank_rows == 1
    assert (count.rows_in, count.accepted, count.rejected) == (5, 3, 2)
    assert {(int(r["行号"]), r["列"]) for r in rejects} == {(8, "arrived_at"), (9, "arrived_at")}
    assert {r["原因"] for r in rejects} == {"无法解析为时间", "必填字段为空"}
    # the merged 是 reached both rows it covers: X2 and X3 are valid calls
    assert data.set_index("call_id").loc[["X1", "X2", "X3"], "is_valid"].tolist() == [True, True, True]
    # X1 arrived 2026-07-03 08:01:00 Beijing = 00:01 UTC and ended 99 s later
    x1 = data.set_index("call_id").loc["X1"]
    assert x1["arrived_at"] == pd.Timestamp("2026-07-03 00:01:00", tz="UTC")
    assert (x1["ended_at"] - x1["arrived_at"]).total_seconds() == 99


def test_every_accepted_time_format_gives_the_same_instant(corpus_root, tmp_path):
    # All nine accepted stamps mean 2026-07-01 09:00 Beijing = 01:00 UTC: six naive layouts read as
    # Beijing time, 01:00Z, 09:00+08:00 and 10:00+09:00.
    _, _, data = run(corpus_root, tmp_path, "flex_timestamp_formats.csv", "corpus-flex", "calls", None)
    assert sorted(data["call_id"]) == [f"F{i}" for i in range(1, 10)]
    assert set(data["arrived_at"]) == {pd.Timestamp("2026-07-01 01:00:00", tz="UTC")}


def test_parquet_time_columns_are_used_as_times(corpus_root, tmp_path):
    # P1 arrived 2026-07-01 09:01 Beijing (naive TIMESTAMP column) = 01:01 UTC, answered 30 s later
    _, _, data = run(corpus_root, tmp_path, "typed.parquet")
    p1 = data.set_index("call_id").loc["P1"]
    assert p1["arrived_at"] == pd.Timestamp("2026-07-01 01:01:00", tz="UTC")
    assert (p1["answered_at"] - p1["arrived_at"]).total_seconds() == 30


@pytest.mark.parametrize("name", ["enc_gbk.csv", "enc_utf16.csv", "enc_utf8_with_gbk_rows.csv"])
def test_text_in_other_encodings_keeps_its_meaning(corpus_root, tmp_path, name):
    # 人工接通 and 满意 map to answered and satisfied only when the Chinese text was decoded right
    _, _, data = run(corpus_root, tmp_path, name)
    assert set(data["outcome"]) <= {"answered", "abandoned"} and "answered" in set(data["outcome"])
    assert set(data["survey_level"].dropna()) <= {"satisfied", "dissatisfied"}


def test_missing_optional_column_is_reported_and_left_empty(corpus_root, tmp_path):
    count, _, data = run(corpus_root, tmp_path, "col_missing_optional.csv")
    assert count.missing_columns == ["满意度评价"]
    assert data["survey_level"].isna().all()


def test_extra_and_personal_columns_are_ignored_and_never_stored(corpus_root, tmp_path):
    count, _, _ = run(corpus_root, tmp_path, "col_extra.csv")
    assert count.ignored_columns == ["备注"]  # the personal column is dropped, not listed
    stored = b"".join(p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file())
    for name in ("李四", "王五", "回访两次"):
        assert name.encode() not in stored


def test_duplicate_ids_within_and_across_files_keep_the_first(corpus_root, tmp_path):
    # file 1: C1 C2 C1 C3 C3 (rows 2–6); file 2: C2 C9 (rows 2–3) → 7 rows, 4 kept (C1 C2 C3 C9),
    # 3 rejected: file 1 row 4 (C1 of row 2), file 1 row 6 (C3 of row 5), file 2 row 2 (C2 of file 1 row 3)
    files = [
        InputFile(FILES / n, "vendor-a", "calls", "linjiang")
        for n in ("calls_duplicate_ids.csv", "calls_duplicate_ids_2.csv")
    ]
    report = ingest(corpus_root, files, tmp_path / "out", CITIES, base_dir=FILES)
    assert report.totals()["calls"] == {"rows_in": 7, "accepted": 4, "rejected": 3}
    with (tmp_path / "out" / "rejects" / "calls.csv").open(encoding="utf-8-sig") as fh:
        rows = [(r["文件"], r["行号"], r["原因"]) for r in csv.DictReader(fh)]
    assert rows == [
        ("calls_duplicate_ids.csv", "4", "编号重复，与calls_duplicate_ids.csv 第2行相同"),
        ("calls_duplicate_ids.csv", "6", "编号重复，与calls_duplicate_ids.csv 第5行相同"),
        ("calls_duplicate_ids_2.csv", "2", "编号重复，与calls_duplicate_ids.csv 第3行相同"),
    ]
    kept = pd.read_parquet(tmp_path / "out" / "data" / "calls.parquet").set_index("call_id")
    assert sorted(kept.index) == ["C1", "C2", "C3", "C9"]
    assert kept.loc["C1", "arrived_at"] == pd.Timestamp("2026-07-01 01:00:00", tz="UTC")  # the first C1


def test_formula_looking_values_are_inert_in_the_rejects_file(corpus_root, tmp_path):
    _, rejects, _ = run(corpus_root, tmp_path, "inject_formula.csv")
    values = {int(r["行号"]): r["值"] for r in rejects}
    assert values[2] == '\'=HYPERLINK("http://example.invalid","点我")'
    assert values[3] == "'+cmd|' /C calc'!A0"
    assert values[4] == "'@SUM(1+1)"
    assert values[5] == "-5"  # a plain number stays a number


def test_personal_numbers_in_rejected_values_are_masked(corpus_root, tmp_path):
    _, rejects, _ = run(corpus_root, tmp_path, "pii_in_values.csv")
    values = {int(r["行号"]): r["值"] for r in rejects}
    assert values == {2: "138****5678", 3: "110101****1234", 4: "010-****78"}
    text = (tmp_path / "out" / "rejects" / "calls.csv").read_text(encoding="utf-8-sig")
    for number in ("13812345678", "110101199003071234", "62345678"):
        assert number not in text


# (file, system, table, city) → words the error must contain (besides the file name)
ERRORS = {
    "enc_utf16_tab.csv": ("vendor-a", "calls", ["分隔符似乎是制表符（Tab）"]),
    "enc_gbk_with_utf8_row.csv": ("vendor-a", "calls", ["第4行", "混用了编码"]),
    "enc_utf8_declared_gbk.csv": ("vendor-b", "calls", ["映射声明的编码为 gb18030", "UTF-8"]),
    "xlsx_no_header.xlsx": ("vendor-c", "calls", ["未找到表头行"]),
    "xlsx_truncated.xlsx": ("vendor-c", "calls", ["无法作为 Excel 工作簿打开"]),
    "col_missing_required.csv": (
        "vendor-a",
        "calls",
        ["列 '来电时间'", "是否应为 '来电日期'", "vendor-a.yaml"],
    ),
    "col_duplicate_header.csv": ("vendor-a", "calls", ["'呼叫结果' 在表头中出现两次", "第14列"]),
    "col_semicolon.csv": ("vendor-a", "calls", ["分隔符似乎是分号（;）"]),
    "empty.csv": ("vendor-a", "calls", ["文件为空（0字节）"]),
    "bom_only.csv": ("vendor-a", "calls", ["没有表头行"]),
    "blank_only.csv": ("vendor-a", "calls", ["没有表头行"]),
    "truncated_in_quotes.csv": ("vendor-a", "calls", ["第4行", "没有结束引号"]),
    "truncated.parquet": ("vendor-a", "calls", ["无法按 Parquet 读取"]),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_unreadable_files_give_a_clear_error_naming_file_and_fix(corpus_root, tmp_path, name):
    system, table, words = ERRORS[name]
    with pytest.raises(InputError) as err:
        ingest(corpus_root, [InputFile(FILES / name, system, table, "linjiang")], tmp_path / "out", CITIES)
    message = str(err.value)
    assert name in message
    for word in words:
        assert word in message, message
    assert "处理建议：" in message
    assert not (tmp_path / "out" / "data").exists(), "nothing is written when a file cannot be read"


def test_all_unreadable_files_are_reported_together(corpus_root, tmp_path):
    names = ["empty.csv", "enc_utf8_bom.csv", "col_missing_required.csv", "truncated.parquet"]
    files = [InputFile(FILES / n, "vendor-a", "calls", "linjiang") for n in names]
    with pytest.raises(InputErrors) as err:
        ingest(corpus_root, files, tmp_path / "out", CITIES)
    assert [Path(e.file).name for e in err.value.errors] == [
        "empty.csv",
        "col_missing_required.csv",
        "truncated.parquet",
    ]
    assert str(err.value).startswith("共3个输入文件无法读取：")


def test_the_readme_describes_every_corpus_file():
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    files = sorted(p.name for p in FILES.iterdir())
    missing = [f for f in files if f"`{f}`" not in readme]
    assert not missing, f"describe in tests/corpus/README.md: {missing}"
    tested = (
        set(COUNTED) | set(ERRORS) | {"xlsx_title_merged.xlsx", "calls_duplicate_ids.csv", "calls_duplicate_ids_2.csv"}
    )
    assert sorted(tested) == files, "every corpus file is used by a test"


def test_the_corpus_is_what_its_recipe_writes(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("corpus_build", CORPUS / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    built = build.build()
    assert sorted(built) == sorted(p.name for p in FILES.iterdir())
    changed = [name for name, data in built.items() if (FILES / name).read_bytes() != data]
    assert not changed, f"run tests/corpus/build.py and commit: {changed}"


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_tabs_and_wide_spaces_around_values_are_trimmed(corpus_root, tmp_path, suffix):
    # exports often prefix a tab to keep Excel from turning long ids into 1.38E+10; full-width
    # (U+3000) and no-break (U+00A0) spaces come from text typed by hand
    rows = [
        [
            "\tC1",
            "2026-07-01 09:00:00\u3000",
            "",
            "",
            "2026-07-01 09:00:30",
            "2026-07-01 09:03:00",
            " 人工接通",
            "\u00a0A01\t",
            "无",
            "满意",
            "13800131234",
            "有效",
            "",
        ],
        [
            "C2",
            "2026-07-01 10:00:00",
            "",
            "",
            "",
            "2026-07-01 10:01:00",
            "放弃",
            "",
            "无",
            "",
            "13800131235",
            "有效",
            "",
        ],
    ]
    frame = pd.DataFrame(rows, columns=HEADER_A.split(","))
    path = tmp_path / f"话务明细{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False, encoding="utf-8-sig")
    else:
        frame.to_parquet(path, index=False)
    report = ingest(corpus_root, [InputFile(path, "vendor-a", "calls", "linjiang")], tmp_path / "out", CITIES)
    assert report.totals()["calls"] == {"rows_in": 2, "accepted": 2, "rejected": 0}
    data = pd.read_parquet(tmp_path / "out" / "data" / "calls.parquet").set_index("call_id")
    assert list(data.index) == ["C1", "C2"]
    assert data.loc["C1", "agent_id"] == "A01" and data.loc["C1", "outcome"] == "answered"
    assert data.loc["C1", "arrived_at"] == pd.Timestamp("2026-07-01 01:00:00", tz="UTC")

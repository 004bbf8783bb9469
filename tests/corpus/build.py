"""Write the bad-input corpus (tests/corpus/files/) byte for byte; README.md describes each file.

    .venv/bin/python tests/corpus/build.py

The files are committed; tests/ingest/test_canonical_corpus.py checks that this script still reproduces them,
so a change to a file is always a change to its recipe here. Every name, phone number and ID
number below is fictional.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import shutil
import tempfile
from pathlib import Path

import duckdb
import xlsxwriter

HERE = Path(__file__).parent
FILES = HERE / "files"

# vendor-a calls (params/mappings/vendor-a.yaml): UTF-8 CSV, times as 2026-07-01 09:00:00
HEADER_A = "呼叫流水号,来电时间,进入队列时间,振铃时间,应答时间,挂机时间,呼叫结果,坐席工号,转接类型,满意度评价,主叫号码,有效标识,无效原因"


def call(n: int, at: str = "2026-07-01 09:00:00", **change: str) -> str:
    """A good answered vendor-a call row; keyword arguments replace fields by column name."""
    t = dt.datetime.fromisoformat(at)

    def f(seconds: int) -> str:
        return (t + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S")

    fields = {
        "呼叫流水号": f"C{n}",
        "来电时间": f(0),
        "进入队列时间": f(20),
        "振铃时间": f(25),
        "应答时间": f(30),
        "挂机时间": f(210),
        "呼叫结果": "人工接通",
        "坐席工号": "A01",
        "转接类型": "无",
        "满意度评价": "满意",
        "主叫号码": f"1380013{n:04d}",
        "有效标识": "有效",
        "无效原因": "",
    }
    fields.update(change)
    return ",".join(fields.values())


def lines(*rows: str, newline: str = "\n") -> str:
    return newline.join(rows) + newline


def csv_a(*rows: str) -> bytes:
    return lines(HEADER_A, *rows).encode("utf-8")


# corpus-flex (tests/corpus/mappings/corpus-flex.yaml): a city column and no fixed time format
HEADER_FLEX = "呼叫编号,城市,来电时间,应答时间,挂机时间,呼叫结果,主叫号码,坐席工号,姓名"


def flex(n: int, arrived: str, city: str = "linjiang", ended: str = "2026-07-01 09:05:00") -> str:
    return f"F{n},{city},{arrived},,{ended},放弃,1390013{n:04d},,张三"


def build() -> dict[str, bytes]:
    files: dict[str, bytes] = {}

    # -- encodings -------------------------------------------------------------------------
    files["enc_utf8_bom.csv"] = codecs.BOM_UTF8 + csv_a(call(1), call(2), call(3))
    files["enc_gbk.csv"] = lines(HEADER_A, call(1), call(2), call(3)).encode("gb18030")
    files["enc_utf16.csv"] = lines(HEADER_A, call(1), call(2), call(3), newline="\r\n").encode("utf-16")
    tab = [r.replace(",", "\t") for r in (HEADER_A, call(1), call(2))]
    files["enc_utf16_tab.csv"] = lines(*tab, newline="\r\n").encode("utf-16")
    rows = [call(1), call(2, 呼叫结果="放弃", 应答时间=""), call(3), call(4, 满意度评价="不满意"), call(5)]
    files["enc_utf8_with_gbk_rows.csv"] = b"".join(
        (r + "\n").encode("gb18030" if i in (1, 3) else "utf-8") for i, r in enumerate([HEADER_A, *rows])
    )
    files["enc_gbk_with_utf8_row.csv"] = b"".join(
        (r + "\n").encode("utf-8" if i == 3 else "gb18030")
        for i, r in enumerate([HEADER_A, call(1), call(2), call(3, 满意度评价="非常满意"), call(4)])
    )
    files["enc_utf8_declared_gbk.csv"] = lines(
        "呼叫ID,呼入时间,排队开始,振铃开始,接听时间,结束时间,呼叫状态,工号,转接去向,评价结果,来电号码,是否有效,无效类型",
        "B1,2026/07/02 10:00:00,,,2026/07/02 10:00:12,2026/07/02 10:04:00,接通,Q01,0,2,13711112222,1,",
    ).encode("utf-8")
    files["enc_mixed_newlines.csv"] = (
        HEADER_A + "\r\n" + call(1) + "\r\n" + call(2) + "\n" + call(3) + "\r\n" + call(4) + "\n"
    ).encode("utf-8")

    # -- Excel -------------------------------------------------------------------------------
    files["xlsx_title_merged.xlsx"] = xlsx_title_merged()
    files["xlsx_no_header.xlsx"] = xlsx_rows([["南湖市12345热线月度简报"], ["本月来电", 1234], ["接通率", "95%"]])
    whole = xlsx_title_merged()
    files["xlsx_truncated.xlsx"] = whole[: len(whole) // 2]

    # -- columns -------------------------------------------------------------------------------
    files["col_missing_required.csv"] = lines(HEADER_A.replace("来电时间", "来电日期"), call(1)).encode("utf-8")
    header = HEADER_A.replace(",满意度评价", "")
    files["col_missing_optional.csv"] = lines(
        header,
        *(
            ",".join(v for k, v in zip(HEADER_A.split(","), call(n).split(","), strict=True) if k != "满意度评价")
            for n in (1, 2)
        ),
    ).encode("utf-8")
    files["col_extra.csv"] = lines(
        HEADER_A + ",备注,诉求人姓名", call(1) + ",回访两次,李四", call(2) + ",,王五"
    ).encode("utf-8")
    files["col_duplicate_header.csv"] = lines(HEADER_A + ",呼叫结果", call(1) + ",人工接通").encode("utf-8")
    files["col_semicolon.csv"] = lines(HEADER_A.replace(",", ";"), call(1).replace(",", ";")).encode("utf-8")

    # -- types and values -------------------------------------------------------------------
    stamps = [
        "2026-07-01 09:00:00",  # the default formats (naive = Beijing time)
        "2026/07/01 09:00:00",
        "2026-07-01T09:00:00",
        "20260701090000",
        "2026年07月01日 09:00:00",
        "2026-07-01 09:00",
        "2026-07-01T01:00:00Z",  # aware: UTC
        "2026-07-01T09:00:00+08:00",  # aware: Beijing
        "2026-07-01 10:00:00+09:00",  # aware: Tokyo, the same instant
        "07/01/2026 09:00",  # month/day order is ambiguous: not accepted
        "2026-13-01 09:00:00",  # no month 13
        "昨天上午",
    ]
    files["flex_timestamp_formats.csv"] = lines(HEADER_FLEX, *(flex(i, s) for i, s in enumerate(stamps, 1))).encode(
        "utf-8"
    )
    files["calls_aware_with_declared_format.csv"] = csv_a(
        call(1), call(2, 来电时间="2026-07-01T09:00:00+08:00"), call(3, 挂机时间="2026-07-01 09:03:30.250")
    )
    files["flex_qc_wrong_types.csv"] = lines(
        "样本编号,城市,抽样对象,样本时间,得分,否决项",
        "Q1,linjiang,工单,2026-07-03 10:00:00,90,否",
        "Q2,linjiang,工单,2026-07-03 10:00:00,95%,否",
        "Q3,linjiang,工单,2026-07-03 10:00:00,九十,否",
        "Q4,linjiang,工单,2026-07-03 10:00:00,101,否",
        "Q5,linjiang,工单,2026-07-03 10:00:00,-3,否",
        'Q6,linjiang,工单,2026-07-03 10:00:00,"1,000",否',
        "Q7,linjiang,工单,2026-07-03 10:00:00,80,也许",
        "Q8,linjiang,录音,2026-07-03 10:00:00,80,否",
    ).encode("utf-8")
    files["calls_negative_durations.csv"] = csv_a(
        call(1),
        call(2, 挂机时间="2026-07-01 08:59:00"),  # ended a minute before it arrived
        call(3, 应答时间="2026-07-01 08:59:59"),  # answered before it arrived
        call(4, 应答时间=""),  # "answered" without an answer time
    )
    files["calls_unsorted.csv"] = csv_a(
        call(1, "2026-09-30 23:59:00"), call(2, "2026-07-01 00:00:01"), call(3, "2026-08-15 12:00:00")
    )
    files["calls_duplicate_ids.csv"] = csv_a(call(1), call(2), call(1, "2026-07-02 09:00:00"), call(3), call(3))
    files["calls_duplicate_ids_2.csv"] = csv_a(call(2, "2026-07-05 09:00:00"), call(9))
    files["flex_city_not_in_evaluation.csv"] = lines(
        HEADER_FLEX,
        flex(1, "2026-07-01 09:00:00", "linjiang"),
        flex(2, "2026-07-01 09:00:00", "atlantis"),
        flex(3, "2026-07-01 09:00:00", ""),
        flex(4, "2026-07-01 09:00:00", "qingshan"),
    ).encode("utf-8")
    files["calls_unknown_codes.csv"] = csv_a(
        call(1), call(2, 呼叫结果="挂断"), call(3, 转接类型="转12345"), call(4, 满意度评价="一般")
    )

    # -- structure ---------------------------------------------------------------------------
    files["empty.csv"] = b""
    files["header_only.csv"] = csv_a()
    files["bom_only.csv"] = codecs.BOM_UTF8
    files["blank_only.csv"] = b"\n\n\n"
    good = csv_a(call(1), call(2))
    files["truncated_mid_row.csv"] = good + call(3)[:40].encode("utf-8")
    files["truncated_in_quotes.csv"] = good + (call(3, 坐席工号='"A0') + "\n" + call(4)).encode("utf-8")
    files["ragged_rows.csv"] = csv_a(
        call(1),
        call(2, 坐席工号="A01,A02"),  # an unquoted comma: one field too many
        ",".join(call(3).split(",")[:9]),  # four fields short
        "",  # a blank row
        call(5, 来电时间="2026-07-01 25:00:00"),
        call(6),
    )
    files["quoted_newline.csv"] = csv_a(call(1, 坐席工号='"A0\n1"'), call(2, 来电时间="2026-07-01 9点"), call(3))
    files["truncated.parquet"] = parquet_calls()[:300]
    files["typed.parquet"] = parquet_calls()

    # -- security and privacy ---------------------------------------------------------------
    files["inject_formula.csv"] = csv_a(
        call(1, 呼叫结果='"=HYPERLINK(""http://example.invalid"",""点我"")"'),
        call(2, 转接类型="+cmd|' /C calc'!A0"),
        call(3, 满意度评价="@SUM(1+1)"),
        call(4, 有效标识="-5"),
        call(5),
    )
    files["pii_in_values.csv"] = csv_a(
        call(1, 呼叫结果="13812345678"), call(2, 转接类型="110101199003071234"), call(3, 满意度评价="010-62345678")
    )
    return files


def xlsx_title_merged() -> bytes:
    """vendor-c: merged title, a note row, the header in row 3, a blank row, a merged data cell,
    a bad time and a total row (合计) at the bottom."""
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
    t = dt.datetime(2026, 7, 3, 8, 0, 0)
    sec = dt.timedelta(seconds=1)

    def row(n: int, valid: str | None = "是", arrived: object = None) -> list:
        start = t + n * 60 * sec
        return [
            f"X{n}",
            arrived or start,
            start,
            start,
            start + 9 * sec,
            start + 99 * sec,
            "已接听",
            "N1",
            13600001110 + n,
            valid,
        ]

    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"default_date_format": "yyyy-mm-dd hh:mm:ss"}) as wb:
        wb.set_properties({"created": dt.datetime(2026, 8, 1)})
        ws = wb.add_worksheet("明细")
        ws.merge_range(0, 0, 0, 9, "南湖市12345热线话务报表")  # row 1
        ws.write_row(1, 0, ["导出时间：2026-08-01    记录数：5"])  # row 2
        ws.write_row(2, 0, header)  # row 3
        ws.write_row(3, 0, row(1))  # row 4
        # row 5 is blank
        ws.write_row(5, 0, row(2, valid=None))  # row 6
        ws.merge_range(5, 9, 6, 9, "是")  # 有效 merged over rows 6 and 7
        ws.write_row(6, 0, row(3, valid=None))  # row 7
        ws.write_row(7, 0, row(4, arrived="不是时间"))  # row 8
        ws.write_row(8, 0, ["合计", None, None, None, None, None, "4通", None, None, None])  # row 9
    return buffer.getvalue()


def xlsx_rows(rows: list[list]) -> bytes:
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer) as wb:
        wb.set_properties({"created": dt.datetime(2026, 8, 1)})
        ws = wb.add_worksheet()
        for i, r in enumerate(rows):
            ws.write_row(i, 0, r)
    return buffer.getvalue()


def parquet_calls() -> bytes:
    """vendor-a calls as Parquet with real TIMESTAMP columns (no text to parse)."""
    con = duckdb.connect()
    folder = Path(tempfile.mkdtemp())
    target = folder / "typed.parquet"
    con.execute(
        f"""COPY (SELECT 'P' || i AS "呼叫流水号", TIMESTAMP '2026-07-01 09:00:00' + to_minutes(i) AS "来电时间",
        NULL::TIMESTAMP AS "进入队列时间", NULL::TIMESTAMP AS "振铃时间",
        TIMESTAMP '2026-07-01 09:00:30' + to_minutes(i) AS "应答时间",
        TIMESTAMP '2026-07-01 09:03:00' + to_minutes(i) AS "挂机时间", '人工接通' AS "呼叫结果", 'A01' AS "坐席工号",
        '无' AS "转接类型", '满意' AS "满意度评价", '1380013' || lpad(i::VARCHAR, 4, '0') AS "主叫号码",
        '有效' AS "有效标识", NULL::VARCHAR AS "无效原因" FROM range(1, 4) r(i))
        TO '{target}' (FORMAT parquet)"""
    )
    data = target.read_bytes()
    shutil.rmtree(folder)
    return data


def write(folder: Path = FILES) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, data in build().items():
        (folder / name).write_bytes(data)


if __name__ == "__main__":
    write()
    print(f"wrote {len(list(FILES.iterdir()))} files to {FILES}")

"""The score sheet (§8.3): scores.xlsx opens with its sheets, Chinese headers, formats and print setup."""

import pandas as pd
import pytest
from openpyxl import load_workbook

COMPREHENSIVE_SHEETS = ["综合得分", "维度得分", "指标得分", "承办单位", "承办单位指标", "专家评分", "计分说明"]


@pytest.fixture(scope="module")
def book(demo):
    return load_workbook(demo.out / "scores.xlsx")


def headers(ws) -> list[str]:
    return [c.value for c in ws[1]]


def test_the_workbook_has_its_sheets_in_reading_order(book):
    assert book.sheetnames == COMPREHENSIVE_SHEETS


def test_headers_are_chinese(book):
    assert headers(book["综合得分"])[:7] == ["位次", "城市", "综合得分", "等级", "有效分值", "评价总分值", "数据覆盖"]
    assert headers(book["指标得分"])[:9] == [
        "城市",
        "维度",
        "指标",
        "条款",
        "子项",
        "分值",
        "指标值",
        "参考值",
        "参考值来源",
    ]
    assert "类内位次" in headers(book["承办单位"]) and "专家编号" in headers(book["专家评分"])


def test_totals_match_totals_csv_and_cities_are_named(book, demo):
    totals = pd.read_csv(demo.out / "totals.csv", encoding="utf-8-sig").set_index("city")
    ws = book["综合得分"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(totals) == 8
    first = rows[0]  # sorted by rank
    best = totals.sort_values("rank").iloc[0]
    assert first[0] == 1 and first[2] == pytest.approx(best["total"]) and first[3] == best["grade"]
    assert first[1].endswith("市")  # Chinese city name, not the id


def test_indicator_rows_keep_value_reference_and_terms(book, demo):
    scores = pd.read_csv(demo.out / "scores.csv", encoding="utf-8-sig")
    ws = book["指标得分"]
    assert ws.max_row - 1 == len(scores)
    head = headers(ws)
    rows = [dict(zip(head, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert [r["城市"] for r in rows[:2]] == ["临江市", "临江市"]  # grouped by city, in the plan's order
    row = next(r for r in rows if r["城市"] == "青山市" and r["指标"] == "接通率")
    expected = scores.set_index(["city", "indicator"]).loc[("qingshan", "answer_rate")]
    assert row["指标值"] == pytest.approx(expected["value"]) and row["分母"] == pytest.approx(expected["denominator"])
    assert row["参考值"] == pytest.approx(expected["reference"]) and row["得分"] == pytest.approx(expected["score"])
    assert row["参考值来源"] == "临江市"  # the holder's Chinese name, not its id


def test_number_formats_follow_the_indicator_unit(book):
    ws = book["指标得分"]
    head = headers(ws)
    value_col, score_col, ind_col = head.index("指标值") + 1, head.index("得分") + 1, head.index("指标") + 1
    formats = {}
    for r in range(2, ws.max_row + 1):
        formats[ws.cell(r, ind_col).value] = ws.cell(r, value_col).number_format
    assert formats["接通率"] == "0.00%" and formats["平均接通等待时长"] == "0.0"
    assert ws.cell(2, score_col).number_format == "0.00"


def test_print_setup_and_frozen_header(book):
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
        assert ws.print_title_rows == "$1:$1"  # the header row repeats on every page
        # fit to one page wide (fitToWidth absent = the OOXML default 1), any number of pages tall
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)
        assert int(ws.page_setup.fitToHeight) == 0
        assert ws.column_dimensions["A"].width >= 6

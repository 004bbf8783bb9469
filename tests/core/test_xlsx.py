"""Workbooks: text that looks like a formula is written as text."""

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from hotline_eval.core.xlsx import Sheet, SheetColumn, safe_text, write_workbook


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path):
    hostile = ['=HYPERLINK("http://x","点我")', "+1+1", "-2", "@SUM(A1)", "\tcmd", "\rcmd", "普通文本", "a=b"]
    frame = pd.DataFrame({"text": hostile, "n": np.arange(len(hostile), dtype=float)})
    sheet = Sheet(
        "测试", "测试", frame, [SheetColumn("文本", lambda r: r["text"]), SheetColumn("数", lambda r: r["n"], "int")]
    )
    path = tmp_path / "t.xlsx"
    write_workbook(path, [sheet], "测试")
    ws = load_workbook(path)["测试"]
    cells = [ws.cell(r, 1) for r in range(2, len(hostile) + 2)]
    assert all(c.data_type == "s" for c in cells)  # no formula cell anywhere
    assert [c.value for c in cells[:5]] == ["'" + h for h in hostile[:5]]
    assert cells[5].value.startswith("'")  # the CR itself is stored escaped (_x000D_) by the writer
    assert cells[6].value == "普通文本" and cells[7].value == "a=b"  # harmless text is left alone
    assert safe_text(None) == ""

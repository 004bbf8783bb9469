"""HTML tables of the documents: text escaped, a dash for missing values, grouped rows."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from hotline_eval.report import tables
from tests.support.hostile import ATTRIBUTE, HOSTILE, HOSTILE_UNIT


def test_tables_escape_text_show_a_dash_for_missing_values_and_group_rows():
    frame = pd.DataFrame(
        {"维度": ["甲", "甲", "乙"], "指标": ["<script>alert(1)</script>", "b", "c"], "值": [1.5, math.nan, None]}
    )
    markup = tables.html_table(frame, "表题", number=4, group="维度", widths=[3, 1], align_right=["值"])
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert "nan" not in markup and "None" not in markup and markup.count(">—<") == 2
    assert markup.count('class="group"') == 2  # 甲 and 乙
    assert "<th>维度</th>" not in markup  # the group column is not a column
    assert "表4　表题" in markup and 'style="width:75.0%"' in markup  # 3 ÷ (3 + 1)
    with pytest.raises(ValueError):
        tables.html_table(frame, "x", widths=[1, 2])  # three columns without a group


# ---------------------------------------------------------------------------------------------
# HTML escaping, through the helpers every notebook uses


def test_report_tables_escape_every_cell_header_caption_and_note():
    frame = pd.DataFrame({HOSTILE: [HOSTILE_UNIT, ATTRIBUTE], "得分": ["<b>9</b>", "&amp;"]})
    markup = tables.html_table(frame, f"{HOSTILE}各单位", note=HOSTILE_UNIT, number=1, align_right=["得分"])
    assert "<script" not in markup and "<img" not in markup and "<b>" not in markup
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;临江市" in markup
    assert "&lt;img src=x onerror=alert(1)&gt;东城区" in markup
    assert "&amp;amp;" in markup  # an ampersand in the data stays text
    assert '" onmouseover' not in markup

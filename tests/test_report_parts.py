"""Pieces of the documents, without a kernel: contents, tables, headings, appeal deadline, changes, rule tables."""

import datetime as dt
import math
import re

import pandas as pd
import pytest

from hotline_eval.config.evaluation import Grade
from hotline_eval.config.rule_tables import rule_tables
from hotline_eval.config.wording import load_wording
from hotline_eval.cycle.schedule import appeal_deadline
from hotline_eval.report import blocks, contents, tables
from hotline_eval.report.document import css_string
from hotline_eval.report.previous import total_changes
from hotline_eval.report.table_frames import grade_bands


def test_contents_lists_h2_and_h3_with_ids_and_fills_page_numbers():
    body = (
        blocks.heading_html("一、评价概况", 2, "overview")
        + blocks.heading_html("（一）评价依据", 3)
        + blocks.heading_html("1. 细项", 4)
        + blocks.heading_html("附　录", 2, "appendix", new_page=True)
    )
    found = contents.headings(body)
    assert [(level, text) for level, _, text in found] == [(2, "一、评价概况"), (3, "（一）评价依据"), (2, "附　录")]
    derived = found[1][1]
    assert derived == blocks.anchor_for("（一）评价依据")  # stable id derived from the text
    toc = contents.contents(body)
    assert toc.count("<li") == 3 and 'href="#overview"' in toc and f'href="#{derived}"' in toc
    filled = contents.fill_page_numbers(toc, {"overview": 3, "appendix": 11})
    assert re.findall(r'data-anchor="([^"]+)">(\d*)</span>', filled) == [
        ("overview", "3"),
        (derived, ""),  # a heading whose page is unknown keeps an empty box
        ("appendix", "11"),
    ]
    assert 'class="new-page"' in blocks.heading_html("附　录", 2, new_page=True)
    with pytest.raises(ValueError):
        blocks.heading_html("x", 5)


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


def test_the_appeal_deadline_counts_working_days_from_the_day_after_issue(root):
    # 2026-10-30 is a Friday: Nov 2–6 and Nov 9–13 are ten working days → Friday 13 November.
    assert appeal_deadline(root, dt.date(2026, 10, 30), 10) == dt.date(2026, 11, 13)
    # 2026-09-28 (Mon): 9/29, 9/30 count; Oct 1–7 are the National Day holiday; Oct 8, 9 count,
    # Saturday Oct 10 is a working day (调休, params/calendar.yaml), then Oct 12–16 → Friday 16 October.
    assert appeal_deadline(root, dt.date(2026, 9, 28), 10) == dt.date(2026, 10, 16)


def test_changes_since_the_previous_evaluation():
    now = pd.DataFrame(
        {"total": [90.0, 95.0, 70.0], "rank": [2.0, 1.0, 3.0], "grade": ["优秀", "优秀", "合格"]},
        index=pd.Index(["a", "b", "c"], name="city"),
    )
    before = pd.DataFrame(
        {"total": [85.0, 80.0], "rank": [1.0, 2.0], "grade": ["良好", "良好"]}, index=pd.Index(["a", "b"], name="city")
    )
    changes = total_changes(now, before)
    assert changes.loc["a", "delta"] == pytest.approx(5.0)  # 90 − 85
    assert changes.loc["a", "places_up"] == -1  # from 1st to 2nd
    assert changes.loc["b", "delta"] == pytest.approx(15.0) and changes.loc["b", "places_up"] == 1
    assert math.isnan(changes.loc["c", "delta"])  # not evaluated before: no change
    assert total_changes(now, None)["delta"].isna().all()


def test_rule_tables_come_from_params_and_a_shared_table_is_shown_once(root):
    ids = ["agent_attitude", "innovation_new_technology", "innovation_joint_action", "answer_rate"]
    found = rule_tables(root, ids)
    assert [t.indicators for t in found] == [
        ("agent_attitude",),
        ("innovation_new_technology", "innovation_joint_action"),
    ]
    attitude = found[0].frame
    assert list(attitude["评定等级"]) == ["A", "B", "C", "D"] and list(attitude["等级系数"]) == [
        "1.0",
        "0.8",
        "0.5",
        "0",
    ]


def test_grade_bands_are_worded_from_the_definition(root):
    grades = [Grade(grade="优秀", min=90), Grade(grade="良好", min=80), Grade(grade="合格", min=60),
              Grade(grade="不合格", min=0)]
    results = type("R", (), {"evaluation": type("E", (), {"grades": grades})})()
    assert grade_bands(results, load_wording(root)) == (
        "优秀（90分及以上）、良好（80分至90分以下）、合格（60分至80分以下）、不合格（60分以下）"
    )


def test_a_running_head_cannot_break_out_of_its_css_string():
    assert css_string('青山市"报告</style><script>\\') == "青山市报告/stylescript"

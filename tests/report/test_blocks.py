"""Headings, paragraphs and lists of the documents escape what they show."""

from __future__ import annotations

from hotline_eval.report import blocks
from tests.support.hostile import ATTRIBUTE, HOSTILE, HOSTILE_UNIT


def test_report_blocks_escape_headings_paragraphs_and_lists(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(blocks, "display", lambda obj: shown.append(obj.data))
    blocks.heading(HOSTILE, 2, anchor=ATTRIBUTE)
    blocks.paragraph(HOSTILE_UNIT, "。")
    blocks.bullets([HOSTILE, HOSTILE_UNIT])
    markup = "".join(shown)
    assert "<script" not in markup and "<img" not in markup
    assert 'id="&quot; onmouseover=&quot;alert(1)"' in markup
    assert markup.count("&lt;script&gt;") == 2

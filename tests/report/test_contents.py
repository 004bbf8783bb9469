"""The documents' table of contents: h2 and h3 headings with their ids, page numbers filled in."""

import re

import pytest

from hotline_eval.report import blocks, contents


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
    assert re.findall(r'class="toc-page" href="#([^"]+)">(\d*)</a>', filled) == [
        ("overview", "3"),
        (derived, ""),  # a heading whose page is unknown keeps an empty box
        ("appendix", "11"),
    ]
    assert 'class="new-page"' in blocks.heading_html("附　录", 2, new_page=True)
    with pytest.raises(ValueError):
        blocks.heading_html("x", 5)

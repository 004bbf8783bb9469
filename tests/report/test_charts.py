"""Chart captions and alt text are escaped."""

from __future__ import annotations

from hotline_eval.report import charts
from tests.support.hostile import ATTRIBUTE, HOSTILE


def test_chart_captions_and_alt_text_are_escaped():
    import matplotlib.pyplot as plt

    fig, _ = plt.subplots()
    markup = charts.figure_html(fig, HOSTILE, alt=ATTRIBUTE, number=3)
    assert "<script" not in markup
    assert 'alt="&quot; onmouseover=&quot;alert(1)"' in markup

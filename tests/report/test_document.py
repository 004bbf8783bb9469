"""The document template: a running head cannot break out of its CSS string."""

from hotline_eval.report.document import css_string


def test_a_running_head_cannot_break_out_of_its_css_string():
    assert css_string('青山市"报告</style><script>\\') == "青山市报告/stylescript"

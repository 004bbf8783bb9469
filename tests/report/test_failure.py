"""A document that fails anyway (issue 18, point 9): the message names the section, the cause in plain
words and the data behind it, and the partial notebook is kept for audit (report/failure.py)."""

import shutil

import nbformat
import pytest

from hotline_eval.core.errors import RenderError

pytestmark = pytest.mark.slow


def test_a_failing_section_is_named_with_its_cause_and_the_data(root, demo, tmp_path):
    from hotline_eval.report.city import render_city

    project = tmp_path / "project"
    project.mkdir()
    for folder in ("params", "templates"):
        (project / folder).symlink_to(root / folder)
    shutil.copytree(root / "notebooks", project / "notebooks")
    path = project / "notebooks" / "city" / "03-comparison.ipynb"
    nb = nbformat.read(path, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "comparison.time()" in c.source)
    nb.cells.insert(at, nbformat.v4.new_code_cell('show({"月份": 1}["年份"])'))  # a missing key, as a wording slip
    nbformat.write(nb, path)

    with pytest.raises(RenderError) as caught:
        render_city(project, "demo-comprehensive", "jinsha", pdf=False)
    message = str(caught.value)
    assert "“（一）与全省各设区市比较”之后的部分（notebooks/city/03-comparison.ipynb）未能生成" in message
    assert "找不到需要的项目" in message and "KeyError: '年份'" in message
    assert '出错的代码：show({"月份": 1}["年份"])' in message
    assert "数据情况：数据含话务记录、在线服务会话" in message and "8个设区市，其中8个有综合得分" in message
    partial = demo.out / "jinsha" / ".partial-report.ipynb"
    assert str(partial) in message and partial.exists(), "the partial notebook is kept for audit"
    assert "发给维护人员" in message  # what to do
    partial.unlink()  # the session's outputs are shared with other tests

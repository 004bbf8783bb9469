"""make reports: every city in parallel; a failing city is reported and the others are done; the index."""

import re
import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from hotline_eval.report.batch import render_all
from hotline_eval.report.city import render_city
from hotline_eval.report.index import write_index
from tests.support.documents import assert_documents_clean, lint_rules

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def project_with_a_broken_notebook(root, demo, tmp_path_factory):
    """A copy of the project whose city report fails for 金沙市 only (a notebook raising for that city)."""
    copy = tmp_path_factory.mktemp("project")
    for name in ("params", "templates"):
        (copy / name).symlink_to(root / name)
    city_notebooks = copy / "notebooks" / "city"
    city_notebooks.mkdir(parents=True)
    for path in (root / "notebooks" / "city").glob("*.ipynb"):
        shutil.copy(path, city_notebooks / path.name)
    broken = new_notebook()
    broken.cells = [new_code_cell('if city == "jinsha":\n    raise RuntimeError("planted failure for jinsha")')]
    nbformat.write(broken, city_notebooks / "05-broken.ipynb")
    return copy


@pytest.fixture(scope="module")
def fresh_nanhu(project_with_a_broken_notebook):
    """南湖市's report made alone, in a fresh kernel: its HTML and executed notebook."""
    files = render_city(project_with_a_broken_notebook, "demo-comprehensive", "nanhu", pdf=False)
    return files["html"].read_bytes(), files["notebook"].read_bytes()


@pytest.fixture(scope="module")
def outcomes(project_with_a_broken_notebook, fresh_nanhu):
    """One worker: 金沙市 fails in the worker's kernel, then 南湖市 is made in the same kernel."""
    lines = []
    done = render_all(
        project_with_a_broken_notebook,
        "demo-comprehensive",
        workers=1,
        pdf=False,
        cities=["jinsha", "nanhu"],
        progress=lines.append,
    )
    return done, lines


def test_a_failing_city_is_reported_and_the_other_is_done(outcomes):
    done, lines = outcomes
    by_city = {o.city: o for o in done}
    assert [o.city for o in done] == ["jinsha", "nanhu"]  # the order asked for, whatever finished first
    assert by_city["nanhu"].ok and by_city["nanhu"].files["html"].exists()
    assert not by_city["jinsha"].ok and "planted failure for jinsha" in by_city["jinsha"].error
    assert lines[0] == "生成2个城市的报告（1个进程并行）"
    assert any(re.match(r"\[\d/2\] 南湖市 完成（[\d.]+秒）", line) for line in lines)
    assert any(line.startswith("[") and "金沙市 失败" in line for line in lines)


@pytest.mark.parametrize("rule", lint_rules())
def test_the_batch_report_passes_the_linter(outcomes, rule):
    done, _ = outcomes
    nanhu = next(o for o in done if o.city == "nanhu")
    assert_documents_clean(nanhu.files["lint"], rule)


def test_a_report_made_in_a_reused_kernel_is_the_one_a_fresh_kernel_makes(outcomes, fresh_nanhu):
    """The batch worker's kernel had run (and failed) 金沙市's notebooks first: 南湖市's HTML is byte for
    byte that of a fresh kernel, and its executed notebook has the same cells, outputs and execution
    counts (from 1; only Papermill's timings in the metadata differ)."""
    done, _ = outcomes
    nanhu = next(o for o in done if o.city == "nanhu")
    html, notebook = fresh_nanhu
    assert nanhu.files["html"].read_bytes() == html

    def executed(data: bytes) -> list:
        cells = nbformat.reads(data.decode(), as_version=4).cells
        return [(c.source, c.get("execution_count"), c.get("outputs")) for c in cells]

    assert executed(nanhu.files["notebook"].read_bytes()) == executed(notebook)
    counts = [count for _, count, _ in executed(notebook) if count is not None]
    assert counts == list(range(1, len(counts) + 1))


def test_the_index_links_the_reports_in_ranking_order_and_names_the_failure(
    project_with_a_broken_notebook, outcomes, demo
):
    import pandas as pd

    done, _ = outcomes
    index = write_index(project_with_a_broken_notebook, "demo-comprehensive", done).read_text(encoding="utf-8")
    assert '<a href="nanhu/report.html">' in index
    assert "jinsha/report.html" not in index and "生成失败" in index and "planted failure for jinsha" in index
    totals = pd.read_csv(demo.out / "totals.csv").set_index("city").sort_values("rank")
    city_names = {"nanhu": "南湖市", "jinsha": "金沙市", "linjiang": "临江市", "yunling": "云岭市"}
    positions = {c: index.index(f"<td>{n}</td>") for c, n in city_names.items()}
    expected = [c for c in totals.index if c in city_names]
    assert sorted(positions, key=positions.get) == expected  # rows follow the ranking
    assert "<script" not in index and "@font-face" in index
    # rewritten later (after the bulletin, say) without outcomes: the last batch's failure is still named
    again = write_index(project_with_a_broken_notebook, "demo-comprehensive").read_text(encoding="utf-8")
    assert "planted failure for jinsha" in again and '<a href="nanhu/report.html">' in again

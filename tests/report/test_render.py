"""The notebooks of each document slot together: one parameters cell each, a shared context, and each runs alone."""

import ast

import nbformat
import pytest

from hotline_eval.report.render import combine, execute


def notebooks(root, document):
    return sorted((root / "notebooks" / document).glob("*.ipynb"))


def assigned_names(source: str) -> set[str]:
    return {t.id for node in ast.parse(source).body if isinstance(node, ast.Assign) for t in node.targets}


@pytest.mark.parametrize(
    "document, names", [("city", {"evaluation", "city", "root"}), ("bulletin", {"evaluation", "root"})]
)
def test_every_notebook_has_one_parameters_cell_and_opens_the_shared_context(root, document, names):
    paths = notebooks(root, document)
    assert paths, f"no notebooks in notebooks/{document}"
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, f"{path.name}: exactly one cell tagged parameters"
        assert names <= assigned_names(tagged[0].source), f"{path.name}: parameters {names}"
        setup = [c for c in nb.cells if "remove-output" in c.metadata.get("tags", [])]
        assert any("report_context(" in c.source for c in setup), f"{path.name}: setup cell with report_context"


def test_the_combined_document_keeps_only_the_first_parameters_cell(root):
    combined = combine(notebooks(root, "city"))
    tagged = [c for c in combined.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1


@pytest.mark.slow
def test_the_appendix_notebook_runs_alone(root, demo, tmp_path):
    nb = execute(
        [root / "notebooks" / "city" / "09-appendix.ipynb"],
        tmp_path / "appendix.ipynb",
        {"evaluation": "demo-comprehensive", "city": "nanhu", "root": str(root)},
        cwd=root / "notebooks" / "city",
    )
    shown = "".join(out.get("data", {}).get("text/html", "") for cell in nb.cells for out in cell.get("outputs", []))
    assert "附录1　指标定义、参考值与计分规则" in shown and "表1　评价指标定义" in shown  # numbering starts afresh

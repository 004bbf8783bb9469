"""Rendering: the notebooks of each document slot together (one parameters cell each, a shared context, the
combined document keeps the first), and notebook parameters are injected as literals."""

from __future__ import annotations

import ast

import nbformat
import pytest

from hotline_eval.report.render import combine


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


def test_every_plan_notebook_has_one_parameters_cell_and_opens_the_plan_context(root):
    import nbformat

    paths = sorted((root / "notebooks" / "plan").glob("*.ipynb"))
    assert paths
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1 and "evaluation =" in tagged[0].source and "root =" in tagged[0].source, path.name
        assert any("plan_context(" in c.source for c in nb.cells if "remove-output" in c.metadata.get("tags", []))


@pytest.mark.parametrize(
    "value",
    [
        'x"; import os; os.system("touch pwned") #',
        "x'''\nimport os\n'''",
        "\\\"); print('pwned') #",
        "临江市\n__import__('os').system('touch pwned')",
    ],
)
def test_notebook_parameters_are_injected_as_literals(value):
    import nbformat
    from papermill.parameterize import parameterize_notebook

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('city = "linjiang"')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nb.metadata["papermill"] = {}
    injected = parameterize_notebook(nb, {"city": value, "root": value})
    source = next(c.source for c in injected.cells if "injected-parameters" in c.metadata.get("tags", []))
    tree = ast.parse(source)
    assignments = [node for node in tree.body if isinstance(node, ast.Assign)]
    assert [type(node) for node in tree.body] == [ast.Assign, ast.Assign], "nothing but two assignments"
    assert {a.targets[0].id: ast.literal_eval(a.value) for a in assignments} == {"city": value, "root": value}

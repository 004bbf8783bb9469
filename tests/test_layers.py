"""The package's import layers: every module imports only its own stage, earlier stages and core.

The order is the flow of an evaluation (hotline_eval/__init__.py): a stage never imports a later
one, and no module imports package code inside a function (an import hidden there would hide a
cycle). The command line alone imports inside its commands, so that `--help` answers at once.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "hotline_eval"
LAYERS = [
    "core",
    "config",
    "sample",
    "ingest",
    "quality",
    "measure",
    "score",
    "cycle",
    "results",
    "compare",
    "narrative",
    "report",
    "pipeline",
    "cli",
    "__main__",
]
LAZY_IMPORTS_ALLOWED = {"cli"}


def layer_of(module: str) -> str:
    """The layer of a dotted module name inside the package ('' for the package itself)."""
    parts = module.split(".")[1:]
    return parts[0] if parts else ""


def package_imports(tree: ast.AST) -> list[tuple[ast.AST, str]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module == "hotline_eval":
                out += [(node, f"hotline_eval.{a.name}") for a in node.names if a.name != "__version__"]
            elif node.module.startswith("hotline_eval."):
                out.append((node, node.module))
        elif isinstance(node, ast.Import):
            out += [(node, a.name) for a in node.names if a.name.startswith("hotline_eval.")]
    return out


def inside_function(tree: ast.AST) -> set[ast.AST]:
    nested = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            nested |= {n for n in ast.walk(node) if n is not node}
    return nested


def violations(package: Path = PACKAGE) -> list[str]:
    found = []
    for path in sorted(package.rglob("*.py")):
        module = ".".join(("hotline_eval", *path.relative_to(package).with_suffix("").parts))
        module = module.removesuffix(".__init__")
        own = layer_of(module)
        if own == "":
            continue
        where = path.relative_to(package.parent)
        if own not in LAYERS:
            found.append(f"{where}: the module belongs to no layer (place its stage in LAYERS)")
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nested = inside_function(tree)
        for node, target in package_imports(tree):
            other = layer_of(target)
            if other not in LAYERS:
                found.append(f"{where}:{node.lineno} imports {target}, which belongs to no layer")
            elif LAYERS.index(other) > LAYERS.index(own):
                found.append(f"{where}:{node.lineno} ({own}) imports {target} of the later layer {other}")
            if node in nested and own not in LAZY_IMPORTS_ALLOWED:
                found.append(f"{where}:{node.lineno} imports {target} inside a function")
    return found


def test_imports_point_down():
    assert violations() == []


def test_an_upward_import_or_a_hidden_one_is_found(tmp_path):
    """The check itself: a measure module importing the report, and a quality module importing inside a
    function, are both reported with file and line; an import of an earlier stage is not."""
    package = tmp_path / "hotline_eval"
    for folder in ("core", "measure", "quality", "report"):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text("")
    (package / "__init__.py").write_text('__version__ = "0"\n')
    (package / "measure" / "engine.py").write_text(
        "from hotline_eval import __version__\nfrom hotline_eval.core import fmt\nfrom hotline_eval.report import charts\n"
    )
    (package / "quality" / "gate.py").write_text("def f():\n    from hotline_eval.core import fmt\n    return fmt\n")
    assert violations(package) == [
        "hotline_eval/measure/engine.py:3 (measure) imports hotline_eval.report of the later layer report",
        "hotline_eval/quality/gate.py:2 imports hotline_eval.core inside a function",
    ]


def test_a_module_outside_every_layer_is_found(tmp_path):
    package = tmp_path / "hotline_eval"
    for folder in ("core", "misc"):
        (package / folder).mkdir(parents=True)
    (package / "misc" / "x.py").write_text("x = 1\n")
    (package / "core" / "fmt.py").write_text("from hotline_eval.misc import x\n")
    assert violations(package) == [
        "hotline_eval/core/fmt.py:1 imports hotline_eval.misc, which belongs to no layer",
        "hotline_eval/misc/x.py: the module belongs to no layer (place its stage in LAYERS)",
    ]

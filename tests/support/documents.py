"""The document linter (hotline_eval/report/lint.py) in the tests: a rendered document has no finding.

Each test that renders a document adds `test_the_<document>_passes_the_linter`, parametrized over the
rules with `lint_rules()`, so that a failure names the rule; a rule whose findings are known and left
to another change is marked there as an expected failure, with the reason.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from hotline_eval.report.lint import RULES, lint_file, read_findings


def lint_rules(known: dict[str, str] | None = None) -> list:
    """The linter's rules as test parameters; `known`: rule → why its findings are expected for now (xfail)."""
    known = known or {}
    return [
        pytest.param(rule, marks=pytest.mark.xfail(strict=False, reason=known[rule])) if rule in known else rule
        for rule in RULES
    ]


def assert_documents_clean(where: Path, rule: str) -> None:
    """No finding of `rule` for a document (`where`: its HTML or .lint.json) or for every document under a folder."""
    files = sorted(where.rglob("*.lint.json")) if where.is_dir() else [lint_file(where)]
    missing = [path for path in files if not path.exists()]
    assert files and not missing, f"the render wrote no findings file: {missing or where}"
    found = [f"{path.name}: {f.line()}" for path in files for f in read_findings(path) if f.rule == rule]
    assert not found, f"{len(found)} finding(s) of {rule}:\n" + "\n".join(found)


HIDDEN = re.compile(r"<(script|style|head)\b.*?</\1>", re.S)


def visible_text(document: str | Path, joiner: str = " ") -> str:
    """What a reader of an HTML document (its markup, or its file) sees: the text without markup, the
    page head, styles and scripts, entities decoded, white space runs made one; elements are joined by
    `joiner` ("" to read a sentence split across inline elements as one)."""
    markup = document.read_text(encoding="utf-8") if isinstance(document, Path) else document
    text = html.unescape(re.sub(r"<[^>]+>", joiner, HIDDEN.sub("", markup)))
    return re.sub(r"\s+", " ", text)

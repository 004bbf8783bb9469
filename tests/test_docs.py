"""The manual (mkdocs.yml, docs/): it builds without a single warning, its generated reference pages
cover params/, it documents every command and make target, and the code's citations resolve in it."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hotline_eval.cli import cli
from hotline_eval.config.catalogue import load_catalogue
from hotline_eval.config.schema import load_schema

# Make targets that are not meant to be typed: the recipe helpers.
INTERNAL_TARGETS = {"$(STAMP)"}
# Files outside this repository that method citations used to name; the site replaces them.
OUTSIDE = re.compile(r"[\w./-]*\b(?:indicators|DESIGN|STANDARD|report-style|toolchain|anchors)\.md")
SITE_CITATION = re.compile(r"docs/([\w/-]+\.md)(?:#([\w-]+))?")


@pytest.fixture(scope="module")
def site(root, tmp_path_factory) -> Path:
    """The site built as `make docs` builds it, with every warning an error."""
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING" not in done.stderr, done.stderr
    return out


@pytest.fixture(scope="module")
def site_text(site) -> str:
    """Every page's text, tags removed, entities decoded (search finds what a reader reads)."""
    pages = [p.read_text(encoding="utf-8") for p in sorted(site.rglob("*.html"))]
    return html.unescape(re.sub(r"<[^>]+>", " ", "\n".join(pages)))


def page(site: Path, src: str) -> str:
    """The rendered HTML of a docs/ source page (use_directory_urls: a.md → a/index.html)."""
    stem = src.removesuffix(".md")
    target = site / "index.html" if stem == "index" else site / stem.removesuffix("/index") / "index.html"
    return target.read_text(encoding="utf-8")


def anchors(text: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', text))


def test_every_command_is_documented(site_text):
    missing = [name for name in cli.commands if not re.search(rf"hotline-eval\s+{re.escape(name)}\b", site_text)]
    assert missing == []


def test_every_make_target_is_documented(root, site_text):
    makefile = (root / "Makefile").read_text(encoding="utf-8")
    targets = set(re.search(r"^\.PHONY:(.*)$", makefile, re.M).group(1).split()) - INTERNAL_TARGETS
    assert {"report", "reports", "test", "docs"} <= targets
    missing = sorted(t for t in targets if not re.search(rf"\bmake\s+{re.escape(t)}\b", site_text))
    assert missing == []


def test_the_schema_reference_has_every_table_and_column(root, site):
    text = page(site, "data/schema.md")
    schema = load_schema(root)
    missing = [
        f"{t}.{c}"
        for t, table in schema.tables.items()
        for c in table.columns
        if f"<code>{c}</code>" not in text or f"<code>{t}</code>" not in text
    ]
    assert missing == []
    assert all(f"<code>{name}</code>" in text for name in schema.codes)


def test_the_indicator_reference_has_every_indicator(root, site):
    text = page(site, "method/indicator-reference.md")
    cat = load_catalogue(root)
    assert {i.id for i in cat.indicators} <= anchors(text)
    assert {d.id for d in cat.dimensions} <= anchors(text)
    for ind in cat.indicators:
        section = text[text.index(f'id="{ind.id}"') :]
        section = section[: section.index("</table>")]
        assert ind.zh in section and f"§{ind.clause}" in section and html.escape(ind.formula_zh) in section, ind.id
    assert all(f"<code>{name}</code>" in text for name in cat.parameters)


def test_the_benchmark_results_are_in_the_site(root, site):
    text = page(site, "performance/results.md")
    first = (root / "bench" / "RESULTS.md").read_text(encoding="utf-8").splitlines()[0].lstrip("# ")
    assert first in html.unescape(text)


def test_code_cites_the_site_not_files_outside_the_repository(root, site):
    """Docstrings and comments (hotline_eval/, params/) cite docs pages, and each cited anchor exists."""
    files = [*(root / "hotline_eval").rglob("*.py"), *(root / "params").rglob("*.yaml")]
    outside, broken = [], []
    for path in sorted(files):
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(root)
        outside += [f"{where}: {m}" for m in OUTSIDE.findall(text) if not m.startswith("docs/")]
        for src, anchor in SITE_CITATION.findall(text):
            if not (root / "docs" / src).exists() and not (site / src.removesuffix(".md")).is_dir():
                broken.append(f"{where}: docs/{src} is no page")
            elif anchor and anchor not in anchors(page(site, src)):
                broken.append(f"{where}: docs/{src} has no #{anchor}")
    assert outside == []
    assert broken == []

"""Every fixture more than one test file uses. The whole-pipeline fixtures write to a temporary outputs folder.

The tests mirror the package: tests/<stage>/test_<module>.py holds the unit tests of
hotline_eval/<stage>/<module>.py (test_<module>_<topic>.py when a module has several, test_<stage>.py
for a stage's __init__.py); tests/e2e/ holds the end-to-end tests (the pipeline on the sample province,
rendered documents, the command line in a subprocess, real data); tests/support/ the plain helpers.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from hotline_eval.config.catalogue import load_catalogue
from tests.support import CORPUS, ROOT

E2E = Path(__file__).parent / "e2e"

# Property tests draw the same examples on every run (a red run can be rerun and looked at), keep no
# example database in the working tree, and never fail on wall-clock time.
settings.register_profile("hotline", derandomize=True, deadline=None, database=None)
settings.load_profile("hotline")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The end-to-end tests first. With pytest-xdist (pyproject.toml: `-n auto --dist loadfile`) every worker
    makes its own session fixtures and runs whole files, so a file's module fixtures (a rendered report, a
    prepared project) are made once; the long end-to-end files start first and the many short unit tests
    fill the end of the run, keeping the workers busy until it ends."""
    items.sort(key=lambda item: E2E not in item.path.parents)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def outputs_dir(tmp_path_factory) -> Path:
    """All pipeline outputs of the test session go here, never into the developer's outputs/ (with
    pytest-xdist: one folder per worker)."""
    path = tmp_path_factory.mktemp("outputs")
    os.environ["HOTLINE_EVAL_OUTPUTS"] = str(path)
    os.environ.setdefault("HOTLINE_EVAL_SALT", "test-salt")
    return path


@pytest.fixture(scope="session")
def catalogue(root):
    """The shipped indicator catalogue (params/indicators.yaml)."""
    return load_catalogue(root)


@pytest.fixture(scope="session")
def corpus_root(root, tmp_path_factory) -> Path:
    """A project root with the real params plus the corpus' test mapping (corpus-flex)."""
    folder = tmp_path_factory.mktemp("corpus-root")
    shutil.copytree(root / "params", folder / "params")
    shutil.copy(CORPUS / "mappings" / "corpus-flex.yaml", folder / "params" / "mappings")
    return folder


@pytest.fixture(scope="session")
def demo(root, outputs_dir):
    """The default evaluation (sample province) prepared once: generated, ingested, measured, scored."""
    from hotline_eval.pipeline import prepare  # the pipeline is imported by the tests that run it, not at collection

    return prepare(root, "demo-comprehensive")


@pytest.fixture(scope="session")
def results(root, demo):
    """The default evaluation's results, as the documents read them."""
    from hotline_eval.results import load

    return load(root, "demo-comprehensive")


@pytest.fixture(scope="session")
def q2(root, outputs_dir):
    """The sample province's second quarter (demo-2026q2, with its appeals) prepared: the previous evaluation."""
    from hotline_eval.pipeline import prepare

    return prepare(root, "demo-2026q2")


@pytest.fixture(scope="session")
def previous(root, demo, q2):
    """The second quarter's results, as the documents read the previous evaluation."""
    from hotline_eval.results import load

    return load(root, "demo-2026q2")


def pytest_terminal_summary(terminalreporter) -> None:
    """The mutation harness' one-line summary (tests/e2e/test_mutations.py): its tests record, per mutant
    and promise, whether the promise held; with pytest-xdist the records travel with the test reports."""
    mutants, held = set(), {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            for key, value in getattr(report, "user_properties", ()):
                if key == "mutation" and getattr(report, "when", "") == "call":
                    mutants.add(value["mutant"])
                    held[value["invariant"]] = held.get(value["invariant"], 0) + value["ok"]
    if mutants:
        counts = ", ".join(f"{invariant} {count}" for invariant, count in held.items())
        terminalreporter.write_line(f"mutation harness: {len(mutants)} mutants, {counts}")

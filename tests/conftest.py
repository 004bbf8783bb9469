"""Shared fixtures. The whole-pipeline fixture writes to a temporary outputs folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from hotline_eval.core.paramfiles import project_root

# Property tests draw the same examples on every run (a red run can be rerun and looked at), keep no
# example database in the working tree, and never fail on wall-clock time.
settings.register_profile("hotline", derandomize=True, deadline=None, database=None)
settings.load_profile("hotline")

ROOT = project_root(Path(__file__).parent)
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def outputs_dir(tmp_path_factory) -> Path:
    """All pipeline outputs of the test session go here, never into the developer's outputs/."""
    path = tmp_path_factory.mktemp("outputs")
    os.environ["HOTLINE_EVAL_OUTPUTS"] = str(path)
    os.environ.setdefault("HOTLINE_EVAL_SALT", "test-salt")
    return path


@pytest.fixture(scope="session")
def demo(root, outputs_dir):
    """The default evaluation (sample province) prepared once: generated, ingested, measured, scored."""
    from hotline_eval.pipeline import prepare

    return prepare(root, "demo-comprehensive")

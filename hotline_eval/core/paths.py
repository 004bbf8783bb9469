"""Where an evaluation's outputs live: outputs/<evaluation>/ (or $HOTLINE_EVAL_OUTPUTS).

The files there are the contract of docs/documents/index.md#output-files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Paths:
    """Where an evaluation's outputs live (the output contract, docs/documents/index.md#output-files)."""

    root: Path
    evaluation: str

    @property
    def out(self) -> Path:
        return outputs_root(self.root) / self.evaluation

    @property
    def raw(self) -> Path:
        return self.out / "raw"

    @property
    def data(self) -> Path:
        return self.out / "data"

    @property
    def manifest(self) -> Path:
        return self.out / "manifest.json"

    def city(self, city: str) -> Path:
        return self.out / city


def outputs_root(root: Path) -> Path:
    """outputs/ of the project, or $HOTLINE_EVAL_OUTPUTS (tests and batch jobs point it elsewhere)."""
    env = os.environ.get("HOTLINE_EVAL_OUTPUTS")
    return Path(env).resolve() if env else root / "outputs"

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
    staging: Path | None = None  # a run writes its outputs here, then publishes them (core/publish.py)

    @property
    def published(self) -> Path:
        """outputs/<evaluation>/: the published results, what the documents read."""
        return outputs_root(self.root) / self.evaluation

    @property
    def out(self) -> Path:
        """Where outputs are read and written: the staging folder during a run, else the published one."""
        return self.staging or self.published

    @property
    def raw(self) -> Path:
        """The generated sample exports: inputs, never staged."""
        return self.published / "raw"

    def staged(self, staging: Path) -> Paths:
        return Paths(self.root, self.evaluation, staging)

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

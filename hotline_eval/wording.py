"""Reader-facing wording from params/wording.yaml."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from hotline_eval.paramfiles import load_yaml


@cache
def load_wording(root: Path) -> dict[str, Any]:
    return load_yaml(root / "params" / "wording.yaml")

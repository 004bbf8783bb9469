"""Qualitative rule tables for the appendix (Appendix A.2, A.3), from params/rule_tables.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from hotline_eval.core.errors import ConfigError
from hotline_eval.core.paramfiles import load_yaml

RULES_FILE = Path("params") / "rule_tables.yaml"


@dataclass(frozen=True)
class RuleTable:
    indicators: tuple[str, ...]
    title: str
    basis: str
    frame: pd.DataFrame
    note: str = ""


@cache
def _entries(root: Path) -> dict[str, dict]:
    path = root / RULES_FILE
    if not path.exists():
        return {}
    data = load_yaml(path) or {}
    entries = {k: v for k, v in data.items() if isinstance(v, dict)}
    for key, entry in entries.items():
        for field in ("title", "basis", "columns", "rows"):
            if field not in entry:
                raise ConfigError(path, f"{key}.{field}", "缺少必填键")
        width = len(entry["columns"])
        for i, row in enumerate(entry["rows"]):
            if len(row) != width:
                raise ConfigError(path, f"{key}.rows.{i}", f"该行有{len(row)}个单元格，而表有{width}列")
    return entries


def rule_tables(root: Path, indicator_ids: list[str]) -> list[RuleTable]:
    """The rule tables of the given indicators, in their order; one table shared by several is shown once."""
    entries = _entries(root)
    by_title: dict[str, list[str]] = {}
    for ind in indicator_ids:
        if ind in entries:
            by_title.setdefault(entries[ind]["title"], []).append(ind)
    out = []
    for title, ids in by_title.items():
        entry = entries[ids[0]]
        frame = pd.DataFrame([[str(c) for c in row] for row in entry["rows"]], columns=entry["columns"])
        out.append(RuleTable(tuple(ids), title, entry["basis"], frame, entry.get("note", "")))
    return out

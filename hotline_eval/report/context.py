"""What every notebook of a document shares: the results, the wording, the figure and table counters.

The notebooks of a document run one after another in one kernel; each starts with the same setup
cell so that it also runs alone in JupyterLab. `report_context` returns the same object for the
same arguments, so table and figure numbers continue across notebooks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hotline_eval.report import charts
from hotline_eval.results import Results, load
from hotline_eval.wording import load_wording

_CONTEXTS: dict[tuple[str, str, str], ReportContext] = {}


@dataclass
class ReportContext:
    results: Results
    wording: dict[str, Any]
    city: str
    counters: dict[str, int] = field(default_factory=lambda: {"table": 0, "figure": 0})

    @property
    def name(self) -> str:
        return self.results.city_name(self.city) if self.city else ""

    @property
    def n_cities(self) -> int:
        return len(self.results.evaluation.city_ids())

    def next_table(self) -> int:
        self.counters["table"] += 1
        return self.counters["table"]

    def next_figure(self) -> int:
        self.counters["figure"] += 1
        return self.counters["figure"]


def report_context(root: str | Path, evaluation: str, city: str = "") -> ReportContext:
    key = (str(Path(root).resolve()), evaluation, city)
    if key not in _CONTEXTS:
        results = load(root, evaluation)
        if city:
            results.evaluation.check_city(city)
        charts.setup()
        _CONTEXTS[key] = ReportContext(results, load_wording(results.root), city)
    return _CONTEXTS[key]

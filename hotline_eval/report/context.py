"""What every notebook of a document shares: the results, the wording, the figure and table counters.

The notebooks of a document run one after another in one kernel; each starts with the same setup
cell so that it also runs alone in JupyterLab. `report_context` returns the same object for the
same root, evaluation and city, so table and figure numbers continue across notebooks.
A notebook that does not pass `previous` gets the context the first notebook created.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from hotline_eval.config.wording import load_wording
from hotline_eval.core import fmt
from hotline_eval.core.pauses import pause_at
from hotline_eval.report import charts
from hotline_eval.report.previous import load_previous, total_changes
from hotline_eval.results import Results, load

_CONTEXTS: dict[tuple[str, str, str], ReportContext] = {}


@dataclass
class ReportContext:
    results: Results
    wording: dict[str, Any]
    city: str
    previous: Results | None = None
    counters: dict[str, int] = field(default_factory=lambda: {"table": 0, "figure": 0, "section": 0})

    @property
    def name(self) -> str:
        return self.results.city_name(self.city) if self.city else ""

    @property
    def n_cities(self) -> int:
        return len(self.results.evaluation.city_ids())

    @property
    def single(self) -> bool:
        """One evaluated object: nothing to rank or compare it with."""
        return self.n_cities == 1

    @cached_property
    def changes(self) -> pd.DataFrame:
        """Per city: total and rank now and in the previous evaluation (NaN without one)."""
        return total_changes(self.results.totals, self.previous.totals if self.previous else None)

    def section(self, title: str) -> str:
        """The next numbered section heading, e.g. "四、数据质量评估": sections that show nothing take no number."""
        self.counters["section"] += 1
        return f"{fmt.ordinal(self.counters['section'])}、{title}"

    def next_table(self) -> int:
        self.counters["table"] += 1
        return self.counters["table"]

    def next_figure(self) -> int:
        self.counters["figure"] += 1
        return self.counters["figure"]


def report_context(root: str | Path, evaluation: str, city: str = "", previous: str = "") -> ReportContext:
    """The shared context of one document (created by the first notebook that asks for it).

    previous: id of the evaluation to compare with; "" takes the evaluation's own `previous`, if any.
    """
    pause_at("notebook")
    key = (str(Path(root).resolve()), evaluation, city)
    if key not in _CONTEXTS:
        results = load(root, evaluation)
        if city:
            results.evaluation.check_city(city)
        charts.setup()
        words = load_wording(results.root, results.evaluation.labels)
        _CONTEXTS[key] = ReportContext(results, words, city, load_previous(results, previous))
    return _CONTEXTS[key]

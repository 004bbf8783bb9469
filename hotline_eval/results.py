"""An evaluation's results as the notebooks read them (files written by the pipeline)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from hotline_eval.config.catalogue import Catalogue, Indicator, load_catalogue
from hotline_eval.config.definitions import load_evaluation
from hotline_eval.config.evaluation import Evaluation
from hotline_eval.config.schema import Schema, load_schema
from hotline_eval.core.paths import Paths
from hotline_eval.core.store import read_json


@dataclass
class Results:
    root: Path
    evaluation: Evaluation
    paths: Paths

    @cached_property
    def catalogue(self) -> Catalogue:
        return load_catalogue(self.root)

    @cached_property
    def schema(self) -> Schema:
        return load_schema(self.root)

    @cached_property
    def indicators(self) -> pd.DataFrame:
        return _read(self.paths.out / "indicators.csv", {"unit": str, "month": str})

    @cached_property
    def moments(self) -> pd.DataFrame:
        """Σx² of the mean indicators (compare/extra_terms.py), measured with indicators.csv."""
        return _read(self.paths.out / "moments.csv", {"unit": str, "month": str})

    @cached_property
    def channels(self) -> pd.DataFrame:
        """The channel indicators of params/comparison.yaml per intake channel, measured with indicators.csv."""
        return _read(self.paths.out / "channels.csv", {"channel": str, "month": str})

    @cached_property
    def scores(self) -> pd.DataFrame:
        return _read(self.paths.out / "scores.csv", {"reference_holder": str, "flag": str})

    @cached_property
    def totals(self) -> pd.DataFrame:
        return _read(self.paths.out / "totals.csv", {}).set_index("city")

    @cached_property
    def ranked(self) -> list[str]:
        """The evaluated objects with a total, and so a rank, best first (one whose scored indicators
        all lack a score has neither)."""
        return list(self.totals.dropna(subset=["total"]).sort_values("rank").index)

    @cached_property
    def names(self) -> list[str]:
        """Names the data give that a document may quote as they are (handling units' ids and names):
        proper names for the document linter, whatever their script."""
        units = _read(self.paths.out / "unit_totals.csv", {"unit": str, "unit_name": str})
        if units.empty:
            return []
        return sorted({str(n) for n in pd.concat([units["unit"], units["unit_name"]]).dropna()})

    @property
    def no_total_cause(self) -> str:
        """Why an object has no total: `sub_items` when the definition scores only change or activity
        sub-items (Evaluation.totals_meaningful), else `data` (no scored indicator has a score)."""
        return "data" if self.evaluation.totals_meaningful(self.catalogue) else "sub_items"

    @cached_property
    def ingest(self) -> dict:
        return read_json(self.paths.out / "ingest.json") or {}

    @cached_property
    def manifest(self) -> dict:
        return read_json(self.paths.manifest) or {}

    @property
    def data_version(self) -> str:
        """The data version the results belong to, as the documents record it: "<n> <input fingerprint>"."""
        versions = self.manifest.get("versions") or []
        return f"{versions[-1]['version']} {versions[-1]['inputs']}" if versions else ""

    @cached_property
    def active(self) -> list[Indicator]:
        return self.evaluation.active_indicators(self.catalogue)

    def city_name(self, city: str) -> str:
        return self.evaluation.city_name(city)

    def holder_names(self, holder: str) -> str:
        """Reference holders as Chinese names (benchmark sources are shown as they are)."""
        ids = self.evaluation.city_ids()
        parts = holder.split("、") if holder else []
        return "、".join(self.city_name(p) if p in ids else p for p in parts)

    def pooled(self, city: str | None = None) -> pd.DataFrame:
        frame = self.indicators[(self.indicators["unit"] == "") & (self.indicators["month"] == "all")]
        return frame if city is None else frame[frame["city"] == city]


def load(root: Path | str, evaluation: str) -> Results:
    root = Path(root)
    ev = load_evaluation(root, evaluation)
    return Results(root, ev, Paths(root, ev.id))


def _read(path: Path, dtypes: dict) -> pd.DataFrame:
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=dtypes, keep_default_na=False, na_values=[""])
    for col, kind in dtypes.items():
        if kind is str and col in frame:
            frame[col] = frame[col].fillna("")
    return frame

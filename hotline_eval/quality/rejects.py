"""Rows rejected at ingest (rejects/<table>.csv) and fields it cleared (cleared/<table>.csv),
attributed to cities and classified.

Ingest keeps every rejected row with its file, row, column, masked value and reason. The quality
assessment counts them: a failed row rule of params/schema.yaml (e.g. a call that ends before it
arrives) is an intra-record inconsistency (§8.3), a repeated id a duplicate, anything else a
schema or domain violation (§8.2). A file's city is the city its input folder was declared for;
rows of a file that mixes cities are attributed to no city ('').
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from hotline_eval.config.schema import Schema
from hotline_eval.core.store import relative_label
from hotline_eval.ingest.discovery import InputFile

COLUMNS = ["city", "table", "kind", "file", "row", "column", "value", "reason"]
HEADER = {"文件": "file", "行号": "row", "列": "column", "值": "value", "原因": "reason"}
DUPLICATE_ID = "编号重复"


def file_cities(inputs: Iterable[InputFile], base: Path) -> dict[str, str]:
    """Ingest's file label (path relative to `base`) → the city the file was declared for."""
    return {_label(i.path, base): i.city or "" for i in inputs}


def read_rejects(
    out_dir: Path, schema: Schema, cities_of_files: dict[str, str], folder: str = "rejects"
) -> pd.DataFrame:
    """Every rejected row of every table, with its city and kind (rule | duplicate_id | invalid);
    with folder="cleared", the fields ingest cleared in accepted rows (rule: a row rule with `clear`)."""
    frames = []
    for table, spec in schema.tables.items():
        path = out_dir / folder / f"{table}.csv"
        if not path.exists():
            continue
        frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False).rename(columns=HEADER)
        if frame.empty:
            continue
        rules = {rule.zh for rule in spec.rules}
        frame["table"] = table
        frame["city"] = frame["file"].map(lambda f: cities_of_files.get(f, _city_from_label(f, cities_of_files)))
        frame["kind"] = [
            "rule" if r in rules else "duplicate_id" if r.startswith(DUPLICATE_ID) else "invalid"
            for r in frame["reason"]
        ]
        frames.append(frame[COLUMNS])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)


def _city_from_label(label: str, known: dict[str, str]) -> str:
    """A file no longer among the inputs: its folder's city when another file of the folder is known."""
    folder = str(Path(label).parent)
    return next((c for f, c in known.items() if str(Path(f).parent) == folder and c), "")


def _label(path: Path, base: Path) -> str:
    """The label ingest gives a file in rejects/ and ingest.json (relative to the data folder)."""
    return relative_label(path, base)

"""Data-quality assessment before scoring (§5.2.7): 查全率, 查准率, 一致性, 关联度, and the gate.

After ingest and before measurement, every check of params/quality.yaml runs per city ×
canonical table × month of the period (and pooled over the period) in DuckDB over the canonical
Parquet tables and the rows ingest rejected. The results are a long table (quality.csv) and a few
masked examples of offending rows per check (quality_examples.csv). After measurement,
`apply_gate` marks the indicators that read a failing table or field as quality_blocked.

Families (docs/method/data-quality.md):
- recall.py       record recall against self-reported control totals, period coverage and gap
                  days, field completeness over the fields the evaluation's indicators need;
- precision.py    record precision (ingest rejects, collection window, undeclared duplicates,
                  test records), verified accuracy from a sample-verification file (Wilson);
- consistency.py  intra-record rules, cross-source figures, cross-period jumps (flagged);
- relevance.py    linkage of every designed link, indicator relevance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hotline_eval.config.evaluation import Evaluation
from hotline_eval.config.schema import load_schema
from hotline_eval.core.store import read_json, write_csv
from hotline_eval.quality import consistency, precision, recall, relevance
from hotline_eval.quality.context import QualityContext, open_quality_data
from hotline_eval.quality.examples import collect_examples
from hotline_eval.quality.frame import COLUMNS, EXAMPLE_COLUMNS
from hotline_eval.quality.gate import BLOCKED, apply_gate, blocked_indicators, failures
from hotline_eval.quality.rejects import file_cities, read_rejects

__all__ = [
    "BLOCKED",
    "CHECKS",
    "EXAMPLES_CSV",
    "QUALITY_CSV",
    "QualityAssessment",
    "apply_gate",
    "assess",
    "blocked_indicators",
    "failures",
    "file_cities",
    "load_examples",
    "load_quality",
    "write_assessment",
]

# The checks in the order they are reported: family by family.
CHECKS: list[Callable[[QualityContext], pd.DataFrame]] = [
    recall.record_recall,
    recall.period_coverage,
    recall.gap_days,
    recall.field_completeness,
    recall.table_completeness,
    precision.record_precision,
    precision.duplicates,
    precision.test_records,
    precision.out_of_window,
    precision.rejected,
    precision.verified_accuracy,
    precision.verified_accuracy_low,
    consistency.intra_record,
    consistency.rule_violations,
    consistency.cross_source,
    consistency.period_jump,
    relevance.linkage,
    relevance.relevance,
]
QUALITY_CSV = "quality.csv"
EXAMPLES_CSV = "quality_examples.csv"
JUDGED = {"True": True, "False": False}


@dataclass
class QualityAssessment:
    results: pd.DataFrame  # quality.csv
    examples: pd.DataFrame  # quality_examples.csv


def assess(
    root: Path, evaluation: Evaluation, out_dir: Path, cities_of_files: dict[str, str], data_version: int = 1
) -> QualityAssessment:
    """Run every check over out_dir/data (and out_dir/rejects) for the evaluation's cities."""
    con = open_quality_data(root, out_dir / "data")
    schema = load_schema(root)
    rejects = read_rejects(out_dir, schema, cities_of_files)
    cleared = read_rejects(out_dir, schema, cities_of_files, folder="cleared")
    ingested = read_json(out_dir / "ingest.json") or {}
    ctx = QualityContext(root, con, evaluation, rejects, cleared, provided=ingested.get("provided"))
    frames = [frame for check in CHECKS if len(frame := check(ctx))]
    results = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    results = results[results["city"].isin([*evaluation.city_ids(), ""])].copy()
    results["data_version"] = data_version
    order = {"city": evaluation.city_ids(), "table": list(schema.tables)}
    results = results.sort_values(
        ["city", "table", "month"],
        key=lambda s: s.map({v: i for i, v in enumerate(order[s.name])}) if s.name in order else s,
        kind="stable",
    )
    return QualityAssessment(results.reset_index(drop=True)[COLUMNS], collect_examples(ctx))


def write_assessment(out_dir: Path, assessment: QualityAssessment) -> None:
    write_csv(out_dir / QUALITY_CSV, assessment.results)
    write_csv(out_dir / EXAMPLES_CSV, assessment.examples)


def load_quality(out_dir: Path) -> pd.DataFrame:
    """quality.csv as written (passed: True, False or None for rows that are not judged)."""
    path = out_dir / QUALITY_CSV
    if not path.exists():
        return pd.DataFrame(columns=COLUMNS)
    frame = pd.read_csv(
        path,
        encoding="utf-8-sig",
        dtype={"city": str, "month": str, "item": str, "scope": str, "passed": str},
        keep_default_na=False,
    )
    frame["passed"] = pd.Series([JUDGED.get(p) for p in frame["passed"]], index=frame.index, dtype=object)
    for column in ("value", "threshold", "numerator", "denominator"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame


def load_examples(out_dir: Path) -> pd.DataFrame:
    path = out_dir / EXAMPLES_CSV
    if not path.exists():
        return pd.DataFrame(columns=EXAMPLE_COLUMNS)
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)

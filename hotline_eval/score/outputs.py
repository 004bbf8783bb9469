"""Writing the scoring stage's results: the CSV files and the score sheet scores.xlsx (§8.3)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hotline_eval.core.store import write_csv
from hotline_eval.core.xlsx import Sheet, write_workbook
from hotline_eval.score import scoresheet as sh
from hotline_eval.score.scoring import EvaluationScores

SPECIAL_FILES = {
    "monthly": "monthly.csv",
    "short": "short_periods.csv",
    "trend": "trend.csv",
    "activity": "activity.csv",
}


def write_scores(
    out: Path,
    result: EvaluationScores,
    panel_detail: pd.DataFrame,
    labels: sh.SheetLabels,
    extra: list[Sheet] | None = None,
) -> None:
    """The CSV files and scores.xlsx; `extra` sheets (the appeal log, §8.2) go before the notes."""
    write_csv(out / "scores.csv", result.scores)
    write_csv(out / "totals.csv", result.totals)
    write_csv(out / "unit_scores.csv", result.unit_scores)
    write_csv(out / "unit_totals.csv", result.unit_totals)
    for key, name in (SPECIAL_FILES | {"segments": "segments.csv"}).items():
        (out / name).unlink(missing_ok=True)  # no stale file from an earlier definition
        if key in result.special:
            write_csv(out / name, result.special[key])
    segments = [v for k, v in result.special.items() if k.startswith("segment:")]
    if segments:
        write_csv(out / "segments.csv", pd.concat(segments, ignore_index=True))
    footer = f"{labels.ev.organiser_zh}　{labels.ev.period.label_zh}"
    write_workbook(out / "scores.xlsx", sheets(result, panel_detail, labels, extra or []), footer)


def sheets(
    result: EvaluationScores, panel_detail: pd.DataFrame, labels: sh.SheetLabels, extra: list[Sheet] | None = None
) -> list[Sheet]:
    """The score sheet's sheets, in reading order."""
    out = [
        sh.totals_sheet(result.totals, labels),
        sh.dimensions_sheet(result.totals, labels),
        sh.indicators_sheet(result.scores, labels),
        sh.units_sheet(result.unit_totals, labels),
        sh.unit_indicators_sheet(result.unit_scores, labels),
        sh.experts_sheet(panel_detail, labels),
    ]
    special = result.special
    if "monthly" in special and len(special["monthly"]):
        out.append(sh.monthly_sheet(special["monthly"], labels))
    if "trend" in special:
        out.append(sh.trend_sheet(special["trend"], labels))
    if "activity" in special:
        out.append(sh.activity_sheet(special["activity"], labels))
    out += extra or []
    out.append(sh.notes_sheet(sh.scoring_notes(labels), labels))
    return out


def read_special(out: Path) -> dict[str, pd.DataFrame]:
    """The special evaluation's tables as written (empty dict for a comprehensive evaluation)."""
    names = SPECIAL_FILES | {"segments": "segments.csv"}
    found = {}
    for key, name in names.items():
        path = out / name
        if path.exists():
            found[key] = pd.read_csv(
                path,
                encoding="utf-8-sig",
                keep_default_na=False,
                na_values=[""],
                dtype={"unit": str, "month": str, "flag": str},
            )
    return found

"""The long result table of the assessment (quality.csv) and helpers to build its rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hotline_eval.quality.spec import QualitySpec

POOLED = "all"
COLUMNS = [
    "city",
    "table",
    "month",
    "check",
    "value",
    "threshold",
    "passed",
    "item",
    "numerator",
    "denominator",
    "severity",
    "scope",
    "data_version",
]
EXAMPLE_COLUMNS = ["city", "table", "check", "item", "month", "record", "detail"]
KEYS = ["city", "table", "item", "scope"]


def empty() -> pd.DataFrame:
    return pd.DataFrame(columns=COLUMNS)


def with_pooled(frame: pd.DataFrame) -> pd.DataFrame:
    """Monthly rows plus one row per key for the period (numerators and denominators summed)."""
    if frame.empty:
        return frame
    monthly = frame[frame["month"] != POOLED]
    pooled = monthly.groupby(KEYS, dropna=False)[["numerator", "denominator"]].sum(min_count=1).reset_index()
    pooled["month"] = POOLED
    return pd.concat([frame, pooled], ignore_index=True)


def rate(frame: pd.DataFrame) -> pd.DataFrame:
    """value = numerator ÷ denominator (NaN on an empty denominator)."""
    num, den = frame["numerator"].astype(float), frame["denominator"].astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return frame.assign(value=np.where(den > 0, num / den, np.nan))


def count(frame: pd.DataFrame) -> pd.DataFrame:
    """value = numerator (a count); no denominator."""
    return frame.assign(value=frame["numerator"].astype(float), denominator=np.nan)


def deviation(frame: pd.DataFrame) -> pd.DataFrame:
    """value = |numerator − denominator| ÷ denominator (records against a reported figure)."""
    num, den = frame["numerator"].astype(float), frame["denominator"].astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return frame.assign(value=np.where(den > 0, np.abs(num - den) / den, np.nan))


def finish(frame: pd.DataFrame, check: str, spec: QualitySpec) -> pd.DataFrame:
    """Name the check and judge each row against its threshold (a row's own threshold wins)."""
    if frame.empty:
        return empty()
    c = spec.check(check)
    out = frame.copy()
    out["check"] = check
    out["severity"] = c.severity
    if "threshold" not in out:
        out["threshold"] = c.threshold
    out["threshold"] = out["threshold"].astype(float)
    value, limit = out["value"].astype(float), out["threshold"]
    ok = value >= limit if c.min is not None else value <= limit
    judged = value.notna() & limit.notna() & (c.severity != "info")
    out["passed"] = np.where(judged, ok, None)
    for column in ("item", "scope"):
        out[column] = out[column].fillna("") if column in out else ""
    return out.reindex(columns=COLUMNS)

"""The long result table of the assessment (quality.csv) and helpers to build its rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hotline_eval.config.quality import Check, MonthlyEvidence, QualitySpec
from hotline_eval.core.stats import wilson

POOLED = "all"
COLUMNS = [
    "city",
    "table",
    "month",
    "check",
    "value",
    "threshold",
    "bound",
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


def _evidence(frame: pd.DataFrame, check: Check, rule: MonthlyEvidence | None) -> tuple[pd.Series, pd.Series]:
    """The upper end of the Wilson interval of each month's rate, and which rows may be judged."""
    bound = pd.Series(np.nan, index=frame.index)
    judged = pd.Series(True, index=frame.index)
    if rule is None or not check.proportion or "denominator" not in frame:
        return bound, judged
    monthly = (frame["month"] != POOLED) & frame["denominator"].notna()
    n = frame.loc[monthly, "denominator"].astype(float)
    _, high = wilson(frame.loc[monthly, "numerator"].astype(float).to_numpy(), n.to_numpy(), rule.confidence)
    bound[monthly] = high
    judged[monthly] = (n >= rule.min_records).to_numpy()
    return bound, judged


def deviation(frame: pd.DataFrame) -> pd.DataFrame:
    """value = |numerator − denominator| ÷ denominator (records against a reported figure)."""
    num, den = frame["numerator"].astype(float), frame["denominator"].astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return frame.assign(value=np.where(den > 0, np.abs(num - den) / den, np.nan))


def finish(frame: pd.DataFrame, check: str, spec: QualitySpec) -> pd.DataFrame:
    """Name the check and judge each row against its threshold (a row's own threshold wins).

    A month of a proportion check is judged on evidence (`monthly_evidence`): `bound` is the upper
    end of its rate's Wilson interval, and a month with too few records is not judged.
    """
    if frame.empty:
        return empty()
    c = spec.check(check)
    out = frame.copy()
    out["check"] = check
    out["severity"] = c.severity
    if "threshold" not in out:
        out["threshold"] = c.threshold
    out["threshold"] = out["threshold"].astype(float)
    out["bound"], judged = _evidence(out, c, spec.monthly_evidence)
    value, limit = out["bound"].fillna(out["value"]).astype(float), out["threshold"]
    ok = value >= limit if c.min is not None else value <= limit
    judged &= value.notna() & limit.notna() & (c.severity != "info")
    out["passed"] = np.where(judged, ok, None)
    for column in ("item", "scope"):
        out[column] = out[column].fillna("") if column in out else ""
    return out.reindex(columns=COLUMNS)

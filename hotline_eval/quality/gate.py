"""The quality gate (§5.2.7): a failing gate blocks the indicators that read its scope.

See docs/method/data-quality.md#the-gate.

A gate check's scope is a table or a field (`table.column`). An indicator reads its source's
table, the tables of its data_needs and the fields of its data_needs. A failing table scope
blocks every indicator reading the table; a failing field blocks the indicators needing the field
(and, when an indicator declares no data_needs, any failing field of its source table blocks it:
never silently scored). Blocking is applied to the measured indicators after measurement: their
status becomes `quality_blocked` (数据质量不达标), their value is withheld and the flag names the
failing checks, so scoring (which scores status `ok` only) leaves them out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hotline_eval.config.catalogue import Catalogue, Indicator
from hotline_eval.quality.frame import POOLED

BLOCKED = "quality_blocked"
FLAG_PREFIX = "quality:"


@dataclass(frozen=True)
class Reads:
    """What an indicator reads: tables, fields (table.column), and the table of its source."""

    tables: frozenset[str]
    fields: frozenset[str]
    source_table: str | None

    def hit_by(self, scope: str) -> bool:
        table, _, column = scope.partition(".")
        if not column:
            return table in self.tables
        if scope in self.fields:
            return True
        return not self.fields and table == self.source_table


def reads(ind: Indicator, catalogue: Catalogue) -> Reads:
    source_table = catalogue.sources[ind.source].table if ind.source else None
    fields = frozenset(ind.all_needs)
    tables = frozenset({n.partition(".")[0] for n in fields} | ({source_table} if source_table else set()))
    return Reads(tables, fields, source_table)


def gates(quality: pd.DataFrame) -> pd.DataFrame:
    """The judged gate checks (severity gate; a month of too few records or no value is not judged)."""
    judged = quality["passed"].map(lambda p: p is not None and not (isinstance(p, float) and np.isnan(p)))
    return quality[(quality["severity"] == "gate") & judged]


def failures(quality: pd.DataFrame) -> pd.DataFrame:
    """The failing gate checks (severity gate, passed False)."""
    failed = quality["passed"].map(lambda p: p is False or p in ("False", "false"))
    return quality[(quality["severity"] == "gate") & failed]


def reason(row: pd.Series) -> str:
    """The failing check as `table.check[item]@month`."""
    item = f"[{row['item']}]" if row["item"] else ""
    return f"{row['table']}.{row['check']}{item}@{row['month']}"


def flag(reasons: pd.Series) -> str:
    """The flag of a blocked indicator: its failing checks, each with the months it failed in."""
    months: dict[str, list[str]] = {}
    for r in sorted(set(reasons)):
        check, _, month = r.rpartition("@")
        months.setdefault(check, []).append(month)
    return FLAG_PREFIX + "; ".join(f"{c}@{','.join(m)}" for c, m in months.items())


def blocking(quality: pd.DataFrame, catalogue: Catalogue, indicators: list[Indicator]) -> pd.DataFrame:
    """One row per (city, month, indicator) a failing gate blocks, with the failing check as reason."""
    read = {ind.id: reads(ind, catalogue) for ind in indicators}
    rows = []
    for _, row in failures(quality).iterrows():
        for ind_id, r in read.items():
            if r.hit_by(row["scope"]):
                rows.append({"city": row["city"], "month": row["month"], "indicator": ind_id, "reason": reason(row)})
    return pd.DataFrame(rows, columns=["city", "month", "indicator", "reason"])


def apply_gate(indicators: pd.DataFrame, quality: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """The measured indicators with the blocked ones marked quality_blocked (value withheld, reasons in flag).

    A failure in a month blocks that month's rows and the pooled period row; a failure of the
    pooled period (month all) blocks every row of the city and indicator.
    """
    out = indicators.copy()
    active = [catalogue.indicator(i) for i in out["indicator"].unique()]
    blocks = blocking(quality, catalogue, active)
    if blocks.empty:
        return out
    out["flag"] = out["flag"].fillna("").astype(object)
    for (city, ind_id), part in blocks.groupby(["city", "indicator"]):
        months = set(part["month"])
        rows = (out["city"] == city) & (out["indicator"] == ind_id)
        if POOLED not in months:
            rows &= out["month"].isin(months | {POOLED})
        for month in out.loc[rows, "month"].unique():
            why = part if month == POOLED else part[part["month"].isin([month, POOLED])]
            at = rows & (out["month"] == month)
            out.loc[at, "status"] = BLOCKED
            out.loc[at, "flag"] = flag(why["reason"])
    blocked = out["status"] == BLOCKED
    out.loc[blocked, ["value", "ci_low", "ci_high"]] = np.nan
    return out


def blocked_indicators(quality: pd.DataFrame, catalogue: Catalogue, indicators: list[Indicator]) -> pd.DataFrame:
    """Per city and indicator that a failing gate blocks for the period: the failing checks."""
    blocks = blocking(quality, catalogue, indicators)
    return (
        blocks.groupby(["city", "indicator"], sort=False)["reason"]
        .agg(lambda r: sorted(set(r)))
        .reset_index()
        .rename(columns={"reason": "reasons"})
    )

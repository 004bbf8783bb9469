"""Known data defects planted into sample cities' exports, so the quality assessment (§5.2.7) can be tested.

Configured in params/provinces/<province>.yaml under `defects: {<city>: [<defect>, ...]}`. The
defects are applied after a city's tables are generated and its self-reports computed (the
self-reports stay the city's true figures, as a control total should), and before the tables are
exported. Each defect draws its records reproducibly from records inside the evaluation period
that no earlier defect touched, so every planted count is exact. What was planted, with counts
per month, goes to `<city>/defects.json` beside the exports (no mapping reads it): tests compare
the assessment's findings with it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hotline_eval.config.province import (
    BrokenLinks,
    Duplicates,
    MissingDays,
    MissingValues,
    OutOfPeriod,
    ReversedTimes,
    SelfReportOffset,
    SwappedTimes,
    TestRecords,
    Unverifiable,
)
from hotline_eval.config.schema import load_schema
from hotline_eval.core.errors import ConfigError
from hotline_eval.sample.context import CityContext

LEDGER = "defects.json"


@dataclass
class Planting:
    """The tables of one city while defects are planted, and the records already touched."""

    tables: dict[str, pd.DataFrame]
    months: list[str]
    rng: np.random.Generator
    keys: dict[str, str]
    month_columns: dict[str, str]
    touched: dict[str, set[str]] = field(default_factory=dict)

    def month_of(self, table: str, frame: pd.DataFrame | None = None) -> pd.Series:
        frame = self.tables[table] if frame is None else frame
        stamps = frame[self.month_columns[table]].to_numpy().astype("datetime64[M]")
        return pd.Series(np.datetime_as_string(stamps, unit="M"), index=frame.index).where(~np.isnat(stamps), "")

    def candidates(self, table: str, month: int | None = None, where: dict[str, Any] | None = None) -> pd.Index:
        """Rows inside the period (or one month of it), untouched, meeting the equality filters."""
        frame = self.tables[table]
        months = self.month_of(table)
        ok = months.isin([self.months[month - 1]] if month else self.months)
        ok &= ~frame[self.keys[table]].isin(self.touched.get(table, set()))
        for column, value in (where or {}).items():
            ok &= frame[column] == value
        return frame.index[ok.to_numpy()]

    def draw(self, table: str, rows: pd.Index, n: int) -> pd.Index:
        """n rows drawn without replacement (all of them when fewer), in their original order."""
        chosen = rows if len(rows) <= n else pd.Index(sorted(self.rng.choice(rows, n, replace=False)))
        self.touch(table, self.tables[table].loc[chosen, self.keys[table]])
        return chosen

    def touch(self, table: str, ids) -> None:
        self.touched.setdefault(table, set()).update(ids)

    def by_month(self, table: str, rows: pd.Index, frame: pd.DataFrame | None = None) -> dict[str, int]:
        months = self.month_of(table, frame).loc[rows]
        return {m: int(c) for m, c in sorted(months.value_counts().items())}


def missing_days(p: Planting, d: MissingDays) -> dict:
    frame = p.tables[d.table]
    month = p.months[d.month - 1]
    days = [dt.date.fromisoformat(f"{month}-{day:02d}") for day in d.days]
    stamp = frame[p.month_columns[d.table]].to_numpy().astype("datetime64[D]")
    gone = np.isin(stamp, np.array(days, dtype="datetime64[D]"))
    removed_ids = set(frame.loc[gone, p.keys[d.table]])
    p.tables[d.table] = frame[~gone]
    orphaned = {}
    for table, column in _links_to(d.table):
        if table not in p.tables:
            continue
        other = p.tables[table]
        rows = other.index[other[column].isin(removed_ids).to_numpy()]
        p.touch(table, other.loc[rows, p.keys[table]])
        orphaned[f"{table}.{column}"] = p.by_month(table, rows)
    return {"days": [f"{x}" for x in days], "removed": int(gone.sum()), "orphaned": orphaned}


def _links_to(table: str) -> list[tuple[str, str]]:
    """(table, column) pairs whose values are ids of `table` (the designed links of the schema)."""
    return {
        "calls": [("tickets", "call_id"), ("qc_samples", "object_id")],
        "tickets": [("callbacks", "ticket_id"), ("qc_samples", "object_id"), ("tickets", "repeat_of")],
    }.get(table, [])


def broken_links(p: Planting, d: BrokenLinks) -> dict:
    frame = p.tables[d.table]
    rows = p.candidates(d.table, d.month)
    rows = rows[frame.loc[rows, d.column].notna().to_numpy()]
    chosen = p.draw(d.table, rows, d.n)
    frame.loc[chosen, d.column] = [_other_id(v, "7") for v in frame.loc[chosen, d.column]]
    return {"column": d.column, "by_month": p.by_month(d.table, chosen)}


def duplicates(p: Planting, d: Duplicates) -> dict:
    frame = p.tables[d.table]
    key = p.keys[d.table]
    rows = p.candidates(d.table)
    if "is_valid" in frame:
        rows = rows[frame.loc[rows, "is_valid"].astype(bool).to_numpy()]
    chosen = p.draw(d.table, rows, d.rekeyed + d.same_id)
    rekeyed, same = chosen[: d.rekeyed], chosen[d.rekeyed :]
    copies = _appended(frame, frame.loc[rekeyed])
    copies[key] = [_other_id(v, "9") for v in copies[key]]
    p.touch(d.table, copies[key])
    p.tables[d.table] = pd.concat([frame, copies, _appended(copies, frame.loc[same])])
    return {"rekeyed": p.by_month(d.table, rekeyed, frame), "same_id": p.by_month(d.table, same, frame)}


def swapped_times(p: Planting, d: SwappedTimes) -> dict:
    frame = p.tables[d.table]
    first, second = d.columns
    rows = p.candidates(d.table)
    a, b = frame.loc[rows, first], frame.loc[rows, second]
    rows = rows[(a.notna() & b.notna() & (a < b)).to_numpy()]
    chosen = p.draw(d.table, rows, d.n)
    a, b = frame.loc[chosen, first].to_numpy(), frame.loc[chosen, second].to_numpy()
    frame.loc[chosen, first], frame.loc[chosen, second] = b, a
    return {"columns": list(d.columns), "by_month": p.by_month(d.table, chosen)}


def reversed_times(p: Planting, d: ReversedTimes) -> dict:
    frame = p.tables[d.table]
    chosen = p.draw(d.table, p.candidates(d.table, where=d.where), d.n)
    frame.loc[chosen, d.column] = frame.loc[chosen, d.reference].to_numpy() - np.timedelta64(60, "s")
    return {"column": d.column, "by_month": p.by_month(d.table, chosen)}


def test_records(p: Planting, d: TestRecords) -> dict:
    frame = p.tables[d.table]
    rows = p.candidates(d.table)
    rows = rows[(frame.loc[rows, "is_valid"].astype(bool) & frame.loc[rows, "invalid_reason"].isna()).to_numpy()]
    chosen = p.draw(d.table, rows, d.n)
    frame.loc[chosen, "invalid_reason"] = "test"
    return {"by_month": p.by_month(d.table, chosen)}


def out_of_period(p: Planting, d: OutOfPeriod) -> dict:
    frame = p.tables[d.table]
    chosen = p.draw(d.table, p.candidates(d.table), d.n)
    copies = _appended(frame, frame.loc[chosen])
    shift = np.timedelta64(d.shift_days, "D")
    for column in copies.columns:
        if pd.api.types.is_datetime64_any_dtype(copies[column]):
            copies[column] = copies[column] + shift
    copies[p.keys[d.table]] = [_other_id(v, "8") for v in copies[p.keys[d.table]]]
    p.tables[d.table] = pd.concat([frame, copies])
    return {"added": len(copies)}


def missing_values(p: Planting, d: MissingValues) -> dict:
    frame = p.tables[d.table]
    rows = p.candidates(d.table, d.month, d.where)
    rows = rows[frame.loc[rows, d.column].notna().to_numpy()]
    chosen = p.draw(d.table, rows, d.n)
    frame.loc[chosen, d.column] = None
    return {"column": d.column, "by_month": p.by_month(d.table, chosen)}


def self_report_offset(p: Planting, d: SelfReportOffset) -> dict:
    frame = p.tables["self_reports"]
    month = p.months[d.month - 1]
    at = (frame["figure"] == d.figure) & (frame["period"] == month)
    if not at.any():
        reported = "、".join(sorted(set(frame["figure"])))
        raise ConfigError("params/provinces", "defects", f"{month} 没有自报数据 '{d.figure}'；已自报的数据：{reported}")
    before = int(frame.loc[at, "value"].iloc[0])
    after = round(before * d.factor)
    frame.loc[at, "value"] = after
    return {"month": month, "reported_before": before, "reported_after": after}


def unverifiable(p: Planting, d: Unverifiable) -> dict:
    chosen = p.draw(d.table, p.candidates(d.table), d.sample)
    ids = p.tables[d.table].loc[chosen, p.keys[d.table]].to_numpy()
    mismatched = np.zeros(len(ids), dtype=bool)
    mismatched[p.rng.choice(len(ids), min(d.mismatches, len(ids)), replace=False)] = True
    p.tables["verifications"] = pd.DataFrame(
        {
            "record_table": d.table,
            "record_id": ids,
            "verified_at": np.datetime64(f"{p.months[-1]}-28T10:00:00", "s"),
            "matches": ~mismatched,
            "item": d.item,
            "verifier_id": "EV01",
        }
    )
    return {"verified": len(ids), "mismatches": int(mismatched.sum())}


PLANTERS: dict[str, Callable[[Planting, Any], dict]] = {
    "missing_days": missing_days,
    "broken_links": broken_links,
    "duplicates": duplicates,
    "swapped_times": swapped_times,
    "reversed_times": reversed_times,
    "test_records": test_records,
    "out_of_period": out_of_period,
    "missing_values": missing_values,
    "self_report_offset": self_report_offset,
    "unverifiable": unverifiable,
}


def _appended(after: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """A copy of rows with index labels following those of `after` (labels stay unique)."""
    start = int(after.index.max()) + 1 if len(after) else 0
    return rows.copy().set_axis(pd.RangeIndex(start, start + len(rows)))


def _id_column(table) -> str | None:
    """The column that identifies a record: the key, else the first required *_id column."""
    ids = [c for c, col in table.columns.items() if c.endswith("_id") and col.required]
    return table.key or (ids[0] if ids else None)


def _other_id(value: str, digit: str) -> str:
    """An id that no generated record has: the sequence part's first digit replaced (ids end in 7 digits)."""
    text = str(value)
    return f"{text[:-7]}{digit}{text[-6:]}" if text[-7:].isdigit() else f"{text}-{digit}"


def apply_defects(
    ctx: CityContext, system_tables: dict[str, pd.DataFrame], template_tables: dict[str, pd.DataFrame], folder: Path
) -> None:
    """Plant the city's configured defects into its tables (in place) and write the ledger."""
    ledger = folder / LEDGER
    defects = ctx.province.defects.get(ctx.city.id, [])
    if not defects:
        ledger.unlink(missing_ok=True)
        return
    schema = load_schema(ctx.root)
    tables = {**system_tables, **template_tables}
    planting = Planting(
        tables=tables,
        months=[str(m) for m in pd.period_range(ctx.start, ctx.end, freq="M")],
        rng=ctx.rng("defects"),
        keys={n: _id_column(t) for n, t in schema.tables.items()},
        month_columns={n: t.month_column for n, t in schema.tables.items() if t.month_column},
    )
    planted = []
    for defect in defects:
        found = PLANTERS[defect.kind](planting, defect)
        planted.append({**defect.model_dump(mode="json"), "planted": found})
    for name, frame in planting.tables.items():
        (system_tables if name in system_tables else template_tables)[name] = frame
    folder.mkdir(parents=True, exist_ok=True)
    ledger.write_text(
        json.dumps({"city": ctx.city.id, "defects": planted}, ensure_ascii=False, indent=1), encoding="utf-8"
    )

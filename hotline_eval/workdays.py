"""Working-day arithmetic from params/calendar.yaml (Chinese time limits are in working days)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from hotline_eval.errors import ConfigError
from hotline_eval.paramfiles import load_yaml


@dataclass(frozen=True)
class Calendar:
    holidays: tuple[dt.date, ...]
    workdays: tuple[dt.date, ...]

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Working days from start to end inclusive."""
        n = (end - start).days + 1
        every = (start + dt.timedelta(days=i) for i in range(n))
        return [d for d in every if self.is_workday(d)]

    def add_workdays(self, stamps: np.ndarray, n: float) -> np.ndarray:
        """Add n working days to datetime64 stamps (vectorised).

        From a working day the time of day is kept; from a rest day the clock starts at 00:00
        of the next working day.
        """
        table_start = np.datetime64("2020-01-01")
        table = np.array(self.days(dt.date(2020, 1, 1), dt.date(2030, 12, 31)), dtype="datetime64[D]")
        day = stamps.astype("datetime64[D]")
        tod = stamps - day
        pos = np.searchsorted(table, day)  # first working day on or after `day`
        on_workday = table[np.clip(pos, 0, len(table) - 1)] == day
        tod = np.where(on_workday, tod, np.timedelta64(0, "s"))
        whole = int(np.floor(n))
        frac = n - whole
        target = table[np.clip(pos + whole, 0, len(table) - 1)]
        out = target + tod + np.timedelta64(int(frac * 86400), "s")
        return np.where(day < table_start, stamps, out)


@cache
def load_calendar(root: Path) -> Calendar:
    path = root / "params" / "calendar.yaml"
    data = load_yaml(path) or {}
    try:
        holidays = tuple(_expand(data.get("holidays", [])))
        workdays = tuple(_expand(data.get("workdays", [])))
    except (TypeError, ValueError, KeyError) as exc:
        raise ConfigError(path, "holidays", f"dates must be YYYY-MM-DD or {{from, to}}: {exc}") from exc
    return Calendar(holidays=holidays, workdays=workdays)


def _expand(items: list) -> list[dt.date]:
    out: list[dt.date] = []
    for item in items:
        if isinstance(item, dict):
            start, end = _date(item["from"]), _date(item["to"])
            out += [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
        else:
            out.append(_date(item))
    return out


def _date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))

"""Working-day arithmetic from params/calendar.yaml (Chinese time limits are in working days)."""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import numpy as np

from hotline_eval.core.errors import ConfigError
from hotline_eval.core.paramfiles import load_yaml


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


def seconds_of_day(clock: str) -> int:
    """'HH:MM' (or 'HH:MM:SS') → seconds after midnight."""
    parts = [int(p) for p in str(clock).split(":")]
    if not 2 <= len(parts) <= 3 or not (0 <= parts[0] <= 24 and all(0 <= p < 60 for p in parts[1:])):
        raise ValueError(f"'{clock}' 不是 HH:MM 格式的时刻")
    return parts[0] * 3600 + parts[1] * 60 + (parts[2] if len(parts) == 3 else 0)


@dataclass(frozen=True)
class OfficeDay:
    """The office time of a working day (parameters office_hours and lunch_break), in seconds after
    midnight: limits stated in working hours count only this time on the calendar's working days."""

    open: int
    close: int
    lunch: tuple[int, int] | None = None

    @classmethod
    def from_params(cls, office_hours: dict, lunch_break: dict | None) -> OfficeDay:
        """Raises ValueError (in Chinese, for the reader of the definition) on an impossible day."""
        try:
            day = cls(seconds_of_day(office_hours["open"]), seconds_of_day(office_hours["close"]))
            if lunch_break:
                day = cls(day.open, day.close, (seconds_of_day(lunch_break["from"]), seconds_of_day(lunch_break["to"])))
        except (KeyError, TypeError) as exc:
            example = "office_hours: {open: '08:30', close: '18:00'}、lunch_break: {from: '12:00', to: '13:30'}"
            raise ValueError(f"应写作 {example}（缺少 {exc}）") from exc
        if not day.open < day.close:
            raise ValueError("office_hours 的 open 应早于 close")
        if day.lunch and not day.open <= day.lunch[0] < day.lunch[1] <= day.close:
            raise ValueError("lunch_break 应在 office_hours 之内，且 from 早于 to")
        return day

    @property
    def seconds(self) -> int:
        """Office seconds in one working day."""
        return self.close - self.open - (self.lunch[1] - self.lunch[0] if self.lunch else 0)


# The SQL calendar covers these years; a timestamp outside them is an error, never a silent NULL.
SQL_FIRST_DAY = dt.date(2015, 1, 1)
SQL_LAST_DAY = dt.date(2035, 12, 31)
# China Standard Time is UTC+8 all year (no daylight saving since 1991): local days are computed
# from epoch seconds without a per-row time-zone conversion.
BEIJING_OFFSET_S = 8 * 3600
EPOCH = dt.date(1970, 1, 1)


def register_sql(con: duckdb.DuckDBPyConnection, calendar: Calendar) -> None:
    """Register `add_workdays(ts, n)` in DuckDB, with the same rule as Calendar.add_workdays,
    `local_day(ts)` (Beijing day number since 1970-01-01), `local_seconds(ts)` (seconds since
    Beijing midnight), `workdays_before(ts)` (working days before ts's day) and `is_workday(ts)`,
    from which the catalogue's `working_seconds(a, b)` counts office time.

    The working days (as local day numbers since 1970-01-01) and, for every calendar day, the
    position of the first working day on or after it are constant lists inside the macro: a macro
    reading them from a table is a correlated subquery, which DuckDB answers by materialising the
    rows of the query and joining them back (seconds on a province's work orders).
    """
    days = [SQL_FIRST_DAY + dt.timedelta(days=i) for i in range((SQL_LAST_DAY - SQL_FIRST_DAY).days + 1)]
    work = [(d - EPOCH).days for d in days if calendar.is_workday(d)]
    next_work = [bisect.bisect_left(work, (d - EPOCH).days) + 1 for d in days]
    base, off = (SQL_FIRST_DAY - EPOCH).days, BEIJING_OFFSET_S
    work_sql = f"([{', '.join(map(str, work))}]::INTEGER[])"
    nxt_sql = f"([{', '.join(map(str, next_work))}]::INTEGER[])"
    con.execute(f"CREATE OR REPLACE MACRO local_day(ts) AS floor((epoch(ts) + {off}) / 86400)::INTEGER")
    con.execute(f"CREATE OR REPLACE MACRO local_seconds(ts) AS (epoch(ts) + {off}) % 86400")
    out_of_range = (
        f"error('工作日历：' || ts::VARCHAR || ' 超出工作日历的范围 "
        f"{SQL_FIRST_DAY.year}—{SQL_LAST_DAY.year}（hotline_eval/config/calendar.py）')"
    )
    position = f"{nxt_sql}[local_day(ts) - {base} + 1]"
    in_range = f"local_day(ts) >= {base} AND local_day(ts) - {base} < {len(next_work)}"
    # workdays_before(ts): working days from the calendar's first day up to the day before ts's
    # (a running count, so that working time between two stamps is a difference of two lookups);
    # is_workday(ts): whether ts falls on a working day.
    con.execute(
        f"CREATE OR REPLACE MACRO workdays_before(ts) AS CASE WHEN ts IS NULL THEN NULL "
        f"WHEN {in_range} THEN {position} - 1 ELSE {out_of_range} END"
    )
    con.execute(
        f"CREATE OR REPLACE MACRO is_workday(ts) AS CASE WHEN ts IS NULL THEN NULL "
        f"WHEN {in_range} THEN coalesce({work_sql}[{position}] = local_day(ts), false) ELSE {out_of_range} END"
    )
    con.execute(
        f"""CREATE OR REPLACE MACRO add_workdays(ts, n) AS (
          CASE
          WHEN ts IS NULL OR n IS NULL THEN NULL
          WHEN local_day(ts) < {base} OR local_day(ts) - {base} >= {len(next_work)} THEN error(
            'add_workdays：' || ts::VARCHAR || ' 超出工作日历的范围 '
            || '{SQL_FIRST_DAY.year}—{SQL_LAST_DAY.year}（hotline_eval/config/calendar.py）')
          ELSE to_timestamp(
            {work_sql}[{nxt_sql}[local_day(ts) - {base} + 1] + floor(n)::INTEGER]::DOUBLE * 86400 - {off}
            + CASE WHEN {work_sql}[{nxt_sql}[local_day(ts) - {base} + 1]] = local_day(ts)
                   THEN (epoch(ts) + {off}) % 86400 ELSE 0 END
            + (n - floor(n)) * 86400)
        END)"""
    )


@cache
def load_calendar(root: Path) -> Calendar:
    path = root / "params" / "calendar.yaml"
    data = load_yaml(path) or {}
    try:
        holidays = tuple(_expand(data.get("holidays", [])))
        workdays = tuple(_expand(data.get("workdays", [])))
    except (TypeError, ValueError, KeyError) as exc:
        raise ConfigError(path, "holidays", f"日期应为 YYYY-MM-DD 或 {{from, to}}（{exc}）") from exc
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

"""Shared state and random helpers for generating one city of the sample province."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hotline_eval.config.calendar import Calendar
from hotline_eval.config.province import City, Province

NAT = np.datetime64("NaT", "s")
SECOND = np.timedelta64(1, "s")


@dataclass
class CityContext:
    """Everything the per-table generators need for one city."""

    root: Path
    province: Province
    city: City
    index: int
    knobs: dict[str, Any]
    seed: int
    scale: float
    start: dt.date  # first day of the evaluation period
    end: dt.date  # last day of the evaluation period
    warmup_days: int
    export_at: np.datetime64  # when the exports were taken (period end + grace)
    calendar: Calendar
    units: Any = None  # pandas DataFrame of units, filled by the units generator
    _streams: dict[str, np.random.Generator] = field(default_factory=dict)

    def rng(self, component: str) -> np.random.Generator:
        """An independent, reproducible random stream per city and component."""
        if component not in self._streams:
            key = [self.seed, self.index, *component.encode()]
            self._streams[component] = np.random.default_rng(key)
        return self._streams[component]

    @property
    def window_start(self) -> dt.date:
        return self.start - dt.timedelta(days=self.warmup_days)

    @property
    def prefix(self) -> str:
        return self.city.id[:2].upper()


def lognormal(rng: np.random.Generator, mean: float, n: int, sigma: float = 0.8) -> np.ndarray:
    """Positive, right-skewed values with the given mean (the shape of waits and durations)."""
    mu = np.log(mean) - sigma**2 / 2
    return rng.lognormal(mu, sigma, n)


def seconds(values: np.ndarray) -> np.ndarray:
    """Float seconds → timedelta64[s]."""
    return np.round(values).astype("int64") * SECOND


def pick(rng: np.random.Generator, weights: dict[str, float], n: int) -> np.ndarray:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return rng.choice(np.array(keys, dtype=object), n, p=p / p.sum())


def arrivals(ctx: CityContext, rng: np.random.Generator, per_month: float) -> np.ndarray:
    """Arrival stamps over the generation window with the province's hour and weekday profiles."""
    days = np.arange(np.datetime64(ctx.window_start), np.datetime64(ctx.end) + 1)
    weekday = np.array(ctx.province.arrival_by_weekday)
    weights = weekday[(days.astype("datetime64[D]").view("int64") - 4) % 7] / weekday.mean()
    holiday = np.array([d in ctx.calendar.holidays for d in days.astype(dt.date)])
    weights = np.where(holiday, 0.6, weights)
    counts = rng.poisson(per_month * ctx.scale / 30.4 * weights)
    day_of = np.repeat(days, counts)
    hours = np.array(ctx.province.arrival_by_hour)
    hour = rng.choice(24, day_of.size, p=hours / hours.sum())
    offset = hour * 3600 + rng.integers(0, 3600, day_of.size)
    stamps = day_of.astype("datetime64[s]") + offset * SECOND
    return np.sort(stamps)


def peakness(ctx: CityContext, stamps: np.ndarray) -> np.ndarray:
    """0..1: how busy the hour of each stamp is, relative to the busiest hour."""
    hours = np.array(ctx.province.arrival_by_hour)
    hour = (stamps - stamps.astype("datetime64[D]")).astype("int64") // 3600
    return hours[hour] / hours.max()


def ids(prefix: str, stamps: np.ndarray, kind: str) -> np.ndarray:
    """Readable ids such as LIC202607010000123: prefix, kind letter, date, sequence."""
    day = np.char.replace(np.datetime_as_string(stamps, unit="D"), "-", "")
    seq = np.char.zfill(np.arange(1, stamps.size + 1).astype(str), 7)
    return np.char.add(np.char.add(prefix + kind, day), seq).astype(object)


def phones_of(ctx: CityContext, caller: np.ndarray) -> np.ndarray:
    """A stable mobile number for each caller index (the same caller always has the same number)."""
    mixed = (caller.astype("int64") * 2654435761 + 97 * (ctx.index + 1)) % 10**9
    second = np.array(list("3456789"))[(caller + ctx.index) % 7]
    return np.char.add(np.char.add("1", second), np.char.zfill(mixed.astype(str), 9)).astype(object)


def callers(rng: np.random.Generator, n: int, pool: int) -> np.ndarray:
    """Caller indexes: most callers call once, a small pool of frequent callers calls often."""
    frequent = rng.random(n) < 0.12
    small = max(pool // 200, 5)
    return np.where(frequent, rng.integers(0, small, n), rng.integers(small, max(pool, small + 1), n))

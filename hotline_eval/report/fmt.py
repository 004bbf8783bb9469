"""Numbers written the Chinese way: 93.8%, 12.3秒, 1.23万件, 92.45分, 第3位 (notes/report-style.md)."""

from __future__ import annotations

import math

DASH = "—"


def missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def pct(value: float | None, digits: int = 1) -> str:
    """A rate in 0–1 as a percentage with one decimal."""
    return DASH if missing(value) else f"{value * 100:.{digits}f}%"


def points_change(delta: float | None, digits: int = 1) -> str:
    """A change of a rate in 个百分点 (never %)."""
    if missing(delta):
        return DASH
    word = "提升" if delta > 0 else "下降" if delta < 0 else "持平"
    return word if word == "持平" else f"{word}{abs(delta) * 100:.{digits}f}个百分点"


def score(value: float | None) -> str:
    return DASH if missing(value) else f"{value:.2f}分"


def number(value: float | None, digits: int = 2) -> str:
    return DASH if missing(value) else f"{value:.{digits}f}"


def count(value: float | None, unit: str = "") -> str:
    """Counts: exact below 10,000, X.XX万 above."""
    if missing(value):
        return DASH
    if abs(value) >= 10_000:
        return f"{value / 10_000:.2f}万{unit}"
    return f"{round(value):,}{unit}".replace(",", ",")


def duration(value: float | None, unit: str) -> str:
    """Durations in the unit the catalogue uses (seconds or hours)."""
    if missing(value):
        return DASH
    if unit == "seconds":
        return f"{value:.1f}秒"
    if unit == "hours":
        return f"{value:.1f}小时"
    return f"{value:.2f}"


def value(value: float | None, unit: str) -> str:
    """An indicator value in its unit."""
    if unit == "percent":
        return pct(value)
    if unit in ("seconds", "hours"):
        return duration(value, unit)
    if unit == "per_10k":
        return DASH if missing(value) else f"{value:.2f}件/万人·月"
    if unit == "points":
        return DASH if missing(value) else f"{value:.2f}分"
    return number(value)


def rank(position: float | None, of: int) -> str:
    return DASH if missing(position) else f"第{int(position)}位（共{of}个）"

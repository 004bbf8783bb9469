"""Numbers written the Chinese way (docs/documents/city-report.md#numbers).

Rates as percentages with one decimal (93.8%), changes of rates in 个百分点, scores with two
decimals and 分, counts exact below 10,000 and in 万 above (1.23万件), ranks as 第3位, dates as
2026年7月1日. Every function returns the dash for a missing value, never "nan" or "None".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

DASH = "—"


def missing(value: object) -> bool:
    """None, NaN, pd.NA and NaT (numpy and pandas scalars included) are missing."""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # containers are not missing scalars
        return False


def pct(value: float | None, digits: int = 1) -> str:
    """A rate in 0–1 as a percentage with one decimal."""
    return DASH if missing(value) else f"{value * 100:.{digits}f}%"


def points_change(delta: float | None, digits: int = 1) -> str:
    """A change of a rate in 个百分点 (never %): 提升1.2个百分点 / 下降0.4个百分点 / 持平."""
    if missing(delta):
        return DASH
    shown = round(abs(delta) * 100, digits)
    if shown == 0:
        return "持平"
    return f"{'提升' if delta > 0 else '下降'}{shown:.{digits}f}个百分点"


def score(value: float | None) -> str:
    return DASH if missing(value) else f"{value:.2f}分"


def score_change(delta: float | None) -> str:
    """A change of a score: 提高1.25分 / 下降0.40分 / 持平."""
    if missing(delta):
        return DASH
    if round(abs(delta), 2) == 0:
        return "持平"
    return f"{'提高' if delta > 0 else '下降'}{abs(delta):.2f}分"


def signed(delta: float | None, digits: int = 2) -> str:
    """A change for table cells: +1.25 / −0.40 / 0.00 (a true minus sign)."""
    if missing(delta):
        return DASH
    shown = round(delta, digits)
    if shown == 0:
        return f"{0:.{digits}f}"
    return f"{'+' if shown > 0 else '−'}{abs(shown):.{digits}f}"


def rank_change(before: float | None, after: float | None) -> str:
    """A change of position: 上升2位 / 下降1位 / 持平 (a smaller rank number is better)."""
    if missing(before) or missing(after):
        return DASH
    moved = int(before) - int(after)
    if moved == 0:
        return "持平"
    return f"{'上升' if moved > 0 else '下降'}{abs(moved)}位"


def rank_arrow(before: float | None, after: float | None) -> str:
    """A change of position for table cells: ↑2 / ↓1 / —."""
    if missing(before) or missing(after):
        return DASH
    moved = int(before) - int(after)
    return "持平" if moved == 0 else f"{'↑' if moved > 0 else '↓'}{abs(moved)}"


def number(value: float | None, digits: int = 2) -> str:
    return DASH if missing(value) else f"{value:.{digits}f}"


def count(value: float | None, unit: str = "") -> str:
    """Counts: exact below 10,000 (2877件), X.XX万 above (1.53万件)."""
    if missing(value):
        return DASH
    if abs(value) >= 10_000:
        return f"{value / 10_000:.2f}万{unit}"
    return f"{round(value)}{unit}"


def growth(before: float | None, after: float | None) -> str:
    """Relative change of a count: 增长3.25% / 下降1.10% / 持平 (two decimals, as bulletins write it)."""
    if missing(before) or missing(after) or before == 0:
        return DASH
    rate = (after - before) / before * 100
    if round(rate, 2) == 0:
        return "持平"
    return f"{'增长' if rate > 0 else '下降'}{abs(rate):.2f}%"


def duration(value: float | None, unit: str) -> str:
    """Durations in the unit the catalogue uses (seconds or hours)."""
    if missing(value):
        return DASH
    if unit == "seconds":
        return f"{value:.1f}秒"
    if unit == "hours":
        return f"{value:.1f}小时"
    return f"{value:.2f}"


VALUE_FORMATS = {
    "percent": pct,
    "seconds": lambda v: duration(v, "seconds"),
    "hours": lambda v: duration(v, "hours"),
    "per_10k": lambda v: DASH if missing(v) else f"{v:.2f}件/万人·月",
    "points": lambda v: DASH if missing(v) else f"{v:.2f}分",
    "count": lambda v: count(v, "件"),
    "factor": lambda v: number(v, 2),
}


def value(value: float | None, unit: str) -> str:
    """An indicator value in its unit."""
    return VALUE_FORMATS.get(unit, number)(value)


def bare(value: float | None, unit: str) -> str:
    """An indicator value without its unit, for tables whose header names the unit: 97.7 / 12.3 / 1.25."""
    if missing(value):
        return DASH
    if unit == "percent":
        return f"{value * 100:.1f}"
    if unit in ("seconds", "hours"):
        return f"{value:.1f}"
    return f"{value:.2f}"


def rank(position: float | None, of: int) -> str:
    return DASH if missing(position) else f"第{int(position)}位（共{of}个）"


def date(day: dt.date | None) -> str:
    """2026年7月1日 (no leading zeros)."""
    return DASH if day is None else f"{day.year}年{day.month}月{day.day}日"


# Months and days as a reader sees them (docs/documents/city-report.md#months): a label carries its year
# whenever the months (days) shown with it fall in more than one calendar year — the period's, or the
# previous and this period's in a chart — so that no label is ambiguous; within one year the year is
# said once, in the period, and the label is the month alone.


def spans_years(months: Iterable[str]) -> bool:
    """Months (YYYY-MM, or dates) that fall in more than one calendar year."""
    return len({str(m)[:4] for m in months}) > 1


def month(value: str, shown: Iterable[str] = ()) -> str:
    """'2026-07' as 7月, or as 2026年7月 when the months shown with it span more than one year."""
    year, number = int(value[:4]), int(value[5:7])
    return f"{year}年{number}月" if spans_years([value, *shown]) else f"{number}月"


def day(value: dt.date, shown: Iterable[dt.date] = ()) -> str:
    """A day as 7月1日, or as 2026年7月1日 when the days shown with it span more than one year."""
    if spans_years([value.isoformat(), *(d.isoformat() for d in shown)]):
        return date(value)
    return f"{value.month}月{value.day}日"


def month_ticks(months: list[str], most: int = 12) -> tuple[list[int], list[str]]:
    """Tick positions and labels for a chart over `months`: every month up to `most`, otherwise every
    k-th month (k the smallest step that leaves at most `most` ticks), labelled as `month` labels them."""
    step = max(1, -(-len(months) // most))
    at = list(range(0, len(months), step))
    return at, [month(months[k], months) for k in at]


CHINESE_NUMERALS = "一二三四五六七八九十"


def ordinal(n: int) -> str:
    """1 → 一, 11 → 十一 (for （一） headings and 前三位); up to 99."""
    if not 1 <= n <= 99:
        raise ValueError(f"{n} 超出中文序号的范围（1—99）")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CHINESE_NUMERALS[tens - 1] + "十")
    return head + (CHINESE_NUMERALS[ones - 1] if ones else "")

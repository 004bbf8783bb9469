"""How sentences are put together: deterministic choice of phrasings, lists, numbers and direction words.

Wording lives in params/wording/narrative.yaml and params/measures.yaml; a list there holds
alternative phrasings. `pick` chooses one from a hash of what the sentence is about (city,
indicator, slot), so two cities get different wording for the same kind of finding while the same
inputs always give the same text. `Chooser` also avoids giving two consecutive findings of one
report the same phrasing.

Numbers are written with core/fmt.py. A difference is written as the difference of the two
values *as shown* (rounded to the shown decimals), so that the reader's arithmetic works:
90.2% − 41.5% is 48.7个百分点, never 48.6.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from hotline_eval.config.catalogue import Indicator
from hotline_eval.core import fmt

# Decimals shown per unit (core/fmt.py): a value is rounded to these before differences are taken.
SHOWN = {"percent": 3, "seconds": 1, "hours": 1, "per_10k": 2, "points": 2, "count": 0, "factor": 2}
TIME_UNITS = {"seconds", "hours"}


def pick(options: str | Sequence[str], *about: object) -> str:
    """One of the phrasings, chosen by a hash of what it is about (stable across runs and machines)."""
    if isinstance(options, str):
        return options
    key = "|".join(str(a) for a in about).encode("utf-8")
    return options[int(hashlib.sha256(key).hexdigest()[:8], 16) % len(options)]


class Chooser:
    """pick() that does not repeat the phrasing the previous finding used for the same slot."""

    def __init__(self) -> None:
        self.last: dict[str, str] = {}

    def __call__(self, slot: str, options: str | Sequence[str], *about: object) -> str:
        if isinstance(options, str):
            return options
        chosen = pick(options, slot, *about)
        if len(options) > 1 and self.last.get(slot) == chosen:
            chosen = options[(list(options).index(chosen) + 1) % len(options)]
        self.last[slot] = chosen
        return chosen


def listing(items: Sequence[str], sep: str = "、") -> str:
    return sep.join(items)


def sentence(*clauses: str) -> str:
    """Clauses joined with full-width commas, ending with one full stop; empty clauses are skipped."""
    parts = [c.strip("，。；") for c in clauses if c and c.strip("，。；")]
    return "，".join(parts) + "。" if parts else ""


def closed_up(text: str) -> str:
    """A sentence whose optional slots were left empty, closed up: no empty brackets, no doubled
    commas, no comma before the full stop (“要A，。” → “要A。”)."""
    text = text.replace("（）", "")
    text = re.sub("，{2,}", "，", text)
    return re.sub("，(?=[。；])", "", text)


def shown(value: float, unit: str) -> float:
    """The value as the reader sees it (rounded to the shown decimals, in the unit's scale 0–1 for rates)."""
    return round(float(value), SHOWN.get(unit, 2))


def value(v: float, unit: str) -> str:
    return fmt.value(v, unit)


def amount(delta: float, unit: str) -> str:
    """The size of a difference in the reader's unit: 4.3个百分点, 26.4秒, 4.5小时, 1.72件/万人·月."""
    size = abs(delta)
    if unit == "percent":
        return f"{size * 100:.1f}个百分点"
    if unit == "factor":
        return f"{size:.2f}"
    return fmt.value(size, unit)


def difference(a: float, b: float, unit: str) -> float:
    """a − b as the reader computes it from the shown values."""
    return shown(a, unit) - shown(b, unit)


def direction_key(ind: Indicator) -> str:
    """higher, lower_time (durations: 长/短, 延长/缩短) or lower (rates, counts: 高/低, 上升/下降)."""
    if ind.direction == "higher":
        return "higher"
    return "lower_time" if ind.unit in TIME_UNITS else "lower"


def word(words: dict, kind: str, ind: Indicator) -> str:
    """A direction word from wording narrative.words (adverse, favourable, worsened, improved)."""
    return words[kind][direction_key(ind)]


def points(value: float) -> str:
    """Points of an indicator: 4分, 1.5分."""
    return f"{value:g}分"

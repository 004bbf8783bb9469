"""How firm are the totals and the ranking? Bootstrap, Monte-Carlo rank stability, drop-one influence.

The scoring of an evaluation is laid out as arrays (`Board`: cities × scored items) and rescored
without pandas, with the Appendix A rules of score/rules.py (`RULES`, floors, thresholds), so that
thousands of variants cost a fraction of a second. With the nominal values and references the board
reproduces scores.csv and totals.csv exactly (tested).

- `bootstrap`: sampling uncertainty. Each draw redraws every city's indicator values from their
  sampling distributions (rates binomial, means normal with the records' variance from Σx², per-capita
  rates Poisson), recomputes the references (the best city may change) and every score; the total's
  interval and the rank's interval follow. Expert, rule-table and composite items keep their scores.
- `rank_stability`: method uncertainty (COINr-style, docs/method/statistics.md#rank-stability): each
  draw multiplies every item's points by U(1 − noise, 1 + noise) and takes one of the reference strategies of
  params/comparison.yaml (`REFERENCES`); each city's median rank and 5–95 % rank interval.
- `influence`: each indicator dropped in turn (its points leave the available points), the cities
  re-ranked: how far each city moves.
Every draw is seeded from params/comparison.yaml; the same inputs give the same numbers.
"""

from __future__ import annotations

import warnings
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from hotline_eval.compare.settings import load_settings
from hotline_eval.compare.significance import observations, test_model
from hotline_eval.config.catalogue import Indicator
from hotline_eval.core.stats import mean_variance
from hotline_eval.results import Results
from hotline_eval.score.rules import RULES, SHARES, apply_threshold, floor_for, share_of


@dataclass(frozen=True)
class Board:
    """The scored items of an evaluation as arrays (C cities × I items)."""

    cities: list[str]
    items: list[str]
    indicators: list[Indicator]
    points: np.ndarray  # (I,)
    value: np.ndarray  # (C, I) the values scored
    share: np.ndarray  # (C, I) score ÷ points, NaN without a score
    rescored: np.ndarray  # (I,) level items scored against a reference (rescored here)
    direct: np.ndarray  # (I,) level items whose value is their share (rule tables, expert panel)
    pinned: np.ndarray  # (I,) a benchmark reference, NaN when the reference is a city's value
    floor: np.ndarray  # (I,)
    bonus: np.ndarray  # (I,) expert items added on top of the rescaled total

    @property
    def scored(self) -> np.ndarray:
        return ~np.isnan(self.share)


def board(results: Results) -> Board:
    ev = results.evaluation
    s = results.scores
    cities = ev.city_ids()
    items = list(dict.fromkeys(s["indicator"]))
    first = s.drop_duplicates("indicator").set_index("indicator")
    params = ev.parameter_values(results.catalogue)
    inds = [results.catalogue.indicator(first.loc[i, "base_indicator"]) for i in items]
    points = first.loc[items, "points"].to_numpy(float)
    value = s.pivot(index="city", columns="indicator", values="value").reindex(index=cities, columns=items)
    score = s.pivot(index="city", columns="indicator", values="score").reindex(index=cities, columns=items)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = score.to_numpy(float) / points
    rescored = np.array([first.loc[i, "item"] == "level" and first.loc[i, "rule"] in RULES for i in items], dtype=bool)
    level = first.loc[items, "item"].to_numpy() == "level"
    direct = level & np.array([ind.scoring in SHARES for ind in inds], dtype=bool)
    pinned = np.array([b.value if (b := ev.benchmark(ind.id)) else np.nan for ind in inds], dtype=float)
    bonus = np.array([ind.kind == "expert" and ev.innovation == "bonus" for ind in inds], dtype=bool)
    return Board(
        cities=cities,
        items=items,
        indicators=inds,
        points=points,
        value=value.to_numpy(float),
        share=share,
        rescored=rescored,
        direct=direct,
        pinned=pinned,
        floor=np.array([floor_for(ind, params) for ind in inds], dtype=float),
        bonus=bonus,
    )


# ---------------------------------------------------------------------------------------------
# Reference strategies: the value every city is measured against, from the cities' values
# (axis -2 = cities), by the indicator's direction. "best" is Appendix A.1's 全省最优.


def _ordered(v: np.ndarray, direction: str) -> np.ndarray:
    """Values sorted best first along the cities' axis (missing values last)."""
    key = -v if direction == "higher" else v
    return np.take_along_axis(v, np.argsort(np.where(np.isnan(key), np.inf, key), axis=-2), axis=-2)


def best(v: np.ndarray, direction: str) -> np.ndarray:
    return _ordered(v, direction)[..., 0, :]


def second_best(v: np.ndarray, direction: str) -> np.ndarray:
    ordered = _ordered(v, direction)
    second = ordered[..., 1, :] if v.shape[-2] > 1 else ordered[..., 0, :]
    return np.where(np.isnan(second), ordered[..., 0, :], second)


def top_quartile(v: np.ndarray, direction: str) -> np.ndarray:
    q = 0.75 if direction == "higher" else 0.25
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an item no city has a value for
        return np.nanquantile(v, q, axis=-2)


REFERENCES: dict[str, Callable[[np.ndarray, str], np.ndarray]] = {
    "best": best,
    "top_quartile": top_quartile,
    "second_best": second_best,
}


def shares(b: Board, values: np.ndarray, strategy: str = "best", thresholds: dict | None = None) -> np.ndarray:
    """Share of points of every item (…, C, I) for values (…, C, I); items not rescored keep theirs."""
    values = np.asarray(values, dtype=float)
    out = np.broadcast_to(b.share, values.shape).copy()
    scored = b.scored
    for direction, rule in RULES.items():
        cols = np.flatnonzero(b.rescored & np.array([i.direction == direction for i in b.indicators]))
        if not len(cols):
            continue
        v = np.where(scored[:, cols], values[..., cols], np.nan)
        ref = REFERENCES[strategy](v, direction)
        ref = np.where(np.isnan(b.pinned[cols]), ref, b.pinned[cols])
        s = rule(v, ref[..., None, :], b.floor[cols])
        for k, col in enumerate(cols):
            rule_k = (thresholds or {}).get(b.indicators[col].id)
            if rule_k is not None:
                s[..., k], _ = apply_threshold(s[..., k], v[..., k], rule_k)
        out[..., cols] = np.where(scored[:, cols], s, np.nan)
    for col in np.flatnonzero(b.direct):
        ind, v = b.indicators[col], values[..., col]
        # an expert panel scores on the evaluation's points (score/rules.score_item), the rest on the catalogue's
        share = share_of(v, b.points[col]) if ind.scoring == "expert_panel" else SHARES[ind.scoring](v, ind)
        out[..., col] = np.where(scored[:, col], share, np.nan)
    return out


def totals(b: Board, share: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Totals (…, C): Σ weight × share over the items with a score ÷ their weights × 100, plus bonus items."""
    w = b.points if weights is None else weights
    w = np.asarray(w, dtype=float)[..., None, :] if np.ndim(w) > 1 else np.asarray(w, dtype=float)
    has = ~np.isnan(share)
    inside = has & ~b.bonus
    raw = np.where(inside, share * w, 0.0).sum(axis=-1)
    available = np.where(inside, w, 0.0).sum(axis=-1)
    extra = np.where(has & b.bonus, share * w, 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(available > 0, raw / available * 100, np.nan) + extra


def ranks(total: np.ndarray) -> np.ndarray:
    """1 = best along the last axis, ties share the better rank, no total → NaN (as score/totals.py)."""
    r = rankdata(-np.asarray(total, dtype=float), method="min", axis=-1, nan_policy="omit")
    return np.where(np.isnan(total), np.nan, r)


# ---------------------------------------------------------------------------------------------


def _rng(seed: int, results: Results) -> np.random.Generator:
    """A generator per evaluation (two evaluations' draws are independent, each reproducible)."""
    return np.random.default_rng([seed, zlib.crc32(results.evaluation.id.encode("utf-8"))])


def value_draws(results: Results, b: Board, draws: int, seed: int, obs: pd.DataFrame | None = None) -> np.ndarray:
    """(draws, C, I) values redrawn from each value's sampling distribution (fixed where none applies):
    rates binomial, means normal, per-capita rates Poisson, expert panels by resampling the experts."""
    rng = _rng(seed, results)
    obs = observations(results) if obs is None else obs
    pooled = obs[(obs["unit"] == "") & (obs["month"] == "all")].set_index(["city", "indicator"])
    panels = _panels(results)
    rules = results.evaluation.expert_panel
    out = np.broadcast_to(b.value, (draws, *b.value.shape)).copy()
    for i, (item, ind) in enumerate(zip(b.items, b.indicators, strict=True)):
        if not (b.rescored[i] or b.direct[i]):
            continue
        model = test_model(ind)
        for c, city in enumerate(b.cities):
            if np.isnan(b.share[c, i]):
                continue
            if ind.scoring == "expert_panel" and (city, item) in panels:
                out[:, c, i] = _resample_panel(rng, panels[(city, item)], rules, draws)
            elif model is not None and (city, item) in pooled.index:
                out[:, c, i] = _redraw(rng, model, ind, pooled.loc[(city, item)], draws)
    return out


def _panels(results: Results) -> dict[tuple[str, str], np.ndarray]:
    """The scores each panel's value was computed from (the last round, valid scores)."""
    path = results.paths.out / "expert_panel.csv"
    if not path.exists():
        return {}
    detail = pd.read_csv(path, encoding="utf-8-sig")
    used = detail[detail["used"].astype(str).str.lower() == "true"]
    return {key: part["score"].to_numpy(float) for key, part in used.groupby(["city", "indicator"])}


def _resample_panel(rng: np.random.Generator, scores: np.ndarray, rules, draws: int) -> np.ndarray:
    """The panel's value over experts drawn with replacement: score/expert_panel.py's trimmed mean, row by row
    (one highest and one lowest dropped from `trim_from` scores on, a plain mean below)."""
    n = len(scores)
    picks = np.sort(scores[rng.integers(0, n, size=(draws, n))], axis=1)
    if n < rules.min_scores:
        return np.full(draws, np.nan)
    return picks[:, 1:-1].mean(axis=1) if n >= rules.trim_from else picks.mean(axis=1)


def _redraw(rng: np.random.Generator, model: str, ind: Indicator, row: pd.Series, draws: int) -> np.ndarray:
    num, den = float(row["numerator"]), float(row["denominator"])
    if model == "proportion":
        n = round(den)
        return rng.binomial(n, min(max(num / den, 0.0), 1.0), size=draws) / n
    if model == "poisson":
        return rng.poisson(num, size=draws) / den
    mean, var = mean_variance(num, row["squares"], den)
    drawn = rng.normal(float(mean), float(np.sqrt(var / den)) if den > 1 else 0.0, size=draws)
    return np.clip(drawn, 0.0, 1.0) if ind.unit in ("percent", "factor") else np.maximum(drawn, 0.0)


@dataclass(frozen=True)
class Bootstrap:
    """The bootstrap of one evaluation: per city the total, its interval and the rank interval
    (`summary`), and the draws behind them (totals: draws × cities; shares: draws × cities × items)."""

    summary: pd.DataFrame
    totals: np.ndarray
    shares: np.ndarray


def bootstrap(results: Results, obs: pd.DataFrame | None = None) -> Bootstrap:
    """Per city: total, its bootstrap interval (low, high) and the rank interval (rank_low, rank_high)."""
    settings = load_settings(results.root).bootstrap
    b = board(results)
    drawn = value_draws(results, b, settings.draws, settings.seed, obs)
    share = shares(b, drawn, "best", results.evaluation.thresholds)
    total = totals(b, share)
    rank = ranks(total)
    tail = (1 - settings.confidence) / 2 * 100
    summary = pd.DataFrame(
        {
            "total": totals(b, b.share),
            "low": np.nanpercentile(total, tail, axis=0),
            "high": np.nanpercentile(total, 100 - tail, axis=0),
            "rank_low": np.nanpercentile(rank, tail, axis=0, method="lower"),
            "rank_high": np.nanpercentile(rank, 100 - tail, axis=0, method="higher"),
        },
        index=pd.Index(b.cities, name="city"),
    )
    return Bootstrap(summary, total, share)


def total_change(now: Bootstrap, before: Bootstrap, confidence: float) -> pd.DataFrame:
    """Per city in both: the change of the total and its bootstrap interval (independent draws);
    `significant` when the interval excludes 0."""
    a_index, z_index = list(now.summary.index), list(before.summary.index)
    cities = [c for c in a_index if c in z_index]
    diff = now.totals[:, [a_index.index(c) for c in cities]] - before.totals[:, [z_index.index(c) for c in cities]]
    tail = (1 - confidence) / 2 * 100
    low, high = np.nanpercentile(diff, tail, axis=0), np.nanpercentile(diff, 100 - tail, axis=0)
    return pd.DataFrame(
        {
            "delta": now.summary.loc[cities, "total"].to_numpy() - before.summary.loc[cities, "total"].to_numpy(),
            "low": low,
            "high": high,
            "significant": (low > 0) | (high < 0),
        },
        index=pd.Index(cities, name="city"),
    )


def rank_stability(results: Results) -> pd.DataFrame:
    """Per city: nominal rank, median rank and the rank interval over weight and reference variants,
    and the share of variants that keep the nominal rank."""
    settings = load_settings(results.root).robustness
    b = board(results)
    rng = _rng(settings.seed, results)
    thresholds = results.evaluation.thresholds
    variants = np.stack([shares(b, b.value, name, thresholds) for name in settings.references])
    pick = rng.integers(0, len(settings.references), size=settings.draws)
    factor = rng.uniform(1 - settings.weight_noise, 1 + settings.weight_noise, size=(settings.draws, len(b.items)))
    total = totals(b, variants[pick], b.points * factor)
    rank = ranks(total)
    nominal = ranks(totals(b, b.share))
    lo, hi = settings.interval
    return pd.DataFrame(
        {
            "rank": nominal,
            "median": np.nanmedian(rank, axis=0),
            "low": np.nanquantile(rank, lo, axis=0, method="lower"),
            "high": np.nanquantile(rank, hi, axis=0, method="higher"),
            "kept": np.mean(rank == nominal, axis=0),
        },
        index=pd.Index(b.cities, name="city"),
    )


def influence(results: Results) -> pd.DataFrame:
    """Each scored item dropped in turn: per item × city, the total and rank without it and the places
    moved (positive = the city moves up without the item, i.e. the item pulls it down). Nothing when no
    object has a total (e.g. a definition scoring only change sub-items: there is no rank to move)."""
    columns = ["indicator", "city", "total", "total_without", "rank", "rank_without", "moved"]
    if not results.ranked:
        return pd.DataFrame(columns=columns)
    b = board(results)
    base_total = totals(b, b.share)
    base_rank = ranks(base_total)
    rows = []
    for i, item in enumerate(b.items):
        if b.points[i] <= 0 or not b.scored[:, i].any():
            continue
        share = b.share.copy()
        share[:, i] = np.nan
        total = totals(b, share)
        rank = ranks(total)
        for c, city in enumerate(b.cities):
            rows.append(
                {
                    "indicator": item,
                    "city": city,
                    "total": base_total[c],
                    "total_without": total[c],
                    "rank": base_rank[c],
                    "rank_without": rank[c],
                    "moved": base_rank[c] - rank[c],
                }
            )
    return pd.DataFrame(rows, columns=columns)

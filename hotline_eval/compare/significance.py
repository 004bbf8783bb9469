"""Is a difference real? Tests of gaps to the province and of changes, before the text calls them.

Every comparison the narrative may state is tested here:

- a city against the rest of the province (the other cities' records pooled, so the two samples are
  independent) — `province_gaps`;
- a city against itself in the previous evaluation (较上期) — `period_changes`;
- a month against the month before (环比) — `month_changes`;
- a handling unit against the rest of its city — `unit_gaps`.

How an indicator is tested follows from its formula in the catalogue (compare/extra_terms.py): a rate
(count over count) with the pooled two-proportion z-test, a mean of records (sum over count) with
Welch's z-test on the records' variance (Σx² from the engine), a per-capita rate with the exact
conditional test of two Poisson rates; expert, rule-table and composite indicators are not tested.
Only values the data-quality gate let through (status ok) are tested.

Within each family (one city's indicators in one comparison; one indicator's units in one city)
p-values are adjusted with Benjamini–Hochberg. A difference is *called* only when its q-value is
below the false-discovery rate of params/comparison.yaml AND its size reaches the evaluation's
material change for the indicator's unit (`trend.material_change`: 1 个百分点 for rates, 1 秒 …),
and for durations and per-capita rates also a share of the value compared with
(`significance.relative`):
verdict `better` or `worse` (by the indicator's direction); otherwise `same` (not a change the text
may state), or `untested`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pandas as pd

from hotline_eval.compare.extra_terms import is_mean, is_poisson, is_proportion
from hotline_eval.compare.settings import load_settings
from hotline_eval.config.catalogue import Indicator
from hotline_eval.core import stats
from hotline_eval.results import Results

OK = "ok"
MODELS: dict[str, Callable[[Indicator], bool]] = {
    "proportion": is_proportion,
    "mean": is_mean,
    "poisson": is_poisson,
}
BETTER, WORSE, SAME, UNTESTED = "better", "worse", "same", "untested"
SUMS = ["numerator", "denominator", "squares"]


def test_model(ind: Indicator) -> str | None:
    """How the indicator's differences are tested: proportion, mean, poisson, or None (not tested)."""
    if ind.scoring in ("expert_panel", "rule_points"):
        return None
    return next((name for name, applies in MODELS.items() if applies(ind)), None)


def observations(results: Results) -> pd.DataFrame:
    """indicators.csv (agency and units, months and period) with Σx² and each indicator's test model."""
    frame = results.indicators.copy()
    models = {i.id: test_model(i) for i in results.active}
    frame = frame[frame["indicator"].isin(models)]
    moments = results.moments
    frame = frame.merge(moments, on=["city", "unit", "month", "indicator"], how="left")
    frame["model"] = frame["indicator"].map(models)
    return frame


def difference(model: str, a: pd.DataFrame, b: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """value(a) − value(b) and the two-sided p of the test for `model`, row by row."""
    an, ad, aq = (a[c].to_numpy(float) for c in SUMS)
    bn, bd, bq = (b[c].to_numpy(float) for c in SUMS)
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = an / ad - bn / bd
    if model == "proportion":
        return diff, stats.two_proportions(an, ad, bn, bd)[1]
    if model == "mean":
        am, av = stats.mean_variance(an, aq, ad)
        bm, bv = stats.mean_variance(bn, bq, bd)
        return diff, stats.two_means(am, av, ad, bm, bv, bd)[1]
    if model == "poisson":
        return diff, stats.poisson_rates(an, ad, bn, bd)
    return diff, np.full(len(diff), np.nan)


def material(results: Results, ind: Indicator) -> float:
    return float(results.evaluation.trend.material_change.get(ind.unit, 0.0))


def verdicts(frame: pd.DataFrame, results: Results, fdr: float, family: list[str]) -> pd.DataFrame:
    """Add q (BH within each family), material (the smallest difference called) and verdict."""
    active = {i.id: i for i in results.active}
    relative = load_settings(results.root).significance.relative
    frame = frame.copy()
    frame["q"] = np.nan
    for _, rows in frame.groupby(family, sort=False):
        frame.loc[rows.index, "q"] = stats.benjamini_hochberg(rows["p"].to_numpy(float))
    compared = (frame["value"] - frame["diff"]).abs().to_numpy(float)
    frame["material"] = [
        max(material(results, active[i]), relative.get(active[i].unit, 0.0) * c)
        for i, c in zip(frame["indicator"], np.nan_to_num(compared), strict=True)
    ]
    rising = np.array([active[i].direction == "higher" for i in frame["indicator"]], dtype=bool)
    called = (frame["q"] < fdr) & (frame["diff"].abs() >= frame["material"])
    good = np.where(rising, frame["diff"] > 0, frame["diff"] < 0)
    frame["verdict"] = np.where(frame["p"].isna(), UNTESTED, np.where(called, np.where(good, BETTER, WORSE), SAME))
    return frame


def province_gaps(results: Results, obs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per city × indicator (period, agency): value, province (all cities pooled), rest (the other
    cities pooled), diff = value − rest, p, q, verdict (better / worse than the rest of the province)."""
    obs = observations(results) if obs is None else obs
    pooled = obs[(obs["unit"] == "") & (obs["month"] == "all") & (obs["status"] == OK)]
    rows = []
    for ind_id, part in pooled.groupby("indicator", sort=False):
        part = part.set_index("city")
        total = part[SUMS].sum()
        for city, own in part.iterrows():
            rest = total - own[SUMS]
            rows.append(
                {
                    "city": city,
                    "indicator": ind_id,
                    "model": own["model"],
                    "value": own["value"],
                    **{c: own[c] for c in SUMS},
                    **{f"rest_{c}": rest[c] for c in SUMS},
                    "province": total["numerator"] / total["denominator"] if total["denominator"] > 0 else np.nan,
                    "rest": rest["numerator"] / rest["denominator"] if rest["denominator"] > 0 else np.nan,
                    "others": len(part) - 1,
                }
            )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame = _tested(frame, "rest_", "rest")
    return verdicts(frame, results, load_settings(results.root).significance.fdr, ["city"])


def period_changes(
    results: Results, previous: Results, obs: pd.DataFrame | None = None, before: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per city × indicator: value now and in the previous evaluation, diff = now − before, p, q, verdict."""
    obs = observations(results) if obs is None else obs
    before = observations(previous) if before is None else before
    keep = ["city", "indicator", "model", "value", *SUMS]
    now = obs[(obs["unit"] == "") & (obs["month"] == "all") & (obs["status"] == OK)][keep]
    was = before[(before["unit"] == "") & (before["month"] == "all") & (before["status"] == OK)][keep]
    frame = now.merge(was.drop(columns="model"), on=["city", "indicator"], suffixes=("", "_before"))
    frame = frame.rename(columns={f"{c}_before": f"before_{c}" for c in ["value", *SUMS]})
    if frame.empty:
        return frame
    frame = _tested(frame, "before_", "before_value")
    return verdicts(frame, results, load_settings(results.root).significance.fdr, ["city"])


def month_changes(results: Results, obs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per city × indicator × month (from the second month on): value, the month before, diff, p, q, verdict.

    The family of a test is the city's indicators in that month.
    """
    obs = observations(results) if obs is None else obs
    months = results.evaluation.period.months
    keep = ["city", "indicator", "model", "value", *SUMS]
    agency = obs[(obs["unit"] == "") & (obs["status"] == OK)]
    frames = []
    for before, month in itertools.pairwise(months):
        now = agency[agency["month"] == month][keep]
        was = agency[agency["month"] == before][keep].drop(columns="model")
        pair = now.merge(was, on=["city", "indicator"], suffixes=("", "_before"))
        pair = pair.rename(columns={f"{c}_before": f"before_{c}" for c in ["value", *SUMS]})
        frames.append(pair.assign(month=month, previous_month=before))
    if not frames:  # a one-month period: no month-to-month changes, the columns all the same
        columns = [*keep, "month", "previous_month", "before_value", "diff", "p", "q", "verdict"]
        return pd.DataFrame(columns=columns)
    frame = pd.concat(frames, ignore_index=True)
    if frame.empty:
        return frame
    frame = _tested(frame, "before_", "before_value")
    return verdicts(frame, results, load_settings(results.root).significance.fdr, ["city", "month"])


def unit_gaps(
    results: Results, city: str, indicator: str, obs: pd.DataFrame | None = None, min_denominator: int | None = None
) -> pd.DataFrame:
    """The handling units of a city on one indicator against the rest of the city's units:
    unit, value, rest, diff, p, q, verdict, excess (records or hours by which the unit falls short
    of the rest, denominator × |diff|, for the units that do worse)."""
    obs = observations(results) if obs is None else obs
    minimum = results.evaluation.units.min_denominator if min_denominator is None else min_denominator
    part = obs[
        (obs["city"] == city)
        & (obs["indicator"] == indicator)
        & (obs["month"] == "all")
        & (obs["unit"] != "")
        & (obs["status"] == OK)
    ].set_index("unit")
    if part.empty:
        return pd.DataFrame()
    total = part[SUMS].sum()
    rows = []
    for unit, own in part.iterrows():
        rest = total - own[SUMS]
        rows.append(
            {
                "city": city,
                "unit": unit,
                "indicator": indicator,
                "model": own["model"],
                "value": own["value"],
                **{c: own[c] for c in SUMS},
                **{f"rest_{c}": rest[c] for c in SUMS},
                "rest": rest["numerator"] / rest["denominator"] if rest["denominator"] > 0 else np.nan,
            }
        )
    frame = pd.DataFrame(rows)
    frame = _tested(frame, "rest_", "rest")
    frame.loc[frame["denominator"] < minimum, ["p"]] = np.nan  # too few records to name a unit
    frame = verdicts(frame, results, load_settings(results.root).significance.fdr, ["city", "indicator"])
    frame["excess"] = np.where(frame["verdict"] == WORSE, frame["denominator"] * frame["diff"].abs(), 0.0)
    return frame.sort_values(["excess", "unit"], ascending=[False, True], ignore_index=True)


def _tested(frame: pd.DataFrame, prefix: str, other: str) -> pd.DataFrame:
    """diff and p of every row against its `prefix` columns, by test model (`other`: the value compared with)."""
    frame = frame.reset_index(drop=True)
    frame["diff"], frame["p"] = np.nan, np.nan
    for model, rows in frame.groupby("model", sort=False):
        against = rows[[f"{prefix}{c}" for c in SUMS]].set_axis(SUMS, axis=1)
        diff, p = difference(model, rows, against)
        frame.loc[rows.index, "diff"] = diff
        frame.loc[rows.index, "p"] = p
    # an untested indicator still has its difference (shown, never called a change)
    missing = frame["diff"].isna()
    frame.loc[missing, "diff"] = frame.loc[missing, "value"] - frame.loc[missing, other]
    return frame

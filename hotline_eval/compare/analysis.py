"""One evaluation's comparative analysis, computed once per document and shared by its notebooks.

`analysis(results, previous)` returns the same object for the same evaluation and previous
evaluation: the observations with Σx², the tests (gaps to the province, changes since the previous
evaluation and month over month), the bootstrap and rank analyses, and the findings that feed the
narrative (qualitative rule-table findings, dissatisfaction reasons, handling units).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import duckdb
import numpy as np
import pandas as pd

from hotline_eval.compare import robustness, significance
from hotline_eval.compare.settings import Settings, load_settings
from hotline_eval.core.stats import benjamini_hochberg, two_proportions
from hotline_eval.results import Results

UNVERIFIED = "unverified"
_CACHE: dict[tuple[str, str, str], Analysis] = {}


@dataclass
class Analysis:
    results: Results
    previous: Results | None = None
    extra: dict = field(default_factory=dict)

    @cached_property
    def settings(self) -> Settings:
        return load_settings(self.results.root)

    @cached_property
    def obs(self) -> pd.DataFrame:
        return significance.observations(self.results)

    @cached_property
    def previous_obs(self) -> pd.DataFrame | None:
        return significance.observations(self.previous) if self.previous is not None else None

    @cached_property
    def gaps(self) -> pd.DataFrame:
        return significance.province_gaps(self.results, self.obs)

    @cached_property
    def changes(self) -> pd.DataFrame | None:
        if self.previous is None:
            return None
        return significance.period_changes(self.results, self.previous, self.obs, self.previous_obs)

    @cached_property
    def months(self) -> pd.DataFrame:
        return significance.month_changes(self.results, self.obs)

    @cached_property
    def board(self) -> robustness.Board:
        return robustness.board(self.results)

    @cached_property
    def bootstrap(self) -> robustness.Bootstrap:
        return robustness.bootstrap(self.results, self.obs)

    @cached_property
    def previous_bootstrap(self) -> robustness.Bootstrap | None:
        return robustness.bootstrap(self.previous, self.previous_obs) if self.previous is not None else None

    @cached_property
    def total_change(self) -> pd.DataFrame | None:
        if self.previous is None:
            return None
        return robustness.total_change(self.bootstrap, self.previous_bootstrap, self.settings.bootstrap.confidence)

    @cached_property
    def stability(self) -> pd.DataFrame:
        return robustness.rank_stability(self.results)

    @cached_property
    def influence(self) -> pd.DataFrame:
        return robustness.influence(self.results)

    @cached_property
    def dimension_gaps(self) -> pd.DataFrame:
        """Per city × dimension: score rate, province mean of the rates, difference and its bootstrap
        interval; `verdict` better / worse when the interval excludes 0 (else same)."""
        return dimension_gaps(self.results, self.board, self.bootstrap.shares, self.settings)

    def units(self, city: str, indicator: str) -> pd.DataFrame:
        key = ("units", city, indicator)
        if key not in self.extra:
            self.extra[key] = significance.unit_gaps(self.results, city, indicator, self.obs)
        return self.extra[key]

    @cached_property
    def unit_names(self) -> dict[str, str]:
        path = self.results.paths.data / "units.parquet"
        if not path.exists():
            return {}
        units = pd.read_parquet(path, columns=["unit_id", "name_zh"])
        return dict(zip(units["unit_id"], units["name_zh"], strict=True))

    @cached_property
    def reasons(self) -> pd.DataFrame:
        return reason_gaps(self.results, self.settings)

    @cached_property
    def qc_items(self) -> pd.DataFrame:
        return qc_items(self.results)


def analysis(results: Results, previous: Results | None = None) -> Analysis:
    """The shared analysis of an evaluation (and its previous evaluation, when there is one)."""
    key = (str(results.root.resolve()), results.evaluation.id, previous.evaluation.id if previous else "")
    if key not in _CACHE:
        _CACHE[key] = Analysis(results, previous)
    return _CACHE[key]


def satisfaction_evaluated(a: Analysis) -> bool:
    """Whether the evaluation covers the handling units' results (§6.5.2–6.5.3): a special evaluation of,
    say, call answering does not analyse dissatisfaction."""
    return any(i.clause.startswith(("6.5.2", "6.5.3")) for i in a.results.active)


def dimension_gaps(results: Results, b: robustness.Board, shares: np.ndarray, settings: Settings) -> pd.DataFrame:
    """Dimension score rates against the province mean, tested on the bootstrap draws of the shares."""
    dims = [ind.dimension for ind in b.indicators]
    tail = (1 - settings.bootstrap.confidence) / 2 * 100
    rows = []
    for dim in dict.fromkeys(dims):
        cols = [i for i, d in enumerate(dims) if d == dim and b.points[i] > 0 and not b.bonus[i]]
        if not cols:
            continue
        nominal = _rates(b.share[:, cols], b.points[cols])
        drawn = _rates(shares[..., cols], b.points[cols])
        with np.errstate(all="ignore"):
            mean, drawn_mean = np.nanmean(nominal), np.nanmean(drawn, axis=-1)
        for c, city in enumerate(b.cities):
            if np.isnan(nominal[c]):
                continue
            diff = drawn[:, c] - drawn_mean
            low, high = np.nanpercentile(diff, tail), np.nanpercentile(diff, 100 - tail)
            verdict = "better" if low > 0 else "worse" if high < 0 else "same"
            rows.append(
                {
                    "city": city,
                    "dimension": dim,
                    "rate": nominal[c],
                    "mean": mean,
                    "diff": nominal[c] - mean,
                    "low": low,
                    "high": high,
                    "verdict": verdict,
                }
            )
    return pd.DataFrame(rows, columns=["city", "dimension", "rate", "mean", "diff", "low", "high", "verdict"])


def _rates(share: np.ndarray, points: np.ndarray) -> np.ndarray:
    has = ~np.isnan(share)
    with np.errstate(invalid="ignore", divide="ignore"):
        available = np.where(has, points, 0.0).sum(axis=-1)
        return np.where(available > 0, np.where(has, share * points, 0.0).sum(axis=-1) / available, np.nan)


def reason_gaps(results: Results, settings: Settings) -> pd.DataFrame:
    """Dissatisfaction reasons (§6.5.3) of each city against the rest of the province.

    Shares are of the dissatisfied evaluations whose reason was verified (the unverified ones are the
    subject of the verification indicator); each reason's share is tested against the other cities'
    (two-proportion z-test, BH within the city). Columns: city, reason, reason_zh, mandatory, count,
    verified (the city's verified total), share, rest_share, diff, q, hot (share significantly above
    the rest by at least `dissatisfaction_share_gap`), unverified (count).
    """
    path = results.paths.out / "dissatisfaction.csv"
    if not path.exists():
        return pd.DataFrame()
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype={"unit": str}, keep_default_na=False, na_values=[""])
    frame["unit"] = frame["unit"].fillna("")
    agency = frame[(frame["unit"] == "") & (frame["reason"] != UNVERIFIED)].copy()
    unverified = frame[(frame["unit"] == "") & (frame["reason"] == UNVERIFIED)].set_index("city")["count"]
    verified = agency.groupby("city")["count"].sum()
    province = agency.groupby("reason")["count"].sum()
    total = verified.sum()
    agency["verified"] = agency["city"].map(verified)
    agency["unverified"] = agency["city"].map(unverified).fillna(0).astype(int)
    with np.errstate(invalid="ignore", divide="ignore"):
        agency["share"] = agency["count"] / agency["verified"]
        rest_count = agency["reason"].map(province) - agency["count"]
        rest_total = total - agency["verified"]
        agency["rest_share"] = rest_count / rest_total
    agency["diff"] = agency["share"] - agency["rest_share"]
    p = two_proportions(agency["count"], agency["verified"], rest_count, rest_total)[1]
    agency["p"] = np.where(agency["verified"] >= settings.problems.dissatisfaction_min, p, np.nan)
    agency["q"] = np.nan
    for _, rows in agency.groupby("city", sort=False):
        agency.loc[rows.index, "q"] = benjamini_hochberg(rows["p"].to_numpy(float))
    agency["hot"] = (agency["q"] < settings.significance.fdr) & (
        agency["diff"] >= settings.problems.dissatisfaction_share_gap
    )
    units = frame[(frame["unit"] != "") & (frame["reason"] != UNVERIFIED)]
    agency.attrs["units"] = units[["city", "unit", "reason", "count"]]
    return agency.reset_index(drop=True)


def qc_items(results: Results) -> pd.DataFrame:
    """Recorded calls rated on the rule tables' sub-items (Appendix A.2), per city × sub-item in the period:
    samples, C ratings, D ratings; and the work-order samples with a veto (item '' of object ticket)."""
    path = results.paths.data / "qc_samples.parquet"
    if not path.exists():
        return pd.DataFrame(columns=["city", "object_type", "item", "n", "c", "d", "veto"])
    p = results.evaluation.period
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    frame = con.execute(
        f"""SELECT city, object_type, coalesce(item, '') AS item, count(*) AS n,
                   count_if(level = 'C') AS c, count_if(level = 'D') AS d,
                   count_if(coalesce(veto, false)) AS veto
            FROM read_parquet('{str(path).replace("'", "''")}')
            WHERE sampled_at >= TIMESTAMPTZ '{p.start}' AND sampled_at < TIMESTAMPTZ '{p.end}' + INTERVAL 1 DAY
              AND ((object_type = 'call' AND item IS NOT NULL) OR object_type = 'ticket')
            GROUP BY ALL ORDER BY city, object_type, item"""
    ).df()
    con.close()
    return frame

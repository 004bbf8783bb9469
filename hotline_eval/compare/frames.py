"""The data behind each comparison of the documents (§8.1 "多维度比较"), as plain data frames.

Values stay numbers here (the notebooks format them with core/fmt.py); every frame is built from
the results files and the analysis, so a test can recompute it.

- `score_rates`: score ÷ points of every scored indicator, city × indicator (the heatmap);
- `ranking`: rank, total, bootstrap interval of the total, rank intervals (sampling; weights and
  reference strategy), share of variants keeping the rank;
- `influence_on`: the indicators whose removal moves a city's rank;
- `monthly`: each month's value (and Wilson interval) of the trend indicators for a city and the
  province, the previous evaluation's months included;
- `channels`: volume and indicators per intake channel (§5.2.2), with a test of the differences;
- `unit_league`: handling units ranked within their class, with their key indicators;
- `reasons`: dissatisfaction reasons (§6.5.3) of a city against the rest of the province.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency

from hotline_eval.compare import extra_terms
from hotline_eval.compare.analysis import Analysis, satisfaction_evaluated
from hotline_eval.compare.volumes import ticket_channels
from hotline_eval.config.wording import load_wording
from hotline_eval.core.stats import benjamini_hochberg, wilson
from hotline_eval.results import Results

OK = "ok"


def item_label(results: Results, item: str) -> str:
    """A scored item's name: the indicator's, with the sub-item of a special evaluation (§5.1.2.2),
    e.g. 接通率（逐月变化）."""
    base, _, sub = item.partition(".")
    zh = results.catalogue.indicator(base).zh
    if not sub:
        return zh
    segments = results.evaluation.segments
    words = load_wording(results.root)["assessment"]["items"]
    return f"{zh}（{segments[sub].zh if sub in segments else words.get(sub, sub)}）"


def score_rates(results: Results) -> pd.DataFrame:
    """Score rate (score ÷ points) of every scored level item, cities (rows, in rank order) × indicators
    (columns, catalogue order); NaN where the city has no score (no data, not applicable, blocked)."""
    s = results.scores[(results.scores["item"] == "level") & (results.scores["points"] > 0)]
    rate = (s["score"] / s["points"]).to_numpy()
    frame = s.assign(rate=rate).pivot(index="city", columns="indicator", values="rate")
    order = [i.id for i in results.active if i.id in frame.columns]
    cities = results.totals.sort_values(["rank", "total"], ascending=[True, False]).index
    return frame.reindex(index=cities, columns=order)


def ranking(a: Analysis) -> pd.DataFrame:
    """Per ranked city (rank order): rank, total, bootstrap interval (low, high), sampling rank interval
    (rank_low, rank_high), method rank interval (mc_low, mc_median, mc_high) and `kept`. A city without
    a total has no rank and is not listed."""
    b, s = a.bootstrap.summary, a.stability
    frame = pd.DataFrame(
        {
            "rank": a.results.totals["rank"],
            "total": a.results.totals["total"],
            "low": b["low"],
            "high": b["high"],
            "rank_low": b["rank_low"],
            "rank_high": b["rank_high"],
            "mc_low": s["low"],
            "mc_median": s["median"],
            "mc_high": s["high"],
            "kept": s["kept"],
        }
    )
    return frame.dropna(subset=["rank"]).sort_values(["rank", "total"], ascending=[True, False])


def influence_on(a: Analysis, city: str) -> pd.DataFrame:
    """The indicators whose removal moves the city's rank: indicator, total without it, rank without it,
    places moved (positive: the city would rank higher without it), largest moves first."""
    inf = a.influence
    own = inf[(inf["city"] == city) & (inf["moved"] != 0)].copy()
    own["size"] = own["moved"].abs()
    return own.sort_values(["size", "indicator"], ascending=[False, True]).drop(columns="size")


def influence_summary(a: Analysis) -> pd.DataFrame:
    """Per indicator: how many cities change rank when it is dropped and the largest move."""
    inf = a.influence
    moved = inf[inf["moved"] != 0]
    out = moved.groupby("indicator").agg(cities=("city", "nunique"), largest=("moved", lambda m: m.abs().max()))
    return out.sort_values(["cities", "largest"], ascending=False)


def monthly(a: Analysis, city: str, indicators: list[str]) -> pd.DataFrame:
    """indicator, month, evaluation ('now' / 'previous'), value, ci_low, ci_high (Wilson, rates) of the city,
    and province (all cities with data pooled) — for the months of the previous evaluation too."""
    frames = []
    for label, results in (("previous", a.previous), ("now", a.results)):
        if results is None:
            continue
        ind = results.indicators
        months = ind[(ind["unit"] == "") & (ind["month"] != "all") & ind["indicator"].isin(indicators)]
        ok = months[months["status"] == OK]
        province = ok.groupby(["indicator", "month"])[["numerator", "denominator"]].sum()
        province = (province["numerator"] / province["denominator"]).rename("province")
        own = months[months["city"] == city].set_index(["indicator", "month"])
        own = own.assign(value=own["value"].where(own["status"] == OK))
        frame = own[["value", "ci_low", "ci_high", "status"]].join(province, how="left").reset_index()
        frames.append(frame.assign(evaluation=label))
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    order = {i: k for k, i in enumerate(indicators)}
    return out.sort_values(["indicator", "month"], key=lambda c: c.map(order) if c.name == "indicator" else c)


def channels(a: Analysis, city: str) -> pd.DataFrame:
    """Per intake channel of the city (largest first): tickets, share, and for each channel indicator its
    value with the Wilson interval (value_<id>, low_<id>, high_<id>); rates are withheld where the channel
    has fewer than `channel_min_tickets` tickets or the indicator is not scored for the city (e.g. blocked
    by the data-quality gate). `attrs['tests']`: per indicator, the χ² test of equal rates across channels
    (p, q with Benjamini–Hochberg over the indicators)."""
    r, settings = a.results, a.settings
    volume = ticket_channels(r, city).set_index("channel")
    wanted = [r.catalogue.indicator(i) for i in settings.channel_indicators if i in {x.id for x in r.active}]
    by = extra_terms.by_channel(r, wanted) if wanted else pd.DataFrame()
    by = by[(by["city"] == city) & (by["month"] == "all") & (by["channel"] != "")] if len(by) else by
    pooled = r.pooled(city).set_index("indicator")["status"]
    out = volume[["label", "n", "share"]].copy()
    tests = []
    for ind in wanted:
        part = by[by["indicator"] == ind.id].set_index("channel").reindex(out.index)
        usable = (out["n"] >= settings.channel_min_tickets) & (part["denominator"] > 0)
        usable &= pooled.get(ind.id) == OK
        num, den = part["numerator"].to_numpy(float), part["denominator"].to_numpy(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(usable, num / den, np.nan)
        low, high = wilson(np.where(usable, num, 0), np.where(usable, den, 0))
        out[f"value_{ind.id}"], out[f"low_{ind.id}"], out[f"high_{ind.id}"] = value, low, high
        rows = usable.to_numpy() & ~np.isnan(value)
        p = np.nan
        if rows.sum() >= 2 and extra_terms.is_proportion(ind):
            table = np.array([num[rows], den[rows] - num[rows]])
            if (table.sum(axis=1) > 0).all():
                p = float(chi2_contingency(table)[1])
        tests.append({"indicator": ind.id, "channels": int(rows.sum()), "p": p})
    tests = pd.DataFrame(tests)
    if len(tests):
        tests["q"] = benjamini_hochberg(tests["p"].to_numpy(float))
        tests["significant"] = tests["q"] < settings.significance.fdr
    out.attrs["tests"] = tests
    return out.reset_index()


def unit_league(a: Analysis, city: str) -> pd.DataFrame:
    """The city's handling units by class and rank within the class (unit_totals.csv), with the values of
    the league's indicators (unit_scores.csv); unranked units last in their class."""
    r = a.results
    path_totals, path_scores = r.paths.out / "unit_totals.csv", r.paths.out / "unit_scores.csv"
    if not path_totals.exists():
        return pd.DataFrame()
    totals = pd.read_csv(path_totals, encoding="utf-8-sig")
    scores = pd.read_csv(path_scores, encoding="utf-8-sig")
    own = totals[totals["city"] == city].copy()
    values = scores[(scores["city"] == city) & (scores["status"] == OK)]
    active = {i.id for i in r.active}
    for ind in [i for i in a.settings.unit_indicators if i in active]:
        v = values[values["indicator"] == ind].set_index("unit")["value"]
        own[f"value_{ind}"] = own["unit"].map(v)
    classes = r.evaluation.units.classes
    own["_class"] = own["class"].map({c: k for k, c in enumerate(classes)}).fillna(len(classes))
    own = own.sort_values(["_class", "rank", "unit"], na_position="last").drop(columns="_class")
    return own.reset_index(drop=True)


def reasons(a: Analysis, city: str) -> pd.DataFrame:
    """The city's dissatisfaction reasons: count, share of the verified ones, the rest of the province's
    share, the difference, q and `hot`; the unverified count in attrs['unverified']."""
    frame = a.reasons
    if frame.empty or not satisfaction_evaluated(a):
        return frame.iloc[0:0]
    own = frame[frame["city"] == city].copy()
    own.attrs["unverified"] = int(own["unverified"].iloc[0]) if len(own) else 0
    return own.reset_index(drop=True)

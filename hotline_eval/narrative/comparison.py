"""四、比较分析: the sentences that accompany the comparison tables and charts (§8.1).

Each function returns the text of one part from compare/frames.py and the analysis; templates are in
params/wording/narrative.yaml (`narrative.comparison`). Changes and gaps are stated only when tested
(compare/significance.py); ranks, shares and volumes are stated as they are.
"""

from __future__ import annotations

import itertools

import pandas as pd

from hotline_eval.compare import frames
from hotline_eval.compare.analysis import Analysis
from hotline_eval.config.wording import load_wording
from hotline_eval.core import fmt
from hotline_eval.narrative import phrasing as ph
from hotline_eval.score.units import ids_only


def _w(a: Analysis) -> dict:
    return load_wording(a.results.root, a.results.evaluation.labels)["narrative"]


def intro(a: Analysis, city: str) -> str:
    fdr = f"{a.settings.significance.fdr * 100:g}%"
    key = "intro" if len(a.results.evaluation.city_ids()) > 1 else "intro_single"
    return _w(a)["comparison"][key].format(city=a.results.city_name(city), fdr=fdr)


def ranking(a: Analysis, city: str) -> str:
    w, r = _w(a)["comparison"], a.results
    row = frames.ranking(a).loc[city]
    name = r.city_name(city)
    text = w["ranking"].format(
        n=len(r.evaluation.city_ids()),
        city=name,
        total=fmt.score(row["total"]),
        rank=int(row["rank"]),
        span=_span(w, row["rank_low"], row["rank_high"]),
        noise=f"{a.settings.robustness.weight_noise * 100:g}%",
        references="、".join(w["references"].get(k, k) for k in a.settings.robustness.references),
        draws=a.settings.robustness.draws,
        kept=f"{row['kept'] * 100:.1f}%",
        mc_span=_span(w, row["mc_low"], row["mc_high"]),
    )
    moves = frames.influence_on(a, city).head(3)
    if moves.empty:
        return text + w["influence_none"].format(city=name)
    items = "、".join(
        w["influence_item"].format(indicator=frames.item_label(r, i), rank=int(k))
        for i, k in zip(moves["indicator"], moves["rank_without"], strict=True)
    )
    return text + w["influence_some"].format(city=name, items=items)


def _span(w: dict, low: float, high: float) -> str:
    return (w["span_one"] if low == high else w["span"]).format(low=int(low), high=int(high))


def extremes(a: Analysis, city: str) -> str:
    """Indicators on which the city has the province's lowest (and highest) score rate."""
    w, r = _w(a)["comparison"], a.results
    rates = frames.score_rates(r)
    if city not in rates.index:
        return ""
    own = rates.loc[city]
    # an indicator on which every city has the same rate (all full marks, or all 0 against a reference
    # of 0) ranks nobody: it is neither the city's lowest nor its highest
    spread = [i for i in rates.columns if pd.notna(own[i]) and rates[i].max() - rates[i].min() > 1e-12]
    lowest = [i for i in spread if own[i] < 0.95 and own[i] <= rates[i].min() + 1e-12]
    highest = [i for i in spread if own[i] >= rates[i].max() - 1e-12]
    name = r.city_name(city)
    if lowest:
        items = "、".join(f"{r.catalogue.indicator(i).zh}（{fmt.pct(own[i])}）" for i in lowest)
        text = w["extremes_low"].format(city=name, n=len(lowest), items=items)
    else:
        text = w["extremes_none_low"].format(city=name)
    if highest:
        text += w["extremes_high"].format(city=name, n=len(highest))
    return text


def months(a: Analysis, city: str, indicators: list[str]) -> str:
    """Significant month-over-month changes of the trend indicators, and changes since the previous
    evaluation (all indicators of the city)."""
    w, r = _w(a), a.results
    words = w["words"]
    c = w["comparison"]
    m = a.months
    shown = r.evaluation.period.months
    called = m[(m["city"] == city) & m["indicator"].isin(indicators) & m["verdict"].isin(["better", "worse"])]
    items = []
    for _, row in called.sort_values(["month", "indicator"]).iterrows():
        ind = r.catalogue.indicator(row["indicator"])
        moved = ph.word(words, "improved" if row["verdict"] == "better" else "worsened", ind)
        items.append(
            c["month_item"].format(
                indicator=ind.zh,
                month=fmt.month(row["month"], shown),
                previous_month=fmt.month(row["previous_month"], shown),
                moved=moved,
                diff=ph.amount(ph.difference(row["value"], row["before_value"], ind.unit), ind.unit),
            )
        )
    if not items:
        text = c["months_none"]
    else:  # "the other indicators" only where there are others
        rest = set(indicators) - set(called["indicator"])
        text = c["months_called" if rest else "months_called_all"].format(items="；".join(items))
    return text + period(a, city)


def period(a: Analysis, city: str) -> str:
    """Indicators significantly better or worse than in the previous evaluation ("" without one)."""
    if a.changes is None:
        return ""
    w, r = _w(a), a.results
    c = w["comparison"]
    own = a.changes[(a.changes["city"] == city)]
    previous = a.previous.evaluation.period.label_zh
    scored = {i.id for i in r.active if not i.report_only}

    def listed(verdict: str) -> str:
        rows = own[(own["verdict"] == verdict) & own["indicator"].isin(scored)]
        return "、".join(
            c["period_item"].format(
                indicator=r.catalogue.indicator(i).zh,
                before=fmt.value(b, r.catalogue.indicator(i).unit),
                value=fmt.value(v, r.catalogue.indicator(i).unit),
            )
            for i, b, v in zip(rows["indicator"], rows["before_value"], rows["value"], strict=True)
        )

    better, worse = listed("better"), listed("worse")
    if not better and not worse:
        return c["period_none"].format(previous=previous)
    return c["period_called"].format(
        previous=previous,
        better=c["period_better"].format(items=better) if better else "",
        worse=c["period_worse"].format(items=worse) if worse else "",
    )


def channels(a: Analysis, city: str, table: pd.DataFrame) -> str:
    """Volumes by channel, and which indicators differ significantly between channels (χ², BH)."""
    w, r = _w(a)["comparison"], a.results
    if table.empty:
        return ""
    top = "；".join(
        w["channel_item"].format(label=lbl, n=fmt.count(n, "件"), share=fmt.pct(s))
        for lbl, n, s in zip(table["label"][:3], table["n"][:3], table["share"][:3], strict=True)
    )
    text = w["channels"].format(city=r.city_name(city), total=fmt.count(table["n"].sum(), "件"), k=len(table), top=top)
    tests = table.attrs.get("tests", pd.DataFrame())
    if tests.empty:
        return text
    tested = tests[tests["p"].notna()]
    significant = tested[tested["significant"]]
    if len(significant):
        names = "、".join(r.catalogue.indicator(i).zh for i in significant["indicator"])
        lows = []
        for ind_id in significant["indicator"]:
            ind = r.catalogue.indicator(ind_id)
            values = table.set_index("label")[f"value_{ind_id}"].dropna()
            if values.empty:
                continue
            worst = values.idxmin() if ind.direction == "higher" else values.idxmax()
            lows.append(
                w["channel_low"].format(indicator=ind.zh, label=worst, value=fmt.value(values[worst], ind.unit))
            )
        return text + w["channel_tests_some"].format(items=names, note="；".join(lows) + "。")
    if len(tested):
        names = "、".join(r.catalogue.indicator(i).zh for i in tested["indicator"])
        return text + w["channel_tests_none"].format(items=names)
    return text


def units(a: Analysis, city: str, league: pd.DataFrame) -> str:
    """Per class of handling units: the best and the worst ranked unit with their totals."""
    w, r = _w(a)["comparison"], a.results
    if league.empty:
        return ""
    parts = []
    for cls in dict.fromkeys(league["class"]):
        ranked = league[(league["class"] == cls) & league["ranked"].astype(bool)].sort_values(["rank", "unit"])
        if ranked.empty:
            continue
        label = r.schema.label("unit_class", cls)
        best, worst = ranked.iloc[0], ranked.iloc[-1]
        if len(ranked) == 1:
            parts.append(
                w["unit_class_one"].format(cls=label, best=best["unit_name"], best_total=fmt.score(best["total"]))
            )
            continue
        parts.append(
            w["unit_class"].format(
                cls=label,
                n=len(ranked),
                best=best["unit_name"],
                best_total=fmt.score(best["total"]),
                worst=worst["unit_name"],
                worst_total=fmt.score(worst["total"]),
            )
        )
    unranked = int((~league["ranked"].astype(bool)).sum())
    if not parts:
        return w["units_none"].format(n=unranked)
    key = "units_ids" if ids_only(league["class"]) else "units"  # no units table: the ids on the work orders
    text = w[key].format(city=r.city_name(city), items="；".join(parts))
    return text + (w["units_unranked"].format(n=unranked) if unranked else "")


def reasons(a: Analysis, city: str, table: pd.DataFrame) -> str:
    """The city's dissatisfied evaluations by verified reason, and the reasons significantly more frequent."""
    w, r = _w(a)["comparison"], a.results
    if table.empty:
        return ""
    verified = int(table["verified"].iloc[0])
    unverified = int(table.attrs.get("unverified", 0))
    top = table.sort_values(["count", "reason"], ascending=[False, True]).head(3)
    text = w["reasons"].format(
        city=r.city_name(city),
        total=verified + unverified,
        verified=verified,
        unverified=unverified,
        top="、".join(
            w["reason_item"].format(reason=z, share=fmt.pct(s))
            for z, s in zip(top["reason_zh"], top["share"], strict=True)
        ),
    )
    hot = table[table["hot"]]
    if hot.empty:
        return text + w["reasons_none"]
    items = "、".join(
        w["reason_hot_item"].format(reason=z, share=fmt.pct(s), rest=fmt.pct(o))
        for z, s, o in zip(hot["reason_zh"], hot["share"], hot["rest_share"], strict=True)
    )
    return text + w["reasons_hot"].format(items=items)


def province_intro(a: Analysis) -> str:
    """附件: which cities keep their rank whatever the method, and which neighbours' order is within noise."""
    w, r = _w(a)["comparison"], a.results
    rank = frames.ranking(a)
    fixed = [r.city_name(c) for c in rank.index if rank.loc[c, "mc_low"] == rank.loc[c, "mc_high"]]
    fixed_text = w["province_fixed"].format(cities="、".join(fixed)) if fixed else w["province_fixed_none"]
    level = a.settings.bootstrap.confidence
    pairs = []
    order = list(rank.index)
    draws = a.bootstrap.totals
    cities = list(a.bootstrap.summary.index)
    for first, second in itertools.pairwise(order):
        held = float((draws[:, cities.index(first)] > draws[:, cities.index(second)]).mean())
        if held < level:
            diff = rank.loc[first, "total"] - rank.loc[second, "total"]
            pairs.append(
                w["province_pair"].format(first=r.city_name(first), second=r.city_name(second), diff=fmt.score(diff))
            )
    level_text = f"{level * 100:g}%"
    pair_text = (
        w["province_pairs"].format(pairs="、".join(pairs), level=level_text)
        if pairs
        else w["province_pairs_none"].format(level=level_text)
    )
    return w["province"].format(fixed=fixed_text, pairs=pair_text)


def province_changes(a: Analysis) -> pd.DataFrame:
    """Per city: the indicators significantly better and worse than in the previous evaluation."""
    if a.changes is None:
        return pd.DataFrame()
    w, r = _w(a)["comparison"], a.results
    scored = {i.id for i in r.active if not i.report_only}
    rows = []
    for city in r.totals.sort_values("rank").index:
        own = a.changes[(a.changes["city"] == city) & a.changes["indicator"].isin(scored)]
        cells = {}
        for verdict, column in (("better", "显著改善"), ("worse", "显著下降")):
            part = own[own["verdict"] == verdict]
            cells[column] = (
                "、".join(
                    w["period_item"].format(
                        indicator=r.catalogue.indicator(i).zh,
                        before=fmt.value(b, r.catalogue.indicator(i).unit),
                        value=fmt.value(v, r.catalogue.indicator(i).unit),
                    )
                    for i, b, v in zip(part["indicator"], part["before_value"], part["value"], strict=True)
                )
                or w["province_changes_none"]
            )
        rows.append({"城市": r.city_name(city), **cells})
    return pd.DataFrame(rows)

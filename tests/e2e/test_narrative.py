"""The narrative (§8.1, §8.5): every number in it is a computed one, the planted problems of the sample
province are found with matching measures, and no untested difference is called a change."""

import dataclasses
import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

from hotline_eval import narrative
from hotline_eval.compare.analysis import Analysis
from hotline_eval.narrative import overview as summary_module
from hotline_eval.narrative import problems as problems_module
from hotline_eval.narrative import stories as story_module
from hotline_eval.narrative.rectification_spec import load_measures

pytestmark = pytest.mark.slow
CITIES = ["linjiang", "qingshan", "baihe", "yunling", "dongpo", "nanhu", "shiqiao", "jinsha"]
CHANGE_WORDS = ("下降", "提升", "上升", "缩短", "延长", "提高", "有所改善")


@pytest.fixture(scope="module")
def stories(results, previous):
    return {city: narrative.story(results, city, previous) for city in CITIES}


# ------------------------------------------------------------------------------------------ numbers


def numbers(text: str) -> list[str]:
    """The figures of a text, without dates, the hotline's number and clause numbers."""
    text = re.sub(r"\d{4}年\d{1,2}月(\d{1,2}日)?", " ", text)
    text = re.sub(r"\d{4}年\d{1,2}—\d{1,2}月", " ", text)
    text = re.sub(r"§[\d.]+", " ", text).replace("12345", " ")
    return re.findall(r"\d+(?:\.\d+)?", text)


def read(path, **kw):
    frame = pd.read_csv(path, **kw)
    if "unit" in frame:
        frame["unit"] = frame["unit"].fillna("")
    return frame


def shown(value: float, unit: str) -> str:
    """A value as the report writes it, without its unit (core/fmt.py)."""
    if unit == "percent":
        return f"{value * 100:.1f}"
    if unit in ("seconds", "hours"):
        return f"{value:.1f}"
    return f"{value:.2f}"


def rounded(value: float, unit: str) -> float:
    return round(value, {"percent": 3, "seconds": 1, "hours": 1}.get(unit, 2))


def expected_numbers(results, previous, city: str) -> set[str]:
    """Every figure the narrative may state about a city, computed here from the results files."""
    out = results.paths.out
    ind = read(out / "indicators.csv", dtype={"unit": str, "month": str})
    before = read(previous.paths.out / "indicators.csv", dtype={"unit": str, "month": str})
    scores = pd.read_csv(out / "scores.csv")
    units = {i.id: i.unit for i in results.active}
    agency = ind[ind["unit"] == ""]
    ok = agency[(agency["status"] == "ok") & (agency["month"] == "all")]
    sums = ok.groupby("indicator")[["numerator", "denominator"]].sum()
    province = sums["numerator"] / sums["denominator"]
    expected: set[str] = set()
    own = scores[(scores["city"] == city) & scores["score"].notna()]
    directions = {i.id: i.direction for i in results.active}
    for _, s in own.iterrows():
        unit = units.get(s["indicator"], "points")
        # counts and places among the cities with a score: how many, the city's place, how many score below 80 % / 90 %
        peers = scores[(scores["indicator"] == s["indicator"]) & scores["score"].notna()].set_index("city")
        higher = directions.get(s["base_indicator"], "higher") == "higher"
        place = peers["value"].rank(ascending=not higher, method="min")[city]
        rate = peers["score"] / peers["points"]
        expected |= {str(len(peers)), str(int(place)), str(int((rate < 0.8).sum())), str(int((rate < 0.9).sum()))}
        expected |= {f"{s['score']:.2f}", f"{s['points']:g}", f"{s['points'] - s['score']:.2f}"}
        values = {"value": s["value"], "reference": s["reference"], "province": province.get(s["indicator"], np.nan)}
        all_values = scores[(scores["indicator"] == s["indicator"]) & scores["score"].notna()]["value"]
        values["best"] = all_values.max()
        values["worst"] = all_values.min()
        was = before[
            (before["city"] == city)
            & (before["unit"] == "")
            & (before["month"] == "all")
            & (before["indicator"] == s["indicator"])
        ]
        if len(was):
            values["before"] = was["value"].iloc[0]
        months = agency[(agency["city"] == city) & (agency["indicator"] == s["indicator"]) & (agency["month"] != "all")]
        for k, v in enumerate(months.sort_values("month")["value"]):
            values[f"m{k}"] = v
        present = {k: v for k, v in values.items() if pd.notna(v)}
        expected |= {shown(v, unit) for v in present.values()}
        # the gaps a sentence states: the value against each comparison, and each month against the one before
        pairs = [("value", k) for k in present if k != "value"]
        pairs += [(f"m{k}", f"m{k + 1}") for k in range(len(months) - 1)]
        for a, b in pairs:
            if a in present and b in present:
                expected.add(shown(abs(rounded(present[a], unit) - rounded(present[b], unit)), unit))
        # midway targets between the value and the reference
        if pd.notna(s["reference"]):
            expected.add(shown(rounded(s["value"] + (s["reference"] - s["value"]) / 2, unit), unit))
    unit_rows = ind[(ind["city"] == city) & (ind["unit"] != "") & (ind["month"] == "all") & (ind["status"] == "ok")]
    expected |= {
        shown(v, units.get(i, "points")) for v, i in zip(unit_rows["value"], unit_rows["indicator"], strict=True)
    }
    # dissatisfaction reasons: counts, shares of the verified ones, the rest of the province
    d = read(out / "dissatisfaction.csv", dtype={"unit": str})
    verified = d[(d["unit"] == "") & (d["reason"] != "unverified")]
    mine = verified[verified["city"] == city].set_index("reason")["count"]
    rest = verified[verified["city"] != city].groupby("reason")["count"].sum()
    expected |= {str(int(mine.sum())), *map(str, mine.astype(int))}
    for r in mine.index:
        a, b = mine[r] / mine.sum(), rest[r] / rest.sum()
        expected |= {
            shown(a, "percent"),
            shown(b, "percent"),
            shown(abs(rounded(a, "percent") - rounded(b, "percent")), "percent"),
        }
    expected |= set(map(str, d[(d["city"] == city) & (d["unit"] != "")]["count"].astype(int)))
    # points left out because their data failed a quality gate
    blocked = scores[(scores["city"] == city) & (scores["status"] == "quality_blocked") & (scores["points"] > 0)]
    expected |= {f"{blocked['points'].sum():g}", str(len(blocked))}
    quality = pd.read_csv(out / "quality.csv", dtype={"passed": str, "item": str})
    failed = quality[(quality["city"] == city) & (quality["severity"] == "gate") & (quality["passed"] == "False")]
    expected |= {str(len(failed)), str(len(failed.drop_duplicates(["table", "check", "item"])))}
    # indicators for which the city holds the reference (the province's best)
    holds = own[[city in str(h).split("、") for h in own["reference_holder"]]]
    expected.add(str(len(holds)))
    # totals, coverage, the previous total; the city's rank now and before, of how many
    t = results.totals.loc[city]
    expected |= {str(len(results.totals)), str(int(t["rank"])), str(int(previous.totals.loc[city, "rank"]))}
    expected |= {
        f"{t['total']:.2f}",
        f"{t['coverage']:.1f}",
        f"{previous.totals.loc[city, 'total']:.2f}",
        f"{abs(t['total'] - previous.totals.loc[city, 'total']):.2f}",
    }
    return expected


def qualitative_numbers(results, city: str) -> set[str]:
    """Figures of the recorded-call samples (Appendix A.2 findings), counted here from qc_samples."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    rows = con.execute(
        f"""SELECT item, count(*) AS n, count_if(level IN ('C', 'D')) AS cd, count_if(level = 'D') AS d
            FROM read_parquet('{results.paths.data / "qc_samples.parquet"}')
            WHERE city = '{city}' AND object_type = 'call' AND item IS NOT NULL
              AND sampled_at >= TIMESTAMPTZ '2026-07-01' AND sampled_at < TIMESTAMPTZ '2026-10-01'
            GROUP BY item"""
    ).df()
    veto = con.execute(
        f"""SELECT count_if(coalesce(veto, false)) FROM read_parquet('{results.paths.data / "qc_samples.parquet"}')
            WHERE city = '{city}' AND object_type = 'ticket'
              AND sampled_at >= TIMESTAMPTZ '2026-07-01' AND sampled_at < TIMESTAMPTZ '2026-10-01'"""
    ).fetchone()[0]
    out = {str(int(rows["n"].max())), str(int(rows["d"].sum())), str(int(veto))}
    out |= set(map(str, rows["cd"].astype(int))) | {f"{v * 100:.1f}" for v in rows["cd"] / rows["n"]}
    s = results.scores
    own = s[(s["city"] == city) & s["indicator"].isin(["agent_attitude", "agent_professionalism", "agent_language"])]
    return out | {f"{own['score'].sum():.2f}", f"{own['points'].sum():g}"}


def test_every_number_in_the_problems_is_a_computed_one(results, previous, stories):
    for city, s in stories.items():
        expected = expected_numbers(results, previous, city) | qualitative_numbers(results, city)
        expected |= {"80", f"{results.evaluation.coverage_min:g}"}  # the far-below share and the grading minimum
        for p in s.problems:
            stray = [n for n in numbers(p.headline + p.text) if n not in expected]
            assert not stray, f"{city} problem {p.number} ({p.key}): {stray} not computed\n{p.text}"


def test_every_number_in_the_summary_and_strengths_is_a_computed_one(results, previous, stories):
    from hotline_eval.compare import robustness

    boot = robustness.bootstrap(results).summary
    stability = robustness.rank_stability(results)
    for city, s in stories.items():
        expected = expected_numbers(results, previous, city)
        expected |= {f"{boot.loc[city, 'low']:.2f}", f"{boot.loc[city, 'high']:.2f}", "95"}
        expected |= {str(int(stability.loc[city, k])) for k in ("low", "high")}
        rates = _dimension_rates(results)
        expected |= {f"{v * 100:.1f}" for v in rates.loc[city]}
        expected |= {str(int(p)) for p in rates.rank(ascending=False, method="min").loc[city].dropna()}
        for text in (s.summary, s.strengths_text):
            stray = [n for n in numbers(text) if n not in expected]
            assert not stray, f"{city}: {stray} not computed\n{text}"


def _dimension_rates(results):
    t = results.totals
    dims = [c[4:] for c in t.columns if c.startswith("dim_")]
    return pd.DataFrame({d: t[f"dim_{d}"] / t[f"dimavail_{d}"].where(t[f"dimavail_{d}"] > 0) for d in dims})


def test_targets_and_deadlines_of_the_measures_are_computed(results, previous, stories):
    issued = results.evaluation.issued_on
    catalogue = load_measures(results.root)
    dates = {
        f"{d.year}年{d.month}月{d.day}日"
        for k in catalogue.deadlines.values()
        if k.days
        for d in [issued + dt.timedelta(days=k.days)]
    }
    for city, s in stories.items():
        expected = expected_numbers(results, previous, city)
        for m in s.measures:
            assert m.actor in m.text and m.action in m.text, m.text
            assert m.who in ("agency", "units")
            found = re.findall(r"\d{4}年\d{1,2}月\d{1,2}日", m.deadline)
            assert set(found) <= dates
            assert m.deadline in m.text
            rest = m.text.replace(m.action, " ").replace(m.actor, " ")
            stray = [n for n in numbers(rest) if n not in expected]
            assert not stray, f"{city}: {stray}\n{m.text}"
            if m.target:
                f = s.facts[m.indicator]
                unit = f.indicator.unit
                expected_target = {
                    "province": f.province,
                    "previous": f.change["before_value"] if f.change is not None else np.nan,
                    "halfway": f.value + (f.reference - f.value) / 2,
                }[m.basis]
                assert m.target_value == pytest.approx(rounded(expected_target, unit))


def test_a_gap_is_worded_with_the_value_the_province_and_their_difference(demo, stories):
    """青山市 分派及时率 (§6.2.4): value, province (all cities pooled), the difference of the shown values."""
    ind = read(demo.out / "indicators.csv", dtype={"unit": str, "month": str})
    pooled = ind[(ind["unit"] == "") & (ind["month"] == "all") & (ind["indicator"] == "dispatch_timely_rate")]
    value = pooled.set_index("city").loc["qingshan", "value"]
    ok = pooled[pooled["status"] == "ok"]
    province = ok["numerator"].sum() / ok["denominator"].sum()
    p = next(p for p in stories["qingshan"].problems if "dispatch_timely_rate" in p.indicators)
    diff = round(province, 3) * 100 - round(value, 3) * 100
    assert f"分派及时率为{value * 100:.1f}%" in p.text or "分派及时率居第" in p.text
    assert f"全省平均水平（{province * 100:.1f}%）" in p.text and f"低{diff:.1f}个百分点" in p.text


PLANTED = {
    "qingshan": [("dispatch_timely_rate",)],
    "baihe": [("return_for_redo_rate",)],
    "yunling": [("answer_rate", "answer_wait_avg")],
    "dongpo": [("first_contact_rate",), ("result_satisfaction",)],
}


@pytest.mark.parametrize("city", sorted(PLANTED))
def test_each_planted_problem_is_found_with_a_matching_measure(results, stories, city):
    """The sample province's planted problems (params/provinces/sample.yaml) and their measures."""
    catalogue = load_measures(results.root)
    s = stories[city]
    for alternatives in PLANTED[city]:
        hits = [p for p in s.problems if set(alternatives) & set(p.indicators)]
        assert hits, f"{city}: none of {alternatives} among {[p.key for p in s.problems]}"
        p = hits[0]
        assert p.number <= 3, f"{city}: {p.key} is only problem {p.number}"
        measures = s.measures_of(p)
        assert measures, f"{city}: no measure for {p.key}"
        texts = {
            t
            for ind in p.indicators
            if ind in catalogue.indicators
            for spec in catalogue.indicators[ind].measures
            for t in spec.text
        }
        assert any(m.action in texts for m in measures), f"{city}: measures do not answer {p.key}"
        assert any(m.target for m in measures), f"{city}: no target for {p.key}"


def test_units_driving_a_problem_are_named_in_the_problem_and_its_measure(stories):
    s = stories["dongpo"]
    p = next(p for p in s.problems if p.key == "result_satisfaction")
    assert p.unit_mode == "driving" and p.units
    names = [s.a.unit_names[u] for u in p.units]
    assert all(n in p.text for n in names)
    units_measure = next(m for m in s.measures_of(p) if m.who == "units")
    assert all(n in units_measure.actor for n in names)


def test_the_data_quality_problem_names_the_blocked_indicators(results, stories):
    p = next(p for p in stories["jinsha"].problems if p.kind == "quality")
    assert p.number == 1 and "不予定级" in p.text
    scores = pd.read_csv(results.paths.out / "scores.csv")
    blocked = scores[(scores["city"] == "jinsha") & (scores["status"] == "quality_blocked") & (scores["points"] > 0)]
    assert set(blocked["indicator"]) == set(p.indicators)
    assert f"合计{blocked['points'].sum():g}分未计入有效分值" in p.text


# ------------------------------------------------------------------------------------------ changes


def test_an_untested_or_insignificant_difference_is_never_described_as_a_change(stories):
    """For every indicator whose change since the previous evaluation is not called, the text that cites
    the previous value says there is no significant change."""
    from hotline_eval.core import fmt

    for city, s in stories.items():
        text = "".join(p.text for p in s.problems)
        called = {
            f"上期（{fmt.value(f.change['before_value'], f.indicator.unit)}）"
            for f in s.facts.values()
            if f.change is not None and f.verdict("change") in ("better", "worse")
        }
        for f in s.facts.values():
            if f.change is None or f.verdict("change") in ("better", "worse"):
                continue
            cited = f"上期（{fmt.value(f.change['before_value'], f.indicator.unit)}）"
            if cited in called:  # another indicator's called change cites the same previous value
                continue
            for match in re.finditer(re.escape(cited), text):
                after = text[match.end() : match.end() + 8]
                assert after.startswith(("相比无显著变化", "基本持平")), f"{city} {f.indicator.id}: …{cited}{after}"


def test_a_constructed_insignificant_change_is_called_no_change_and_a_significant_one_is(stories):
    s = stories["qingshan"]
    ctx = s.context()
    f = s.facts["dispatch_timely_rate"]
    row = pd.Series({"before_value": f.value + 0.3, "value": f.value, "diff": -0.3, "verdict": "same"})
    clause = problems_module._change_clause(ctx, dataclasses.replace(f, change=row))
    assert ("无显著变化" in clause or "基本持平" in clause) and not any(w in clause for w in CHANGE_WORDS)
    worse = problems_module._change_clause(ctx, dataclasses.replace(f, change=row.replace("same", "worse")))
    assert "下降30.0个百分点" in worse


def test_the_total_is_called_changed_only_when_its_bootstrap_interval_excludes_zero(results, previous):
    a = Analysis(results, previous)
    ctx = narrative.story(results, "nanhu", previous).context()
    ctx = dataclasses.replace(ctx, a=a)
    a.__dict__["total_change"] = pd.DataFrame(
        {"delta": [2.5], "low": [-0.4], "high": [5.1], "significant": [False]}, index=pd.Index(["nanhu"], name="city")
    )
    text = summary_module.change_sentence(ctx)
    assert "无显著变化" in text and "提高" not in text and "下降" not in text and "上升" not in text
    a.__dict__["total_change"] = pd.DataFrame(
        {"delta": [2.5], "low": [0.4], "high": [5.1], "significant": [True]}, index=pd.Index(["nanhu"], name="city")
    )
    assert "提高2.50分" in summary_module.change_sentence(ctx)


# ------------------------------------------------------------------------------------------ wording


def test_the_text_is_the_same_whatever_is_asked_first(results, previous, monkeypatch):
    def fresh():  # the analysis (numbers) is shared; the stories (text) are built afresh
        monkeypatch.setattr(story_module, "_CACHE", {})

    fresh()
    one = narrative.story(results, "baihe", previous)
    first = ([m.text for m in one.measures], one.summary, one.strengths_text, [p.text for p in one.problems])
    fresh()
    two = narrative.story(results, "baihe", previous)
    second = (None, two.strengths_text, two.summary, [p.text for p in two.problems])
    second = ([m.text for m in two.measures], second[2], second[1], second[3])
    assert first == second


def test_problems_are_not_one_template_with_blanks_filled(stories):
    openings = {
        re.sub(r"^(评价期内，|从数据看，|在全省|在有数据的)?.*$", lambda m: m.group(1) or "other", p.text)
        for s in stories.values()
        for p in s.problems
        if p.kind in ("gap", "far_below", "worse")
    }
    assert len(openings) >= 3
    frames = {re.sub(r"^.*?(要|应|负责，).*$", r"\1", m.text) for s in stories.values() for m in s.measures}
    assert {"要", "应", "负责，"} <= frames
    actions = [m.action for s in stories.values() for m in s.measures]
    for s in stories.values():
        own = [m.action for m in s.measures]
        assert len(own) == len(set(own)), "a report repeats a measure"
    assert len(set(actions)) > len(actions) / 3


# ------------------------------------------------------------------------------------------ tracking


def test_tracking_says_which_previous_problems_persist_and_how_their_indicators_moved(results, previous, stories):
    s = stories["dongpo"]
    statuses = {t.problem.key: t.status for t in s.tracking}
    assert statuses["first_contact_rate"] == "persist"
    table = s.tracking_table
    row = table[table["相关指标"] == "先行联系率"].iloc[0]
    now = results.pooled("dongpo").set_index("indicator").loc["first_contact_rate", "value"]
    was = previous.pooled("dongpo").set_index("indicator").loc["first_contact_rate", "value"]
    assert (row["上期"], row["本期"]) == (f"{was * 100:.1f}%", f"{now * 100:.1f}%")
    change = s.a.changes.set_index(["city", "indicator"]).loc[("dongpo", "first_contact_rate")]
    # the tested change, worked out here: 无显著变化, or the direction and size in 个百分点 (a higher-better rate)
    called = {"better": "提升", "worse": "下降"}
    expected = (
        called[change["verdict"]] + f"{abs(round(now * 100, 1) - round(was * 100, 1)):.1f}个百分点"
        if change["verdict"] in called
        else "无显著变化"
    )
    assert change["verdict"] in (*called, "same") and row["变化"] == expected
    persist = sum(t.status == "persist" for t in s.tracking)
    assert f"{persist}个仍然存在" in s.tracking_text


def test_without_a_previous_evaluation_there_is_no_tracking_and_no_change(results):
    s = narrative.story(results, "dongpo")
    assert s.tracking is None and "上期" not in s.summary
    assert all("上期" not in p.text for p in s.problems)


def test_an_indicator_every_city_scores_alike_is_nobodys_lowest(results):
    """extremes: against a reference of 0 every city scores 0 on the indicator (Appendix A's ratio); the
    report listed it among the city's 全省最低 (every city's, in fact)."""
    from hotline_eval.compare.analysis import analysis
    from hotline_eval.narrative.comparison import extremes

    scores = results.scores.copy()
    zero = (scores["indicator"] == "first_contact_rate") & (scores["item"] == "level") & scores["score"].notna()
    assert zero.sum() == len(CITIES)
    scores.loc[zero, ["reference", "score"]] = 0.0
    flat = type(results)(results.root, results.evaluation, results.paths)
    flat.scores = scores  # the cached property, set before it is read
    name = results.catalogue.indicator("first_contact_rate").zh
    texts = {city: extremes(analysis(flat), city) for city in CITIES}
    assert all(f"{name}（0.0%）" not in text for text in texts.values()), texts
    assert any("全省最低：" in text for text in texts.values()), "other lowest indicators are still named"

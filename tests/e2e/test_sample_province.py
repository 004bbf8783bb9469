"""The generated sample province (demo-comprehensive): personal data in the raw exports, every channel,
the daily profile, rates in the published ranges."""

import pandas as pd

from hotline_eval.config.province import load_province
from tests.support.channels import exported_channels, schema_channels


def test_raw_exports_carry_personal_data_so_masking_is_exercised(demo):
    tickets = pd.read_csv(demo.raw / "linjiang" / "工单明细_2026-07.csv", dtype=str)
    assert tickets["联系电话"].str.fullmatch(r"1[3-9]\d{9}").mean() > 0.99
    assert tickets["身份证号"].str.fullmatch(r"\d{17}[\dX]").all()
    assert tickets["诉求人姓名"].str.len().between(2, 3).all()


def test_work_orders_arrive_through_every_5_2_2_channel(root, demo):
    """Every channel the cities' 12345 systems export (their mappings), each a code of the schema's list."""
    tickets = pd.read_parquet(demo.data / "tickets.parquet", columns=["city", "channel"])
    systems = {city.system for city in load_province(root, "sample").cities}
    expected = set().union(*(exported_channels(root, system) for system in systems))
    assert expected <= set(schema_channels(root))
    assert set(tickets["channel"]) == expected
    per_city = tickets.groupby("city")["channel"].nunique()
    assert (per_city >= len(expected) - 2).all()  # a small city may lack a rare channel or two


def test_arrivals_follow_the_daily_profile(demo):
    calls = pd.read_parquet(demo.data / "calls.parquet", columns=["arrived_at"])
    hours = calls["arrived_at"].dt.tz_convert("Asia/Shanghai").dt.hour.value_counts(normalize=True)
    assert hours[10] > 5 * hours[3]  # mid-morning peak, quiet night
    assert hours[12] < hours[10]  # lunch dip


def test_published_ranges_hold_for_headline_rates(demo):
    """Rates land in the ranges of the published Chinese figures (notes/report-style.md §2.5).

    Indicators withheld by the data-quality gate (the planted defects of 金沙市 and 石桥市) have no value.
    """
    ind = pd.read_csv(demo.out / "indicators.csv", dtype={"unit": str})
    pooled = ind[(ind["unit"].isna()) | (ind["unit"] == "")].query("month == 'all' and status == 'ok'")
    rates = pooled.pivot(index="city", columns="indicator", values="value")
    assert rates["answer_rate"].dropna().between(0.78, 0.995).all() and rates["answer_rate"].count() >= 7
    assert rates["answer_wait_avg"].dropna().between(8, 60).all()
    assert rates["result_satisfaction"].between(0.7, 0.99).all()


def test_n_means_the_same_in_indicators_and_scores(demo):
    """One meaning of n across the output files (docs/documents/index.md#output-files): for every scored
    level item of every city, n in scores.csv is n in indicators.csv (it was the denominator for the
    bot's test questions and the per-capita demand; the expert panels wrote none)."""
    indicators = pd.read_csv(demo.out / "indicators.csv", dtype={"unit": str})
    pooled = indicators[(indicators["month"] == "all") & indicators["unit"].isna()]
    scores = pd.read_csv(demo.out / "scores.csv")
    level = scores[scores["item"] == "level"]
    both = level.merge(pooled, on=["city", "indicator"], suffixes=("", "_measured"))
    assert len(both) == len(level) > 300
    assert ((both["n"] == both["n_measured"]) | (both["n"].isna() & both["n_measured"].isna())).all()
    differ = set(both[both["n"] != both["denominator"]]["indicator"])
    assert differ == {"bot_response_time_avg", "requests_per_10k"}, (
        "test questions vs rounds, requests vs person-months"
    )

"""What an analyst would otherwise write: a representative subset of the catalogue in plain pandas.

Thirteen indicators over the four large tables, per city × month and pooled over the period, at
the level of the city's hotline agency: the seven call-centre indicators of §6.1.1 and the call
satisfaction of §6.5.1 (calls and callbacks), the per-caller answer rate (callers × days), the online response
time and answer rate (chats), the direct-handling rate and the resolve time (tickets), and the
result satisfaction (callbacks joined to their tickets). Idiomatic pandas: read the columns needed
from Parquet, boolean masks, a month column, `groupby(...).agg(...)`. `compare` checks that it
gives the engine's numerators and denominators.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from hotline_eval.config.catalogue import load_catalogue
from hotline_eval.config.evaluation import Evaluation

TZ = "Asia/Shanghai"
SUBSET = [
    "answer_wait_avg",
    "abandon_wait_avg",
    "ring_time_avg",
    "answer_rate",
    "answer_within_15s_rate",
    "talk_time_avg",
    "call_service_satisfaction",
    "unique_caller_answer_rate",
    "online_first_response_avg",
    "online_answer_rate",
    "direct_handling_rate",
    "resolve_time_avg",
    "result_satisfaction",
]
HUMAN = ["answered", "abandoned", "rejected", "callback_requested"]
DIRECT = ["direct_answer", "three_way_closed", "direct_handle"]


def month(stamps: pd.Series) -> pd.Series:
    """The calendar month of a time in Beijing (a pandas Period)."""
    return stamps.dt.tz_convert(TZ).dt.tz_localize(None).dt.to_period("M")


def seconds(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (later - earlier).dt.total_seconds()


def measure_subset(data: Path, ev: Evaluation, root: Path) -> pd.DataFrame:
    """indicator, city, month ('all' = the period), numerator, denominator."""
    params = ev.parameter_values(load_catalogue(root))
    weights = params["satisfaction_weights"]
    months = list(pd.PeriodIndex(ev.period.months, freq="M"))
    parts = [
        _calls(data, months, params, weights),
        _caller_days(data, months, params),
        _chats(data, months),
        _tickets(data, months),
        _callbacks(data, months, weights),
    ]
    out = pd.concat(parts, ignore_index=True)
    out["month"] = out["month"].astype(str)
    # an indicator fed by two tables (call service: the post-call survey and the callback) is summed
    out = out.groupby(["indicator", "city", "month"], as_index=False)[["numerator", "denominator"]].sum()
    pooled = out.groupby(["indicator", "city"], as_index=False)[["numerator", "denominator"]].sum()
    return pd.concat([out, pooled.assign(month="all")], ignore_index=True)


def _terms(frame: pd.DataFrame, months: list[pd.Period], terms: dict[str, tuple[pd.Series, pd.Series]]) -> pd.DataFrame:
    """Per indicator: the numerator and denominator series summed by city and month."""
    keep = frame["month"].isin(months)
    out = []
    for indicator, (numerator, denominator) in terms.items():
        part = pd.DataFrame(
            {"city": frame["city"], "month": frame["month"], "numerator": numerator, "denominator": denominator}
        )[keep]
        sums = part.groupby(["city", "month"], as_index=False)[["numerator", "denominator"]].sum()
        out.append(sums.assign(indicator=indicator))
    return pd.concat(out, ignore_index=True)


def _calls(data: Path, months: list[pd.Period], params: dict, weights: dict) -> pd.DataFrame:
    columns = ["city", "arrived_at", "queue_entered_at", "alerting_at", "answered_at", "ended_at"]
    calls = pd.read_parquet(data / "calls.parquet", columns=[*columns, "outcome", "survey_level", "is_valid"])
    calls = calls[calls["is_valid"]]
    calls["month"] = month(calls["arrived_at"])
    queued = calls["queue_entered_at"].fillna(calls["arrived_at"])
    answered = calls["outcome"] == "answered"
    abandoned = calls["outcome"] == "abandoned"
    wait = seconds(calls["answered_at"], queued)
    abandon_wait = seconds(calls["ended_at"], queued)
    talk = seconds(calls["ended_at"], calls["answered_at"])
    ring = seconds(calls["answered_at"], calls["alerting_at"])
    short = params["short_abandon_s"]
    requested = calls["outcome"].isin(HUMAN) & ~(abandoned & (abandon_wait < short))
    waited = answered & calls["answered_at"].notna()
    gave_up = abandoned & (abandon_wait >= short)
    rang = answered & calls["alerting_at"].notna() & calls["answered_at"].notna()
    talked = waited & talk.notna() & (talk <= _talk_cut(calls, talk, waited, months, params))
    rated = calls["survey_level"].notna()
    return _terms(
        calls,
        months,
        {
            "answer_wait_avg": (wait.where(waited, 0), waited),
            "abandon_wait_avg": (abandon_wait.where(gave_up, 0), gave_up),
            "ring_time_avg": (ring.where(rang, 0), rang),
            "answer_rate": (requested & answered, requested),
            "answer_within_15s_rate": (requested & answered & (wait <= params["service_level_s"]), requested),
            "talk_time_avg": (talk.where(talked, 0), talked),
            "call_service_satisfaction": (calls["survey_level"].map(weights).fillna(0).astype(float), rated),
        },
    )


def _talk_cut(calls: pd.DataFrame, talk: pd.Series, waited: pd.Series, months: list, params: dict) -> pd.Series:
    """Per call, its city's cut for stuck lines: the period's discrete p99.9 of talk times (DuckDB's
    quantile_disc, the ⌈q·n⌉-th shortest), or the fixed cap when the quantile is null."""
    quantile = params["talk_time_trim_quantile"]
    if quantile is None:
        return pd.Series(params["talk_time_cap_s"], index=calls.index)
    in_period = waited & talk.notna() & calls["month"].isin(months)
    cuts = (
        talk[in_period]
        .groupby(calls.loc[in_period, "city"])
        .agg(lambda x: np.quantile(x.to_numpy(), quantile, method="inverted_cdf"))
    )
    return calls["city"].map(cuts)


def _caller_days(data: Path, months: list[pd.Period], params: dict) -> pd.DataFrame:
    columns = ["city", "caller_hash", "arrived_at", "queue_entered_at", "ended_at", "outcome", "is_valid"]
    calls = pd.read_parquet(data / "calls.parquet", columns=columns)
    queued = calls["queue_entered_at"].fillna(calls["arrived_at"])
    short = (calls["outcome"] == "abandoned") & (seconds(calls["ended_at"], queued) < params["short_abandon_s"])
    calls = calls[calls["is_valid"] & calls["caller_hash"].notna() & calls["outcome"].isin(HUMAN) & ~short]
    day = calls["arrived_at"].dt.tz_convert(TZ).dt.floor("D")
    days = (
        calls.assign(day=day, got_through=calls["outcome"] == "answered")
        .groupby(["city", "caller_hash", "day"], as_index=False)
        .agg(first_arrived_at=("arrived_at", "min"), got_through=("got_through", "any"))
    )
    days["month"] = month(days["first_arrived_at"])
    return _terms(days, months, {"unique_caller_answer_rate": (days["got_through"], pd.Series(True, index=days.index))})


def _chats(data: Path, months: list[pd.Period]) -> pd.DataFrame:
    columns = ["city", "started_at", "human_requested_at", "first_agent_msg_at", "is_valid"]
    chats = pd.read_parquet(data / "chats.parquet", columns=columns)
    chats = chats[chats["is_valid"]]
    chats["month"] = month(chats["started_at"])
    asked = chats["human_requested_at"].notna()
    served = asked & chats["first_agent_msg_at"].notna()
    response = seconds(chats["first_agent_msg_at"], chats["human_requested_at"])
    return _terms(
        chats,
        months,
        {
            "online_first_response_avg": (response.where(served, 0), served),
            "online_answer_rate": (served, asked),
        },
    )


def _tickets(data: Path, months: list[pd.Period]) -> pd.DataFrame:
    columns = ["city", "accepted_at", "dispatched_at", "closed_at", "handling_mode", "is_valid"]
    tickets = pd.read_parquet(data / "tickets.parquet", columns=columns)
    tickets = tickets[tickets["is_valid"]]
    accepted = tickets.assign(month=month(tickets["accepted_at"]))
    handled = accepted["handling_mode"].isin([*DIRECT, "dispatched"])
    direct = _terms(
        accepted, months, {"direct_handling_rate": (handled & accepted["handling_mode"].isin(DIRECT), handled)}
    )
    closed = tickets.assign(month=month(tickets["closed_at"]))
    done = (closed["handling_mode"] == "dispatched") & closed["dispatched_at"].notna() & closed["closed_at"].notna()
    hours = seconds(closed["closed_at"], closed["dispatched_at"]) / 3600.0
    resolve = _terms(closed, months, {"resolve_time_avg": (hours.where(done, 0), done)})
    return pd.concat([direct, resolve], ignore_index=True)


def _callbacks(data: Path, months: list[pd.Period], weights: dict) -> pd.DataFrame:
    callbacks = pd.read_parquet(
        data / "callbacks.parquet", columns=["city", "ticket_id", "completed_at", "result_level", "call_service_level"]
    )
    tickets = pd.read_parquet(data / "tickets.parquet", columns=["city", "ticket_id", "is_valid"])
    joined = callbacks.merge(tickets[tickets["is_valid"]], on=["city", "ticket_id"], how="inner")
    joined["month"] = month(joined["completed_at"])
    rated = joined["result_level"].notna()
    asked = joined["call_service_level"].notna()  # the callback's call-service rating (summed with the survey's)
    return _terms(
        joined,
        months,
        {
            "result_satisfaction": (joined["result_level"].map(weights).fillna(0).astype(float), rated),
            "call_service_satisfaction": (joined["call_service_level"].map(weights).fillna(0).astype(float), asked),
        },
    )


def compare(engine: pd.DataFrame, baseline: pd.DataFrame) -> dict[str, float | int]:
    """How far the pandas numbers are from the engine's (agency rows of the subset).

    Returns rows compared, rows whose denominators differ, and the largest relative difference
    of a numerator (sums of seconds are added in a different order, so the last bits may differ).
    """
    agency = engine[(engine["unit"] == "") & engine["indicator"].isin(SUBSET)]
    merged = agency.merge(baseline, on=["indicator", "city", "month"], how="left", suffixes=("", "_pandas"))
    num = merged["numerator_pandas"].fillna(0).to_numpy(float)
    den = merged["denominator_pandas"].fillna(0).to_numpy(float)
    scale = np.maximum(np.abs(merged["numerator"].to_numpy(float)), 1e-12)
    return {
        "rows": len(merged),
        "denominators_differing": int((den != merged["denominator"].to_numpy(float)).sum()),
        "max_relative_difference": float(np.max(np.abs(num - merged["numerator"].to_numpy(float)) / scale))
        if len(merged)
        else 0.0,
    }

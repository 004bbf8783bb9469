"""Calls of one sample city (§6.1.1): IVR, queue, answer or abandon, talk, survey."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hotline_eval.sample.context import (
    NAT,
    CityContext,
    arrivals,
    callers,
    ids,
    lognormal,
    peakness,
    phones_of,
    pick,
    seconds,
)

SATISFIED = {"very_satisfied": 0.55, "satisfied": 0.35, "basic": 0.10}
DISSATISFIED = {"dissatisfied": 0.7, "very_dissatisfied": 0.3}


def satisfaction(rng: np.random.Generator, satisfied_share: np.ndarray | float, n: int) -> np.ndarray:
    """Five-level ratings with the given share in the top three levels."""
    top = rng.random(n) < satisfied_share
    return np.where(top, pick(rng, SATISFIED, n), pick(rng, DISSATISFIED, n))


def answer_waits(rng: np.random.Generator, mean_s: float, quick_share: float, n: int) -> np.ndarray:
    """Answer waits with the given mean: most calls are answered within seconds, the rest queue.

    A mixture (quick answers around 4 s, queued calls for the rest) gives the published shape of
    an average wait of 10–30 s alongside a 15-second answer rate of 85–98 %.
    """
    quick_mean = 4.0
    queued_mean = max((mean_s - quick_share * quick_mean) / max(1 - quick_share, 1e-6), quick_mean)
    quick = rng.random(n) < quick_share
    return np.where(quick, lognormal(rng, quick_mean, n, 0.6), lognormal(rng, queued_mean, n, 0.7))


def generate_calls(ctx: CityContext) -> pd.DataFrame:
    k, rng = ctx.knobs, ctx.rng("calls")
    arrived = arrivals(ctx, rng, ctx.city.calls_per_month)
    n = arrived.size
    busy = peakness(ctx, arrived)

    invalid = rng.random(n) < k["invalid_share"]
    ivr_only = ~invalid & (rng.random(n) < k["ivr_only_share"]) & bool(k["has_ivr"])  # no IVR, no IVR-only calls
    ivr_time = lognormal(rng, 22, n, 0.5) if k["has_ivr"] else np.zeros(n)
    queued = np.where(ivr_only, NAT, arrived + seconds(ivr_time))

    p_answer = k["answer_prob"] - k["peak_penalty"] * busy**2
    u = rng.random(n)
    outcome = np.select(
        [
            invalid | ivr_only,
            u < p_answer,
            u < p_answer + k["reject_prob"],
            u < p_answer + k["reject_prob"] + k["callback_request_prob"],
        ],
        ["answered", "answered", "rejected", "callback_requested"],
        "abandoned",
    ).astype(object)
    outcome[ivr_only] = "ivr_only"

    answered = outcome == "answered"
    wait = answer_waits(rng, k["wait_mean_s"], k["quick_answer_share"], n) * (0.7 + 0.6 * busy)
    ring = np.minimum(lognormal(rng, k["ring_mean_s"], n, 0.4), wait * 0.9)
    talk = np.where(invalid, rng.uniform(5, 40, n), lognormal(rng, k["talk_mean_s"], n, 0.6))
    short = rng.random(n) < k["short_abandon_share"]
    abandon_wait = np.where(short, rng.uniform(0.5, 4.9, n), lognormal(rng, k["abandon_wait_mean_s"], n, 0.7))

    answered_at = np.where(answered, queued + seconds(wait), NAT)
    alerting_at = np.where(answered, answered_at - seconds(ring), NAT)
    ended = np.select(
        [answered, outcome == "abandoned", outcome == "ivr_only"],
        [answered_at + seconds(talk), queued + seconds(abandon_wait), arrived + seconds(lognormal(rng, 70, n))],
        queued + seconds(rng.uniform(2, 30, n)),
    )

    valid_answered = answered & ~invalid
    surveyed = valid_answered & (rng.random(n) < k["survey_response"])
    survey = np.where(surveyed, satisfaction(rng, k["call_satisfied_share"], n), None)
    transfer = np.where(
        valid_answered,
        pick(
            rng,
            {
                "none": 0.955,
                "unit": 0.03,
                "origin_department": 0.01,
                "emergency_110": 0.002,
                "emergency_119": 0.001,
                "emergency_120": 0.002,
            },
            n,
        ),
        None,
    )
    agents = max(int(ctx.city.calls_per_month * ctx.scale / 900), 4)
    agent_no = np.char.zfill(rng.integers(1, agents + 1, n).astype(str), 4)
    agent = np.where(answered, np.char.add(ctx.prefix + "A", agent_no), None)
    caller = callers(rng, n, int(n * 0.9))
    reason = np.where(invalid, pick(rng, {"harassment": 0.3, "silent": 0.45, "misdial": 0.2, "test": 0.05}, n), None)
    return pd.DataFrame(
        {
            "call_id": ids(ctx.prefix, arrived, "C"),
            "arrived_at": arrived,
            "queue_entered_at": queued if k["has_ivr"] else np.full(n, NAT),
            "alerting_at": alerting_at,
            "answered_at": answered_at,
            "ended_at": ended,
            "outcome": outcome,
            "agent_id": agent,
            "transfer_target_type": transfer,
            "survey_level": survey,
            "is_valid": ~invalid,
            "invalid_reason": reason,
            "_caller": caller,
            "_phone": phones_of(ctx, caller),
        }
    )

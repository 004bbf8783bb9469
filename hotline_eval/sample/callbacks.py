"""Satisfaction callbacks of one sample city (§6.4.3, §6.5)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hotline_eval.sample.calls import satisfaction
from hotline_eval.sample.context import NAT, CityContext, lognormal, pick, seconds

BAD = {"dissatisfied", "very_dissatisfied"}


def generate_callbacks(ctx: CityContext, tickets: pd.DataFrame) -> pd.DataFrame:
    k, rng = ctx.knobs, ctx.rng("callbacks")
    due = tickets[tickets["callback_required"] & tickets["closed_at"].notna()]
    n = len(due)
    closed = due["closed_at"].to_numpy().astype("datetime64[s]")
    done = rng.random(n) < k["callback_done_share"]
    first_attempt = closed + seconds(lognormal(rng, k["callback_delay_mean_h"] * 3600, n, 0.9))
    completed = np.where(done, first_attempt + seconds(rng.exponential(3 * 3600, n) * (rng.random(n) < 0.3)), NAT)
    attempts = np.where(done, rng.choice([1, 1, 1, 2, 3], n), 3)

    quality = ctx.units.set_index("unit_id")["_quality"]
    unit_q = due["unit_id"].map(quality).fillna(0).to_numpy()
    penalty = 0.12 * due["_late"].to_numpy() + 0.10 * (due["returned_count"].to_numpy() > 0)
    penalty = penalty + 0.08 * due["first_contact_at"].isna().to_numpy()
    share = np.clip(k["satisfied_share"] + unit_q * 2 - penalty, 0.05, 0.995)
    level = np.where(done, satisfaction(rng, share, n), None)
    bad = np.isin(level, list(BAD))
    resolved_p = np.clip(k["resolved_share"] + unit_q * 2 - penalty, 0.05, 0.99)
    resolved = np.where(
        bad,
        np.where(rng.random(n) < 0.7, "no", "partly"),
        np.where(rng.random(n) < resolved_p / k["satisfied_share"], "yes", "partly"),
    )
    contacted = due["first_contact_at"].notna().to_numpy() ^ (rng.random(n) < 0.04)

    reason = _reasons(rng, due, n)
    verified = bad & (rng.random(n) < k["verified_share"])
    verified_at = np.where(verified, completed + seconds(lognormal(rng, 2 * 86400, n, 0.6)), NAT)
    followed = bad & (rng.random(n) < k["followup_share"])
    followup_type = np.where(followed, pick(rng, {"redo": 0.5, "supervise": 0.2, "explain": 0.3}, n), None)
    return pd.DataFrame(
        {
            "callback_id": np.char.add(ctx.prefix + "V", due["ticket_id"].to_numpy().astype(str)).astype(object),
            "ticket_id": due["ticket_id"].to_numpy(),
            "attempts": attempts,
            "first_attempt_at": first_attempt,
            "reached": done,
            "completed_at": completed,
            "result_level": level,
            "call_service_level": np.where(
                done & (rng.random(n) < 0.4), satisfaction(rng, k["call_satisfied_share"], n), None
            ),
            "resolved": np.where(done, resolved, None),
            "unit_contacted": np.where(done, contacted, None),
            "reason_code": np.where(bad, np.where(verified, reason, "unverified"), None),
            "verified_at": verified_at,
            "followup_type": followup_type,
            "followup_at": np.where(followed, completed + seconds(lognormal(rng, 3 * 86400, n, 0.6)), NAT),
            "recovered": np.where(followed, rng.random(n) < 0.3, None),
        }
    )


def _reasons(rng: np.random.Generator, due: pd.DataFrame, n: int) -> np.ndarray:
    """Dissatisfaction reasons (§6.5.3), skewed by what went wrong with the ticket."""
    general = pick(
        rng,
        {
            "result_not_as_expected": 0.34,
            "result_contradicts_facts": 0.14,
            "unit_attitude": 0.1,
            "beyond_remit_or_policy": 0.14,
            "hotline_service": 0.06,
            "handling_too_slow": 0.12,
            "repeated_unresolved": 0.06,
            "other": 0.04,
        },
        n,
    )
    late = due["_late"].to_numpy() & (rng.random(n) < 0.6)
    redo = (due["returned_count"].to_numpy() > 0) & (rng.random(n) < 0.5)
    repeat = due["repeat_of"].notna().to_numpy() & (rng.random(n) < 0.6)
    return np.select([repeat, redo, late], ["repeated_unresolved", "repeated_unresolved", "handling_too_slow"], general)

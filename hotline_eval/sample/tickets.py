"""Work orders of one sample city: every §5.2.2 channel, the whole life cycle (§4.3)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hotline_eval.sample.context import (
    NAT,
    SECOND,
    CityContext,
    arrivals,
    callers,
    ids,
    lognormal,
    phones_of,
    pick,
    seconds,
)
from hotline_eval.sample.reviews import generate_emergencies
from hotline_eval.sample.units import units_for

HOUR = 3600 * SECOND
DAY = 24 * HOUR
REQUEST_TYPES = {
    "consult": 0.45,
    "help": 0.2,
    "complaint": 0.24,
    "report": 0.03,
    "suggestion": 0.04,
    "praise": 0.01,
    "other": 0.03,
}
ALWAYS_DISPATCHED = {
    "transfer_110",
    "transfer_119",
    "transfer_120",
    "national_platform",
    "provincial_platform",
    "leader_mailbox",
    "message_board",
}
MOBILE = {"web", "wechat", "mini_program", "app", "sms", "message_board", "leader_mailbox"}


def generate_tickets(ctx: CityContext, calls: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng("tickets")
    base = pd.concat([_from_calls(ctx, calls, rng), _from_other_channels(ctx, calls, rng)], ignore_index=True)
    base = base.sort_values("accepted_at", kind="stable", ignore_index=True)
    _repeats(ctx, base, rng)
    _handling(ctx, base, rng)
    _lifecycle(ctx, base, rng)
    base["ticket_id"] = ids(ctx.prefix, base["accepted_at"].to_numpy(), "T")
    _link_repeats(base)
    _link_emergencies(ctx, base)
    return base


def _from_calls(ctx: CityContext, calls: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    k = ctx.knobs
    eligible = calls[(calls["outcome"] == "answered") & calls["is_valid"]]
    chosen = eligible[rng.random(len(eligible)) < k["ticket_per_answered"]]
    n = len(chosen)
    answered = chosen["answered_at"].to_numpy()
    ended = chosen["ended_at"].to_numpy()
    during = rng.random(n) < 0.4
    submitted = np.where(
        during, answered + (ended - answered) * 0.8, ended + seconds(lognormal(rng, k["submit_delay_mean_s"], n))
    )
    return pd.DataFrame(
        {
            "channel": "phone",
            "call_id": chosen["call_id"].to_numpy(),
            "accepted_at": answered,
            "submitted_at": submitted.astype("datetime64[s]"),
            "_caller": chosen["_caller"].to_numpy(),
            "_origin_transfer": chosen["transfer_target_type"].to_numpy(),
        }
    )


def _from_other_channels(ctx: CityContext, calls: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    shares = ctx.province.other_channels_per_phone_ticket
    per_month = ctx.city.calls_per_month * 0.95 * ctx.knobs["ticket_per_answered"] * sum(shares.values())
    accepted = arrivals(ctx, rng, per_month)
    n = accepted.size
    submitted = accepted + seconds(rng.uniform(30, 600, n))
    return pd.DataFrame(
        {
            "channel": pick(rng, shares, n),
            "call_id": None,
            "accepted_at": accepted,
            "submitted_at": submitted,
            "_caller": callers(rng, n, len(calls)) + len(calls),
            "_origin_transfer": None,
        }
    )


def _repeats(ctx: CityContext, t: pd.DataFrame, rng: np.random.Generator) -> None:
    """Mark repeat requests: the same caller about the same issue as an earlier ticket."""
    n = len(t)
    cats = ctx.province.categories
    t["category_code"] = pick(rng, {c: v.share for c, v in cats.items()}, n)
    merged = ctx.province.merged_hotlines
    domain = np.where(t["channel"] == "merged_hotline", pick(rng, dict.fromkeys(merged, 1.0), n), None)
    phone_domain = (t["channel"] == "phone") & (rng.random(n) < 0.08)
    domain = np.where(phone_domain, pick(rng, dict.fromkeys(merged, 1.0), n), domain)
    t["merged_domain_id"] = domain
    has_domain = pd.notna(domain)
    t.loc[has_domain, "category_code"] = pd.Series(domain[has_domain]).map(merged).to_numpy()
    t["request_type"] = pick(rng, REQUEST_TYPES, n)
    repeat = rng.random(n) < ctx.knobs["repeat_share"]
    per_day = max(n // max((ctx.end - ctx.window_start).days + 1, 1), 1)
    back = rng.integers(2 * per_day, 30 * per_day, n)  # the caller comes back 2–30 days later
    target = np.arange(n) - back
    repeat &= target >= 0
    # a request through a merged department hotline always belongs to that hotline's domain
    target_domain = domain[np.maximum(target, 0)]
    repeat &= ~((t["channel"].to_numpy() == "merged_hotline") & pd.isna(target_domain))
    target = np.where(repeat, target, -1)
    t["_repeat_target"] = target
    src = target[repeat]
    for col in ("_caller", "category_code", "merged_domain_id"):
        t.loc[repeat, col] = t[col].to_numpy()[src]
    t.loc[repeat, "request_type"] = "complaint"
    t["_phone"] = phones_of(ctx, t["_caller"].to_numpy().astype("int64"))


def _handling(ctx: CityContext, t: pd.DataFrame, rng: np.random.Generator) -> None:
    k, n = ctx.knobs, len(t)
    consult = t["request_type"].to_numpy() == "consult"
    channel = t["channel"].to_numpy()
    p_direct = np.clip(k["direct_share"] * np.where(consult, 1.75, 0.45), 0, 0.97)
    direct = (rng.random(n) < p_direct) & ~np.isin(channel, list(ALWAYS_DISPATCHED))
    mode = np.where(
        direct, pick(rng, {"direct_answer": 0.85, "three_way_closed": 0.08, "direct_handle": 0.07}, n), "dispatched"
    )
    referred = pd.notna(t["merged_domain_id"]).to_numpy() & ~direct & (rng.random(n) < k["referred_share"])
    mode = np.where(referred, "referred_to_origin", mode)
    t["handling_mode"] = mode.astype(object)
    invalid = (channel != "phone") & (rng.random(n) < 0.012)
    t["is_valid"] = ~invalid
    t["invalid_reason"] = np.where(invalid, pick(rng, {"duplicate": 0.7, "test": 0.3}, n), None)
    t["urgency"] = np.where(rng.random(n) < k["urgent_share"], "urgent", "normal")
    anonymous = rng.random(n) < k["anonymous_share"]
    t["contact_required"] = ~anonymous
    t["callback_required"] = ~anonymous & (mode == "dispatched") & ~invalid
    cats = ctx.province.categories
    kind = t["category_code"].map({c: v.unit for c, v in cats.items()}).to_numpy()
    t["first_unit_id"] = np.where(mode == "dispatched", units_for(ctx, kind, rng), None)
    mobile = np.isin(channel, list(MOBILE))
    first_response = t["accepted_at"].to_numpy() + seconds(lognormal(rng, k["mobile_response_mean_h"] * 3600, n, 1.1))
    t["first_response_at"] = np.where(mobile, first_response, NAT)


def _after_hours(stamps: np.ndarray) -> np.ndarray:
    """Move stamps outside 08:30–18:00 to 08:30 of the next morning (normal tickets wait)."""
    day = stamps.astype("datetime64[D]")
    tod = (stamps - day).astype("int64")
    start, stop = 8.5 * 3600, 18 * 3600
    next_morning = (
        np.where(tod < start, day, day + np.timedelta64(1, "D")).astype("datetime64[s]") + int(start) * SECOND
    )
    return np.where((tod < start) | (tod > stop), next_morning, stamps)


def _lifecycle(ctx: CityContext, t: pd.DataFrame, rng: np.random.Generator) -> None:
    k, n = ctx.knobs, len(t)
    quality = ctx.units.set_index("unit_id")["_quality"]
    dispatched = (t["handling_mode"] == "dispatched").to_numpy()
    urgent = (t["urgency"] == "urgent").to_numpy()
    submitted = t["submitted_at"].to_numpy().astype("datetime64[s]")
    delay_min = lognormal(rng, k["dispatch_delay_mean_min"], n, 0.9) * np.where(urgent, 0.3, 1.0)
    ready = np.where(urgent, submitted, _after_hours(submitted))
    dispatched_at = np.where(dispatched, ready + seconds(delay_min * 60), NAT)

    misdispatch = dispatched & (rng.random(n) < k["misdispatch_share"])
    approved = misdispatch & (rng.random(n) < 0.85)
    units = ctx.units["unit_id"].to_numpy()
    final_unit = np.where(approved, rng.choice(units, n), t["first_unit_id"].to_numpy())
    t["unit_id"] = np.where(dispatched, final_unit, None)
    t["sendback_reason"] = np.where(
        misdispatch, pick(rng, {"wrong_unit": 0.85, "incomplete_ticket": 0.1, "other": 0.05}, n), None
    )
    t["sendback_approved"] = np.where(misdispatch, approved, None)
    t["redispatch_count"] = approved.astype(int)

    received = dispatched_at + seconds(lognormal(rng, k["receive_delay_mean_h"] * 3600, n, 0.9))
    received = received + np.where(approved, 6 * HOUR, 0 * SECOND)
    limit = np.where(urgent, 1, np.where(t["request_type"] == "consult", 3, 5))
    due = np.full(n, NAT)
    for days in (1, 3, 5):
        pick_rows = dispatched & (limit == days)
        due[pick_rows] = ctx.calendar.add_workdays(dispatched_at[pick_rows], days)
    extended = dispatched & (rng.random(n) < k["extension_share"])
    extension_due = np.where(extended, ctx.calendar.add_workdays(np.where(extended, due, submitted), 5), NAT)
    final_due = np.where(extended, extension_due, due)

    unit_q = t["unit_id"].map(quality).fillna(0).to_numpy()
    handle = lognormal(rng, k["handle_mean_days"] * 86400, n, 0.7)
    replied = received + seconds(handle)
    late = dispatched & (rng.random(n) < np.clip(k["late_share"] - unit_q, 0, 1))
    in_time_cap = final_due - seconds(rng.uniform(1, 20, n) * 3600)
    replied = np.where(late, final_due + seconds(rng.uniform(0.2, 6, n) * 86400), np.minimum(replied, in_time_cap))
    replied = np.maximum(replied, received + 30 * 60 * SECOND)
    redo = dispatched & (rng.random(n) < k["redo_share"])
    returned = np.where(redo, np.where(rng.random(n) < 0.2, 2, 1), 0)
    replied = replied + returned * seconds(lognormal(rng, 1.5 * 86400, n, 0.5))

    no_contact = ~t["contact_required"].to_numpy() | (rng.random(n) < k["no_contact_share"])
    contact = received + seconds(lognormal(rng, k["contact_delay_mean_h"] * 3600, n, 0.9))
    contact = np.minimum(contact, replied - 60 * SECOND)
    first_contact = np.where(dispatched & ~no_contact, contact, NAT)

    direct_close = submitted + seconds(np.where(t["handling_mode"] == "direct_answer", 0, rng.uniform(600, 20000, n)))
    closed = np.where(dispatched, replied + seconds(lognormal(rng, 4 * 3600, n, 0.8)), direct_close)
    closed = np.where(t["handling_mode"] == "referred_to_origin", submitted, closed)
    still_open = dispatched & (rng.random(n) < k["open_share"])
    cutoff = ctx.export_at
    replied = np.where(replied > cutoff, NAT, replied)
    closed = np.where((closed > cutoff) | still_open, NAT, closed)

    supervise = dispatched & (rng.random(n) < np.where(late, 0.35, k["supervise_share"] * 0.5))
    supervised = np.where(supervise, np.where(late, final_due + 12 * HOUR, received + 2 * DAY), NAT)
    supervised = np.where(supervised > cutoff, NAT, supervised)

    t["dispatched_at"] = dispatched_at
    t["unit_received_at"] = np.where(received > cutoff, NAT, received)
    t["first_contact_at"] = np.where(first_contact > cutoff, NAT, first_contact)
    t["replied_at"] = replied
    t["closed_at"] = closed
    t["supervised_at"] = supervised
    t["due_at"] = due
    t["extension_approved_due_at"] = extension_due
    t["returned_count"] = np.where(pd.isna(replied), 0, returned)
    t["reopened_count"] = np.where(pd.notna(closed) & (rng.random(n) < 0.01), 1, 0)
    t["_late"] = late


def _link_repeats(t: pd.DataFrame) -> None:
    target = t.pop("_repeat_target").to_numpy()
    ticket_ids = t["ticket_id"].to_numpy()
    t["repeat_of"] = np.where(target >= 0, ticket_ids[np.maximum(target, 0)], None)


def _link_emergencies(ctx: CityContext, t: pd.DataFrame) -> None:
    """Requests accepted during a real emergency event are partly about it (§6.4.2)."""
    rng = ctx.rng("emergency_links")
    events = generate_emergencies(ctx)
    accepted = t["accepted_at"].to_numpy()
    link = np.full(len(t), None, dtype=object)
    for event in events[~events["drill"]].itertuples():
        during = (accepted >= event.started_at) & (accepted <= event.ended_at)
        about = during & (rng.random(len(t)) < ctx.knobs["emergency_link_share"]) & pd.isna(link)
        link[about] = event.event_id
    t["emergency_id"] = link

"""Chats, bot tests, QC samples, emergencies and expert scores of one sample city."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hotline_eval.sample.context import NAT, CityContext, arrivals, ids, lognormal, pick, seconds

QC_ITEMS = [
    "attitude.tone",
    "attitude.manner",
    "attitude.patience",
    "professionalism.script",
    "professionalism.process",
    "professionalism.consistency",
    "language.mandarin",
    "language.guidance",
    "language.special",
]


def generate_chats(ctx: CityContext) -> pd.DataFrame:
    k, rng = ctx.knobs, ctx.rng("chats")
    started = arrivals(ctx, rng, ctx.city.calls_per_month * k["chats_per_call"])
    n = started.size
    human = rng.random(n) < 0.6
    served = human & (rng.random(n) < 0.9)
    requested = np.where(human, started + seconds(lognormal(rng, 60, n, 0.6)), NAT)
    first_msg = np.where(served, requested + seconds(lognormal(rng, k["chat_first_response_mean_s"], n, 0.8)), NAT)
    ended = np.select(
        [served, human],
        [
            first_msg + seconds(lognormal(rng, k["chat_service_mean_s"], n, 0.6)),
            requested + seconds(lognormal(rng, 90, n)),
        ],
        started + seconds(lognormal(rng, 120, n)),
    )
    agents = max(int(ctx.city.calls_per_month * ctx.scale / 2500), 2)
    agent_no = np.char.zfill(rng.integers(1, agents + 1, n).astype(str), 4)
    return pd.DataFrame(
        {
            "session_id": ids(ctx.prefix, started, "S"),
            "channel": pick(rng, {"web": 0.25, "wechat": 0.35, "mini_program": 0.3, "app": 0.1}, n),
            "started_at": started,
            "human_requested_at": requested,
            "first_agent_msg_at": first_msg,
            "ended_at": ended,
            "outcome": np.where(served, "served", np.where(human, "abandoned", "bot_only")).astype(object),
            "agent_id": np.where(served, np.char.add(ctx.prefix + "W", agent_no), None),
            "is_valid": rng.random(n) > 0.01,
        }
    )


def _working_hours(ctx: CityContext, rng: np.random.Generator, n_per_month: int) -> np.ndarray:
    """Stamps spread over the evaluation period's working days, 09:00–17:00."""
    days = np.array(ctx.calendar.days(ctx.start, ctx.end), dtype="datetime64[D]")
    months = (ctx.end.year - ctx.start.year) * 12 + ctx.end.month - ctx.start.month + 1
    day = rng.choice(days, n_per_month * months)
    return np.sort(day.astype("datetime64[s]") + seconds(rng.uniform(9 * 3600, 17 * 3600, day.size)))


def generate_bot_tests(ctx: CityContext) -> pd.DataFrame:
    k, rng = ctx.knobs, ctx.rng("bot_tests")
    if not k["has_bot"]:
        return pd.DataFrame()
    sent = _working_hours(ctx, rng, 100)
    n = sent.size
    task = np.where(rng.random(n) < (0.2 if k["has_ivr"] else 0.0), "self_service", "qa")
    qa = task == "qa"
    channel = np.where(qa, np.where(rng.random(n) < 0.5, "phone", "online"), "phone")
    first = sent + seconds(lognormal(rng, k["bot_response_mean_s"], n, 0.5) * np.where(channel == "phone", 1.8, 1.0))
    correct = qa & (rng.random(n) < k["bot_accuracy"])
    turns = rng.choice([0, 0, 0, 1, 2], n)
    done = sent + seconds(lognormal(rng, k["self_service_mean_s"], n, 0.5))
    return pd.DataFrame(
        {
            "test_id": ids(ctx.prefix, sent, "B"),
            "channel": channel.astype(object),
            "task_type": task.astype(object),
            "question_id": np.where(qa, np.char.add("Q", np.char.zfill(rng.integers(1, 300, n).astype(str), 3)), None),
            "sent_at": sent,
            "first_response_at": first,
            "correct_answer_at": np.where(correct, first + seconds(turns * rng.uniform(8, 25, n)), NAT),
            "correct": np.where(qa, correct, None),
            "started_at": np.where(~qa, sent, NAT),
            "done_at": np.where(~qa, done, NAT),
            "success": np.where(~qa, rng.random(n) < 0.9, None),
        }
    )


def generate_qc_samples(ctx: CityContext, calls: pd.DataFrame, tickets: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng("qc")
    in_period = tickets[(tickets["accepted_at"] >= np.datetime64(ctx.start)) & tickets["is_valid"]]
    parts = [
        _consult_samples(ctx, rng, in_period),
        _rule_samples(ctx, rng, calls),
        _ticket_samples(ctx, rng, in_period),
        _direct_samples(ctx, rng, in_period),
        _reply_samples(ctx, rng, in_period),
    ]
    out = pd.concat([p for p in parts if len(p)], ignore_index=True)
    out["assessor_id"] = pick(rng, {"QC01": 1, "QC02": 1, "QC03": 1, "QC04": 1}, len(out))
    return out


def _draw(rng: np.random.Generator, frame: pd.DataFrame, n: int, stamp: str) -> pd.DataFrame:
    drawn = frame.sample(n=min(n, len(frame)), random_state=rng.integers(2**31))
    return drawn.assign(sampled_at=drawn[stamp].to_numpy()).sort_values("sampled_at")


def _months(ctx: CityContext) -> int:
    return (ctx.end.year - ctx.start.year) * 12 + ctx.end.month - ctx.start.month + 1


def _consult_samples(ctx: CityContext, rng: np.random.Generator, t: pd.DataFrame) -> pd.DataFrame:
    pool = t[(t["request_type"] == "consult") & t["call_id"].notna()]
    s = _draw(rng, pool, 40 * _months(ctx), "accepted_at")
    return pd.DataFrame(
        {
            "sample_id": [f"{ctx.prefix}QA{i:05d}" for i in range(len(s))],
            "object_type": "consult_call",
            "object_id": s["call_id"].to_numpy(),
            "sample_frame": pick(rng, {"recording": 0.7, "test_call": 0.3}, len(s)),
            "sampled_at": s["sampled_at"].to_numpy(),
            "correct": rng.random(len(s)) < ctx.knobs["consult_accuracy"],
        }
    )


def _rule_samples(ctx: CityContext, rng: np.random.Generator, calls: pd.DataFrame) -> pd.DataFrame:
    pool = calls[
        (calls["outcome"] == "answered") & calls["is_valid"] & (calls["arrived_at"] >= np.datetime64(ctx.start))
    ]
    s = _draw(rng, pool, 40 * _months(ctx), "arrived_at")
    n, good = len(s), ctx.knobs["qc_good_share"]
    rest = 1 - good
    levels = pick(rng, {"A": good, "B": rest * 0.6, "C": rest * 0.3, "D": rest * 0.1}, n * len(QC_ITEMS))
    return pd.DataFrame(
        {
            "sample_id": np.repeat([f"{ctx.prefix}QR{i:05d}" for i in range(n)], len(QC_ITEMS)),
            "object_type": "call",
            "object_id": np.repeat(s["call_id"].to_numpy(), len(QC_ITEMS)),
            "sample_frame": "recording",
            "sampled_at": np.repeat(s["sampled_at"].to_numpy(), len(QC_ITEMS)),
            "item": np.tile(QC_ITEMS, n),
            "level": levels,
        }
    )


def _ticket_samples(ctx: CityContext, rng: np.random.Generator, t: pd.DataFrame) -> pd.DataFrame:
    s = _draw(rng, t, 50 * _months(ctx), "accepted_at")
    n = len(s)
    score = np.clip(np.round(rng.normal(ctx.knobs["ticket_qc_mean"], 7, n)), 40, 100)
    veto = rng.random(n) < 0.02
    return pd.DataFrame(
        {
            "sample_id": [f"{ctx.prefix}QT{i:05d}" for i in range(n)],
            "object_type": "ticket",
            "object_id": s["ticket_id"].to_numpy(),
            "sample_frame": "ticket_qc",
            "sampled_at": s["sampled_at"].to_numpy(),
            "score": score,
            "veto": veto,
            "passed": (score >= 80) & ~veto,
        }
    )


def _direct_samples(ctx: CityContext, rng: np.random.Generator, t: pd.DataFrame) -> pd.DataFrame:
    pool = t[t["handling_mode"].isin(["direct_answer", "three_way_closed", "direct_handle"])]
    s = _draw(rng, pool, 30 * _months(ctx), "accepted_at")
    n = len(s)
    return pd.DataFrame(
        {
            "sample_id": [f"{ctx.prefix}QD{i:05d}" for i in range(n)],
            "object_type": "direct",
            "object_id": s["ticket_id"].to_numpy(),
            "sample_frame": "recording",
            "sampled_at": s["sampled_at"].to_numpy(),
            "accurate": rng.random(n) < ctx.knobs["direct_accuracy"],
            "reasonable": rng.random(n) < 0.95,
        }
    )


def _reply_samples(ctx: CityContext, rng: np.random.Generator, t: pd.DataFrame) -> pd.DataFrame:
    pool = t[t["replied_at"].notna()]
    s = _draw(rng, pool, 40 * _months(ctx), "replied_at")
    n = len(s)
    return pd.DataFrame(
        {
            "sample_id": [f"{ctx.prefix}QY{i:05d}" for i in range(n)],
            "object_type": "reply",
            "object_id": s["ticket_id"].to_numpy(),
            "sample_frame": "reply_review",
            "sampled_at": s["sampled_at"].to_numpy(),
            "unit_id": s["unit_id"].to_numpy(),
            "complete": rng.random(n) < ctx.knobs["reply_complete"],
            "solved": rng.random(n) < ctx.knobs["reply_solved"],
        }
    )


def generate_emergencies(ctx: CityContext) -> pd.DataFrame:
    """Real events and one drill; a pure function of the city (tickets link to the same events)."""
    rng = np.random.default_rng([ctx.seed, ctx.index, *b"emergencies"])
    n_real = int(ctx.knobs["emergencies"])
    start = _working_hours(ctx, rng, 1)[: n_real + 1]
    n = start.size
    drill = np.arange(n) == n - 1
    duration = seconds(rng.uniform(6, 72, n) * 3600)
    activated = start + seconds(lognormal(rng, 22 * 60, n, 0.6))
    normal = np.round(rng.uniform(0.9, 0.97, n), 4)
    return pd.DataFrame(
        {
            "event_id": [f"{ctx.prefix}E{i:03d}" for i in range(1, n + 1)],
            "started_at": start,
            "ended_at": start + duration,
            "trigger": np.where(drill, "drill", pick(rng, {"surge": 0.7, "alert": 0.3}, n)),
            "drill": drill,
            "plan_exists": True,
            "last_drill_at": (start - seconds(rng.uniform(20, 300, n) * 86400)).astype("datetime64[D]"),
            "plan_activated_at": activated,
            "surge_answer_rate": np.round(normal * rng.uniform(0.82, 1.0, n), 4),
            "normal_answer_rate": normal,
            "review_done_at": start + duration + seconds(rng.uniform(1, 9, n) * 86400),
        }
    )


def generate_expert_scores(ctx: CityContext, evaluation_id: str) -> pd.DataFrame:
    rng = ctx.rng("experts")
    rows = []
    for expert in range(1, 6):
        for indicator, points in ctx.province.innovation_indicators.items():
            share = np.clip(ctx.knobs["innovation"] + rng.normal(0, 0.12), 0, 1)
            score = np.round(share * points * 10) / 10
            rows.append(
                (
                    evaluation_id,
                    f"EXP{expert:02d}",
                    "external" if expert > 3 else "internal",
                    indicator,
                    1,
                    float(score),
                )
            )
    return pd.DataFrame(rows, columns=["evaluation_id", "expert_id", "affiliation", "indicator", "round", "score"])

"""Appeals (申诉, §8.2): the appeal file of an evaluation, its decisions, and re-scoring.

An evaluation's appeals are listed in params/appeals/<evaluation>.yaml: per appeal the city, the
disputed indicators, the records it says are invalid (ids per canonical table), the claim and
evidence, the filing date, and the organiser's decision (accepted, refused or pending) with its
reason and date. An appeal filed after the deadline — `appeal_days` working days after the results
were issued (cycle/schedule.py) — is refused automatically, the deadline named; one recorded as
accepted nevertheless is an error.

Accepted appeals re-score: their records leave the data the scoring reads (a copy of the canonical
tables under appeals/data/, the uploaded data stay untouched), and every indicator, reference, score
and rank is computed again. The results before the appeals stay on record next to the new ones
(scores_original.csv, totals_original.csv, indicators_original.csv), appeals.csv logs every appeal
with the city's total, rank and disputed scores before and after, appeal_changes.csv lists every
score that changed, and the manifest records the appeal file's fingerprint.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field

from hotline_eval.config.catalogue import load_catalogue
from hotline_eval.config.evaluation import Evaluation
from hotline_eval.config.schema import load_schema
from hotline_eval.config.wording import load_wording
from hotline_eval.core import fmt
from hotline_eval.core.connection import connect
from hotline_eval.core.errors import ConfigError
from hotline_eval.core.paramfiles import Strict, load_yaml, validate
from hotline_eval.core.store import sha256_file, write_csv
from hotline_eval.cycle.schedule import appeal_deadline

APPEALS_DIR = Path("params") / "appeals"
RECORD_KEYS = {"qc_samples": "sample_id"}  # tables without a unique key: the id an appeal names
Outcome = Literal["accepted", "refused", "late", "pending"]


class Appeal(Strict):
    id: str = Field(min_length=1)
    city: str
    indicators: list[str] = []
    records: dict[str, list[str]] = {}  # canonical table → ids of the records the appeal says are invalid
    claim: str = Field(min_length=2)
    evidence: str = ""
    filed: dt.date
    decision: Literal["accepted", "refused", "pending"] = "pending"
    reason: str = ""
    decided: dt.date | None = None


class AppealFile(Strict):
    evaluation: str
    appeals: list[Appeal] = []


@dataclass(frozen=True)
class Decision:
    appeal: Appeal
    outcome: Outcome  # late = refused because filed after the deadline
    reason: str


@dataclass(frozen=True)
class Appeals:
    path: Path
    sha256: str
    issued: dt.date
    deadline: dt.date
    decisions: list[Decision]

    @property
    def accepted(self) -> list[Appeal]:
        return [d.appeal for d in self.decisions if d.outcome == "accepted"]

    def exclusions(self) -> dict[str, pd.DataFrame]:
        """table → (city, id, appeal) of every record excluded by an accepted appeal."""
        rows: dict[str, list[tuple[str, str, str]]] = {}
        for appeal in self.accepted:
            for table, ids in appeal.records.items():
                rows.setdefault(table, []).extend((appeal.city, str(i), appeal.id) for i in ids)
        return {
            t: pd.DataFrame(r, columns=["city", "id", "appeal"]).drop_duplicates(["city", "id"])
            for t, r in rows.items()
        }

    def counts(self) -> dict[str, int]:
        out = {"accepted": 0, "refused": 0, "late": 0, "pending": 0}
        for d in self.decisions:
            out[d.outcome] += 1
        return out


def appeal_file(root: Path, evaluation: str) -> Path:
    return root / APPEALS_DIR / f"{evaluation}.yaml"


def fingerprint(root: Path, evaluation: str) -> str:
    """The appeal file's SHA-256 ("" without one): part of the scoring stage's cache key."""
    path = appeal_file(root, evaluation)
    return sha256_file(path) if path.exists() else ""


def load_appeals(root: Path, ev: Evaluation, path: Path | None = None) -> Appeals | None:
    """The evaluation's appeals with their decisions, checked; None when there is no appeal file.

    path: the appeal file (default params/appeals/<evaluation>.yaml).
    """
    path = path or appeal_file(root, ev.id)
    if not path.exists():
        return None
    data = validate(AppealFile, load_yaml(path) or {"evaluation": ev.id}, path)
    if data.evaluation != ev.id:
        raise ConfigError(path, "evaluation", f"'{data.evaluation}' 不是本文件所属的评价 '{ev.id}'")
    if not ev.appeal_days and data.appeals:
        raise ConfigError(
            path,
            "appeals",
            f"评价 '{ev.id}' 不设申诉程序（appeal_days 为 0），不能受理申诉",
            fix=f"如需受理申诉，请在 params/evaluations/{ev.id}.yaml 中将 appeal_days 设为申诉期限（工作日数）",
        )
    deadline = appeal_deadline(root, ev.issued_on, ev.appeal_days) if ev.appeal_days else ev.issued_on
    decisions = [_decide(path, k, a, ev, root, deadline) for k, a in enumerate(data.appeals)]
    ids = [a.id for a in data.appeals]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise ConfigError(path, "appeals", f"申诉编号重复：{'、'.join(twice)}", fix="请为每件申诉给出不同的编号（id）")
    return Appeals(path, sha256_file(path), ev.issued_on, deadline, decisions)


def _decide(path: Path, k: int, a: Appeal, ev: Evaluation, root: Path, deadline: dt.date) -> Decision:
    key = f"appeals[{k}]"
    if a.city not in ev.city_ids():
        raise ConfigError(path, f"{key}.city", f"未知的城市 '{a.city}'；可用的城市标识：{'、'.join(ev.city_ids())}")
    active = {i.id for i in ev.active_indicators(load_catalogue(root))}
    for ind in a.indicators:
        if ind not in active:
            raise ConfigError(path, f"{key}.indicators", f"'{ind}' 不是本次评价的指标")
    schema = load_schema(root)
    for table in a.records:
        if table not in schema.tables or record_key(root, table) is None:
            valid = [t for t in schema.tables if record_key(root, t)]
            raise ConfigError(path, f"{key}.records.{table}", f"不是带记录编号的记录表；可用的表：{'、'.join(valid)}")
    if a.decided is not None and a.decided < a.filed:
        raise ConfigError(path, f"{key}.decided", f"复核日期 {a.decided} 早于申诉提出日期 {a.filed}")
    if a.filed > deadline:
        if a.decision == "accepted":
            raise ConfigError(
                path,
                f"{key}.decision",
                f"申诉 {a.id} 于 {a.filed} 提出，晚于申诉截止日期 {deadline}（结果发布日 {ev.issued_on} 后"
                f"{ev.appeal_days}个工作日）；逾期申诉不予受理（§8.2）",
                fix="请更正申诉提出日期（filed），或将决定记为 refused",
            )
        late = load_wording(root)["appeals"]["late_reason"].format(deadline=fmt.date(deadline))
        return Decision(a, "late", a.reason or late)
    if a.decision != "pending":
        missing = [f for f in ("reason", "decided") if not getattr(a, f)]
        if missing:
            raise ConfigError(path, f"{key}.{missing[0]}", f"决定为 {a.decision} 的申诉须给出 {'和'.join(missing)}")
    if a.decision == "accepted" and not any(a.records.values()):
        raise ConfigError(
            path,
            f"{key}.records",
            "采纳的申诉通过剔除其证明无效的记录重新计分，请列出这些记录",
            fix="请按表列出记录编号，或将决定记为 refused 或 pending",
        )
    return Decision(a, a.decision, a.reason)


def record_key(root: Path, table: str) -> str | None:
    return RECORD_KEYS.get(table) or load_schema(root).tables[table].key


# ---- re-scoring ---------------------------------------------------------------------------------


def write_adjusted_data(root: Path, data_dir: Path, target: Path, appeals: Appeals) -> pd.DataFrame:
    """The canonical tables without the records of accepted appeals, in `target`; returns what was left out.

    Tables without exclusions are linked (or copied) unchanged. A record id an accepted appeal names
    that the city's data do not hold is an error naming the appeal file and the ids.
    """
    schema = load_schema(root)
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    excluded = appeals.exclusions()
    con = connect()
    left_out = []
    for table in schema.tables:
        source = data_dir / f"{table}.parquet"
        if not source.exists():
            continue
        if table not in excluded:
            _link(source, target / source.name)
            continue
        key = record_key(root, table)
        ids = excluded[table]
        con.register("excluded", ids)
        found = con.execute(
            f"SELECT DISTINCT e.city, e.id FROM excluded e JOIN read_parquet('{source}') t "
            f'ON t.city = e.city AND CAST(t."{key}" AS VARCHAR) = e.id'
        ).df()
        _check_found(appeals, table, ids, found)
        con.execute(
            f"COPY (SELECT * EXCLUDE (file_row_number) FROM read_parquet('{source}', file_row_number=true) t "
            f'WHERE NOT EXISTS (SELECT 1 FROM excluded e WHERE e.city = t.city AND e.id = CAST(t."{key}" AS VARCHAR)) '
            f"ORDER BY file_row_number) TO '{target / source.name}' (FORMAT parquet, COMPRESSION zstd)"
        )
        con.unregister("excluded")
        left_out.append(ids.assign(table=table))
    return (
        pd.concat(left_out, ignore_index=True) if left_out else pd.DataFrame(columns=["city", "id", "appeal", "table"])
    )


def _check_found(appeals: Appeals, table: str, ids: pd.DataFrame, found: pd.DataFrame) -> None:
    have = set(zip(found["city"], found["id"], strict=True))
    for k, d in enumerate(appeals.decisions):
        if d.outcome != "accepted":
            continue
        missing = [i for i in d.appeal.records.get(table, []) if (d.appeal.city, str(i)) not in have]
        if missing:
            shown = "、".join(missing[:5]) + (f"等{len(missing)}条" if len(missing) > 5 else "")
            raise ConfigError(
                appeals.path,
                f"appeals[{k}].records.{table}",
                f"申诉 {d.appeal.id}：表 {table} 中没有 {d.appeal.city} 的记录 {shown}",
                fix="请对照上报数据核对记录编号（该市自己的记录编号）",
            )


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


# ---- the record: before and after ---------------------------------------------------------------


def compare_totals(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Per city: total, rank and grade before and after the appeals."""
    cols = ["total", "rank", "grade"]
    b = before.set_index("city")[cols].add_suffix("_before")
    a = after.set_index("city")[cols].add_suffix("_after")
    out = b.join(a, how="outer")
    out["change"] = out["total_after"] - out["total_before"]
    return out.reset_index()


def changed_scores(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Every scored item whose value, reference or score the appeals changed (any city)."""
    keys = ["city", "indicator"]
    cols = ["value", "reference", "score"]
    merged = before[[*keys, *cols]].merge(after[[*keys, *cols]], on=keys, suffixes=("_before", "_after"), how="outer")
    differs = np.zeros(len(merged), dtype=bool)
    for col in cols:
        x, y = merged[f"{col}_before"].to_numpy(float), merged[f"{col}_after"].to_numpy(float)
        differs |= ~(np.isclose(x, y, rtol=1e-12, atol=1e-12) | (np.isnan(x) & np.isnan(y)))
    return merged[differs].reset_index(drop=True)


def log(
    appeals: Appeals, before: pd.DataFrame, after: pd.DataFrame, scores_before: pd.DataFrame, scores_after: pd.DataFrame
) -> pd.DataFrame:
    """appeals.csv: one row per appeal with its decision and the city's results before and after."""
    totals = compare_totals(before, after).set_index("city")
    s_before = scores_before.set_index(["city", "indicator"])["score"]
    s_after = scores_after.set_index(["city", "indicator"])["score"]
    rows = []
    for d in appeals.decisions:
        a, t = d.appeal, totals.loc[d.appeal.city]
        disputed = [(i, s_before.get((a.city, i)), s_after.get((a.city, i))) for i in a.indicators]
        rows.append(
            {
                "id": a.id,
                "city": a.city,
                "indicators": ";".join(a.indicators),
                "records": ";".join(f"{t_}:{len(ids)}" for t_, ids in a.records.items()),
                "claim": a.claim,
                "evidence": a.evidence,
                "filed": a.filed.isoformat(),
                "deadline": appeals.deadline.isoformat(),
                "decision": d.outcome,
                "reason": d.reason,
                "decided": a.decided.isoformat() if a.decided else "",
                "total_before": t["total_before"],
                "total_after": t["total_after"],
                "rank_before": t["rank_before"],
                "rank_after": t["rank_after"],
                "grade_before": t["grade_before"],
                "grade_after": t["grade_after"],
                "scores_before": ";".join(f"{i}={_num(b)}" for i, b, _ in disputed),
                "scores_after": ";".join(f"{i}={_num(x)}" for i, _, x in disputed),
            }
        )
    return pd.DataFrame(rows)


def _num(value) -> str:
    return "" if value is None or pd.isna(value) else f"{float(value):.4f}"


def write_record(
    out: Path,
    appeals: Appeals,
    original: dict[str, pd.DataFrame],
    current: dict[str, pd.DataFrame],
    excluded: pd.DataFrame,
) -> pd.DataFrame:
    """The original results, the appeal log, the changed scores and the excluded records; returns the log."""
    for name in ("scores", "totals", "indicators"):
        write_csv(out / f"{name}_original.csv", original[name])
    entries = log(appeals, original["totals"], current["totals"], original["scores"], current["scores"])
    write_csv(out / "appeals.csv", entries)
    write_csv(out / "appeal_changes.csv", changed_scores(original["scores"], current["scores"]))
    write_csv(out / "appeal_totals.csv", compare_totals(original["totals"], current["totals"]))
    write_csv(out / "appeal_exclusions.csv", excluded)
    return entries


RECORD_FILES = [
    "scores_original.csv",
    "totals_original.csv",
    "indicators_original.csv",
    "appeals.csv",
    "appeal_changes.csv",
    "appeal_totals.csv",
    "appeal_exclusions.csv",
]


def clear_record(out: Path) -> None:
    """No stale appeal record once the appeal file is gone (the manifest says there is none)."""
    for name in RECORD_FILES:
        (out / name).unlink(missing_ok=True)
    shutil.rmtree(out / "appeals", ignore_errors=True)


def read_log(out: Path) -> pd.DataFrame | None:
    """appeals.csv as written (None when the evaluation has no appeal file)."""
    path = out / "appeals.csv"
    if not path.exists():
        return None
    return pd.read_csv(
        path,
        encoding="utf-8-sig",
        keep_default_na=False,
        na_values=[""],
        dtype={
            "indicators": str,
            "records": str,
            "reason": str,
            "evidence": str,
            "decided": str,
            "scores_before": str,
            "scores_after": str,
        },
    )


def read_totals(out: Path) -> pd.DataFrame | None:
    path = out / "appeal_totals.csv"
    return pd.read_csv(path, encoding="utf-8-sig") if path.exists() else None


def manifest_entry(root: Path, ev: Evaluation) -> dict | None:
    """What the manifest records of the appeals: the file, its SHA-256, the decisions' counts."""
    appeals = load_appeals(root, ev)
    if appeals is None:
        return None
    return {
        "file": str(appeals.path.relative_to(root)),
        "sha256": appeals.sha256,
        "deadline": appeals.deadline.isoformat(),
        "decisions": appeals.counts(),
    }

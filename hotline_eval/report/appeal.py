"""Appeals in documents (§8.2): the notice — how, to whom and by when an evaluated object may appeal its
score — and, once appeals are decided (hotline_eval/cycle/appeals.py), the appeal log of a re-issued report
with the scores before and after."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd

from hotline_eval.config.evaluation import Evaluation
from hotline_eval.core import fmt
from hotline_eval.cycle.appeals import read_log, read_totals
from hotline_eval.cycle.schedule import appeal_facts


def appeal_items(root: Path, evaluation: Evaluation, wording: dict) -> list[str]:
    """The appeal notice's numbered items, worded from params/wording/appeals.yaml `appeal.items`."""
    facts = appeal_facts(root, evaluation)
    return [item.format(**facts) for item in wording["appeal"]["items"]]


# ---- the appeal log of a re-issued report (appendix) -------------------------------------------


def appeal_summary(results, wording: dict, city: str) -> list[str]:
    """What the appeals did: whether the results were re-scored, and the city's total and rank before and after.

    Empty when the evaluation has no appeal file (results: hotline_eval.results.Results).
    """
    entries, totals = read_log(results.paths.out), read_totals(results.paths.out)
    if entries is None or totals is None:
        return []
    words = wording["appeals"]
    accepted = entries[entries["decision"] == "accepted"]
    if len(accepted):
        last = max(dt.date.fromisoformat(d) for d in entries["decided"].dropna())
        out = [words["reissued"].format(date=fmt.date(last))]
    else:
        out = [words["unchanged"]]
    t = totals.set_index("city").loc[city]
    name = results.city_name(city)
    values = {"name": name, "before": fmt.score(t["total_before"]), "after": fmt.score(t["total_after"])}
    if t["rank_after"] != t["rank_before"]:
        out.append(
            words["city_effect"].format(**values, rank_before=int(t["rank_before"]), rank_after=int(t["rank_after"]))
        )
    elif not math.isclose(float(t["total_after"]), float(t["total_before"]), abs_tol=1e-9):
        out.append(words["city_effect_same_rank"].format(**values, rank_after=int(t["rank_after"])))
    else:
        out.append(
            words["city_same"].format(name=name, after=fmt.score(t["total_after"]), rank_after=int(t["rank_after"]))
        )
    return out


def appeal_table(results, wording: dict, city: str) -> pd.DataFrame | None:
    """The city's appeals: id, disputed indicators, claim, filing date, decision and its reason."""
    entries = read_log(results.paths.out)
    if entries is None:
        return None
    mine = entries[entries["city"] == city]
    names = {i.id: i.zh for i in results.catalogue.indicators}
    outcomes, cols = wording["appeals"]["outcomes"], wording["appeals"]["table_columns"]
    rows = []
    for _, r in mine.iterrows():
        rows.append(
            {
                cols["id"]: r["id"],
                cols["indicators"]: "、".join(names.get(i, i) for i in str(r["indicators"] or "").split(";") if i)
                or fmt.DASH,
                cols["claim"]: r["claim"],
                cols["filed"]: fmt.date(dt.date.fromisoformat(r["filed"])),
                cols["decision"]: outcomes[r["decision"]],
                cols["reason"]: r["reason"] or fmt.DASH,
            }
        )
    return pd.DataFrame(rows)


def changed_items(results, wording: dict, city: str) -> pd.DataFrame:
    """The city's scores the appeals changed (its own appeals, or another city's through the references)."""
    path = results.paths.out / "appeal_changes.csv"
    if not path.exists():
        return pd.DataFrame()
    changes = pd.read_csv(path, encoding="utf-8-sig")
    changes = changes[changes["city"] == city]
    active = {i.id: i for i in results.catalogue.indicators}
    cols = wording["appeals"]["changes_columns"]
    rows = []
    for _, r in changes.iterrows():
        base = r["indicator"].split(".")[0]
        ind = active.get(base)
        unit = ind.unit if ind else "points"
        rows.append(
            {
                cols["indicator"]: ind.zh if ind else r["indicator"],
                cols["value"]: _arrow(fmt.value(r["value_before"], unit), fmt.value(r["value_after"], unit)),
                cols["reference"]: _arrow(
                    fmt.value(r["reference_before"], unit), fmt.value(r["reference_after"], unit)
                ),
                cols["score"]: _arrow(fmt.number(r["score_before"], 3), fmt.number(r["score_after"], 3)),
            }
        )
    return pd.DataFrame(rows)


def _arrow(before: str, after: str) -> str:
    return f"{before}→{after}"

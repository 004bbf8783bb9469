"""Stratified samples for review (§7.2): the population of each frame, its allocation and the draw.

For every city and frame: the population is the frame's records in the evaluation period; the
sample size is the target (never below the catalogue's minimum, capped at the population); the
sample is allocated across strata (e.g. month × shift × agent) in proportion to their size with a
minimum per stratum, and drawn at random within each stratum. The random generator is seeded from
the kit's seed, the city and the frame, so a city's draw does not depend on the other cities, and
the same data, params and seed give the same samples.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from hotline_eval.config.evaluation import Evaluation
from hotline_eval.cycle.fieldwork.design import DERIVED_STRATA, Design, Frame

STRATUM_SEPARATOR = " / "


@dataclass
class Draw:
    samples: pd.DataFrame  # one row per drawn record: city, frame, sample_id, object_id, sampled_at, strata, show
    strata: pd.DataFrame  # city, frame, stratum, population, sample
    summary: pd.DataFrame  # city, frame, population, strata, target, minimum, sample, half_width, census


def population(con: duckdb.DuckDBPyConnection, design: Design, frame: Frame, ev: Evaluation) -> pd.DataFrame:
    """The frame's records of the evaluated cities whose time falls in the period, in a fixed order."""
    local = "CAST(record_time AS TIMESTAMP)"
    start = ev.period.start.isoformat()
    end = (ev.period.end + dt.timedelta(days=1)).isoformat()
    cities = ", ".join("'" + c.replace("'", "''") + "'" for c in ev.city_ids())
    extra = [c for c in dict.fromkeys([*frame.strata, *frame.show]) if c not in DERIVED_STRATA]
    extra_sql = "".join(f', CAST(p."{c}" AS VARCHAR) AS "{c}"' for c in extra)
    sql = (
        f"SELECT city, CAST(object_id AS VARCHAR) AS object_id, strftime({local}, '%Y-%m-%d %H:%M:%S') AS sampled_at, "
        f"strftime({local}, '%Y-%m') AS month, {_shift_case(design, local)} AS shift{extra_sql} "
        f"FROM ({frame.sql}) p WHERE city IN ({cities}) AND object_id IS NOT NULL "
        f"AND {local} >= TIMESTAMP '{start}' AND {local} < TIMESTAMP '{end}' "
        "ORDER BY city, sampled_at, object_id"
    )
    out = con.execute(sql).df()
    for col in extra:
        out[col] = out[col].fillna("")
    return out


def _shift_case(design: Design, local: str) -> str:
    t = f"CAST({local} AS TIME)"
    cases = []
    for key, shift in design.shifts.items():
        a, b = (f"TIME '{h.isoformat()}'" for h in shift.hours)
        cond = f"({t} >= {a} AND {t} < {b})" if shift.hours[0] < shift.hours[1] else f"({t} >= {a} OR {t} < {b})"
        cases.append(f"WHEN {cond} THEN '{key}'")
    return f"CASE {' '.join(cases)} END"


def sample_size(population: int, strata_sizes: np.ndarray, design: Design, minimum: int) -> int:
    """Target (at least the catalogue's minimum), raised to give every stratum its minimum, capped at the population."""
    floor = int(np.minimum(strata_sizes, design.min_per_stratum).sum())
    return int(min(population, max(design.target_n, minimum, floor)))


def allocate(sizes: np.ndarray, n: int, minimum: int) -> np.ndarray:
    """Proportional allocation of n over strata of the given sizes, at least `minimum` each (capped at the size).

    Units are handed out one at a time to the stratum furthest below its proportional share
    (ties to the first stratum), so the result is deterministic and sums to n.
    """
    sizes = np.asarray(sizes, dtype=int)
    alloc = np.minimum(sizes, minimum)
    if n <= alloc.sum() or sizes.sum() == 0:
        return alloc
    target = n * sizes / sizes.sum()
    for _ in range(n - int(alloc.sum())):
        deficit = np.where(alloc < sizes, target - alloc, -np.inf)
        alloc[int(np.argmax(deficit))] += 1
    return alloc


def generator(seed: int, city: str, frame: str) -> np.random.Generator:
    """A random generator of its own for every city and frame (a city's draw ignores the others)."""
    digest = hashlib.sha256(f"{city}|{frame}".encode()).digest()
    return np.random.default_rng([seed, *np.frombuffer(digest[:16], dtype=np.uint32).tolist()])


def draw_frame(
    records: pd.DataFrame, name: str, frame: Frame, design: Design, seed: int, minimum: int
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The sample of one city's frame: (drawn records, allocation per stratum, summary row)."""
    city = str(records["city"].iloc[0])
    keys = frame.strata or ["month"]
    label = records[keys[0]].astype(str)
    for key in keys[1:]:
        label = label + STRATUM_SEPARATOR + records[key].astype(str)
    groups = records.assign(stratum=label).groupby("stratum", sort=True)
    sizes = groups.size()
    n = sample_size(len(records), sizes.to_numpy(), design, minimum)
    alloc = pd.Series(allocate(sizes.to_numpy(), n, design.min_per_stratum), index=sizes.index)
    rng = generator(seed, city, name)
    picked = []
    for stratum, part in groups:
        k = int(alloc[stratum])
        if k:
            picked.append(part.iloc[np.sort(rng.choice(len(part), size=k, replace=False))])
    drawn = pd.concat(picked).sort_values(["sampled_at", "object_id"], kind="stable").reset_index(drop=True)
    drawn.insert(1, "frame", name)
    drawn.insert(2, "sample_id", [f"{city}-{frame.code}{i:04d}" for i in range(1, len(drawn) + 1)])
    strata = pd.DataFrame(
        {
            "city": city,
            "frame": name,
            "stratum": sizes.index,
            "population": sizes.to_numpy(),
            "sample": alloc.to_numpy(),
        }
    )
    summary = {
        "city": city,
        "frame": name,
        "population": len(records),
        "strata": len(sizes),
        "target": max(design.target_n, minimum),
        "minimum": minimum,
        "sample": len(drawn),
        "half_width": design.half_width(len(drawn), len(records)),
        "census": len(drawn) == len(records),
    }
    return drawn, strata, summary


def draw(
    con: duckdb.DuckDBPyConnection, design: Design, frames: dict[str, Frame], ev: Evaluation, seed: int, minimum: int
) -> Draw:
    """Every city's sample of every given frame (cities without records get a summary row with 0)."""
    samples, strata, summary = [], [], []
    for name, frame in frames.items():
        records = population(con, design, frame, ev)
        for city in ev.city_ids():
            mine = records[records["city"] == city]
            if mine.empty:
                summary.append({"city": city, "frame": name, "population": 0, "strata": 0, "sample": 0})
                continue
            drawn, alloc, row = draw_frame(mine.reset_index(drop=True), name, frame, design, seed, minimum)
            samples.append(drawn)
            strata.append(alloc)
            summary.append(row)
    return Draw(
        samples=pd.concat(samples, ignore_index=True) if samples else pd.DataFrame(),
        strata=pd.concat(strata, ignore_index=True) if strata else pd.DataFrame(),
        summary=pd.DataFrame(summary),
    )

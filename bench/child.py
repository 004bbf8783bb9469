"""One timed part of the benchmark, run in its own process so that its peak memory is its own.

`python -m bench.child <part> [options]` prints one line `BENCH-RESULT <json>` at the end:

- pipeline: ingest, quality, measure and score of the benchmark evaluation (hotline_eval.pipeline),
  each stage's wall and CPU seconds and the peak memory at its end;
- ratios: the plain scan of the catalogue's columns, the whole catalogue measured, the pandas
  subset and the engine on the same subset (best of --repeat runs each), and whether pandas gives
  the engine's numbers;
- report: one city's report (HTML and PDF) from the measured province;
- reports: every city's report, in parallel.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

EVALUATION = "bench"
MARK = "BENCH-RESULT "


def cpu_seconds() -> float:
    """CPU seconds of this process, every thread (DuckDB's too) and waited-for child processes."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load() -> float:
    return os.getloadavg()[0]


class Clock:
    """Wall and CPU time of a piece of work, and the 1-minute load when it started."""

    def __init__(self) -> None:
        self.wall0, self.cpu0, self.load0 = time.perf_counter(), cpu_seconds(), load()

    def lap(self) -> dict[str, float]:
        return {
            "wall": time.perf_counter() - self.wall0,
            "cpu": cpu_seconds() - self.cpu0,
            "load": self.load0,
            "peak_mb": peak_mb(),
        }


def pipeline(root: Path, profile: Path | None) -> dict[str, Any]:
    from hotline_eval.pipeline import prepare

    stages: list[dict[str, Any]] = []
    clock: list[Clock] = []
    names: list[str] = []

    def stage(name: str) -> None:
        if clock:
            stages.append({"stage": names[-1], **clock[-1].lap()})
        names.append(name)
        clock.append(Clock())

    def run() -> None:
        prepare(root, EVALUATION, stage=stage)

    _profiled(run, profile)
    return {"stages": stages}


def ratios(root: Path, repeat: int) -> dict[str, Any]:
    from bench.pandas_baseline import SUBSET, compare, measure_subset
    from bench.scan import catalogue_columns, time_scan
    from hotline_eval.config.definitions import load_evaluation
    from hotline_eval.core.paths import Paths
    from hotline_eval.measure.engine import measure
    from hotline_eval.pipeline import open_data

    ev = load_evaluation(root, EVALUATION)
    paths = Paths(root, ev.id)
    con = open_data(root, paths)
    columns = catalogue_columns(root, ev)
    subset = ev.model_copy(update={"indicators": SUBSET})
    out: dict[str, Any] = {"columns": columns}
    out["scan"] = _best(repeat, lambda: time_scan(con, columns))
    engine: list[Any] = []
    out["measure"] = _best(repeat, lambda: engine.append(measure(con, root, ev)))
    out["measure_subset"] = _best(repeat, lambda: measure(con, root, subset))
    baseline: list[Any] = []
    out["pandas"] = _best(max(1, repeat - 1), lambda: baseline.append(measure_subset(paths.data, ev, root)))
    out["agreement"] = compare(engine[-1], baseline[-1])
    out["subset"] = SUBSET
    return out


def _best(repeat: int, work: Callable[[], Any]) -> dict[str, float]:
    """The fastest of `repeat` runs (the least disturbed by other work on the machine)."""
    runs = []
    for _ in range(repeat):
        clock = Clock()
        work()
        runs.append(clock.lap())
    return min(runs, key=lambda r: r["wall"]) | {"runs": [round(r["wall"], 3) for r in runs]}


def report(root: Path, city: str) -> dict[str, Any]:
    from hotline_eval.report.city import render_city

    clock = Clock()
    files = render_city(root, EVALUATION, city)
    return {"city": city, **clock.lap(), "files": sorted(files)}


def reports(root: Path, workers: int) -> dict[str, Any]:
    from hotline_eval.report.batch import render_all

    clock = Clock()
    outcomes = render_all(root, EVALUATION, workers=workers)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    failed = {o.city: o.error for o in outcomes if not o.ok}
    return {**clock.lap(), "workers": workers, "cities": len(outcomes), "failed": failed, "worker_peak_mb": children}


def _profiled(work: Callable[[], None], profile: Path | None) -> None:
    if profile is None:
        work()
        return
    profiler = cProfile.Profile()
    profiler.runcall(work)
    profile.parent.mkdir(parents=True, exist_ok=True)
    with profile.open("w") as fh:
        stats = pstats.Stats(profiler, stream=fh)
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("part", choices=["pipeline", "ratios", "report", "reports"])
    parser.add_argument("--root", type=Path, default=Path.cwd())
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--city", default="linjiang")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--profile", type=Path, default=None)
    args = parser.parse_args()
    root = args.root.resolve()
    if args.part == "pipeline":
        result = pipeline(root, args.profile)
    elif args.part == "ratios":
        result = ratios(root, args.repeat)
    elif args.part == "report":
        result = report(root, args.city)
    else:
        result = reports(root, args.workers)
    print(MARK + json.dumps(result, ensure_ascii=False, default=str), flush=True)


if __name__ == "__main__":
    main()

"""`make bench`: the province-scale benchmark (bench/README.md).

For each data size (SCALE = share of the full province: 1 = 16 cities × 3 months, about
12 million calls), it generates the benchmark province's exports (canonical Parquet, cities in
parallel), then runs in separate processes, so that each one's peak memory is its own:

1. the pipeline: ingest (from Parquet), quality, measure, score — per stage wall and CPU seconds;
2. the ratios: the plain scan of the catalogue's columns, the whole catalogue measured, and the
   pandas subset against the engine on the same subset (bench/pandas_baseline.py);
3. at the largest size only: one city's report, then all sixteen.

It writes the machine, the load, the figures and the targets to bench/RESULTS.md (a run whose
largest size is not the full province writes outputs/bench-RESULTS.md instead), keeping the
hand-written analysis at the end of the file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

from bench.child import MARK
from bench.results import write_results

EVALUATION = "bench"
DEFAULT_POINTS = "1/16,1/4,1"


def fraction(text: str) -> Fraction:
    value = Fraction(text.strip())
    if value <= 0:
        raise argparse.ArgumentTypeError(f"a scale is a positive number or fraction such as 1/16, not {text}")
    return value


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')} load {os.getloadavg()[0]:4.2f}] {message}", file=sys.stderr, flush=True)


def child(root: Path, part: str, *options: str) -> dict[str, Any]:
    """Run one part in its own process; its result and the process's peak memory (MB)."""
    command = [sys.executable, "-m", "bench.child", part, "--root", str(root), *options]
    proc = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    lines = [line for line in out.splitlines() if line.startswith(MARK)]
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"bench: {part} failed (exit {proc.returncode})")
    return json.loads(lines[-1][len(MARK) :]) | {"process_peak_mb": usage.ru_maxrss / 1024}


def clear_outputs(out: Path) -> None:
    """Everything of the benchmark evaluation except the generated exports (raw/)."""
    if out.exists():
        for entry in out.iterdir():
            if entry.name != "raw":
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


def run_point(root: Path, scale: Fraction, args: argparse.Namespace, last: bool) -> dict[str, Any]:
    from bench.generate import generate
    from hotline_eval.config.definitions import load_evaluation
    from hotline_eval.core.paths import Paths

    ev = load_evaluation(root, EVALUATION)
    point: dict[str, Any] = {"scale": str(scale)}
    say(f"SCALE={scale}: generating 16 cities ({args.workers} processes)")
    start, load0 = time.perf_counter(), os.getloadavg()[0]
    point["rows"] = generate(root, ev, float(scale), args.seed, args.workers)
    point["generate"] = {"wall": time.perf_counter() - start, "load": load0}
    say(f"SCALE={scale}: {point['rows']} rows in {point['generate']['wall']:.1f} s")
    clear_outputs(Paths(root, EVALUATION).out)
    profile = ["--profile", str(Paths(root, EVALUATION).out.parent / f"bench-profile-{scale}".replace("/", "_"))]
    say(f"SCALE={scale}: ingest, quality, measure, score")
    point["pipeline"] = child(root, "pipeline", *(profile if args.profile else []))
    for s in point["pipeline"]["stages"]:
        say(f"  {s['stage']:8} {s['wall']:7.2f} s wall {s['cpu']:7.2f} s CPU, peak {s['peak_mb']:.0f} MB")
    say(f"SCALE={scale}: scan, measure and pandas (best of {args.repeat})")
    point["ratios"] = child(root, "ratios", "--repeat", str(args.repeat))
    r = point["ratios"]
    say(f"  scan {r['scan']['wall']:.2f} s, measure {r['measure']['wall']:.2f} s, pandas {r['pandas']['wall']:.2f} s")
    if last and not args.skip_reports:
        say(f"SCALE={scale}: one city's report ({args.city})")
        point["report"] = child(root, "report", "--city", args.city)
        say(f"  {point['report']['wall']:.1f} s")
        say(f"SCALE={scale}: all reports ({args.workers} processes)")
        point["reports"] = child(root, "reports", "--workers", str(args.workers))
        say(f"  {point['reports']['wall']:.1f} s")
    return point


def machine() -> dict[str, Any]:
    model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as fh:
        total_kb = int(next(line for line in fh if line.startswith("MemTotal")).split()[1])
    import duckdb
    import pandas

    return {
        "cores": os.cpu_count(),
        "ram_gb": round(total_kb / 1024**2, 1),
        "cpu": model or platform.processor(),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pandas": pandas.__version__,
    }


def git_commit(root: Path) -> str:
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain"], capture_output=True, text=True)
    except OSError:
        return ""
    return out.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=fraction, default=None, help="one data size only, e.g. 1/16 (quick)")
    parser.add_argument("--points", default=DEFAULT_POINTS, help=f"data sizes (default {DEFAULT_POINTS})")
    parser.add_argument("--seed", type=int, default=20260701)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes for generation/reports")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each ratio measurement (the best counts)")
    parser.add_argument("--city", default="linjiang", help="the city of the one-report timing")
    parser.add_argument("--skip-reports", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile the pipeline (outputs/bench-profile-*)")
    parser.add_argument("--results", type=Path, default=None, help="where to write the results (Markdown)")
    args = parser.parse_args()
    root = Path.cwd().resolve()
    points = [args.scale] if args.scale is not None else sorted(fraction(p) for p in args.points.split(","))
    began = dt.datetime.now().astimezone()
    results = {
        "started": began.isoformat(timespec="seconds"),
        "machine": machine(),
        "commit": git_commit(root),
        "load_before": os.getloadavg(),
        "points": [run_point(root, p, args, p == points[-1]) for p in points],
        "load_after": os.getloadavg(),
        "minutes": (dt.datetime.now().astimezone() - began).total_seconds() / 60,
    }
    target = args.results or (
        root / "bench" / "RESULTS.md" if points[-1] == 1 else root / "outputs" / "bench-RESULTS.md"
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    (target.with_suffix(".json")).write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str))
    write_results(target, results)
    say(f"wrote {target}")


if __name__ == "__main__":
    main()

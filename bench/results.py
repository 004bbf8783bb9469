"""bench/RESULTS.md from a benchmark run: machine, load, figures, targets; the hand-written analysis is kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

KEEP = "<!-- Everything below this line is written by hand; make bench keeps it when it rewrites the file. -->"
STAGES = ["ingest", "quality", "measure", "score"]

# (label, limit) of the targets on this machine
TARGETS = {
    "scan": ("whole catalogue measured ≤ 2 × the plain scan of its columns", 2.0),
    "pandas": ("whole catalogue measured ≥ 8 × faster than the pandas subset", 8.0),
    "pipeline": ("ingest (from Parquet) + quality + measure + score ≤ 30 s", 30.0),
    "memory": ("peak memory of that process ≤ 2 GB", 2048.0),
    "report": ("one city report ≤ 8 s once the province is measured", 8.0),
    "reports": ("all 16 reports ≤ 60 s", 60.0),
}


def write_results(path: Path, results: dict[str, Any]) -> None:
    kept = ""
    if path.exists():
        text = path.read_text(encoding="utf-8")
        if KEEP in text:
            kept = text.split(KEEP, 1)[1]
    path.write_text(render(results) + "\n" + KEEP + (kept or "\n"), encoding="utf-8")


def render(results: dict[str, Any]) -> str:
    points = results["points"]
    last = points[-1]
    lines = [
        "# Province-scale benchmark: results",
        "",
        f"Written by `make bench` (bench/run.py) on {results['started']}, in {results['minutes']:.1f} minutes, "
        f"at commit {results['commit'] or '(unknown)'}. SCALE {last['scale']} is the largest size of this run "
        "(1 = the whole benchmark province: 16 cities × 3 months).",
        "",
        *_machine(results),
        *_data(last),
        *_targets(last),
        *_stages(last),
        *_ratios(last),
        *_growth(points),
        *_columns(last),
    ]
    return "\n".join(lines)


def _machine(results: dict[str, Any]) -> list[str]:
    m = results["machine"]
    before = " / ".join(f"{x:.2f}" for x in results["load_before"])
    after = " / ".join(f"{x:.2f}" for x in results["load_after"])
    return [
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        f"| CPU | {m['cpu']}, {m['cores']} cores |",
        f"| memory | {m['ram_gb']} GiB |",
        f"| system | {m['system']}, Python {m['python']}, DuckDB {m['duckdb']}, pandas {m['pandas']} |",
        f"| load average (1 / 5 / 15 min) | before the run {before}; after it {after} |",
        "",
        "Every timing below shows the 1-minute load average when it started. On this shared machine a load",
        f"above {m['cores']} means other work was competing for the cores, and wall times are then longer than",
        "on an idle machine; CPU seconds (all threads of the process) are much less disturbed.",
        "",
    ]


def _data(point: dict[str, Any]) -> list[str]:
    rows = point["rows"]
    g = point["generate"]
    return [
        f"## Data (SCALE {point['scale']})",
        "",
        "| calls | work orders | callbacks | online sessions | generated in |",
        "|---:|---:|---:|---:|---:|",
        f"| {rows['calls']:,} | {rows['tickets']:,} | {rows['callbacks']:,} | {rows['chats']:,} "
        f"| {g['wall']:.1f} s (load {g['load']:.2f}) |",
        "",
        "Canonical Parquet, one folder per city (`outputs/bench/raw/<city>/`), read through "
        "`params/mappings/canonical.yaml`; the rows include the two weeks before the period that tickets",
        "and callbacks reach back to.",
        "",
    ]


def _pipeline_total(point: dict[str, Any]) -> tuple[float, float]:
    stages = [s for s in point["pipeline"]["stages"] if s["stage"] in STAGES]
    return sum(s["wall"] for s in stages), sum(s["cpu"] for s in stages)


def _targets(point: dict[str, Any]) -> list[str]:
    r = point["ratios"]
    wall, _ = _pipeline_total(point)
    measured = {
        "scan": (r["measure"]["wall"] / r["scan"]["wall"], f"{r['measure']['wall'] / r['scan']['wall']:.1f} ×"),
        "pandas": (r["pandas"]["wall"] / r["measure"]["wall"], f"{r['pandas']['wall'] / r['measure']['wall']:.1f} ×"),
        "pipeline": (wall, f"{wall:.1f} s"),
        "memory": (point["pipeline"]["process_peak_mb"], f"{point['pipeline']['process_peak_mb']:.0f} MB"),
    }
    if "report" in point:
        measured["report"] = (point["report"]["wall"], f"{point['report']['wall']:.1f} s")
    if "reports" in point:
        measured["reports"] = (point["reports"]["wall"], f"{point['reports']['wall']:.1f} s")
    lines = [f"## Targets (SCALE {point['scale']})", "", "| target | measured | holds |", "|---|---:|:---:|"]
    for key, (label, limit) in TARGETS.items():
        if key not in measured:
            lines.append(f"| {label} | not run | |")
            continue
        value, shown = measured[key]
        holds = value >= limit if key == "pandas" else value <= limit
        lines.append(f"| {label} | {shown} | {'yes' if holds else '**no**'} |")
    return [*lines, ""]


def _stages(point: dict[str, Any]) -> list[str]:
    lines = [
        f"## Stages (SCALE {point['scale']})",
        "",
        "| stage | wall s | CPU s | peak memory so far | load at start |",
        "|---|---:|---:|---:|---:|",
    ]
    for s in point["pipeline"]["stages"]:
        lines.append(f"| {s['stage']} | {s['wall']:.1f} | {s['cpu']:.1f} | {s['peak_mb']:.0f} MB | {s['load']:.2f} |")
    wall, cpu = _pipeline_total(point)
    lines.append(
        f"| **ingest + quality + measure + score** | **{wall:.1f}** | {cpu:.1f} "
        f"| {point['pipeline']['process_peak_mb']:.0f} MB (process) | |"
    )
    if "report" in point:
        rep = point["report"]
        lines.append(
            f"| one city's report ({rep['city']}, HTML + PDF) | {rep['wall']:.1f} | {rep['cpu']:.1f} "
            f"| {point['report']['process_peak_mb']:.0f} MB | {rep['load']:.2f} |"
        )
    if "reports" in point:
        reps = point["reports"]
        failed = f", failed: {', '.join(reps['failed'])}" if reps["failed"] else ""
        lines.append(
            f"| all {reps['cities']} reports ({reps['workers']} processes{failed}) | {reps['wall']:.1f} "
            f"| {reps['cpu']:.1f} | {reps['worker_peak_mb']:.0f} MB (largest worker) | {reps['load']:.2f} |"
        )
    return [*lines, ""]


def _ratios(point: dict[str, Any]) -> list[str]:
    r = point["ratios"]
    agree = r["agreement"]

    def row(label: str, m: dict[str, Any]) -> str:
        runs = ", ".join(f"{x:.2f}" for x in m["runs"])
        return f"| {label} | {m['wall']:.2f} | {m['cpu']:.2f} | {runs} | {m['load']:.2f} |"

    return [
        f"## Measurement against its lower bound and against pandas (SCALE {point['scale']})",
        "",
        "| | best wall s | its CPU s | all runs (wall s) | load at start |",
        "|---|---:|---:|---|---:|",
        row("plain DuckDB scan of the catalogue's columns (bench/scan.py)", r["scan"]),
        row("whole catalogue measured (hotline_eval.measure.engine)", r["measure"]),
        row(f"engine on the pandas subset ({len(r['subset'])} indicators)", r["measure_subset"]),
        row("pandas, the same subset (bench/pandas_baseline.py)", r["pandas"]),
        "",
        f"pandas against the engine on the subset: {agree['rows']} city × month rows, "
        f"{agree['denominators_differing']} with a different denominator, numerators within a relative "
        f"{agree['max_relative_difference']:.1e} (pandas adds seconds as floating point, the engine exactly). "
        f"The engine on the same subset is {r['pandas']['wall'] / r['measure_subset']['wall']:.1f} × faster "
        "than pandas.",
        "",
    ]


def _growth(points: list[dict[str, Any]]) -> list[str]:
    if len(points) < 2:
        return []
    lines = [
        "## Growth with the data",
        "",
        "Each size is the same sixteen cities with a share of the volume (1/16 ≈ one city's worth of data).",
        "",
        "| SCALE | calls | ingest s | quality s | measure s | score s | total s | peak MB "
        "| scan s | measure alone s | pandas s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in points:
        by = {s["stage"]: s for s in p["pipeline"]["stages"]}
        wall, _ = _pipeline_total(p)
        r = p["ratios"]
        stage_cells = " | ".join(f"{by[s]['wall']:.1f}" if s in by else "" for s in STAGES)
        lines.append(
            f"| {p['scale']} | {p['rows']['calls']:,} | {stage_cells} | {wall:.1f} "
            f"| {p['pipeline']['process_peak_mb']:.0f} | {r['scan']['wall']:.2f} | {r['measure']['wall']:.2f} "
            f"| {r['pandas']['wall']:.1f} |"
        )
    return [*lines, ""]


def _columns(point: dict[str, Any]) -> list[str]:
    columns = point["ratios"]["columns"]
    lines = ["## Columns the catalogue reads (those of the plain scan)", ""]
    lines += [f"- `{table}`: {', '.join(cols)}" for table, cols in columns.items()]
    return [*lines, ""]

"""Generate the benchmark province's exports: canonical Parquet, one folder per city, cities in parallel."""

from __future__ import annotations

import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from hotline_eval.config.evaluation import Evaluation
from hotline_eval.config.province import load_province
from hotline_eval.sample import SampleSpec, generate_sample


def city_folders(root: Path, ev: Evaluation) -> dict[str, Path]:
    """Where the evaluation reads each city's exports (its data.inputs folders)."""
    return {item.city: (root / item.dir).resolve() for item in ev.data.inputs if item.city}


def generate(root: Path, ev: Evaluation, scale: float, seed: int, workers: int) -> dict[str, int]:
    """Write every city's canonical tables; returns the rows of the four large tables, province-wide."""
    province = load_province(root, ev.province or "bench")
    folders = city_folders(root, ev)
    for folder in folders.values():
        shutil.rmtree(folder, ignore_errors=True)
    largest_first = sorted(province.cities, key=lambda c: -c.calls_per_month)
    jobs = [
        SampleSpec(
            province=province.id,
            start=ev.period.start,
            months=len(ev.period.months),
            seed=seed,
            scale=scale,
            evaluation_id=ev.id,
            file_format="canonical",
            cities=(city.id,),
        )
        for city in largest_first
    ]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_one_city, [root] * len(jobs), jobs, [folders[s.cities[0]].parent for s in jobs]))
    return rows(folders.values())


def _one_city(root: Path, spec: SampleSpec, out: Path) -> None:
    generate_sample(root, spec, out)


def rows(folders) -> dict[str, int]:
    import pyarrow.parquet as pq

    out: dict[str, int] = {}
    for table in ("calls", "tickets", "callbacks", "chats"):
        out[table] = sum(pq.ParquetFile(f / f"{table}.parquet").metadata.num_rows for f in folders)
    return out

"""The sample province generator (`hotline-eval sample`): realistic synthetic exports.

Deterministic by seed: the same province, period, seed and scale give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hotline_eval.config.calendar import load_calendar
from hotline_eval.config.mapping import load_mapping
from hotline_eval.config.province import City, Province, load_province
from hotline_eval.config.schema import load_schema
from hotline_eval.sample.callbacks import generate_callbacks
from hotline_eval.sample.calls import generate_calls
from hotline_eval.sample.context import CityContext
from hotline_eval.sample.defects import apply_defects
from hotline_eval.sample.export import export_canonical, export_table
from hotline_eval.sample.people import addresses, id_numbers, names
from hotline_eval.sample.reviews import (
    generate_bot_tests,
    generate_chats,
    generate_emergencies,
    generate_expert_scores,
    generate_qc_samples,
)
from hotline_eval.sample.tickets import generate_tickets
from hotline_eval.sample.units import generate_units

TEMPLATE = "province-template"
CANONICAL = "canonical"
GRACE_DAYS = 15


@dataclass(frozen=True)
class SampleSpec:
    """What to generate: which province, which months, which seed, how big."""

    province: str = "sample"
    start: dt.date = dt.date(2026, 7, 1)
    months: int = 3
    seed: int = 12345
    scale: float = 1.0
    evaluation_id: str = "sample"
    # native: each system's own format; parquet: the same layouts as Parquet text columns;
    # canonical: typed canonical tables (params/mappings/canonical.yaml), the province-scale benchmark's
    file_format: str = "native"
    cities: tuple[str, ...] | None = None  # a subset of the province's cities (default: all)

    @property
    def end(self) -> dt.date:
        year, month = divmod(self.start.month - 1 + self.months, 12)
        return dt.date(self.start.year + year, month + 1, 1) - dt.timedelta(days=1)


def generate_sample(root: Path, spec: SampleSpec, out_dir: Path, progress=None) -> dict[str, Path]:
    """Generate every city's exports under out_dir/<city>/; returns {city: folder}."""
    province = load_province(root, spec.province)
    folders = {}
    for index, city in enumerate(province.cities):
        if spec.cities is not None and city.id not in spec.cities:
            continue
        if progress:
            progress(f"生成示例数据 {city.name_zh}")
        folders[city.id] = _generate_city(root, province, city, index, spec, out_dir / city.id)
    (out_dir / "sample.json").write_text(json.dumps(_describe(spec), ensure_ascii=False, indent=1), encoding="utf-8")
    return folders


def _describe(spec: SampleSpec) -> dict:
    return {
        "province": spec.province,
        "start": spec.start.isoformat(),
        "months": spec.months,
        "seed": spec.seed,
        "scale": spec.scale,
        "file_format": spec.file_format,
    }


def _context(root: Path, province: Province, city: City, index: int, spec: SampleSpec) -> CityContext:
    export_at = np.datetime64(spec.end + dt.timedelta(days=GRACE_DAYS + 1)).astype("datetime64[s]")
    return CityContext(
        root=root,
        province=province,
        city=city,
        index=index,
        knobs=province.knobs(city),
        seed=spec.seed,
        scale=spec.scale,
        start=spec.start,
        end=spec.end,
        warmup_days=14,
        export_at=export_at,
        calendar=load_calendar(root),
    )


def _generate_city(root: Path, province: Province, city: City, index: int, spec: SampleSpec, folder: Path) -> Path:
    ctx = _context(root, province, city, index, spec)
    ctx.units = generate_units(ctx)
    calls = generate_calls(ctx)
    tickets = generate_tickets(ctx, calls)
    system_tables = {
        "calls": calls,
        "chats": generate_chats(ctx),
        "tickets": tickets,
        "callbacks": generate_callbacks(ctx, tickets),
    }
    template_tables = {
        "units": ctx.units,
        "bot_tests": generate_bot_tests(ctx),
        "qc_samples": generate_qc_samples(ctx, calls, tickets),
        "emergencies": generate_emergencies(ctx),
        "expert_scores": generate_expert_scores(ctx, spec.evaluation_id),
        "self_reports": _self_reports(ctx, calls, tickets),
        "population": pd.DataFrame({"year": [province.population_year], "residents": [city.residents]}),
    }
    apply_defects(ctx, system_tables, template_tables, folder)
    if spec.file_format == CANONICAL:
        _export_canonical(root, {**system_tables, **template_tables}, folder)
        return folder
    _export_system(ctx, system_tables, folder, spec)
    _export_template(root, ctx, template_tables, folder, spec)
    return folder


def _export_canonical(root: Path, tables: dict[str, pd.DataFrame], folder: Path) -> None:
    """One typed Parquet file per canonical table (the city comes from the input folder)."""
    mapping, schema = load_mapping(root, CANONICAL), load_schema(root)
    for table, frame in tables.items():
        if len(frame):
            export_canonical(frame, mapping, table, schema.tables[table], folder / f"{table}.parquet")


def _export_system(ctx: CityContext, tables: dict[str, pd.DataFrame], folder: Path, spec: SampleSpec) -> None:
    mapping = load_mapping(ctx.root, ctx.city.system)
    month_of = {"calls": "arrived_at", "chats": "started_at", "tickets": "accepted_at", "callbacks": "first_attempt_at"}
    export_note = f"导出时间：{str(ctx.export_at).replace('T', ' ')}"
    for table, frame in tables.items():
        months = pd.Series(frame[month_of[table]].to_numpy().astype("datetime64[M]"))
        for month in sorted(months.dropna().unique()):
            part = frame[(months == month).to_numpy()]
            label = str(np.datetime64(month, "M"))
            pattern = mapping.tables[table].patterns[0]
            path = folder / pattern.replace("*", f"_{label}")
            personal = _personal(ctx, part) if table == "tickets" else None
            title = (f"{ctx.city.name_zh}12345热线{_zh(table)}（{label}）", export_note)
            export_table(part, mapping, table, path, personal=personal, title=title, file_format=spec.file_format)


def _export_template(
    root: Path, ctx: CityContext, tables: dict[str, pd.DataFrame], folder: Path, spec: SampleSpec
) -> None:
    mapping = load_mapping(root, TEMPLATE)
    for table, frame in tables.items():
        if frame.empty:
            continue
        path = folder / mapping.tables[table].patterns[0].replace("*", "")
        export_table(frame, mapping, table, path, file_format=spec.file_format)


def _personal(ctx: CityContext, tickets: pd.DataFrame) -> dict[str, np.ndarray]:
    """Caller name, ID number and address columns as the system exports them (dropped at ingest)."""
    mapping = load_mapping(ctx.root, ctx.city.system)
    rng = np.random.default_rng([ctx.seed, ctx.index, len(tickets)])
    n = len(tickets)
    districts = ctx.province.district_names[:6]
    kinds = {
        "name": names(rng, n),
        "id_number": id_numbers(rng, n),
        "address": addresses(rng, ctx.city.name_zh, districts, n),
    }
    return {column: kinds[kind] for column, kind in mapping.personal_columns.items() if kind in kinds}


def _self_reports(ctx: CityContext, calls: pd.DataFrame, tickets: pd.DataFrame) -> pd.DataFrame:
    """The city's own monthly control totals (§5.2.4), off by a rounding-size amount."""
    rng = ctx.rng("self_reports")
    rows = []
    figures = {
        "calls_total": (calls["arrived_at"], None),
        "answered_total": (calls["arrived_at"], calls["outcome"] == "answered"),
        "tickets_total": (tickets["accepted_at"], tickets["is_valid"]),
        "closed_total": (tickets["closed_at"], tickets["is_valid"]),
    }
    for figure, (stamps, mask) in figures.items():
        month = pd.Series(stamps.to_numpy().astype("datetime64[M]"))
        if mask is not None:
            month = month[mask.to_numpy()]
        counts = month.value_counts()
        for m in pd.period_range(ctx.start, ctx.end, freq="M"):
            true = int(counts.get(np.datetime64(str(m), "M"), 0))
            rows.append((str(m), figure, round(true * (1 + rng.normal(0, 0.002)))))
    rows += [("all", "has_bot", int(ctx.knobs["has_bot"])), ("all", "has_ivr", int(ctx.knobs["has_ivr"]))]
    return pd.DataFrame(rows, columns=["period", "figure", "value"])


def _zh(table: str) -> str:
    return {"calls": "话务报表", "chats": "在线服务报表", "tickets": "工单报表", "callbacks": "回访报表"}[table]

"""Handling units (承办单位) of one sample city: districts/counties, departments, enterprises."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hotline_eval.sample.context import CityContext


def generate_units(ctx: CityContext) -> pd.DataFrame:
    """Units with a `kind` (department / enterprise key, or 'district'), a traffic weight and a
    quality factor that shifts each unit's satisfaction and timeliness around the city's profile."""
    rng = ctx.rng("units")
    n_districts = int(np.clip(round(ctx.city.residents / 700_000) + 3, 4, len(ctx.province.district_names)))
    rows = []
    for i, name in enumerate(ctx.province.district_names[:n_districts], start=1):
        cls = "county" if name.endswith("县") else "district"
        rows.append((f"{ctx.city.id}-d{i:02d}", cls, ctx.city.name_zh + name, "district"))
    for key, name in ctx.province.departments.items():
        rows.append((f"{ctx.city.id}-{key}", "department", name.replace("市", ctx.city.name_zh, 1), key))
    for key, name in ctx.province.enterprises.items():
        rows.append((f"{ctx.city.id}-{key}", "enterprise", ctx.city.name_zh[:-1] + name, key))
    units = pd.DataFrame(rows, columns=["unit_id", "class", "name_zh", "_kind"])
    units["_weight"] = np.where(units["_kind"] == "district", rng.uniform(0.5, 1.5, len(units)), 1.0)
    units["_quality"] = rng.normal(0, 0.03, len(units))
    return units


def units_for(ctx: CityContext, kind: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The handling unit for each request: the department of its kind, or a district by weight."""
    units = ctx.units
    by_kind = dict(zip(units["_kind"], units["unit_id"], strict=False))
    districts = units[units["_kind"] == "district"]
    p = districts["_weight"].to_numpy()
    chosen_district = rng.choice(districts["unit_id"].to_numpy(), kind.size, p=p / p.sum())
    mapped = pd.Series(kind).map(by_kind).to_numpy()
    return np.where(kind == "district", chosen_district, mapped)

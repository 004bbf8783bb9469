"""The sample province definition (params/provinces/<id>.yaml) and its city profiles."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from pydantic import Field, model_validator

from hotline_eval.core.errors import ConfigError
from hotline_eval.core.paramfiles import Strict, load_yaml, named_file, validate
from hotline_eval.sample.defects import Defect


class Category(Strict):
    zh: str
    share: float
    unit: str


class City(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    name_zh: str
    system: str
    residents: int
    calls_per_month: int
    profile: str
    knobs: dict[str, float | bool] = {}


class Province(Strict):
    id: str
    name_zh: str
    organiser_zh: str
    population_year: int
    cities: list[City]
    district_names: list[str]
    departments: dict[str, str]
    enterprises: dict[str, str]
    categories: dict[str, Category]
    innovation_indicators: dict[str, float]
    merged_hotlines: dict[str, str]
    arrival_by_hour: list[float] = Field(min_length=24, max_length=24)
    arrival_by_weekday: list[float] = Field(min_length=7, max_length=7)
    other_channels_per_phone_ticket: dict[str, float]
    profiles: dict[str, dict[str, Any]]
    defects: dict[str, list[Defect]] = {}  # planted data defects per city (sample/defects.py)

    @model_validator(mode="after")
    def _references(self) -> Province:
        for city in self.cities:
            if city.profile not in self.profiles:
                raise ValueError(f"city {city.id}: unknown profile '{city.profile}'")
        for city_id in self.defects:
            if city_id not in {c.id for c in self.cities}:
                raise ValueError(f"defects: unknown city '{city_id}'")
        for code, cat in self.categories.items():
            if cat.unit != "district" and cat.unit not in {**self.departments, **self.enterprises}:
                raise ValueError(f"categories.{code}: unknown unit kind '{cat.unit}'")
        return self

    def city(self, city_id: str) -> City:
        return next(c for c in self.cities if c.id == city_id)

    def knobs(self, city: City) -> dict[str, Any]:
        """The city's behaviour knobs: its profile (with inherited bases) plus overrides."""
        return _resolve(self.profiles, city.profile) | city.knobs


def _extended(root: Path, path: Path, seen: tuple[str, ...]) -> dict[str, Any]:
    """The province file's keys over those of the province it `extends` (each key replaced whole)."""
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(path, None, "a province definition is a mapping of keys (see sample.yaml)")
    base = data.pop("extends", None)
    if base is None:
        return data
    if base in seen or base == path.stem:
        raise ConfigError(path, "extends", f"provinces extend each other in a circle: {' → '.join([*seen, base])}")
    base_path = named_file(root / "params" / "provinces", "province", str(base))
    return _extended(root, base_path, (*seen, path.stem)) | data


def _resolve(profiles: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
    profile = dict(profiles[name])
    base = profile.pop("base", None)
    return (_resolve(profiles, base) if base else {}) | profile


@cache
def load_province(root: Path, name: str) -> Province:
    path = named_file(root / "params" / "provinces", "province", name)
    province = validate(Province, _extended(root, path, ()), path)
    steady_keys = set(_resolve(province.profiles, province.cities[0].profile))
    for city in province.cities:
        unknown = set(city.knobs) - steady_keys
        if unknown:
            raise ConfigError(path, f"cities.{city.id}.knobs", f"unknown knobs: {sorted(unknown)}")
    return province

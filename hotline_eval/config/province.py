"""A province definition (params/provinces/<id>.yaml): its cities, the export system of each, and — for
the synthetic sample province — the cities' behaviour profiles and the data defects planted into
their exports (`defects: {<city>: [<defect>, ...]}`, one of the kinds below, told apart by `kind`;
hotline_eval/sample/defects.py plants them, the tests compare what the quality assessment finds).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from hotline_eval.core.errors import ConfigError
from hotline_eval.core.paramfiles import Strict, load_yaml, named_file, validate

DefectTable = Literal["calls", "chats", "tickets", "callbacks", "qc_samples"]


class MissingDays(Strict):
    """Every record of some days is missing from the export (e.g. an ACD export gap)."""

    kind: Literal["missing_days"]
    table: DefectTable
    month: int = Field(ge=1, description="month of the evaluation period, 1 = the first")
    days: list[int]


class BrokenLinks(Strict):
    """A link column points to ids that do not exist (e.g. ids truncated by the export)."""

    kind: Literal["broken_links"]
    table: DefectTable
    column: str
    month: int = Field(ge=1)
    n: int = Field(ge=1)


class Duplicates(Strict):
    """Records exported twice: `rekeyed` copies under a new id, `same_id` copies under the same id."""

    kind: Literal["duplicates"]
    table: DefectTable
    rekeyed: int = Field(0, ge=0)
    same_id: int = Field(0, ge=0)


class SwappedTimes(Strict):
    """Two life-cycle timestamps exchanged (out of order, accepted by ingest, found by the rules)."""

    kind: Literal["swapped_times"]
    table: DefectTable
    columns: tuple[str, str]
    n: int = Field(ge=1)


class ReversedTimes(Strict):
    """A timestamp set one minute before another (a row rule of the schema: ingest rejects the row)."""

    kind: Literal["reversed_times"]
    table: DefectTable
    column: str
    reference: str
    n: int = Field(ge=1)
    where: dict[str, Any] = {}


class TestRecords(Strict):
    """Test records marked as such but left valid, so they would enter the indicators."""

    kind: Literal["test_records"]
    table: DefectTable
    n: int = Field(ge=1)


class OutOfPeriod(Strict):
    """Copies of records with every timestamp shifted (e.g. last year's file uploaded again)."""

    kind: Literal["out_of_period"]
    table: DefectTable
    n: int = Field(ge=1)
    shift_days: int


class MissingValues(Strict):
    """A column left empty in records where it is expected."""

    kind: Literal["missing_values"]
    table: DefectTable
    column: str
    month: int = Field(ge=1)
    n: int = Field(ge=1)
    where: dict[str, Any] = {}


class SelfReportOffset(Strict):
    """A self-reported monthly figure that disagrees with the records (multiplied by `factor`)."""

    kind: Literal["self_report_offset"]
    figure: str
    month: int = Field(ge=1)
    factor: float = Field(gt=0)


class Unverifiable(Strict):
    """The evaluator's verification sample: `sample` records checked, `mismatches` of them not in the source."""

    kind: Literal["unverifiable"]
    table: DefectTable
    sample: int = Field(ge=1)
    mismatches: int = Field(ge=0)
    item: str = "录音"


Defect = Annotated[
    MissingDays
    | BrokenLinks
    | Duplicates
    | SwappedTimes
    | ReversedTimes
    | TestRecords
    | OutOfPeriod
    | MissingValues
    | SelfReportOffset
    | Unverifiable,
    Field(discriminator="kind"),
]


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
                raise ValueError(f"城市 {city.id}：未知的 profile '{city.profile}'")
        for city_id in self.defects:
            if city_id not in {c.id for c in self.cities}:
                raise ValueError(f"defects：未知的城市 '{city_id}'")
        for code, cat in self.categories.items():
            if cat.unit != "district" and cat.unit not in {**self.departments, **self.enterprises}:
                raise ValueError(f"categories.{code}：未知的单位类型 '{cat.unit}'")
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
        raise ConfigError(path, None, "省份定义应为键值映射（可参照 sample.yaml）")
    base = data.pop("extends", None)
    if base is None:
        return data
    if base in seen or base == path.stem:
        raise ConfigError(path, "extends", f"省份定义之间循环继承：{' → '.join([*seen, base])}")
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
            raise ConfigError(path, f"cities.{city.id}.knobs", f"未知的调节参数（knobs）：{'、'.join(sorted(unknown))}")
    return province

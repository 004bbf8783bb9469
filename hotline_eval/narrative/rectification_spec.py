"""params/measures.yaml: how problems are named and which rectification measures answer them."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from hotline_eval.core.paramfiles import Strict, load_model

FILE = "params/measures.yaml"
KINDS = {"gap", "far_below", "worse"}


class Deadline(Strict):
    zh: str
    days: int | None = Field(default=None, ge=1)


class MeasureSpec(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    who: Literal["agency", "units"]
    kinds: list[str] = Field(default=[], alias="for")
    deadline: str
    target: bool = False
    text: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _kinds(self) -> MeasureSpec:
        unknown = set(self.kinds) - KINDS
        if unknown:
            raise ValueError(f"未知的问题类型：{'、'.join(sorted(unknown))}；可用的类型：{'、'.join(sorted(KINDS))}")
        return self

    def answers(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


class Entry(Strict):
    related: list[str] = []
    problem: list[str] = Field(min_length=1)
    impact: list[str] = []
    measures: list[MeasureSpec] = Field(min_length=1)


class Qualitative(Entry):
    indicators: list[str]


class Group(Strict):
    """Indicators whose problems are stated as one problem (e.g. the expert-scored innovation items)."""

    indicators: list[str] = Field(min_length=2)
    problem: list[str] = Field(min_length=1)
    impact: list[str] = []


class MeasureCatalogue(Strict):
    deadlines: dict[str, Deadline]
    indicators: dict[str, Entry]
    dimensions: dict[str, Entry]
    qualitative: Qualitative
    quality: Entry
    dissatisfaction: dict[str, Entry]
    groups: dict[str, Group] = {}

    @model_validator(mode="after")
    def _deadlines(self) -> MeasureCatalogue:
        entries = [
            *self.indicators.items(),
            *self.dimensions.items(),
            ("qualitative", self.qualitative),
            ("quality", self.quality),
            *self.dissatisfaction.items(),
        ]
        for name, entry in entries:
            for m in entry.measures:
                if m.deadline not in self.deadlines:
                    raise ValueError(f"{name}：未知的期限 '{m.deadline}'；可用的期限：{'、'.join(self.deadlines)}")
        return self

    def entry(self, indicator_id: str, dimension: str) -> Entry:
        """The indicator's entry, else its dimension's (whose phrasings name the indicator)."""
        return self.indicators.get(indicator_id) or self.dimensions[dimension]


@cache
def load_measures(root: Path) -> MeasureCatalogue:
    return load_model(MeasureCatalogue, Path(root) / FILE)

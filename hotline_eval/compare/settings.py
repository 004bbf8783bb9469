"""params/comparison.yaml: statistics, robustness and the narrative's rules, validated."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import Field

from hotline_eval.core.paramfiles import Strict, load_model

FILE = "params/comparison.yaml"


class Significance(Strict):
    fdr: float = Field(gt=0, lt=1)
    relative: dict[str, float] = {}


class BootstrapSettings(Strict):
    draws: int = Field(ge=100)
    seed: int
    confidence: float = Field(gt=0, lt=1)


class Robustness(Strict):
    draws: int = Field(ge=100)
    seed: int
    weight_noise: float = Field(ge=0, lt=1)
    references: list[str] = Field(min_length=1)
    interval: tuple[float, float]


class Problems(Strict):
    max: int = Field(ge=1)
    far_below: float = Field(gt=0, le=1)
    base_weight: float = Field(ge=0)
    gap_weight: float = Field(ge=0)
    worse_weight: float = Field(ge=0)
    blocked_weight: float = Field(ge=0)
    dissatisfaction_weight: float = Field(ge=0)
    units_named: int = Field(ge=0)
    qc_share: float = Field(gt=0, le=1)
    qc_items_named: int = Field(ge=1)
    dissatisfaction_share_gap: float = Field(ge=0, lt=1)
    dissatisfaction_min: int = Field(ge=1)


class Strengths(Strict):
    max: int = Field(ge=1)


class Settings(Strict):
    significance: Significance
    bootstrap: BootstrapSettings
    robustness: Robustness
    problems: Problems
    strengths: Strengths
    trend_indicators: list[str]
    channel_indicators: list[str]
    channel_min_tickets: int = Field(ge=1)
    unit_indicators: list[str]


@cache
def load_settings(root: Path) -> Settings:
    return load_model(Settings, Path(root) / FILE)

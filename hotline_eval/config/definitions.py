"""Evaluation definitions under params/evaluations/: listed, and loaded over params/evaluation-defaults.yaml,
the one home of every default, then checked. Tests build definitions through the same loader.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from hotline_eval.config.evaluation import CityRef, Evaluation
from hotline_eval.config.evaluation_checks import check_definition, check_indicator_spec, check_period
from hotline_eval.config.province import load_province
from hotline_eval.core.errors import ConfigError
from hotline_eval.core.paramfiles import load_yaml, named_file, validate

DEFAULTS_FILE = "params/evaluation-defaults.yaml"


@cache
def load_evaluation(root: Path, name: str) -> Evaluation:
    """params/evaluations/<name>.yaml over the defaults, checked (the file's name is its id)."""
    path = named_file(root / "params" / "evaluations", "evaluation", name)
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(path, None, "评价定义应为键值映射（可参照 demo-comprehensive.yaml）")
    evaluation = build_evaluation(root, data, path)
    if evaluation.id != name:
        raise ConfigError(path, "id", f"标识 '{evaluation.id}' 与文件名 '{name}' 不一致")
    return evaluation


def build_evaluation(root: Path, data: dict, path: Path | str = "<definition>") -> Evaluation:
    """A definition given as data, over the defaults and checked as a file would be (tests use it too)."""
    path = Path(path)
    merged = with_defaults(root, data)
    check_indicator_spec(merged["indicators"], path)
    evaluation = validate(Evaluation, merged, path)
    if not evaluation.cities:
        if not evaluation.province:
            raise ConfigError(path, "cities", "请列出被评价的城市，或用 province 指定省份定义")
        province = load_province(root, evaluation.province)
        evaluation = evaluation.model_copy(
            update={"cities": [CityRef(id=c.id, name_zh=c.name_zh) for c in province.cities]}
        )
    check_definition(root, evaluation, path)
    check_period(evaluation)
    return evaluation


def with_defaults(root: Path, data: dict) -> dict:
    """The definition over params/evaluation-defaults.yaml; sections merge key by key."""
    defaults = load_yaml(root / DEFAULTS_FILE) or {}
    merged = dict(defaults)
    for key, value in data.items():
        base = defaults.get(key)
        merged[key] = {**base, **value} if isinstance(base, dict) and isinstance(value, dict) else value
    return merged


def list_evaluations(root: Path) -> list[str]:
    return sorted(p.stem for p in (root / "params" / "evaluations").glob("*.yaml"))

"""Reading the YAML files under params/: safe loading and validation into typed models.

Every problem becomes a ConfigError naming the file and the key, so a researcher who edits a
params file learns exactly what to change.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from hotline_eval.core.errors import ConfigError, UnknownNameError
from hotline_eval.core.validation_zh import first_problem

M = TypeVar("M", bound=BaseModel)


class Strict(BaseModel):
    """Base for params models: unknown keys are errors, models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def project_root(start: Path | None = None) -> Path:
    """The folder holding params/: $HOTLINE_EVAL_ROOT, or the nearest parent of `start` (cwd)."""
    env = os.environ.get("HOTLINE_EVAL_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "params" / "schema.yaml").is_file():
            return folder
    raise ConfigError(
        here,
        None,
        "本文件夹及其上级文件夹中均未找到 params/schema.yaml",
        fix="请在 hotline-eval 项目文件夹内运行命令，或设置环境变量 HOTLINE_EVAL_ROOT",
    )


def load_yaml(path: Path) -> Any:
    """Load one YAML file safely (no Python object tags)."""
    if not path.is_file():
        raise ConfigError(path, None, "未找到文件")
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise ConfigError(path, None, yaml_problem(exc), fix="请检查该处附近的缩进（只能用空格）、冒号和引号") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(path, None, "不是 UTF-8 编码的文本", fix="请将文件另存为 UTF-8 编码") from exc


def yaml_problem(exc: yaml.YAMLError) -> str:
    """Where the YAML syntax breaks, in Chinese; the parser's own words follow in brackets."""
    mark = getattr(exc, "problem_mark", None)
    where = f"第{mark.line + 1}行第{mark.column + 1}列" if mark is not None else ""
    detail = getattr(exc, "problem", None) or str(exc)
    return f"YAML 语法错误{('，位于' + where) if where else ''}（解析器信息：{detail}）"


def validate(model: type[M], data: Any, path: Path, prefix: str = "") -> M:
    """Validate parsed YAML against a model; the first error names its key path, in Chinese."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        loc, problem = first_problem(exc.errors(), data)
        key = ".".join(str(p) for p in (prefix, *loc) if p != "")
        raise ConfigError(path, key or None, problem) from exc


def load_model(model: type[M], path: Path) -> M:
    """Load and validate one params file."""
    return validate(model, load_yaml(path), path)


def named_file(folder: Path, kind: str, name: str) -> Path:
    """params/<folder>/<name>.yaml, refusing path traversal and listing valid names."""
    valid = sorted(p.stem for p in folder.glob("*.yaml"))
    if name not in valid:
        raise UnknownNameError(kind, name, valid)
    return folder / f"{name}.yaml"

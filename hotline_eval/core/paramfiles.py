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
        "no params/schema.yaml here or in any parent folder",
        fix="run the command inside the hotline-eval project, or set HOTLINE_EVAL_ROOT",
    )


class _UniqueKeys(yaml.SafeLoader):
    """Safe loading that refuses a key given twice in one mapping (YAML would keep the last silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *base` merges; the mapping may override it
                continue
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is given twice in this mapping", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep)


def load_yaml(path: Path) -> Any:
    """Load one YAML file safely (no Python object tags, no key given twice)."""
    if not path.is_file():
        raise ConfigError(path, None, "file not found")
    try:
        with path.open(encoding="utf-8") as fh:
            loader = _UniqueKeys(fh)  # a SafeLoader: no Python object tags
            try:
                return loader.get_single_data()
            finally:
                loader.dispose()
    except yaml.YAMLError as exc:
        raise ConfigError(path, None, f"not valid YAML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(path, None, "not UTF-8 text", fix="save the file as UTF-8") from exc


def validate(model: type[M], data: Any, path: Path, prefix: str = "") -> M:
    """Validate parsed YAML against a model; the first error names its key path."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in (prefix, *err["loc"]) if p != "")
        problem = err["msg"]
        if err["type"] == "extra_forbidden":
            problem = "unknown key (check the spelling against the documented keys)"
        elif err["type"] == "missing":
            problem = "required key is missing"
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

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

# PyYAML's common complaints (how its message starts) in the words of the person editing the file.
YAML_PROBLEMS = [
    ("found character '\\t'", "含有制表符（Tab），缩进只能用空格"),
    ("mapping values are not allowed", "此处不能出现冒号：值中的冒号须加引号，或该行缩进有误"),
    ("could not find expected ':'", "缺少冒号（:），或该行缩进有误"),
    ("expected ',' or ']'", "方括号 [ ] 没有闭合"),
    ("expected ',' or '}'", "花括号 { } 没有闭合"),
    ("expected <block end>", "缩进不一致"),
    ("expected '<document start>'", "缩进不一致"),
    ("found unexpected end of stream", "文件意外结束：引号或括号没有闭合"),
    ("found undefined alias", "引用了未定义的锚点（*）"),
    ("found unknown escape character", "双引号内有无效的转义字符（\\），可改用单引号"),
]


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


class ParamsYamlError(yaml.constructor.ConstructorError):
    """Well-formed YAML whose content is wrong at a position (a key given twice, an impossible date)."""

    def __init__(self, problem: str, mark: yaml.Mark, fix: str) -> None:
        super().__init__(None, None, problem, mark)
        self.fix = fix


class ParamsLoader(yaml.SafeLoader):
    """Safe loading (no Python object tags) that refuses a key given twice in one mapping (YAML would
    keep the last silently) and reports an impossible date with its line and column."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *base` merges; the mapping may override it
                continue
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                fix = "请删除或合并重复的键（否则只有最后一个生效）"
                raise ParamsYamlError(f"键 '{key}' 在同一映射中出现了两次", key_node.start_mark, fix)
            seen.add(key)
        return super().construct_mapping(node, deep)

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            problem = f"无效的日期 '{node.value}'：月份应为 1—12，日不超过当月天数"
            raise ParamsYamlError(problem, node.start_mark, "请改为有效的日期（YYYY-MM-DD）") from exc


ParamsLoader.add_constructor("tag:yaml.org,2002:timestamp", ParamsLoader.construct_yaml_timestamp)


def load_yaml(path: Path) -> Any:
    """Load one YAML file safely (no Python object tags, no key given twice)."""
    if not path.is_file():
        raise ConfigError(path, None, "未找到文件")
    try:
        with path.open(encoding="utf-8") as fh:
            loader = ParamsLoader(fh)  # a SafeLoader: no Python object tags
            try:
                return loader.get_single_data()
            finally:
                loader.dispose()
    except ParamsYamlError as exc:
        raise ConfigError(path, None, yaml_problem(exc), fix=exc.fix) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(path, None, yaml_problem(exc), fix="请检查该处附近的缩进（只能用空格）、冒号和引号") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(path, None, "不是 UTF-8 编码的文本", fix="请将文件另存为 UTF-8 编码") from exc


def yaml_problem(exc: yaml.YAMLError) -> str:
    """Where the YAML syntax breaks and why, in Chinese; an unusual problem quotes the parser."""
    mark = getattr(exc, "problem_mark", None)
    where = f"，位于第{mark.line + 1}行第{mark.column + 1}列" if mark is not None else ""
    detail = getattr(exc, "problem", None) or str(exc)
    if isinstance(exc, ParamsYamlError):
        return f"YAML 内容错误{where}（{detail}）"
    reason = next((zh for start, zh in YAML_PROBLEMS if detail.startswith(start)), f"解析器信息：{detail}")
    return f"YAML 语法错误{where}（{reason}）"


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

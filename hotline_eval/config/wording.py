"""Reader-facing wording from params/wording/ (a file per document), in the words of the evaluation's labels.

The files are read together into one mapping; each top-level key lives in one file. The wording is
written for the standard's case, as `written_for` in params/wording/common.yaml says: a province
(全省) evaluating the 12345 hotlines (12345热线) of its cities (设区市). An evaluation that names its
objects otherwise (`labels:` in its definition, e.g. a city's council districts or one call centre)
gets the same wording with those words replaced; titles in 《》 (the standard's name) are left as
they are.
"""

from __future__ import annotations

import copy
import re
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from hotline_eval.core.errors import ConfigError
from hotline_eval.core.paramfiles import load_yaml

if TYPE_CHECKING:
    from hotline_eval.config.evaluation import ObjectLabels

TITLE = re.compile(r"(《[^》]*》)")


WORDING_DIR = "params/wording"
WRITTEN_FOR = "written_for"


@cache
def _wording(root: Path) -> dict[str, Any]:
    """Every file of params/wording/ in one mapping (a top-level key given twice is an error)."""
    words: dict[str, Any] = {}
    origin: dict[str, Path] = {}
    files = sorted((root / WORDING_DIR).glob("*.yaml"))
    if not files:
        raise ConfigError(root / WORDING_DIR, None, "未找到措辞文件（*.yaml）")
    for path in files:
        data = load_yaml(path)
        if not isinstance(data, dict):
            raise ConfigError(path, None, "措辞文件应为键值映射")
        repeated = sorted(set(data) & set(words))
        if repeated:
            key = repeated[0]
            raise ConfigError(path, key, f"该键在 {origin[key].name} 中也有，请只保留在一个文件中")
        words.update(data)
        origin.update(dict.fromkeys(data, path))
    if WRITTEN_FOR not in words:
        raise ConfigError(root / WORDING_DIR / "common.yaml", WRITTEN_FOR, "缺少必填键")
    return words


def load_wording(root: Path, labels: ObjectLabels | None = None) -> dict[str, Any]:
    """The wording; with `labels`, the words it is written for (scope, object, service) replaced."""
    words = _wording(root)
    pairs = replacements(labels, words[WRITTEN_FOR]) if labels is not None else []
    if not pairs:
        return words
    return {k: v if k == WRITTEN_FOR else relabel(copy.deepcopy(v), pairs) for k, v in words.items()}


def replacements(labels: ObjectLabels, written_for: dict[str, str]) -> list[tuple[str, str]]:
    """(word of the wording, the evaluation's word) pairs, longest first; none when they are the same."""
    defaults = SimpleNamespace(**written_for)
    pairs = [
        (defaults.service, labels.service),
        (defaults.service_short, labels.service_short),
        (defaults.scope, labels.scope),
        (defaults.object, labels.object),
    ]
    if labels.object != defaults.object:
        pairs += [("各市", f"各{labels.object}"), ("城市", labels.object)]
    return [(old, new) for old, new in pairs if old != new]


def relabel(value: Any, pairs: list[tuple[str, str]]) -> Any:
    """Every string in a nested structure of dicts and lists with the pairs replaced (outside 《》)."""
    if isinstance(value, str):
        return relabel_text(value, pairs)
    if isinstance(value, dict):
        return {k: relabel(v, pairs) for k, v in value.items()}
    if isinstance(value, list):
        return [relabel(v, pairs) for v in value]
    return value


def relabel_text(text: str, pairs: list[tuple[str, str]]) -> str:
    """The text with every pair's word replaced in one pass, the longest word first where several match:
    a word put in is never replaced again (各设区市 → 各市议会选区, not → 各市议会选区议会选区 by 各市)."""
    new_of = dict(pairs)
    words = re.compile("|".join(re.escape(old) for old in sorted(new_of, key=len, reverse=True)))
    parts = TITLE.split(text)
    for k in range(0, len(parts), 2):  # even parts lie outside 《》
        parts[k] = words.sub(lambda m: new_of[m.group(0)], parts[k])
    return "".join(parts)

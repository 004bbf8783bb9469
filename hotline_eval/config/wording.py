"""Reader-facing wording from params/wording.yaml, in the words of the evaluation's labels.

The wording is written for the standard's case: a province (全省) evaluating the 12345 hotlines
(12345热线) of its cities (设区市). An evaluation that names its objects otherwise (`labels:` in
its definition, e.g. a city's council districts or one call centre) gets the same wording with
those words replaced; titles in 《》 (the standard's name) are left as they are.
"""

from __future__ import annotations

import copy
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hotline_eval.core.paramfiles import load_yaml

if TYPE_CHECKING:
    from hotline_eval.config.evaluation import ObjectLabels

TITLE = re.compile(r"(《[^》]*》)")


@cache
def _wording(root: Path) -> dict[str, Any]:
    return load_yaml(root / "params" / "wording.yaml")


def load_wording(root: Path, labels: ObjectLabels | None = None) -> dict[str, Any]:
    """The wording; with `labels`, the default words for scope, object and service replaced."""
    words = _wording(root)
    pairs = replacements(labels) if labels is not None else []
    return relabel(copy.deepcopy(words), pairs) if pairs else words


def replacements(labels: ObjectLabels) -> list[tuple[str, str]]:
    """(default word, the evaluation's word) pairs, longest first; none when the labels are the defaults."""
    defaults = type(labels)()
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
    parts = TITLE.split(text)
    for k in range(0, len(parts), 2):  # even parts lie outside 《》
        for old, new in pairs:
            parts[k] = parts[k].replace(old, new)
    return "".join(parts)

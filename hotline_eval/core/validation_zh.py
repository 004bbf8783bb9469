"""Pydantic's validation errors in Chinese: the key path of the first error and what is wrong there.

Pydantic words its messages in English ("Input should be a valid integer"). The common error types
are reworded here from the error's context (the bound, the allowed values); an unknown type falls
back to a Chinese sentence that quotes pydantic's own message. A failed union (`int | Literal['auto']`)
yields one error per member, each under the member's type name in the key path: the member whose
shape the value has is reported, or else the forms the value may take.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic_core import ErrorDetails

# What a value should be, by the type error pydantic reports for a value of the wrong type.
TYPE_NOUNS = {
    **dict.fromkeys(["int_type", "int_parsing", "int_parsing_size", "int_from_float"], "整数"),
    **dict.fromkeys(["float_type", "float_parsing", "finite_number", "decimal_type", "decimal_parsing"], "数字"),
    **dict.fromkeys(["bool_type", "bool_parsing"], "布尔值（true 或 false）"),
    **dict.fromkeys(["string_type", "string_unicode"], "文本"),
    **dict.fromkeys(
        ["date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"], "日期（YYYY-MM-DD）"
    ),
    **dict.fromkeys(
        ["datetime_type", "datetime_parsing", "datetime_from_date_parsing", "datetime_object_invalid"],
        "日期时间（YYYY-MM-DD HH:MM:SS）",
    ),
    **dict.fromkeys(["time_type", "time_parsing"], "时刻（HH:MM）"),
    **dict.fromkeys(["time_delta_type", "time_delta_parsing"], "时长"),
    **dict.fromkeys(
        ["dict_type", "mapping_type", "model_type", "model_attributes_type", "dataclass_type"], "键值映射（键: 值）"
    ),
    **dict.fromkeys(["list_type", "tuple_type", "set_type", "frozen_set_type", "iterable_type"], "列表"),
    "none_required": "空值（null）",
}
CHOICE_TYPES = {"literal_error", "enum"}
SENTENCES = {
    "missing": "缺少必填键",
    "extra_forbidden": "未知的键（请对照文档检查拼写）",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应不大于 {le}",
    "multiple_of": "应为 {multiple_of} 的整数倍",
    "string_too_short": "至少应有 {min_length} 个字符",
    "string_too_long": "至多 {max_length} 个字符",
    "too_short": "至少应有 {min_length} 项，实有 {actual_length} 项",
    "too_long": "至多 {max_length} 项，实有 {actual_length} 项",
    "string_pattern_mismatch": "格式不符合要求（应匹配 {pattern}）",
    "union_tag_invalid": "键 {discriminator} 的取值 '{tag}' 无效，应为以下之一：{expected_tags}",
    "union_tag_not_found": "缺少用于区分写法的键 {discriminator}",
}
SHOWN_INPUT = 40  # characters of a wrong value quoted in the message


def first_problem(errors: list[ErrorDetails], data: Any) -> tuple[tuple[int | str, ...], str]:
    """The key path of the first error (union members removed) and its problem in Chinese."""
    loc = tuple(errors[0]["loc"])
    cut = _union_member_position(errors, data)
    if cut is None:
        return loc, problem_zh(errors[0])
    members = [e for e in errors if tuple(e["loc"][:cut]) == loc[:cut] and len(e["loc"]) > cut]
    matched = [e for e in members if len(e["loc"]) > cut + 1 or not _is_type_error(e)]
    if matched:  # the value has this member's shape: what is wrong inside it is the problem
        inner = [{**e, "loc": (*e["loc"][:cut], *e["loc"][cut + 1 :])} for e in matched]
        return first_problem(inner, data)  # type: ignore[arg-type]
    forms = "、".join(dict.fromkeys(_expected(e) for e in members))
    return loc[:cut], f"应为以下形式之一：{forms}{_shown(members[0])}"


def problem_zh(err: ErrorDetails) -> str:
    """One error's problem in Chinese, from its type and context."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])  # the validators of the params models speak Chinese themselves
    if kind == "int_from_float":
        return f"应为整数，不能带小数部分{_shown(err)}"
    if kind in TYPE_NOUNS or kind in CHOICE_TYPES:
        expected = _expected(err)
        return f"应为{' ' if expected[:1].isascii() else ''}{expected}{_shown(err)}"
    if kind in SENTENCES:
        try:
            return SENTENCES[kind].format(**{k: _plain(v) for k, v in ctx.items()})
        except (KeyError, IndexError):
            pass
    return f"取值无效（校验信息：{err['msg']}）"


def _plain(value: Any) -> Any:
    """1.0 → 1: a bound of a float field reads as the number the user wrote."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _expected(err: ErrorDetails) -> str:
    """What the value should be: a noun, or the allowed values."""
    if err["type"] in CHOICE_TYPES:
        allowed = re.sub(r", | or ", "、", str((err.get("ctx") or {}).get("expected", "")))
        return f"以下取值之一：{allowed}" if "、" in allowed else allowed
    return TYPE_NOUNS.get(err["type"]) or problem_zh(err)


def _shown(err: ErrorDetails) -> str:
    """'，实为 <value>' for a short scalar value; nothing for a mapping or a list."""
    value = err.get("input")
    if isinstance(value, bool):
        return f"，实为 {str(value).lower()}"
    if isinstance(value, int | float | dt.date):
        return f"，实为 {value}"
    if isinstance(value, str):
        text = value if len(value) <= SHOWN_INPUT else value[:SHOWN_INPUT] + "…"
        return f"，实为 '{text}'"
    return ""


def _is_type_error(err: ErrorDetails) -> bool:
    return err["type"] in TYPE_NOUNS or err["type"] in CHOICE_TYPES


def _union_member_position(errors: list[ErrorDetails], data: Any) -> int | None:
    """Where the first error's key path names a union member rather than a key of the data.

    A member name is a part of the path that the data do not hold, under which pydantic reports
    more than one member (other errors share the path up to it and differ there). A missing key is
    not held by the data either, but it ends the path of a "missing" error.
    """
    loc = tuple(errors[0]["loc"])
    node = data
    for i, part in enumerate(loc):
        held = part in node if isinstance(node, dict) else _index_in(part, node)
        if held:
            node = node[part]
        else:
            members = {e["loc"][i] for e in errors if _branches_at(e, loc[:i])}
            return i if isinstance(part, str) and _branches_at(errors[0], loc[:i]) and len(members) > 1 else None
    return None


def _index_in(part: int | str, node: Any) -> bool:
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _branches_at(err: ErrorDetails, prefix: tuple) -> bool:
    """Does the error lie under `prefix` and one more part that is not merely a missing key?"""
    n = len(prefix)
    missing_key = err["type"] == "missing" and len(err["loc"]) == n + 1
    return tuple(err["loc"][:n]) == prefix and len(err["loc"]) > n and not missing_key

"""SQL text for DuckDB: literals, identifiers, list literals, fast membership tests."""

from __future__ import annotations


def not_in(expr: str, values: list[str]) -> str:
    """SQL: `expr` is none of `values` (a simple CASE: many times faster in DuckDB than NOT IN)."""
    whens = " ".join(f"WHEN {lit(v)} THEN false" for v in values)
    return f"(CASE {expr} {whens} ELSE true END)" if values else "true"


def list_sql(values: list) -> str:
    """A DuckDB list literal (indexed by file: per-file constants without a join)."""
    return "[" + ", ".join("NULL" if v is None else lit(v) for v in values) + "]"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lit(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"

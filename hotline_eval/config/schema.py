"""The canonical schema (params/schema.yaml): tables, columns, code lists, row rules."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator

from hotline_eval.core.errors import ConfigError
from hotline_eval.core.paramfiles import Strict, load_model

ColumnType = Literal["string", "integer", "number", "boolean", "timestamp", "date"]

SQL_TYPES: dict[str, str] = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "timestamp": "TIMESTAMPTZ",
    "date": "DATE",
}


class CodeList(Strict):
    doc: str
    values: dict[str, str]


class Column(Strict):
    type: ColumnType
    zh: str
    doc: str | None = None
    required: bool = False
    unique: bool = False
    codes: str | None = None
    default: str | int | float | bool | None = None
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    pii: Literal["phone"] | None = None
    presumed: bool = False  # a source that does not record the column is presumed to mean its default
    scan: Literal["text", "id", "code", "person", "none"] | None = None  # personal numbers in its text (masking.py)

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]

    @property
    def scan_kind(self) -> str | None:
        """How ingest masks the personal numbers in the column's text (core/masking.py scan_sql):
        as declared; a coded column holds only its codes (None), any other text column is `text`."""
        if self.type != "string":
            return None
        kind = self.scan or ("none" if self.codes else "text")
        return None if kind == "none" else kind


class RowRule(Strict):
    """A rule every record must keep. `clear`: a record that breaks it keeps everything but `column`
    (cleared, and listed in cleared/<table>.csv); otherwise the record is rejected."""

    check: str
    column: str
    zh: str
    clear: bool = False


def columns_in(sql: str, names: Iterable[str]) -> set[str]:
    """The column names among `names` that a SQL text refers to (as whole words)."""
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", sql))
    return words & set(names)


class Table(Strict):
    zh: str
    doc: str
    key: str | None
    month_column: str | None
    columns: dict[str, Column]
    rules: list[RowRule] = []

    @property
    def required(self) -> list[str]:
        return [name for name, col in self.columns.items() if col.required]

    def checkable(self, check: str, provided: Iterable[str]) -> bool:
        """A rule can be checked when every column it reads is provided by the source."""
        return columns_in(check, self.columns) <= set(provided)


class Schema(Strict):
    codes: dict[str, CodeList]
    tables: dict[str, Table]

    @model_validator(mode="after")
    def _codes_exist(self) -> Schema:
        for tname, table in self.tables.items():
            for cname, col in table.columns.items():
                if col.codes and col.codes not in self.codes:
                    where = f"tables.{tname}.columns.{cname}"
                    raise ValueError(f"{where}：未知的代码表 '{col.codes}'")
            for rule in table.rules:
                if rule.clear and table.columns[rule.column].required:
                    raise ValueError(f"tables.{tname}.rules：必填列 {rule.column} 不能按 clear 清空，请去掉 clear")
        return self

    def table(self, name: str) -> Table:
        try:
            return self.tables[name]
        except KeyError:
            raise ConfigError("params/schema.yaml", "tables", f"没有表 '{name}'") from None

    def label(self, code_list: str, value: str) -> str:
        """Chinese label of a code value (the value itself when unknown)."""
        return self.codes[code_list].values.get(value, value)


@cache
def load_schema(root: Path) -> Schema:
    return load_model(Schema, root / "params" / "schema.yaml")


def schema_markdown(schema: Schema) -> str:
    """The schema as Markdown, for the manual (docs/hooks.py builds docs/data/schema.md) and `hotline-eval schema`."""
    lines = ["# Canonical schema", "", "Generated from `params/schema.yaml`.", ""]
    for tname, table in schema.tables.items():
        lines += [f"## `{tname}` — {table.zh}", "", table.doc, ""]
        lines += ["| column | type | required | allowed values / range | 中文 | meaning |", "|---|---|---|---|---|---|"]
        for cname, col in table.columns.items():
            allowed = f"`{col.codes}`" if col.codes else _range(col)
            doc = (col.doc or "").replace("|", "\\|")
            if col.default is not None:
                shown = str(col.default).lower() if isinstance(col.default, bool) else col.default
                presumed = " (also when the source does not record it)." if col.presumed else "."
                doc = (doc + f" Empty: `{shown}`" + presumed).strip()
            req = "yes" if col.required else ""
            lines.append(f"| `{cname}` | {col.type} | {req} | {allowed} | {col.zh} | {doc} |")
        if table.rules:
            lines += ["", "Row rules: " + "; ".join(f"{r.zh} (`{r.check}`)" for r in table.rules)]
        lines += _scan_note(table)
        lines.append("")
    lines += ["## Code lists", ""]
    for name, codes in schema.codes.items():
        values = ", ".join(f"`{k}` {v}" for k, v in codes.values.items())
        lines += [f"- **`{name}`** — {codes.doc} {values}"]
    return "\n".join(lines) + "\n"


def _scan_note(table: Table) -> list[str]:
    """Which columns ingest scans for personal numbers, and how (docs/data/personal-data.md)."""
    how = {
        "text": "masked in place in",
        "id": "hashed in the identifiers",
        "code": "hashed in the codes",
        "person": "hashed in the people's ids",
    }
    parts = []
    for kind, shown in how.items():
        names = [f"`{c}`" for c, col in table.columns.items() if col.scan_kind == kind]
        if names:
            parts.append(f"{shown} {', '.join(names)}")
    if not parts:
        return []
    return ["", "Personal numbers in text ([personal data](personal-data.md)): " + "; ".join(parts) + "."]


def _range(col: Column) -> str:
    if col.min is None and col.max is None:
        return ""
    lo = "" if col.min is None else f"≥ {col.min:g}"
    hi = "" if col.max is None else f"≤ {col.max:g}"
    return " ".join(p for p in (lo, hi) if p)

"""Column mappings (params/mappings/*.yaml): how a source system's exports become canonical tables.

A mapping describes one source system (a vendor's 12345 platform, a province's reporting
template, a real public data set). For each canonical table it names the export files and, for
each canonical column, where its value comes from:

- ``column: 来电时间`` — copy a source column;
- ``{from: 来电时间, format: "%Y/%m/%d %H:%M:%S"}`` — parse a timestamp with a strptime format
  (or a list of formats, tried in order, for exports whose layout changed);
- ``{from: [来电日期, 来电时刻], format: ...}`` — several source columns joined by a space (a date
  and a time of day kept in two columns);
- ``{from: 应答时间, add_seconds: 通话时长}`` — a timestamp plus durations (seconds, or H:MM:SS)
  from one or more source columns; an empty duration adds nothing;
- ``{from: 呼叫结果, values: {已接通: answered, 放弃: abandoned}}`` — recode values;
- ``{from: 主叫号码, mask: phone}`` — personal data: hashed on the way in, never stored;
  ``mask: id`` does the same for any other identifier of a person (customer number, agent name);
- ``{expr: "..."}`` — a DuckDB SQL expression over source columns (quote them: "列名");
- ``{const: linjiang}`` — a constant;
- ``when: "<SQL condition over source columns>"`` (with any of the above but a constant) — the
  value only where the condition holds, empty elsewhere (e.g. an answer time only for answered calls).

A table's ``filter`` (SQL over source columns) keeps only the rows of the export that belong to
the table; the others are counted as excluded, never as rejected.

Source columns holding personal data that the evaluation does not need (names, ID numbers,
addresses) are listed under ``personal_columns`` and dropped at ingest.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from hotline_eval.config.schema import Schema, load_schema
from hotline_eval.core.errors import ConfigError
from hotline_eval.core.paramfiles import Strict, load_yaml, named_file, validate

Scalar = str | int | float | bool


class ReadOptions(Strict):
    """How to read the export files. Every key may be overridden per table."""

    encoding: Literal["auto", "utf-8", "utf-8-sig", "gb18030", "gbk"] = "auto"
    header_row: int | Literal["auto"] = "auto"
    sheet: str | None = None
    delimiter: str = ","
    null_values: list[str] = Field(default_factory=lambda: ["", "NULL", "null"])


class ColumnSource(Strict):
    """Where one canonical column comes from (exactly one of from / expr / const).

    `from` is one source column, or a list of columns joined by a space (kept in `parts`, with
    `source` left empty, so that `source` always names one column).
    """

    source: str | None = Field(default=None, alias="from")
    parts: list[str] | None = None
    expr: str | None = None
    const: Scalar | None = None
    format: str | list[str] | None = None
    values: dict[str, Scalar | None] | None = None
    mask: Literal["phone", "id"] | None = None
    add_seconds: list[str] | None = None
    when: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _lists(cls, data: object) -> object:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        origin = data.get("from")
        if isinstance(origin, list):
            if not origin or not all(isinstance(c, str) and c for c in origin):
                raise ValueError("from 应为一个列名或列名列表")
            if len(origin) == 1:
                data["from"] = origin[0]
            else:
                data["parts"] = origin
                data.pop("from")
        if isinstance(data.get("add_seconds"), str):
            data["add_seconds"] = [data["add_seconds"]]
        if isinstance(data.get("format"), list) and len(data["format"]) == 1:
            data["format"] = data["format"][0]
        return data

    @model_validator(mode="after")
    def _one_origin(self) -> ColumnSource:
        given = [k for k in ("source", "parts", "expr", "const") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("from、expr、const 须恰好给出其中一个")
        if self.mask and self.source is None:
            raise ValueError("mask 须与只含一列的 from 一同使用（from 为含个人信息的源列）")
        if self.mask and (self.values or self.when or self.add_seconds):
            raise ValueError("脱敏列在读取时即被哈希，不能再用 values、when 或 add_seconds")
        if self.const is not None and (self.when or self.add_seconds or self.values):
            raise ValueError("const 不能与 values、when 或 add_seconds 一同使用")
        if self.add_seconds is not None and not self.add_seconds:
            raise ValueError("add_seconds 须至少列出一个源列")
        return self

    @property
    def formats(self) -> list[str]:
        if self.format is None:
            return []
        return [self.format] if isinstance(self.format, str) else list(self.format)

    @property
    def label(self) -> str:
        """The source column(s) as rejects and messages name them (durations added included)."""
        return " + ".join(self.columns)

    @property
    def columns(self) -> list[str]:
        """Every source column this column reads by name (not those inside SQL expressions)."""
        named = [self.source] if self.source else list(self.parts or [])
        return named + list(self.add_seconds or [])


class TableMapping(Strict):
    files: str | list[str]
    read: ReadOptions | None = None
    columns: dict[str, ColumnSource]  # `canonical: 源列` is short for `canonical: {from: 源列}`
    filter: str | None = None

    @field_validator("columns", mode="before")
    @classmethod
    def _plain_columns(cls, value: object) -> object:
        if isinstance(value, dict):
            return {k: {"from": v} if isinstance(v, str) else v for k, v in value.items()}
        return value

    @property
    def patterns(self) -> list[str]:
        return [self.files] if isinstance(self.files, str) else list(self.files)

    def source(self, column: str) -> ColumnSource | None:
        return self.columns.get(column)


class Mapping(Strict):
    id: str
    name_zh: str
    doc: str | None = None
    read: ReadOptions = ReadOptions()
    personal_columns: dict[str, Literal["name", "id_number", "address", "phone", "text"]] = {}
    tables: dict[str, TableMapping]

    def read_options(self, table: str) -> ReadOptions:
        override = self.tables[table].read
        if override is None:
            return self.read
        merged = self.read.model_dump() | override.model_dump(exclude_unset=True)
        return ReadOptions.model_validate(merged)


def check_against_schema(mapping: Mapping, schema: Schema, path: Path) -> None:
    """Every mapped table and column exists; every required column is mapped."""
    for tname, tmap in mapping.tables.items():
        if tname not in schema.tables:
            valid = "、".join(schema.tables)
            raise ConfigError(path, f"tables.{tname}", f"未知的表；可用的表：{valid}")
        table = schema.tables[tname]
        for cname in tmap.columns:
            if cname not in table.columns:
                raise ConfigError(
                    path,
                    f"tables.{tname}.columns.{cname}",
                    f"表 '{tname}' 没有列 '{cname}'；可用的列：{'、'.join(table.columns)}",
                )
            src = tmap.source(cname)
            kind = table.columns[cname].type
            if src.add_seconds and kind != "timestamp":
                problem = f"列 '{cname}' 的类型为 {kind}，不是时间戳（timestamp）"
                raise ConfigError(path, f"tables.{tname}.columns.{cname}.add_seconds", problem)
            if table.columns[cname].pii == "phone" and src.mask is None and src.const is None:
                raise ConfigError(
                    path,
                    f"tables.{tname}.columns.{cname}",
                    f"列 '{cname}' 由电话号码生成，须写 mask: phone（读取时即哈希，号码不落盘）",
                    fix=f"请写成 {cname}: {{from: 源列, mask: phone}}",
                )
            if src.format is not None and kind not in ("timestamp", "date"):
                problem = f"列 '{cname}' 的类型为 {kind}，只有时间和日期列才能设 format"
                raise ConfigError(path, f"tables.{tname}.columns.{cname}.format", problem)
        missing = [c for c in table.required if c not in tmap.columns and c != "city"]
        if missing:
            raise ConfigError(
                path,
                f"tables.{tname}.columns",
                f"以下必填列没有映射：{'、'.join(missing)}",
                fix="请为每个必填列给出映射（运行 hotline-eval schema 可列出必填列），或用 const 给出固定值",
            )


@cache
def load_mapping(root: Path, name: str) -> Mapping:
    path = named_file(root / "params" / "mappings", "mapping", name)
    mapping = validate(Mapping, load_yaml(path), path)
    if mapping.id != name:
        raise ConfigError(path, "id", f"标识 '{mapping.id}' 与文件名 '{name}' 不一致")
    check_against_schema(mapping, load_schema(root), path)
    return mapping

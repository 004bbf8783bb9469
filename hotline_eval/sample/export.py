"""Writing generated tables the way each source system exports them.

The layout of an export is not described twice: the generator inverts the system's column
mapping (params/mappings/<system>.yaml), so the sample exports and the ingest that reads them
back can never drift apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import xlsxwriter

from hotline_eval.config.mapping import ColumnSource, Mapping, TableMapping
from hotline_eval.config.schema import Table

FAST_FORMATS = {"%Y-%m-%d %H:%M:%S": "-", "%Y/%m/%d %H:%M:%S": "/"}


def export_table(
    frame: pd.DataFrame,
    mapping: Mapping,
    table: str,
    path: Path,
    *,
    personal: dict[str, np.ndarray] | None = None,
    title: tuple[str, str] | None = None,
    file_format: str = "native",
) -> None:
    """Write one canonical frame as the system's export file (CSV, GBK CSV, XLSX or Parquet)."""
    options = mapping.read_options(table)
    columns: dict[str, Any] = {}
    for _, spec, raw in _mapped(frame, mapping.tables[table]):
        if raw is None:
            raw = pd.Series([None] * len(frame))
        xlsx = path.suffix == ".xlsx" and file_format == "native"
        columns[spec.source] = _encode(raw, spec, keep_datetimes=xlsx)
        if spec.mask == "phone" and personal:
            columns.update({name: values for name, values in personal.items()})
    out = pd.DataFrame(columns)
    path.parent.mkdir(parents=True, exist_ok=True)
    if file_format == "parquet":
        out.astype("string").to_parquet(path.with_suffix(".parquet"), index=False)
    elif path.suffix == ".xlsx":
        _write_xlsx(out, path, title or (path.stem, ""))
    else:
        encoding = "utf-8-sig" if options.encoding in ("auto", "utf-8", "utf-8-sig") else options.encoding
        out.to_csv(path, index=False, encoding=encoding, sep=options.delimiter)


def _mapped(frame: pd.DataFrame, tmap: TableMapping) -> Iterator[tuple[str, ColumnSource, pd.Series | None]]:
    """(canonical column, its source spec, the frame's values or None) of each column the mapping
    reads from the export (the generator's raw phone number for a masked phone column)."""
    for canonical in tmap.columns:
        spec = tmap.source(canonical)
        if spec is not None and spec.source is not None:
            yield canonical, spec, frame["_phone"] if spec.mask == "phone" else frame.get(canonical)


ARROW_TYPES = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "timestamp": pa.timestamp("s"),
    "date": pa.date32(),
}


def export_canonical(frame: pd.DataFrame, mapping: Mapping, table: str, spec: Table, path: Path) -> None:
    """Write one canonical frame as typed Parquet in the canonical layout (params/mappings/canonical.yaml).

    No text formatting: times stay times (naive Beijing time), flags booleans, so that a
    province-scale sample is written in seconds and ingest reads it without parsing. Columns the
    generator did not produce are left out (ingest treats them as an optional column the export lacks).
    """
    arrays: dict[str, pa.Array] = {}
    for canonical, source, raw in _mapped(frame, mapping.tables[table]):
        if raw is None:
            continue
        arrays[source.source] = _arrow(np.asarray(raw), ARROW_TYPES[spec.columns[canonical].type])
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(arrays), path, compression="zstd")


def _arrow(values: np.ndarray, kind: pa.DataType) -> pa.Array:
    if pa.types.is_timestamp(kind):
        return pa.array(values.astype("datetime64[s]"), kind)
    if pa.types.is_date(kind):
        return pa.array(values.astype("datetime64[D]"), kind)
    try:
        return pa.array(values, kind, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # e.g. numbers in a text column: one by one
        return pa.array([None if _missing(v) else str(_plain(v)) for v in values], kind)


def _encode(raw: pd.Series | np.ndarray, spec: ColumnSource, *, keep_datetimes: bool) -> pd.Series:
    values = pd.Series(np.asarray(raw, dtype=object) if not _is_datetime(raw) else np.asarray(raw))
    if _is_datetime(values):
        if keep_datetimes:
            return values.astype("datetime64[s]").dt.to_pydatetime().astype(object) if len(values) else values
        return _format_times(values, spec.formats[0] if spec.formats else "%Y-%m-%d %H:%M:%S")
    if spec.values:
        inverse: dict[Any, Any] = {}
        for source_value, canonical in spec.values.items():
            inverse.setdefault(canonical, source_value)
        null_key = inverse.pop(None, None)
        mapped = values.map(inverse)
        mapped = mapped.where(mapped.notna() | values.isna(), values)
        return mapped.where(values.notna(), null_key)
    if values.map(type).eq(str).all():
        return values
    return values.map(lambda v: None if _missing(v) else _plain(v))


def _is_datetime(values: Any) -> bool:
    return np.issubdtype(np.asarray(values).dtype, np.datetime64)


def _format_times(values: pd.Series, fmt: str) -> pd.Series:
    stamps = values.to_numpy().astype("datetime64[s]")
    if fmt in FAST_FORMATS:
        text = np.datetime_as_string(stamps, unit="s").astype(object)
        text = pd.Series(text).str.replace("T", " ", regex=False)
        if FAST_FORMATS[fmt] == "/":
            text = text.str.replace("-", "/", regex=False)
        return text.where(~np.isnat(stamps), None)
    if fmt == "%Y-%m-%d":
        text = pd.Series(np.datetime_as_string(stamps, unit="D").astype(object))
        return text.where(~np.isnat(stamps), None)
    return pd.Series(pd.to_datetime(stamps).strftime(fmt)).where(~np.isnat(stamps), None)


def _missing(value: Any) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value))


def _plain(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        return float(value)
    if isinstance(value, np.datetime64):
        return str(value.astype("datetime64[D]"))
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _write_xlsx(frame: pd.DataFrame, path: Path, title: tuple[str, str]) -> None:
    """An Excel report: title row, note row, then the header (as vendor reports look)."""
    options = {"constant_memory": True, "default_date_format": "yyyy-mm-dd hh:mm:ss"}
    with xlsxwriter.Workbook(path, options) as wb:
        wb.set_properties({"created": dt.datetime(2026, 1, 1)})  # byte-identical files for the same seed
        ws = wb.add_worksheet("明细")
        ws.merge_range(0, 0, 0, max(len(frame.columns) - 1, 1), title[0])
        ws.write_row(1, 0, [f"{title[1]}    记录数：{len(frame)}"])
        ws.write_row(2, 0, list(frame.columns))
        for r, row in enumerate(frame.itertuples(index=False, name=None), start=3):
            ws.write_row(r, 0, [None if _missing(v) else v for v in row])

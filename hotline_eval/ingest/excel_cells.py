"""Excel cells as text, as a person reading the sheet sees them.

Date-times to the second, whole numbers without ".0", merged cells repeated over their range.
Columns of one type are converted with Arrow at C speed; mixed columns cell by cell.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def object_grid(rows: list[list], width: int) -> np.ndarray:
    """The body of a sheet as a 2-D object array `width` columns wide (rows are usually even)."""
    if rows and all(len(r) == width for r in rows):
        grid = np.empty((len(rows), width), dtype=object)
        grid[:] = rows
        return grid
    grid = np.empty((len(rows), width), dtype=object)
    for i, row in enumerate(rows):
        grid[i, : min(len(row), width)] = row[:width]
    return grid


def header_text(value: object) -> str:
    text = cell_text(value)
    return (text or "").strip()


def column_text(values: np.ndarray, nulls: list[str]) -> pa.Array:
    """One worksheet column as text, as `cell_text` writes each cell (then trimmed, nulls as NULL).

    Vectorised when every cell has the same Python type; a column mixing types (dates and
    date-times, numbers and text) is converted cell by cell, because Arrow would coerce it
    (a date first makes every later date-time lose its time of day).
    """
    kinds = {type(v) for v in values} - {type(None)}
    convert = VECTORISED.get(kinds.pop()) if len(kinds) == 1 else None
    arr = None
    if convert is not None:
        try:
            arr = convert(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            arr = None
    if arr is None:
        arr = pa.array([cell_text(v) for v in values], pa.string())
    arr = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.is_in(arr, value_set=pa.array(nulls, pa.string())), pa.scalar(None, pa.string()), arr)


def datetimes(values: np.ndarray) -> pa.Array:
    stamps = pa.array(values, pa.timestamp("us"))
    rounded = pc.floor_temporal(pc.add(stamps, pa.scalar(500_000, pa.duration("us"))), unit="second")
    return pc.strftime(rounded.cast(pa.timestamp("s")), format="%Y-%m-%d %H:%M:%S")


def floats(values: np.ndarray) -> pa.Array | None:
    arr = pa.array(values, pa.float64())
    whole = pc.and_(pc.equal(arr, pc.floor(arr)), pc.less(pc.abs(arr), 2.0**53))
    if not pc.all(pc.or_(whole, pc.is_null(arr))).as_py():
        return None  # Python and Arrow write fractions differently: cell by cell
    return pc.cast(pc.cast(arr, pa.int64()), pa.string())


VECTORISED = {
    str: lambda v: pa.array(v, pa.string()),
    dt.datetime: datetimes,
    dt.date: lambda v: pa.array(v, pa.date32()).cast(pa.string()),
    int: lambda v: pa.array(v, pa.int64()).cast(pa.string()),
    bool: lambda v: pa.array(v, pa.bool_()).cast(pa.string()),
    float: floats,
}


def cell_text(value: object) -> str | None:
    """A worksheet cell as text: date-times to the second (rounded), whole numbers without .0."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return (value + dt.timedelta(microseconds=500_000)).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def fill_merged(rows: list[list], ranges: list) -> None:
    """Give every cell of a merged range the value of its top-left cell (as a reader sees it)."""
    for (row0, col0), (row1, col1) in ranges:
        if row0 >= len(rows):
            continue
        top = rows[row0]
        value = top[col0] if col0 < len(top) else None
        for r in range(row0, min(row1, len(rows) - 1) + 1):
            row = rows[r]
            row.extend([None] * (col1 + 1 - len(row)))
            row[col0 : col1 + 1] = [value] * (col1 - col0 + 1)

"""Spreadsheets of formatted tables written with XlsxWriter: a header row, number formats, column
widths by display width, a frozen header with filters, A4 landscape print setup, and text that no
spreadsheet evaluates as a formula. The score sheet (score/scoresheet.py) and the fieldwork kit's
sampling design use it; the fill-in forms (cycle/fieldwork/workbook.py) share its text rules.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter

from hotline_eval.core.store import atomic_write_bytes

FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {
    "text": {},
    "int": {"num_format": "#,##0"},
    "score": {"num_format": "0.00"},
    "pct": {"num_format": "0.00%"},
    "pct1": {"num_format": "0.0%"},
    "dec1": {"num_format": "0.0"},
    "dec2": {"num_format": "0.00"},
    "dec4": {"num_format": "0.0000"},
}


def safe_text(value: Any) -> str:
    """Text that no spreadsheet will evaluate as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_LEAD) else text


@dataclass(frozen=True)
class SheetColumn:
    header: str
    get: Callable[[Mapping[str, Any]], Any]  # a row's value (the row maps column names to values)
    fmt: str | Callable[[Mapping[str, Any]], str] = "text"


@dataclass(frozen=True)
class Sheet:
    name: str
    title: str
    frame: pd.DataFrame
    columns: list[SheetColumn]


def write_workbook(path: Path, sheets: list[Sheet], footer_zh: str) -> None:
    """Write the sheets to one workbook, atomically (an interrupted run never leaves a half-written file)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "nan_inf_to_errors": False})
    base = {"font_name": "等线", "font_size": 10, "valign": "vcenter"}
    formats = {name: book.add_format(base | spec) for name, spec in FORMATS.items()}
    head = book.add_format(
        base | {"bold": True, "bg_color": "#DDE4EE", "border": 1, "text_wrap": True, "align": "center"}
    )
    for sheet in sheets:
        _write_sheet(book, sheet, formats, head, footer_zh)
    book.close()
    atomic_write_bytes(path, buffer.getvalue())


def _write_sheet(book, sheet: Sheet, formats: dict, head, footer_zh: str) -> None:
    ws = book.add_worksheet(sheet.name)
    widths = [display_width(c.header) for c in sheet.columns]
    for j, col in enumerate(sheet.columns):
        ws.write_string(0, j, col.header, head)
    # rows as dicts: pandas builds a Series per row in iterrows, many times slower on thousands of rows
    for i, row in enumerate(sheet.frame.to_dict("records"), start=1):
        for j, col in enumerate(sheet.columns):
            value = col.get(row)
            fmt = col.fmt(row) if callable(col.fmt) else col.fmt
            widths[j] = max(widths[j], _write_cell(ws, i, j, value, formats[fmt]))
    for j, width in enumerate(widths):
        ws.set_column(j, j, min(max(width + 2, 6), 60))
    ws.freeze_panes(1, 0)
    if len(sheet.frame):
        ws.autofilter(0, 0, len(sheet.frame), len(sheet.columns) - 1)
    ws.set_row(0, 30)
    _print_setup(ws, sheet.title, footer_zh)


def _write_cell(ws, i: int, j: int, value: Any, fmt) -> int:
    """Write one cell by its type; returns its display width."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        ws.write_blank(i, j, None, fmt)
        return 0
    if isinstance(value, bool | np.bool_):
        text = "是" if value else "否"
        ws.write_string(i, j, text, fmt)
        return display_width(text)
    if isinstance(value, int | float | np.integer | np.floating):
        ws.write_number(i, j, float(value), fmt)
        return 12
    text = safe_text(value)
    ws.write_string(i, j, text, fmt)
    return display_width(text)


def display_width(text: str) -> int:
    """Display width: CJK characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _print_setup(ws, title: str, footer_zh: str) -> None:
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.repeat_rows(0)
    ws.fit_to_pages(1, 0)  # one page wide, as many pages tall as needed
    ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
    ws.set_header(f'&C&"等线,Bold"{_escape_header(title)}')
    ws.set_footer(f"&L{_escape_header(footer_zh)}&R第 &P 页 / 共 &N 页")


def _escape_header(text: str) -> str:
    return text.replace("&", "&&")

"""Writing fill-in forms with XlsxWriter: a title row, a header row, pre-filled columns that are locked
and grey, input columns with drop-downs or number limits, frozen headers and A4 print setup.

Pre-filled text goes through core/xlsx.py's safe_text, so data starting with =, +, -, @ stays text.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter

from hotline_eval.core.store import atomic_write_bytes
from hotline_eval.core.xlsx import display_width, safe_text

FONT = {"font_name": "等线", "font_size": 10, "valign": "vcenter"}
MESSAGE_LIMIT = 255  # Excel's limit for a validation input message


@dataclass(frozen=True)
class Input:
    """What a reviewer may enter in a column: one of `choices`, or a number between low and high."""

    choices: tuple[str, ...] = ()
    number: str | None = None  # "integer" | "decimal"
    low: float = 0
    high: float = 0
    message: str = ""


@dataclass(frozen=True)
class FormColumn:
    header: str
    input: Input | None = None  # None: pre-filled and locked
    width: int | None = None
    formula: str | None = None  # an Excel formula per row, {row} = the 1-based row number (display only)


@dataclass
class Form:
    sheet: str
    title: str
    columns: list[FormColumn]
    rows: list[list[Any]]  # pre-filled values, one list per row (None where the reviewer fills in)
    footer: str
    notes: list[tuple[str, str]] = field(default_factory=list)  # the instructions sheet: (item, text)
    rules: list[tuple[str, list[list[str]]]] = field(default_factory=list)  # the rules sheet: (title, table)
    cell_inputs: dict[tuple[int, int], Input] = field(default_factory=dict)  # (row, column) → its own limits
    notes_sheet: str = "填表说明"
    rules_sheet: str = "评定规则"


def write_form(path: Path, form: Form) -> None:
    """The workbook: instructions first, then the form (sheet `form.sheet`), then the rules; atomically."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    fmt = _formats(book)
    notes = book.add_worksheet(form.notes_sheet)
    _write_notes(notes, form, fmt)
    _write_records(book.add_worksheet(form.sheet), form, fmt)
    if form.rules:
        _write_rules(book.add_worksheet(form.rules_sheet), form, fmt)
    notes.activate()
    book.close()
    atomic_write_bytes(path, buffer.getvalue())


def _formats(book) -> dict[str, Any]:
    return {
        "title": book.add_format(FONT | {"bold": True, "font_size": 12}),
        "head": book.add_format(
            FONT | {"bold": True, "bg_color": "#DDE4EE", "border": 1, "text_wrap": True, "align": "center"}
        ),
        "fixed": book.add_format(FONT | {"bg_color": "#F2F2F2", "border": 1, "locked": True}),
        "input": book.add_format(FONT | {"border": 1, "locked": False, "bg_color": "#FFFFFF"}),
        "wrap": book.add_format(FONT | {"text_wrap": True, "valign": "top"}),
        "label": book.add_format(FONT | {"bold": True, "valign": "top"}),
    }


def _write_records(ws, form: Form, fmt: dict) -> None:
    columns = form.columns
    ws.merge_range(0, 0, 0, len(columns) - 1, form.title, fmt["title"])
    ws.set_row(0, 24)
    widths = [display_width(c.header) for c in columns]
    for j, col in enumerate(columns):
        ws.write_string(1, j, col.header, fmt["head"])
    ws.set_row(1, 36)
    for i, row in enumerate(form.rows, start=2):
        for j, (col, value) in enumerate(zip(columns, row, strict=True)):
            style = fmt["fixed"] if col.input is None else fmt["input"]
            if col.formula:
                ws.write_formula(i, j, col.formula.format(row=i + 1), style)
            elif value is None or value == "":
                ws.write_blank(i, j, None, style)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                ws.write_number(i, j, value, style)
            else:
                text = safe_text(value)
                ws.write_string(i, j, text, style)
                widths[j] = max(widths[j], display_width(text))
    last = 1 + len(form.rows)
    for j, col in enumerate(columns):
        ws.set_column(j, j, col.width or min(max(widths[j] + 2, 8), 40))
        if col.input is None or not form.rows:
            continue
        if any(key[1] == j for key in form.cell_inputs):  # limits of their own, row by row
            for i in range(len(form.rows)):
                ws.data_validation(2 + i, j, 2 + i, j, _validation(form.cell_inputs.get((i, j), col.input)))
        else:
            ws.data_validation(2, j, last, j, _validation(col.input))
    ws.freeze_panes(2, 1)
    if form.rows:
        ws.autofilter(1, 0, last, len(columns) - 1)
    ws.protect("", {"autofilter": True, "sort": True, "format_columns": True, "format_rows": True})
    _print_setup(ws, form.footer, repeat=(0, 1))


def _validation(spec: Input) -> dict[str, Any]:
    if spec.choices:
        rule: dict[str, Any] = {"validate": "list", "source": list(spec.choices)}
        error = f"请从下拉列表中选择：{'、'.join(spec.choices)}"
    elif spec.number is None:  # free text: only the input message
        rule, error = {"validate": "any"}, ""
    else:
        rule = {"validate": spec.number, "criteria": "between", "minimum": spec.low, "maximum": spec.high}
        error = f"请填写{spec.low:g}至{spec.high:g}之间的{'整数' if spec.number == 'integer' else '数值'}"
    if error:
        rule |= {"error_title": "输入有误", "error_message": error}
    rule["ignore_blank"] = True
    if spec.message:
        rule |= {"input_title": "填写提示", "input_message": spec.message[:MESSAGE_LIMIT]}
    return rule


def _write_notes(ws, form: Form, fmt: dict) -> None:
    ws.write_string(0, 0, form.title, fmt["title"])
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 100)
    for i, (item, text) in enumerate(form.notes, start=2):
        ws.write_string(i, 0, item, fmt["label"])
        ws.write_string(i, 1, safe_text(text), fmt["wrap"])
    _print_setup(ws, form.footer, landscape=False)


def _write_rules(ws, form: Form, fmt: dict) -> None:
    row = 0
    ws.set_column(0, 0, 16)
    ws.set_column(1, 5, 36)
    for title, table in form.rules:
        ws.write_string(row, 0, title, fmt["title"])
        row += 1
        for cells in table:
            for j, cell in enumerate(cells):
                ws.write_string(row, j, safe_text(cell), fmt["head"] if row and cells is table[0] else fmt["wrap"])
            row += 1
        row += 1
    _print_setup(ws, form.footer)


def _print_setup(ws, footer: str, *, landscape: bool = True, repeat: tuple[int, int] | None = None) -> None:
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    if repeat:
        ws.repeat_rows(*repeat)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_footer(f"&L{footer.replace('&', '&&')}&R第 &P 页 / 共 &N 页")

"""HTML tables for documents: Chinese headers, formatted cells, every value escaped.

Tables are built to fit an A4 portrait page: column widths may be fixed (they then wrap instead of
overflowing), long tables split across pages with the header repeated (print CSS), and
`group` inserts a full-width row whenever a grouping value changes (indicators by dimension).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import pandas as pd

from hotline_eval.core import fmt

KEEP_ROWS = 18  # a table this short is not split across pages
# Monthly tables list the months across (one column each) up to this many months; a longer period turns
# the table: one row per month, one column per indicator (docs/documents/city-report.md#months).
MONTHS_ACROSS = 12


def months_down(frame: pd.DataFrame, key: str, corner: str) -> pd.DataFrame:
    """A table of one row per indicator (`key` names it) and one column per month turned: one row per
    column of `frame` (months first, in their order), one column per indicator; `corner` heads the
    first column."""
    turned = frame.set_index(key).T
    turned.columns = [str(c) for c in turned.columns]
    return turned.rename_axis(corner).reset_index()


def html_table(
    frame: pd.DataFrame,
    caption: str,
    *,
    note: str | None = None,
    number: int | None = None,
    align_right: Sequence[str] | None = None,
    center: Sequence[str] | None = None,
    highlight_row: int | None = None,
    widths: Sequence[float] | None = None,
    group: str | None = None,
    classes: dict[tuple[int, str], str] | None = None,
    keep: bool | None = None,
    literal: Sequence[str] | None = None,
) -> str:
    """A document table: caption above (表N …), optional source note below. Cells are text.

    widths: relative column widths (any scale), one per shown column; fixes the layout.
    group: a column whose value, when it changes, becomes a full-width group row (not a column).
    classes: extra CSS class of single cells, keyed by (row position, column), e.g. "up"/"down".
    keep: keep the table on one page in print (default: when it has at most KEEP_ROWS rows);
    longer tables split across pages with their header repeated.
    literal: columns whose cells are names or codes the reader types as shown (a column header of a
    template, a city's code): class "literal", which the document linter (report/lint.py) reads.
    """
    shown = [c for c in frame.columns if c != group]
    if widths is not None and len(widths) != len(shown):
        raise ValueError(f"给出了{len(widths)}个列宽，但表有{len(shown)}列")
    cell_class = _cell_classes(shown, align_right or [], center or [], literal or [])
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown)
    rows, current = [], object()
    for i, (_, row) in enumerate(frame.iterrows()):
        if group is not None and row[group] != current:
            current = row[group]
            rows.append(f'<tr class="group"><th colspan="{len(shown)}">{html.escape(str(current))}</th></tr>')
        extra = classes or {}
        cells = "".join(_td(row[c], " ".join(filter(None, [cell_class[c], extra.get((i, c), "")]))) for c in shown)
        cls = ' class="highlight"' if highlight_row == i else ""
        rows.append(f"<tr{cls}>{cells}</tr>")
    label = f"表{number}　" if number else ""
    foot = f'<p class="table-note">{html.escape(note)}</p>' if note else ""
    keep = len(frame) <= KEEP_ROWS if keep is None else keep
    return (
        f'<figure class="table{" keep" if keep else ""}"><figcaption>{html.escape(label + caption)}</figcaption>'
        f'<table class="report{" fixed" if widths else ""}">{_colgroup(widths)}'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{foot}</figure>"
    )


def _cell_classes(
    columns: list[str], right: Sequence[str], center: Sequence[str], literal: Sequence[str]
) -> dict[str, str]:
    align = {c: "num" if c in right else "center" if c in center else "" for c in columns}
    return {c: " ".join(filter(None, [align[c], "literal" if c in literal else ""])) for c in columns}


def _td(value: object, cls: str) -> str:
    """A cell; a missing value shows as the dash, never as "nan" or "None"."""
    attr = f' class="{cls}"' if cls else ""
    text = fmt.DASH if fmt.missing(value) else str(value)
    return f"<td{attr}>{html.escape(text)}</td>"


def _colgroup(widths: Sequence[float] | None) -> str:
    if not widths:
        return ""
    total = sum(widths)
    return "<colgroup>" + "".join(f'<col style="width:{w / total * 100:.1f}%">' for w in widths) + "</colgroup>"

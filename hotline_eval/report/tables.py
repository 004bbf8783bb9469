"""HTML tables for reports: Chinese headers, formatted cells, every value escaped."""

from __future__ import annotations

import html

import pandas as pd


def html_table(
    frame: pd.DataFrame,
    caption: str,
    *,
    note: str | None = None,
    number: int | None = None,
    align_right: list[str] | None = None,
    highlight_row: int | None = None,
) -> str:
    """A report table: caption above (表N …), optional source note below. Cells are text."""
    right = set(align_right or [])
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for i, (_, row) in enumerate(frame.iterrows()):
        cls = ' class="highlight"' if highlight_row == i else ""
        cells = "".join(
            f"<td{' class=num' if col in right else ''}>{html.escape(str(v))}</td>" for col, v in row.items()
        )
        rows.append(f"<tr{cls}>{cells}</tr>")
    label = f"表{number} " if number else ""
    foot = f'<p class="table-note">{html.escape(note)}</p>' if note else ""
    return (
        f'<figure class="table"><figcaption>{html.escape(label + caption)}</figcaption>'
        f'<table class="report"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
        f"{foot}</figure>"
    )

"""HTML building blocks the notebooks display: headings, paragraphs, notes. Text is escaped."""

from __future__ import annotations

import html

from IPython.display import HTML, display


def heading(text: str, level: int = 2, anchor: str | None = None) -> None:
    ident = f' id="{html.escape(anchor)}"' if anchor else ""
    display(HTML(f"<h{level}{ident}>{html.escape(text)}</h{level}>"))


def paragraph(*sentences: str, cls: str = "") -> None:
    css = f' class="{cls}"' if cls else ""
    display(HTML(f"<p{css}>{html.escape(''.join(sentences))}</p>"))


def bullets(items: list[str]) -> None:
    display(HTML("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"))


def raw(markup: str) -> None:
    """Display markup built by the package's table and chart helpers (already escaped)."""
    display(HTML(markup))

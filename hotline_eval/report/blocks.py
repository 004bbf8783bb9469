"""HTML building blocks of the documents: headings, paragraphs, lists, notes. Text is escaped.

The section builders (report/sections/) return a list of these fragments; a notebook cell shows
them with `show`, one display output per fragment, in order.

Document structure (what the contents page and the print layout rely on):

- ``heading_html(text, 2)`` opens a section (一、评价概况); ``heading_html(text, 3)`` a subsection
  (（一）评价依据); both get an id (the given anchor, or one derived from the text) and appear
  in the contents with their page number. ``new_page=True`` starts the section on a new page
  in print (the appendix does).
- Level 4 (1. …) is for headings inside a subsection and stays out of the contents.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Iterable

from IPython.display import HTML, display


def show(fragments: Iterable[str]) -> None:
    """Display each fragment (HTML built here or by the table and chart helpers) as its own output."""
    for fragment in fragments:
        display(HTML(fragment))


def anchor_for(text: str) -> str:
    """A stable id for a heading without an explicit anchor (same text → same id)."""
    return "h-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def heading_html(text: str, level: int = 2, anchor: str | None = None, *, new_page: bool = False) -> str:
    if level not in (2, 3, 4):
        raise ValueError("文档标题级别只能为 h2（节）、h3（小节）或 h4")
    ident = anchor or (anchor_for(text) if level in (2, 3) else None)
    attrs = f' id="{html.escape(ident)}"' if ident else ""
    if new_page:
        attrs += ' class="new-page"'
    return f"<h{level}{attrs}>{html.escape(text)}</h{level}>"


def paragraph_html(*sentences: str, cls: str = "") -> str:
    """One paragraph (first line indented two characters, as Chinese documents are set)."""
    css = f' class="{html.escape(cls)}"' if cls else ""
    return f"<p{css}>{html.escape(''.join(sentences))}</p>"


def lead_html(*sentences: str) -> str:
    """The boxed opening paragraph of a section (score, grade, rank at a glance)."""
    return paragraph_html(*sentences, cls="lead")


def bullets_html(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"


def numbered_html(items: list[str]) -> str:
    """Numbered paragraphs 1. 2. 3. (requirements, measures), set like body text."""
    lines = "".join(f"<li>{i}. {html.escape(text)}</li>" for i, text in enumerate(items, 1))
    return f'<ol class="numbered">{lines}</ol>'


def headed_html(items: list[tuple[str, str]], start: int = 1) -> str:
    """Numbered paragraphs whose first sentence is a bold headline (problems, measures): (headline, text)."""
    lines = "".join(
        f"<li>{i}. <strong>{html.escape(head)}</strong>{html.escape(text)}</li>"
        for i, (head, text) in enumerate(items, start)
    )
    return f'<ol class="numbered">{lines}</ol>'


def note_html(text: str) -> str:
    """A small note without indent (sources, definitions)."""
    return f'<p class="table-note">{html.escape(text)}</p>'


def signature_html(issuer: str, date: str) -> str:
    """The issuer and date at the end of a 通报, right-aligned."""
    return f'<p class="signature">{html.escape(issuer)}<br>{html.escape(date)}</p>'


# Shown at once, for notebooks that build their fragments in the cell.


def heading(text: str, level: int = 2, anchor: str | None = None, *, new_page: bool = False) -> None:
    show([heading_html(text, level, anchor, new_page=new_page)])


def paragraph(*sentences: str, cls: str = "") -> None:
    show([paragraph_html(*sentences, cls=cls)])


def lead(*sentences: str) -> None:
    show([lead_html(*sentences)])


def bullets(items: list[str]) -> None:
    show([bullets_html(items)])


def numbered(items: list[str]) -> None:
    show([numbered_html(items)])


def headed(items: list[tuple[str, str]], start: int = 1) -> None:
    show([headed_html(items, start)])


def note(text: str) -> None:
    show([note_html(text)])


def raw(markup: str) -> None:
    """Display markup built by the package's table and chart helpers (already escaped)."""
    show([markup])


def signature(issuer: str, date: str) -> None:
    show([signature_html(issuer, date)])

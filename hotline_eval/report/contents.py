"""The contents page: built from the document's h2/h3 headings, page numbers filled in for print.

Every heading that carries an id appears in the contents (blocks.heading gives each one an id).
Each entry holds an empty fixed-width page box linked to its heading: WeasyPrint prints the page
number itself (CSS target-counter, report.css); for Chromium the PDF step (report.pdf) writes into the
boxes the page each heading was printed on. The HTML version hides the boxes and links the entries.
"""

from __future__ import annotations

import html
import re

TOC_PLACEHOLDER = "<!--TOC-->"
HEADING = re.compile(r'<h([23])\b[^>]*?\bid="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
PAGE_BOX = re.compile(r'<a class="toc-page" href="#([^"]+)">[^<]*</a>')


def headings(body: str) -> list[tuple[int, str, str]]:
    """(level, anchor, text) of every h2/h3 with an id, in document order; the contents title excluded."""
    out = []
    for level, anchor, inner in HEADING.findall(body):
        text = html.unescape(re.sub(r"<[^>]+>", "", inner)).strip()
        if anchor != "toc":
            out.append((int(level), anchor, text))
    return out


def contents(body: str, title: str = "目　录") -> str:
    """The contents page as HTML: one linked line per heading, with an empty page-number box."""
    lines = []
    for level, anchor, text in headings(body):
        a = html.escape(anchor)
        lines.append(
            f'<li class="toc-{level}"><a class="toc-text" href="#{a}">{html.escape(text)}</a>'
            f'<span class="toc-leader"></span><a class="toc-page" href="#{a}"></a></li>'
        )
    return f'<nav class="toc"><h2 class="toc-title" id="toc">{html.escape(title)}</h2><ol>{"".join(lines)}</ol></nav>'


def insert_contents(body: str) -> str:
    """Replace the template's placeholder with the contents page."""
    return body.replace(TOC_PLACEHOLDER, contents(body), 1)


def fill_page_numbers(document: str, pages: dict[str, int]) -> str:
    """Write each heading's page number into its contents line (unknown pages stay empty)."""

    def fill(match: re.Match) -> str:
        anchor = html.unescape(match.group(1))
        number = pages.get(anchor)
        shown = str(number) if number is not None else ""
        return f'<a class="toc-page" href="#{match.group(1)}">{shown}</a>'

    return PAGE_BOX.sub(fill, document)

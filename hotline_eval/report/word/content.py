"""The document's content in Word: each display output of the executed notebooks is one block built
by report/blocks.py, report/tables.py or report/charts.py, and each kind of block becomes its Word
counterpart — a heading with its outline level, a paragraph, a numbered item with its bold headline,
a Word table whose header row repeats on every page, a picture at print resolution with its caption.

The blocks are a small fixed vocabulary (docs/documents/word.md#from-the-same-content); a block of
another kind is kept as plain paragraphs of its text, never dropped.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

import lxml.html
import nbformat
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Emu
from docx.text.paragraph import Paragraph

from hotline_eval.report.word.page import (
    BODY,
    CAPTION,
    HEADINGS,
    NOTE,
    TABLE,
    field,
    first_line_chars,
    style_id,
    type_area,
)

HTML = "text/html"


def styled(container, style: str, value: str = "") -> Paragraph:
    """A new paragraph of the container (document or table cell) in a style given by name, set by its
    id (python-docx's lookup by name scans every style: seconds over a report's thousands of cells)."""
    paragraph = container.add_paragraph()
    if style != BODY:
        paragraph._p.style = style_id(style)
    if value:
        paragraph.add_run(value)
    return paragraph


REMOVED = {"remove-cell", "remove-output"}


def fragments(nb: nbformat.NotebookNode) -> Iterator[lxml.html.HtmlElement]:
    """The blocks the document shows, in order: HTML display outputs of the cells a reader sees."""
    for cell in nb.cells:
        if cell.cell_type != "code" or REMOVED & set(cell.get("metadata", {}).get("tags", [])):
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") in ("display_data", "execute_result") and HTML in out.get("data", {}):
                for element in lxml.html.fragments_fromstring(out["data"][HTML]):
                    if isinstance(element, str):
                        if element.strip():
                            yield lxml.html.fromstring(f"<p>{element}</p>")
                    else:
                        yield element


def add_blocks(doc: DocumentObject, blocks: Iterable[lxml.html.HtmlElement]) -> None:
    for element in blocks:
        add_block(doc, element)


def add_block(doc: DocumentObject, el: lxml.html.HtmlElement) -> None:
    classes = set((el.get("class") or "").split())
    if el.tag in ("h2", "h3", "h4"):
        heading = styled(doc, HEADINGS[int(el.tag[1]) - 1], text(el))
        if "new-page" in classes:
            heading.paragraph_format.page_break_before = True
    elif el.tag == "p" and "signature" in classes:
        for line in lines(el):
            signed = styled(doc, BODY, line)
            signed.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            first_line_chars(signed._p, 0)
    elif el.tag == "p":
        runs(styled(doc, NOTE if "table-note" in classes else BODY), el)
    elif el.tag in ("ul", "ol"):
        for item in el.findall("li"):
            runs(styled(doc, BODY), item)
    elif el.tag == "figure" and "table" in classes:
        _table_figure(doc, el)
    elif el.tag == "figure" and el.find(".//img") is not None:
        _picture(doc, el)
    else:  # not a block of the vocabulary: its text, never lost
        for line in lines(el):
            styled(doc, BODY, line)


def text(el: lxml.html.HtmlElement) -> str:
    return re.sub(r"[ \t\r\n]+", " ", el.text_content()).strip()  # not \s: keeps the ideographic space


def lines(el: lxml.html.HtmlElement) -> list[str]:
    """The element's text split at <br> (a signature: issuer, date)."""
    for br in el.iter("br"):
        br.tail = "\n" + (br.tail or "")
    return [line.strip() for line in el.text_content().split("\n") if line.strip()]


def runs(paragraph: Paragraph, el: lxml.html.HtmlElement) -> Paragraph:
    """The element's text as runs: <strong>/<b> bold, <br> a line break, the rest plain."""
    if el.text:
        paragraph.add_run(_squash(el.text))
    for child in el:
        if child.tag == "br":
            paragraph.add_run().add_break(WD_BREAK.LINE)
        else:
            run = paragraph.add_run(_squash(child.text_content()))
            run.bold = child.tag in ("strong", "b") or None
        if child.tail:
            paragraph.add_run(_squash(child.tail))
    return paragraph


def _squash(value: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", value)


# ------------------------------------------------------------------------------------------ tables


NUMBERED = re.compile(r"^(表|图)(\d+)　(.*)$")


def caption(doc: DocumentObject, value: str) -> Paragraph:
    """A caption; its number (表3, 图2) a SEQ field, as Word's own captions are, so that Word and WPS
    list them (tables of figures) and cross-references find them. Only while the numbers run 1, 2, 3 …
    as Word would count them: a field updated by Word must never change a number the text cites."""
    paragraph = styled(doc, CAPTION)
    found = NUMBERED.match(value)
    if found is None:
        paragraph.add_run(value)
        return paragraph
    kind, number, rest = found.groups()
    counted = len(doc.element.body.xpath(f'.//w:instrText[contains(., " SEQ {kind} ")]'))
    if int(number) != counted + 1:
        paragraph.add_run(value)
        return paragraph
    paragraph.add_run(kind)
    field(paragraph, f"SEQ {kind} \\* ARABIC", number)
    paragraph.add_run(f"　{rest}")
    return paragraph


def _table_figure(doc: DocumentObject, figure: lxml.html.HtmlElement) -> None:
    found = figure.find("figcaption")
    if found is not None:
        caption(doc, text(found))
    table_el = figure.find(".//table")
    if table_el is not None:
        _table(doc, table_el)
    for note in figure.findall("p"):
        styled(doc, NOTE, text(note))


def _table(doc: DocumentObject, table_el: lxml.html.HtmlElement) -> None:
    """A Word table: the header row repeats on every page and never splits (w:tblHeader, w:cantSplit),
    a group row spans the table, a highlighted row is bold, numbers are right-aligned. Written as
    WordprocessingML in one piece: python-docx's cell objects take seconds over a report's tables."""
    head = [text(th) for th in table_el.findall("./thead/tr/th")]
    columns = max(len(head), 1)
    widths = _widths(doc, table_el, columns)
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    rows = [_row([(h, "center", True) for h in head], widths, header=True)] if head else []
    for tr in table_el.findall("./tbody/tr"):
        classes = set((tr.get("class") or "").split())
        if "group" in classes:  # a full-width group row (a dimension's name)
            rows.append(_row([(text(tr), "left", True)], widths, span=columns))
            continue
        strong = "highlight" in classes
        rows.append(_row([(text(td), _alignment(td), strong) for td in tr.findall("td")], widths))
    xml = (
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="{sum(widths)}" '
        f'w:type="dxa"/><w:jc w:val="center"/><w:tblLayout w:type="fixed"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
    )
    doc.element.body.sectPr.addprevious(parse_xml(xml))  # before the section properties, which close the body


def _row(cells: list[tuple[str, str, bool]], widths: list[int], *, header: bool = False, span: int = 1) -> str:
    props = "<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>" if header else "<w:trPr><w:cantSplit/></w:trPr>"
    out = []
    for i, (value, align, bold) in enumerate(cells):
        width = sum(widths) if span > 1 else widths[min(i, len(widths) - 1)]
        spans = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
        weight = "<w:rPr><w:b/></w:rPr>" if bold else ""
        out.append(
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{spans}</w:tcPr><w:p><w:pPr>'
            f'<w:pStyle w:val="{style_id(TABLE)}"/><w:jc w:val="{align}"/></w:pPr>'
            f'<w:r>{weight}<w:t xml:space="preserve">{escape(value)}</w:t></w:r></w:p></w:tc>'
        )
    return f"<w:tr>{props}{''.join(out)}</w:tr>"


def _alignment(td: lxml.html.HtmlElement) -> str:
    classes = set((td.get("class") or "").split())
    return "right" if "num" in classes else "center" if "center" in classes else "left"


def _widths(doc: DocumentObject, table_el: lxml.html.HtmlElement, columns: int) -> list[int]:
    """Column widths in twips from the block's colgroup (relative), else equal; the table spans the
    type area."""
    total = type_area(doc)[0].twips
    shares = []
    for col in table_el.findall("./colgroup/col"):
        found = re.search(r"width:\s*([\d.]+)%", col.get("style") or "")
        shares.append(float(found.group(1)) if found else 0.0)
    if len(shares) != columns or not sum(shares):
        shares = [1.0] * columns
    return [int(total * share / sum(shares)) for share in shares]


# ------------------------------------------------------------------------------------------ pictures


PICTURE_SHARE = 0.92  # of the type area's width
PAGE_LEFT_FOR_CAPTION = 0.82  # a picture takes at most this share of the type area's height: its caption follows


def _picture_width(doc: DocumentObject, data: bytes) -> Emu:
    """The picture's printed width: 92 % of the type area, less for a tall chart so that it and its
    caption fit on one page (a heat map of 40 indicators was a page alone, its caption on the next)."""
    from PIL import Image

    width, height = type_area(doc)
    width, height = width * PICTURE_SHARE, height * PAGE_LEFT_FOR_CAPTION
    pixels_wide, pixels_high = Image.open(io.BytesIO(data)).size
    return Emu(int(min(width, height * pixels_wide / pixels_high)))


def _picture(doc: DocumentObject, figure: lxml.html.HtmlElement) -> None:
    img = figure.find(".//img")
    source = img.get("src") or ""
    if source.startswith("data:image/"):  # charts are embedded; any other picture keeps at least its caption
        data = base64.b64decode(source.split(",", 1)[1])
        holder = styled(doc, BODY)
        holder.alignment = WD_ALIGN_PARAGRAPH.CENTER
        first_line_chars(holder._p, 0)
        holder.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # exact spacing clips a picture
        holder.paragraph_format.keep_with_next = True
        shape = holder.add_run().add_picture(io.BytesIO(data), width=_picture_width(doc, data))
        shape._inline.docPr.set("descr", img.get("alt") or "")  # alternative text, as the HTML's alt
    found = figure.find("figcaption")
    if found is not None:
        caption(doc, text(found)).paragraph_format.keep_with_next = False

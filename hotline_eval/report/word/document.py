"""A document as Word: its opening (a report's cover and contents, or a 通报's 公文 head), the content
of its notebooks (word/content.py), the 版记 of a 通报, page numbers and the running head.

`meta` is what the HTML template shows around the notebooks' output (report/city.cover,
report/bulletin.header, report/plan.cover); the same fields open the Word document.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import lxml.html
import nbformat
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from hotline_eval.config.document_styles import DocumentStyle, load_document_styles
from hotline_eval.config.evaluation import Evaluation
from hotline_eval.core.store import atomic_write_bytes
from hotline_eval.report.word.content import add_blocks, fragments
from hotline_eval.report.word.page import (
    BODY,
    TITLE,
    at_foot_of_page,
    field,
    first_line_chars,
    new_document,
    page_numbers,
    rule,
    running_head,
    set_font,
    type_area,
    update_fields_on_opening,
)

RED = "C00000"


def style_for(root: Path, ev: Evaluation, document: str, docx: bool | None) -> DocumentStyle | None:
    """The style the evaluation sets `document` (report, bulletin, plan) in, or None for no Word file
    (docx False, or None and the definition's documents.docx false)."""
    if not (ev.documents.docx if docx is None else docx):
        return None
    return load_document_styles(root).get(getattr(ev.documents, f"{document}_style"))


def write_docx(nb: nbformat.NotebookNode, meta: dict[str, Any], path: Path, style: DocumentStyle) -> Path:
    doc = new_document(style)
    blocks = list(fragments(nb))  # read once: the contents list their headings, then they are written
    if meta.get("kind") == "bulletin":
        _gongwen_head(doc, style, meta)
    else:
        _cover(doc, style, meta)
        _contents(doc, style, [el for el in blocks if el.tag in ("h2", "h3")])
    add_blocks(doc, blocks)
    if meta.get("kind") == "bulletin":
        _imprint(doc, style, meta)
    page_numbers(doc, style)
    if meta.get("kind") != "bulletin":
        running_head(doc, style, meta.get("running_head", ""))
    core = doc.core_properties
    core.title, core.author, core.comments = meta.get("title", ""), meta.get("issuer", meta.get("organiser", "")), ""
    core.keywords = f"hotline-eval {meta.get('version', '')} {meta.get('data_version', '')}".strip()
    buffer = _bytes(doc)
    atomic_write_bytes(path, buffer)
    return path


def _bytes(doc: DocumentObject) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _centred(doc: DocumentObject, text: str, style: DocumentStyle, role: str, *, space_after: float = 0, size_pt=None):
    """A centred line in the role's font, at `size_pt` when given (see _fitting_size)."""
    paragraph = doc.add_paragraph(style=TITLE if role == "title" else BODY)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    first_line_chars(paragraph._p, 0)
    paragraph.paragraph_format.space_after = Pt(space_after)
    if role != "title":
        paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    font = style.fonts[role]
    if size_pt is not None:
        font = font.model_copy(update={"size_pt": size_pt})
    set_font(paragraph.add_run(text), font, style.latin)
    return paragraph


def _fitting_size(doc: DocumentObject, style: DocumentStyle, role: str, lines: list[str]) -> float:
    """The role's size, made smaller until the widest of the lines fits on one line of the type area
    (an issuer's long name in the 发文机关标志; the cover's title lines, all at one size)."""
    width_pt = type_area(doc)[0].pt
    widest = max((_ems(line) for line in lines), default=0)
    size = style.fonts[role].size_pt
    return min(size, round(width_pt / widest * 0.95, 1)) if widest else size


# ------------------------------------------------------------------------------------------ report


def _cover(doc: DocumentObject, style: DocumentStyle, meta: dict[str, Any]) -> None:
    """The cover: evaluation, title, period and type, the key facts, organiser and date; then a new page."""
    if meta.get("kicker"):
        _centred(doc, meta["kicker"], style, "body", space_after=60)
    lines = meta.get("title_lines") or [meta.get("title", "")]
    size = _fitting_size(doc, style, "title", lines)
    for line in lines:
        _centred(doc, line, style, "title", size_pt=size)
    if meta.get("subtitle"):
        _centred(doc, meta["subtitle"], style, "body", space_after=36)
    facts = meta.get("facts") or []
    if facts:
        table = doc.add_table(rows=len(facts), cols=2)
        for row, (label, value) in zip(table.rows, facts, strict=True):
            for cell, content, bold in ((row.cells[0], label, True), (row.cells[1], value, False)):
                paragraph = cell.paragraphs[0]
                first_line_chars(paragraph._p, 0)
                paragraph.paragraph_format.line_spacing = None
                run = paragraph.add_run(content)
                set_font(run, style.fonts["body"], style.latin)
                run.bold = bold or None
    for line in (meta.get("organiser", ""), meta.get("date", "")):
        if line:
            _centred(doc, line, style, "body").paragraph_format.space_before = Pt(18)
    doc.add_paragraph(style=BODY).add_run().add_break(WD_BREAK.PAGE)


def _contents(doc: DocumentObject, style: DocumentStyle, headings: list[lxml.html.HtmlElement]) -> None:
    """目录: a TOC field over the heading levels 1–2, which Word and WPS update on opening (the document
    asks them to); until then it lists the headings without page numbers."""
    _centred(doc, "目　录", style, "heading1", space_after=12)
    paragraph = doc.add_paragraph(style=BODY)
    first_line_chars(paragraph._p, 0)
    field(paragraph, 'TOC \\o "1-2" \\h \\z \\u', "")
    end = paragraph._p.findall(qn("w:r"))[-1]  # the field's shown result goes before its end: a line per heading
    for i, heading in enumerate(headings):
        run = paragraph.add_run(("" if heading.tag == "h2" else "　　") + heading.text_content().strip())
        if i:
            run._r.insert(0, OxmlElement("w:br"))
        end.addprevious(run._r)
    update_fields_on_opening(doc)
    paragraph.add_run().add_break(WD_BREAK.PAGE)


# ------------------------------------------------------------------------------------------ 通报


def _gongwen_head(doc: DocumentObject, style: DocumentStyle, meta: dict[str, Any]) -> None:
    """发文机关标志 (red), 发文字号, the red separator line, the title (2号 小标宋) and 主送机关."""
    name = meta.get("issuer", "")
    issuer = _centred(doc, name, style, "issuer", space_after=12, size_pt=_fitting_size(doc, style, "issuer", [name]))
    issuer.paragraph_format.space_before = Pt(12)
    number = meta.get("number", "")
    rule_above = _centred(doc, number, style, "body") if number else doc.add_paragraph(style=BODY)
    rule(rule_above, "bottom", RED, space=6)
    doc.add_paragraph(style=BODY)
    _centred(doc, meta.get("title", ""), style, "title", space_after=0)
    doc.add_paragraph(style=BODY)
    if meta.get("addressees"):
        to = doc.add_paragraph(f"{meta['addressees']}：", style=BODY)
        first_line_chars(to._p, 0)


def _imprint(doc: DocumentObject, style: DocumentStyle, meta: dict[str, Any]) -> None:
    """版记 at the foot of the last page (GB/T 9704 §10): 抄送 (when given) and 印发机关 with 印发日期,
    between lines, in a table floating at the bottom of the type area (it stays there as the text is edited)."""
    lines = []
    if meta.get("copy_to"):
        lines.append((f"抄送：{meta['copy_to']}。", None))
    lines.append((meta.get("printed_by", ""), meta.get("printed_on", "")))
    font = style.fonts["note"].model_copy(update={"size_pt": 14})
    width, indent = type_area(doc)[0], Pt(14)
    paragraphs = []
    for left, right in lines:
        paragraph = doc.add_paragraph(style=BODY)
        first_line_chars(paragraph._p, 0)
        paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = indent
        set_font(paragraph.add_run(left), font, style.latin)
        if right:
            issued = f"{right}印发"
            if _ems(left) + _ems(issued) + 1 > (width.pt - 2 * indent.pt) / font.size_pt:  # no room: date below
                paragraph.add_run().add_break()
            paragraph.add_run("\t")
            set_font(paragraph.add_run(issued), font, style.latin)
            paragraph.paragraph_format.tab_stops.add_tab_stop(width - indent, alignment=2)  # right
        paragraphs.append(paragraph)
    at_foot_of_page(doc, paragraphs, width.twips)


def _ems(text: str) -> float:
    """Width of the text in ems: a Chinese character one, a Latin letter or digit about half."""
    return sum(0.5 if ord(c) < 0x2E80 else 1.0 for c in text)

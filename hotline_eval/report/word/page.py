"""The Word document's page and type: page size and margins, the styles with their East Asian fonts,
the font table's alternative names, the running head and the page numbers (params/document_styles.yaml).

Every style and every run that sets a font names its East Asian face (w:eastAsia) explicitly: without
it Word and WPS set Chinese text in the theme's Latin font.
"""

from __future__ import annotations

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Emu, Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from lxml import etree

from hotline_eval.config.document_styles import DocumentStyle, Font

# the document's own paragraph styles, by role (built-in headings keep their outline levels 1–3)
HEADINGS = {1: "Heading 1", 2: "Heading 2", 3: "Heading 3"}
BODY, TITLE, CAPTION, NOTE, TABLE = "Normal", "Doc Title", "Caption", "Table Note", "Table Text"
THEME_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
# what follows w:pBdr in a w:pPr and w:updateFields in w:settings (ECMA-376 order: Word refuses a file
# whose elements are out of order, LibreOffice does not)
AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
    "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
    "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip
AFTER_UPDATE_FIELDS = (
    "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars", "w:rsids", "m:mathPr",
    "w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions", "w:readModeInkLockDown", "w:smartTagType",
    "sl:schemaLibrary", "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator",
)  # fmt: skip


def style_id(name: str) -> str:
    """The id of a style added or built in by name ("Table Text" → "TableText")."""
    return name.replace(" ", "")


def new_document(style: DocumentStyle) -> DocumentObject:
    doc = Document()
    _page(doc, style)
    _styles(doc, style)
    _font_table(doc, style)
    return doc


def _page(doc: DocumentObject, style: DocumentStyle) -> None:
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    p = style.page
    section.page_width, section.page_height = Mm(p.width_mm), Mm(p.height_mm)
    section.top_margin, section.bottom_margin = Mm(p.top_mm), Mm(p.bottom_mm)
    section.left_margin, section.right_margin = Mm(p.left_mm), Mm(p.right_mm)
    section.header_distance = section.footer_distance = Mm(min(p.top_mm, p.bottom_mm) / 2)


def type_area(doc: DocumentObject) -> tuple[Emu, Emu]:
    """Width and height of the type area (the page less its margins) of the document's last section."""
    section = doc.sections[-1]
    width = section.page_width - section.left_margin - section.right_margin
    height = section.page_height - section.top_margin - section.bottom_margin
    return Emu(width), Emu(height)


def set_font(element, font: Font, latin: str) -> None:
    """Font of a style or a run: Latin face, East Asian face (explicit), size, weight, colour."""
    element.font.name = latin
    element.font.size = Pt(font.size_pt)
    element.font.bold = font.bold
    if font.colour:
        element.font.color.rgb = RGBColor.from_string(font.colour)
    rpr = element.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attribute in THEME_ATTRIBUTES:  # a theme font would win over the named faces
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), font.east_asia)


def _paragraph_style(doc: DocumentObject, name: str, base: str | None = None):
    styles = doc.styles
    if name in [s.name for s in styles]:
        return styles[name]
    created = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if base:
        created.base_style = styles[base]
    return created


def _styles(doc: DocumentObject, style: DocumentStyle) -> None:
    fonts, latin = style.fonts, style.latin
    body = doc.styles[BODY]
    set_font(body, fonts["body"], latin)
    fmt = body.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(style.line_pitch_pt)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.widow_control = True
    first_line_chars(body.element, 2, fonts["body"].size_pt)
    for level, name in HEADINGS.items():
        heading = doc.styles[name]
        set_font(heading, fonts[f"heading{level}"], latin)
        heading.font.color.rgb = RGBColor(0, 0, 0)
        heading.font.italic = False
        hf = heading.paragraph_format
        hf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        hf.line_spacing = Pt(style.line_pitch_pt)
        hf.space_before = hf.space_after = Pt(0)
        hf.keep_with_next = True
        first_line_chars(heading.element, 2, fonts[f"heading{level}"].size_pt)
    for name, role, align, indent in (
        (TITLE, "title", WD_ALIGN_PARAGRAPH.CENTER, 0),
        (CAPTION, "caption", WD_ALIGN_PARAGRAPH.CENTER, 0),
        (NOTE, "note", WD_ALIGN_PARAGRAPH.LEFT, 0),
        (TABLE, "table", WD_ALIGN_PARAGRAPH.LEFT, 0),
    ):
        created = _paragraph_style(doc, name, BODY)
        set_font(created, fonts[role], latin)
        created.font.color.rgb = RGBColor(0, 0, 0)
        pf = created.paragraph_format
        pf.alignment = align
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE if name != TITLE else WD_LINE_SPACING.EXACTLY
        if name == TITLE:
            pf.line_spacing = Pt(fonts["title"].size_pt * 1.6)
        pf.space_before = Pt(0)
        pf.space_after = Pt(3 if name in (CAPTION, NOTE) else 0)
        first_line_chars(created.element, indent, fonts[role].size_pt)
    doc.styles[CAPTION].paragraph_format.keep_with_next = True


def first_line_chars(style_or_paragraph_element, chars: int, size_pt: float = 0) -> None:
    """First-line indent in characters, as Chinese text is set: w:firstLineChars (hundredths, read by
    Word and WPS) and the same in twips (w:firstLine, for readers that ignore the former)."""
    ind = style_or_paragraph_element.get_or_add_pPr().get_or_add_ind()  # in its place among the properties
    ind.set(qn("w:firstLineChars"), str(chars * 100))
    ind.set(qn("w:firstLine"), str(round(chars * size_pt * 20)))


def _font_table(doc: DocumentObject, style: DocumentStyle) -> None:
    """Each East Asian face in the font table, with its fallback as the alternative name (w:altName):
    Word and WPS use it where the face is not installed."""
    part = next(p for p in doc.part.package.iter_parts() if p.partname == "/word/fontTable.xml")
    root = etree.fromstring(part.blob)
    known = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for font in style.fonts.values():
        if font.east_asia in known:
            continue
        known.add(font.east_asia)
        entry = etree.SubElement(root, qn("w:font"))
        entry.set(qn("w:name"), font.east_asia)
        if font.fallback:
            etree.SubElement(entry, qn("w:altName")).set(qn("w:val"), font.fallback)
        etree.SubElement(entry, qn("w:charset")).set(qn("w:val"), "86")  # GB2312
        etree.SubElement(entry, qn("w:family")).set(qn("w:val"), "auto")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def rule(paragraph: Paragraph, side: str, colour: str = "000000", size: int = 12, space: int = 4) -> None:
    """A line above (side "top") or under ("bottom") the paragraph, the width of the type area; size in
    eighths of a point, space (between text and line) in points."""
    ppr = paragraph._p.get_or_add_pPr()
    border = ppr.find(qn("w:pBdr"))
    if border is None:
        border = OxmlElement("w:pBdr")
        ppr.insert_element_before(border, *AFTER_PBDR)
    line = OxmlElement(f"w:{side}")
    for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", str(space)), ("w:color", colour)):
        line.set(qn(key), value)
    if side == "top":  # w:top comes before w:bottom
        border.insert(0, line)
    else:
        border.append(line)


def at_foot_of_page(doc: DocumentObject, paragraphs: list[Paragraph], width_twips: int) -> None:
    """Move the paragraphs (the last ones of the body) into a table of one column that floats at the foot
    of the type area of the page it falls on, the type area's width: a thick line (3/4 pt) above and
    below, thin ones (1/2 pt) between the rows; text is kept above it. A tiny paragraph closes the body
    after it, as Word requires."""
    borders = "".join(
        f'<w:{side} w:val="{"single" if size else "nil"}" w:sz="{size}" w:space="0" w:color="000000"/>'
        for side, size in (("top", 6), ("left", 0), ("bottom", 6), ("right", 0), ("insideH", 4), ("insideV", 0))
    )
    table = parse_xml(
        f"<w:tbl {nsdecls('w')}><w:tblPr>"
        '<w:tblpPr w:leftFromText="0" w:rightFromText="0" w:vertAnchor="margin" w:horzAnchor="page" '
        f'w:tblpX="{Emu(doc.sections[-1].left_margin).twips}" w:tblpYSpec="bottom"/>'
        f'<w:tblW w:w="{width_twips}" w:type="dxa"/><w:tblBorders>{borders}</w:tblBorders>'
        '<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/>'
        "</w:tblCellMar></w:tblPr>"
        f'<w:tblGrid><w:gridCol w:w="{width_twips}"/></w:tblGrid></w:tbl>'
    )
    for paragraph in paragraphs:
        row = parse_xml(
            f"<w:tr {nsdecls('w')}><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr>"
            f'<w:tcW w:w="{width_twips}" w:type="dxa"/></w:tcPr></w:tc></w:tr>'
        )
        row[-1].append(paragraph._p)  # moved out of the body into the cell
        table.append(row)
    closing = doc.add_paragraph()
    closing.paragraph_format.space_before = closing.paragraph_format.space_after = Pt(0)
    closing.paragraph_format.line_spacing = Pt(1)
    closing._p.addprevious(table)


def update_fields_on_opening(doc: DocumentObject) -> None:
    """Ask Word and WPS to update the fields (contents, caption numbers) when the file is opened."""
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    doc.settings.element.insert_element_before(update, *AFTER_UPDATE_FIELDS)


def field(paragraph: Paragraph, instruction: str, shown: str = "") -> None:
    """A Word field (PAGE, TOC …) in the paragraph: begin, instruction, separate, shown result, end."""

    def char(kind: str) -> None:
        run = paragraph.add_run()
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._r.append(element)

    char("begin")
    run = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run._r.append(text)
    char("separate")
    if shown:
        paragraph.add_run(shown)
    char("end")


def page_numbers(doc: DocumentObject, style: DocumentStyle) -> None:
    """Page numbers in every footer: "— 1 —" on the outer side (GB/T 9704) or "1" centred."""
    spec = style.page_number
    font = style.fonts[spec.font]
    if spec.outer:
        doc.settings.odd_and_even_pages_header_footer = True
    for section in doc.sections:
        footers = [(section.footer, WD_ALIGN_PARAGRAPH.RIGHT if spec.outer else WD_ALIGN_PARAGRAPH.CENTER)]
        if spec.outer:
            footers.append((section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT))
        for footer, align in footers:
            footer.is_linked_to_previous = False
            paragraph = footer.paragraphs[0]
            paragraph.alignment = align
            first_line_chars(paragraph._p, 0)
            if spec.dash:
                paragraph.add_run("— ")
            field(paragraph, "PAGE", "1")
            if spec.dash:
                paragraph.add_run(" —")
            for run in paragraph.runs:
                set_font(run, font, style.latin)


def running_head(doc: DocumentObject, style: DocumentStyle, text: str) -> None:
    """The running head (a report's title and period), right-aligned, on every page but the cover."""
    if not text:
        return
    font = style.fonts["note"]
    for section in doc.sections:
        section.different_first_page_header_footer = True
        headers = [section.header] + (
            [section.even_page_header] if doc.settings.odd_and_even_pages_header_footer else []
        )
        for header in headers:
            header.is_linked_to_previous = False
            paragraph = header.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            first_line_chars(paragraph._p, 0)
            set_font(paragraph.add_run(text), font, style.latin)

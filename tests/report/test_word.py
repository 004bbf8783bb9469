"""Word documents (report/word/): a notebook of the document blocks becomes headings with outline levels,
Word tables with repeating header rows, pictures with their alt text, in the page and type of
params/document_styles.yaml; the bulletin carries the 公文 elements (GB/T 9704-2012). Each .docx is read
back with python-docx."""

import base64
import io
import re

import nbformat
import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import RGBColor

from hotline_eval.config.document_styles import load_document_styles
from hotline_eval.report.blocks import headed_html, heading_html, note_html, paragraph_html, signature_html
from hotline_eval.report.tables import html_table
from hotline_eval.report.word import write_docx

LONG = pd.DataFrame({"城市": [f"第{i}市" for i in range(40)], "接通率": [f"{90 + i / 10:.1f}%" for i in range(40)]})
GROUPED = pd.DataFrame(
    {
        "维度": ["服务响应", "服务响应", "服务效率"],
        "指标": ["接通率", "平均等待时长", "办结率"],
        "分值": ["4.0", "2.0", "3.0"],
    }
)


def chart() -> str:
    import matplotlib.pyplot as plt

    from hotline_eval.report.charts import figure_html, setup

    setup()
    fig, ax = plt.subplots(figsize=(4, 2))
    ax.bar(["临江市", "青山市"], [0.93, 0.88])
    return figure_html(fig, "各市接通率", "柱状图：临江市93%，青山市88%", number=1)


def notebook(*outputs: str, hidden: str = "") -> nbformat.NotebookNode:
    """A notebook whose cells display the given blocks, one output each; `hidden` in a removed cell."""
    cells = []
    for html in outputs:
        cell = nbformat.v4.new_code_cell("")
        cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": html})]
        cells.append(cell)
    if hidden:
        cell = nbformat.v4.new_code_cell("", metadata={"tags": ["remove-cell"]})
        cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": hidden})]
        cells.append(cell)
    return nbformat.v4.new_notebook(cells=cells)


BLOCKS = [
    heading_html("一、总体情况"),
    paragraph_html("全省平均综合得分85.38分。"),
    heading_html("（一）各市排名", 3),
    html_table(LONG, "各市接通率", number=1, align_right=["接通率"], note="统计口径：人工接通。"),
    html_table(GROUPED, "指标与分值", number=2, group="维度"),
    headed_html([("接通率偏低。", "金沙市接通率为81.2%。")]),
    note_html("注：不含速挂。"),
]


@pytest.fixture(scope="module")
def styles(root):
    return load_document_styles(root)


@pytest.fixture(scope="module")
def report_docx(tmp_path_factory, styles):
    meta = {
        "kind": "report",
        "title": "金沙市12345热线服务质量评价报告",
        "title_lines": ["金沙市12345政务服务便民热线", "服务质量评价报告"],
        "facts": [["评价周期", "2026年7月1日—2026年9月30日"]],
        "running_head": "金沙市12345热线服务质量评价报告（2026年7—9月）",
        "organiser": "示例省政务服务管理办公室",
        "date": "2026年10月30日",
    }
    path = tmp_path_factory.mktemp("word") / "report.docx"
    write_docx(notebook(*BLOCKS, chart(), hidden="<p>不应出现</p>"), meta, path, styles.report)
    return Document(str(path))


def bulletin_docx(tmp_path, styles, **changes):
    meta = {
        "kind": "bulletin",
        "issuer": "示例省政务服务管理办公室",
        "number": "示热办〔2026〕12号",
        "title": "关于2026年第三季度12345热线服务质量评价结果的通报",
        "addressees": "各设区市人民政府，省直有关部门",
        "copy_to": "省政府办公厅",
        "printed_by": "示例省政务服务管理办公室",
        "printed_on": "2026年10月30日",
    } | changes
    path = tmp_path / "bulletin.docx"
    signed = signature_html("示例省政务服务管理办公室", "2026年10月30日")
    write_docx(notebook(heading_html("一、总体情况"), paragraph_html("正文。"), signed), meta, path, styles.gongwen)
    return Document(str(path))


def headings(doc) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")]


def test_headings_keep_their_levels_and_texts(report_docx):
    assert headings(report_docx) == [("Heading 1", "一、总体情况"), ("Heading 2", "（一）各市排名")]
    assert all("不应出现" not in p.text for p in report_docx.paragraphs), "a removed cell's output is left out"


def test_tables_are_word_tables_with_a_repeating_header(report_docx):
    long, grouped = [t for t in report_docx.tables if len(t.columns) > 1 and t.rows[0].cells[0].text != "评价周期"]
    assert [c.text for c in long.rows[0].cells] == ["城市", "接通率"]
    assert len(long.rows) == 41 and long.rows[40].cells[1].text == "93.9%"
    assert long.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeats on every page
    assert long.rows[1].cells[1].paragraphs[0].alignment == 2  # numbers right-aligned
    # the group column becomes full-width rows: 服务响应, its two indicators, 服务效率, its one
    texts = [[c.text for c in row.cells] for row in grouped.rows]
    assert texts == [
        ["指标", "分值"],
        ["服务响应"] * 2,
        ["接通率", "4.0"],
        ["平均等待时长", "2.0"],
        ["服务效率"] * 2,
        ["办结率", "3.0"],
    ]


def test_captions_notes_and_headlines(report_docx):
    styled = {(p.style.name, p.text) for p in report_docx.paragraphs}
    assert ("Caption", "表1　各市接通率") in styled and ("Table Note", "统计口径：人工接通。") in styled
    assert ("Caption", "图1　各市接通率") in styled  # below its picture
    numbered = next(p for p in report_docx.paragraphs if p.text == "表2　指标与分值")
    assert " SEQ 表 \\* ARABIC " in numbered._p.xml  # the number is Word's caption field
    item = next(p for p in report_docx.paragraphs if p.text.startswith("1. 接通率偏低。"))
    assert [r.bold for r in item.runs if r.text.strip()] == [None, True, None]  # the headline in bold


def test_a_caption_number_out_of_sequence_stays_as_written(tmp_path, styles):
    """Word renumbers SEQ fields when it updates them: 表3 after 表1 would become 表2 and no longer match
    the text that cites it, so it is written as text."""
    blocks = [html_table(GROUPED, "甲", number=1), html_table(GROUPED, "乙", number=3)]
    path = tmp_path / "gap.docx"
    write_docx(notebook(*blocks), {"kind": "bulletin", "title": "通报"}, path, styles.gongwen)
    captions = [p for p in Document(str(path)).paragraphs if p.style.name == "Caption"]
    assert [p.text for p in captions] == ["表1　甲", "表3　乙"]
    assert "SEQ" in captions[0]._p.xml and "SEQ" not in captions[1]._p.xml


def test_the_chart_is_a_picture_with_its_alt_text(report_docx):
    pictures = report_docx.inline_shapes
    assert len(pictures) == 1
    assert pictures[0]._inline.docPr.get("descr") == "柱状图：临江市93%，青山市88%"
    assert pictures[0].width > report_docx.sections[0].page_width * 0.5  # at the width of the type area
    holder = next(p for p in report_docx.paragraphs if p._p.xpath(".//w:drawing"))
    assert holder.paragraph_format.line_spacing_rule == 0  # single: the body's exact 22 pt would clip it


def test_a_tall_chart_leaves_room_on_its_page_for_its_caption(tmp_path, styles):
    """A heat map of 40 indicators at the type area's width was taller than the page: it printed alone and
    its caption on the next page. Narrowed to at most 82 % of the type area's height, it keeps its shape."""
    import matplotlib.pyplot as plt
    from PIL import Image

    from hotline_eval.report.charts import figure_html, setup

    setup()
    fig, ax = plt.subplots(figsize=(6, 12))
    ax.imshow([[i + j for i in range(8)] for j in range(40)], aspect="auto")
    block = figure_html(fig, "各市指标得分率热力图", "热力图", number=3)
    png = Image.open(io.BytesIO(base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', block).group(1))))
    path = tmp_path / "tall.docx"
    write_docx(notebook(block), {}, path, styles.report)
    doc = Document(str(path))
    section, picture = doc.sections[0], doc.inline_shapes[0]
    type_height = section.page_height - section.top_margin - section.bottom_margin
    assert picture.height <= type_height * 0.82 + 12700  # a point's rounding
    assert picture.height > type_height * 0.8  # as tall as allowed, not shrunk further
    assert abs(picture.width / picture.height - png.width / png.height) < 0.005  # its proportions kept


def test_every_style_names_its_east_asian_face(report_docx, styles):
    expected = {"Normal": "body", "Heading 1": "heading1", "Heading 2": "heading2", "Caption": "caption"}
    for name, role in expected.items():
        fonts = report_docx.styles[name].element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == styles.report.fonts[role].east_asia, name
        assert fonts.get(qn("w:asciiTheme")) is None  # no theme font overriding the named faces
    font_table = next(p for p in report_docx.part.package.iter_parts() if p.partname == "/word/fontTable.xml")
    assert b'w:name="\xe6\xa5\xb7\xe4\xbd\x93_GB2312"' in font_table.blob  # 楷体_GB2312 …
    assert "楷体".encode() in font_table.blob  # … with its fallback as the alternative name


def test_a_report_opens_with_its_cover_and_a_contents_field(report_docx):
    texts = [p.text for p in report_docx.paragraphs[:8]]
    assert "金沙市12345政务服务便民热线" in texts and "服务质量评价报告" in texts
    body = report_docx.element.body.xml
    assert 'TOC \\o "1-2"' in body
    assert report_docx.settings.element.find(qn("w:updateFields")) is not None  # Word updates it on opening
    head = report_docx.sections[0].header.paragraphs[0].text
    assert head == "金沙市12345热线服务质量评价报告（2026年7—9月）"


def test_a_bulletin_is_set_as_a_gongwen(tmp_path, styles):
    doc = bulletin_docx(tmp_path, styles)
    section = doc.sections[0]
    margins = [
        round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    ]
    assert margins == [37, 35, 28, 26] and round(section.page_width.mm) == 210
    texts = [p.text for p in doc.paragraphs if p.text]
    assert texts[:4] == [
        "示例省政务服务管理办公室",
        "示热办〔2026〕12号",
        "关于2026年第三季度12345热线服务质量评价结果的通报",
        "各设区市人民政府，省直有关部门：",
    ]
    issuer = doc.paragraphs[0].runs[0]
    assert (
        issuer.font.color.rgb == RGBColor(0xC0, 0, 0)
        and issuer.element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    )
    assert doc.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert doc.styles["Normal"].font.size.pt == 16  # 3号
    # the 版记: a table at the foot of the type area of the last page (GB/T 9704 §10), the type area's width,
    # one row per line, a thick line above and below and a thin one between
    imprint = doc.tables[-1]
    assert [row.cells[0].text for row in imprint.rows] == [
        "抄送：省政府办公厅。",
        "示例省政务服务管理办公室\t2026年10月30日印发",
    ]
    position = imprint._tbl.tblPr.find(qn("w:tblpPr"))
    assert position.get(qn("w:tblpYSpec")) == "bottom" and position.get(qn("w:vertAnchor")) == "margin"
    assert int(position.get(qn("w:tblpX"))) == section.left_margin.twips
    type_width = (section.page_width - section.left_margin - section.right_margin) // 635
    assert int(imprint._tbl.tblPr.find(qn("w:tblW")).get(qn("w:w"))) == type_width
    lines = {e.tag.split("}")[1]: e.get(qn("w:sz")) for e in imprint._tbl.tblPr.find(qn("w:tblBorders"))}
    assert (lines["top"], lines["bottom"], lines["insideH"]) == ("6", "6", "4")
    body = doc.element.body  # then only the empty paragraph Word requires to close the body, and the section
    assert [e.tag for e in body[-3:]] == [qn("w:tbl"), qn("w:p"), qn("w:sectPr")] and doc.paragraphs[-1].text == ""
    footer = doc.sections[0].footer.paragraphs[0]
    assert footer.text.startswith("— ") and footer.text.endswith(" —") and footer.alignment == 2  # outer side
    assert doc.sections[0].even_page_footer.paragraphs[0].alignment == 0


def test_a_bulletin_without_number_or_copy_to_omits_them(tmp_path, styles):
    doc = bulletin_docx(tmp_path, styles, number="", copy_to="")
    texts = [p.text for p in doc.paragraphs if p.text]
    assert not any("号" in t and "〔" in t for t in texts)
    assert [row.cells[0].text for row in doc.tables[-1].rows] == ["示例省政务服务管理办公室\t2026年10月30日印发"]


def test_a_long_printing_organ_puts_the_date_on_the_next_line(tmp_path, styles):
    """印发机关 left and 印发日期 right share a line when both fit (14 pt on 156 mm: 31 characters);
    a longer name sends the date to the next line whole, not split as “2026年10 / 月30日印发”."""
    short = bulletin_docx(tmp_path, styles).tables[-1].rows[-1].cells[0].paragraphs[0]
    long_name = "示例省政务服务管理办公室（省12345热线管理办公室）"
    long = bulletin_docx(tmp_path, styles, printed_by=long_name).tables[-1].rows[-1].cells[0].paragraphs[0]
    assert short._p.findall(f".//{qn('w:br')}") == []
    assert len(long._p.findall(f".//{qn('w:br')}")) == 1 and long.text.endswith("\t2026年10月30日印发")


def ems(text: str) -> float:
    """Printed width in ems: a Chinese character or full-width mark one, a digit or Latin letter half."""
    return sum(0.5 if ord(c) < 0x2E80 else 1.0 for c in text)


def test_an_issuers_long_name_fits_on_one_line(tmp_path, styles):
    long = "示例省政务服务管理办公室（省12345热线管理办公室）"  # 22 characters and 5 digits: 24.5 ems
    run = bulletin_docx(tmp_path, styles, issuer=long).paragraphs[0].runs[0]
    width_pt = (210 - 28 - 26) / 25.4 * 72
    assert 0.9 * width_pt <= run.font.size.pt * ems(long) <= width_pt


def test_the_covers_title_lines_share_the_size_that_fits_the_widest(tmp_path, styles):
    """The plan's first title line (示例省2026年第三季度12345政务服务便民热线, 24 ems) at the title's 2号 (22 pt)
    wrapped in LibreOffice and left 热线 alone on a line; the lines now share the size that fits the widest."""
    lines = ["示例省2026年第三季度12345政务服务便民热线", "服务质量综合评价方案"]
    path = tmp_path / "plan.docx"
    write_docx(notebook(paragraph_html("正文。")), {"kind": "plan", "title_lines": lines}, path, styles.report)
    runs = {p.text: p.runs[0] for p in Document(str(path)).paragraphs if p.text in lines}
    sizes = {run.font.size.pt for run in runs.values()}
    width_pt = (210 - 25 - 25) / 25.4 * 72
    assert len(runs) == 2 and len(sizes) == 1
    assert 0.9 * width_pt <= sizes.pop() * ems(lines[0]) <= width_pt

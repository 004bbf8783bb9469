"""Print layout, looked at as a reader would: a synthetic document (no kernel) through the template and
each PDF engine — contents page numbers, no text beyond the margins, long tables split with their
header repeated, every font embedded and none a fallback, every character present, pages not blank."""

import base64
import io
import re
import shutil
import subprocess

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from hotline_eval.core.errors import RenderError
from hotline_eval.report import blocks, charts, tables
from hotline_eval.report.pdf import find_engine, to_pdf
from hotline_eval.report.render import to_html

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (.ci/run installs it)")

DIMENSIONS = ["服务响应", "服务准确性", "服务规范性", "服务效率", "服务满意度", "问题解决质量", "服务创新能力"]
MARGIN_PT = 20 / 25.4 * 72  # report.css: 20 mm left and right


def long_table() -> pd.DataFrame:
    """45 indicators in seven dimensions with formula-length text, as the full catalogue will have."""
    rows = []
    for n in range(1, 46):
        rows.append(
            {
                "维度": DIMENSIONS[(n - 1) * 7 // 45],
                "序号": str(n),
                "指标（条款）": f"指标{n:02d}号的名称较长（§6.{(n - 1) * 7 // 45 + 1}.{n % 5 + 1}）",
                "计算方法": "人工接通来电的等待时长之和 ÷ 人工接通来电数（等待自进入人工队列起算，含振铃；不含速挂）",
                "评价方式": "系统提取、录音抽查",
                "分值": "2.0",
                "参考值（取得者）": "12.2秒（临江市、南湖市）",
                "计分规则": "逆向比率指标",
            }
        )
    return pd.DataFrame(rows)


def document_html(root) -> str:
    charts.setup()
    parts = [
        blocks.heading_html("一、评价概况", 2, "overview"),
        "<p>" + "本次评价覆盖全省各设区市热线工作机构和承办单位。" * 12 + "</p>",
        blocks.heading_html("（一）评价依据", 3, "basis"),
        tables.html_table(
            long_table(),
            "评价指标定义、参考值与计分规则",
            number=1,
            group="维度",
            widths=[6, 17, 33, 11, 6, 15, 12],
            align_right=["分值"],
        ),
        blocks.heading_html("二、评价结果", 2, "results"),
        charts.figure_html(
            charts.ranked_bars(
                pd.Series({"临江市": 99.87, "青山市": 90.04, "云岭市": 85.16}), "青山市", "综合得分（分）"
            ),
            "全省各设区市综合得分",
            alt="横向条形图：各市综合得分",
            number=1,
        ),
        blocks.heading_html("附　录", 2, "appendix", new_page=True),
        "<ol class='numbered'><li>1. 申诉时限：自报告印发之日起10个工作日内。</li></ol>",
    ]
    nb = new_notebook()
    nb.cells = [new_code_cell("", outputs=[new_output("display_data", data={"text/html": "".join(parts)})])]
    meta = {
        "kind": "report",
        "title": "测试市12345政务服务便民热线服务质量评价报告",
        "kicker": "测试评价",
        "subtitle": "（2026年7—9月　综合评价）",
        "facts": [["评价对象", "测试市"]],
        "organiser": "测试省热线办",
        "date": "2026年10月30日",
        "running_head": "测试市评价报告",
    }
    return to_html(nbformat.from_dict(nb), root / "templates", meta)


@pytest.fixture(scope="module")
def html_file(root, tmp_path_factory):
    path = tmp_path_factory.mktemp("render") / "doc.html"
    path.write_text(document_html(root), encoding="utf-8")
    return path


def engines():
    found = []
    for name in ("chromium", "weasyprint"):
        engine = find_engine(name)
        found.append(pytest.param(engine, id=name, marks=pytest.mark.skipif(engine is None, reason=f"{name} missing")))
    return found


def pages_text(pdf) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1]


@pytest.mark.parametrize("engine", engines())
def test_printed_document_reads_right(engine, html_file, tmp_path):
    pdf = to_pdf(html_file, tmp_path / "doc.pdf", engine)
    pages = pages_text(pdf)

    # contents: each entry's page number is the page its heading is printed on
    toc = pages[1]
    assert "目" in toc and "录" in toc
    for heading in ("一、评价概况", "（一）评价依据", "二、评价结果", "附　录"):
        match = re.search(re.escape(heading).replace("　", r"\s*") + r"[ .·]*\s(\d+)\s*$", toc, re.M)
        assert match, f"{heading} has no page number in the contents:\n{toc}"
        page = int(match.group(1))
        body = re.sub(r"\s+", "", pages[page - 1])
        assert heading.replace("　", "") in body, f"{heading} is not on page {page}"
    # the appendix starts a new page: nothing of the results section is on it
    appendix_page = next(i for i, p in enumerate(pages) if "申诉时限" in p)
    assert "综合得分" not in pages[appendix_page]

    # the 45-row table splits across pages, each continuation with its header, every row exactly once
    with_header = [p for p in pages if "计算方法" in p and "评价方式" in p]
    assert len(with_header) >= 2
    text = "".join(pages)
    assert all(text.count(f"指标{n:02d}号") == 1 for n in range(1, 46))

    # page footer on the body pages, none on the cover
    assert "页" not in pages[0].split("测试省热线办")[-1]
    assert re.search(r"第\s*3\s*页\s*/\s*共\s*\d+\s*页", pages[2])

    assert bookmarks(pdf) == [
        (0, "一、评价概况", pages_of(pages, "一、评价概况")),
        (1, "（一）评价依据", pages_of(pages, "（一）评价依据")),
        (0, "二、评价结果", pages_of(pages, "二、评价结果")),
        (0, "附　录", appendix_page + 1),
    ]

    assert_nothing_beyond_the_margins(pdf)
    assert_fonts_embedded_without_fallback(pdf)
    assert_every_character_is_in_the_pdf(html_file.read_text(encoding="utf-8"), text)
    assert_first_pages_are_not_blank(pdf, tmp_path)


def pages_of(pages, heading):
    """The page (1-based) whose text holds the heading, the contents page excluded."""
    return next(i for i, p in enumerate(pages, 1) if i > 2 and heading.replace("　", "") in re.sub(r"\s+", "", p))


def bookmarks(pdf):
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    out = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return out


def assert_nothing_beyond_the_margins(pdf):
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for page in re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', bbox, re.S):
        width = float(page[0])
        for x_max, word in re.findall(r'xMax="([\d.]+)"[^>]*>([^<]*)</word>', page[1]):
            assert float(x_max) <= width - MARGIN_PT + 2, f"'{word}' overflows the right margin ({x_max} of {width})"


def assert_fonts_embedded_without_fallback(pdf):
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = listing.splitlines()[2:]
    assert rows, "the PDF has no fonts"
    for row in rows:
        assert " yes " in row, f"font not embedded: {row}"
        assert not re.search(r"DejaVu|Liberation|FreeSans|Droid|WenQuanYi", row), f"fallback font used: {row}"


def assert_every_character_is_in_the_pdf(document, pdf_text):
    visible = re.sub(r"<[^>]+>", "", re.sub(r"<style.*?</style>", "", document, flags=re.S))
    wanted = {c for c in visible if "\u4e00" <= c <= "\u9fff"}
    missing = wanted - set(pdf_text)
    assert not missing, f"characters lost in the PDF: {''.join(sorted(missing))}"
    assert "\ufffd" not in pdf_text


def assert_first_pages_are_not_blank(pdf, tmp_path):
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "3", str(pdf), str(tmp_path / "p")], check=True)
    for png in sorted(tmp_path.glob("p-*.png")):
        histogram = Image.open(png).convert("L").histogram()
        inked = sum(histogram[:200])  # pixels clearly darker than the white page
        assert inked > 300, f"{png.name} looks blank ({inked} inked pixels)"


def test_the_embedded_font_covers_every_character_of_the_document(html_file):
    from fontTools.ttLib import TTFont

    document = html_file.read_text(encoding="utf-8")
    faces = re.findall(r"url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)[^}]*font-weight: (\d+)", document)
    assert [weight for _, weight in faces] == ["400", "700"]
    visible = re.sub(r"<[^>]+>", "", re.sub(r"<style.*?</style>", "", document, flags=re.S))
    visible = re.sub(r"&[a-z]+;|&#\d+;", "", visible)
    for data, weight in faces:
        cmap = TTFont(io.BytesIO(base64.b64decode(data))).getBestCmap()
        missing = {c for c in visible if not c.isspace() and ord(c) not in cmap}
        assert not missing, f"not in the embedded font of weight {weight}: {sorted(missing)}"


def test_the_bold_face_has_the_chinese_shapes_of_the_regular_one():
    """The bold font comes from the Japanese package: every character must map to the glyph (CID) the
    Simplified Chinese face uses, else 骨 or “ print in their Japanese forms in headings."""
    from fontTools.ttLib import TTFont

    from hotline_eval.report.fonts import FACE_INDEX, bold_face, bold_font_path, font_path

    chinese = TTFont(str(font_path()), fontNumber=FACE_INDEX, lazy=True).getBestCmap()
    bold = bold_face()
    japanese = TTFont(str(bold_font_path()), lazy=True).getBestCmap()
    mapped = bold.getBestCmap()
    assert mapped == chinese
    # the remap matters: the Japanese map differs from the Chinese one for these, the bold font follows the Chinese
    for char in "骨直“：":
        assert japanese[ord(char)] != chinese[ord(char)]
        assert mapped[ord(char)] == chinese[ord(char)]
    assert "NotoSansCJKjp-Bold" in bold["name"].getDebugName(6)


def test_weasyprint_prints_in_one_pass_to_the_same_bytes(html_file, tmp_path):
    """The default engine prints once (its contents' page numbers and bookmarks come from the CSS, checked
    above) and the same HTML gives the same file, fonts included."""
    engine = find_engine("weasyprint")
    if engine is None:
        pytest.skip("weasyprint missing")
    calls = []
    counted = engine.__class__(engine.name, engine.label, lambda h, p: (calls.append(h), engine.print_pdf(h, p)), True)
    first = to_pdf(html_file, tmp_path / "a.pdf", counted).read_bytes()
    second = to_pdf(html_file, tmp_path / "b.pdf", counted).read_bytes()
    assert calls == [html_file, html_file]
    assert first == second


def test_no_pdf_engine_is_a_clear_error(monkeypatch, html_file, tmp_path):
    monkeypatch.setenv("REPORT_BROWSER", str(tmp_path / "no-such-browser"))
    monkeypatch.setenv("REPORT_PDF_ENGINE", "chromium")
    with pytest.raises(RenderError) as err:
        to_pdf(html_file, tmp_path / "x.pdf")
    assert "apt-get install chromium" in str(err.value)
    with pytest.raises(RenderError, match="未知的PDF引擎"):
        find_engine("latex")

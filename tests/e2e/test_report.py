"""End to end: the default evaluation's city report renders as a document, in Chinese, with no code."""

import json
import re
import shutil
import subprocess

import nbformat
import pandas as pd
import pytest

from hotline_eval.core.masking import find_personal_numbers
from hotline_eval.report.city import render_city
from hotline_eval.report.pdf import find_engine, to_pdf
from hotline_eval.report.render import execute
from tests.support.documents import assert_documents_clean, lint_rules, visible_text

pytestmark = pytest.mark.slow
ARTEFACTS = re.compile(
    r"\bnan\b|\bNone\b|\bNaT\b|<NA>|dtype|Traceback|Error\b|object at 0x|\binf\b|\[\d+ rows|\bTrue\b|\bFalse\b"
    r"|\b[a-z]+_[a-z_]+\b"  # an identifier (status code, column name) that was not translated
)


@pytest.fixture(scope="module")
def report(root, demo):
    return render_city(root, "demo-comprehensive", "qingshan", pdf=False)


@pytest.mark.parametrize("rule", lint_rules())
def test_the_report_passes_the_linter(report, rule):
    assert_documents_clean(report["lint"], rule)


@pytest.fixture(scope="module")
def visible(report):
    """What a reader of the HTML sees: the text without markup, styles and embedded data."""
    return visible_text(report["html"])


def test_the_report_names_the_city_and_its_total_score(report, demo):
    html = report["html"].read_text(encoding="utf-8")
    total = pd.read_csv(demo.out / "totals.csv").set_index("city").loc["qingshan", "total"]
    assert "青山市" in html
    assert f"{total:.2f}分" in html


def test_the_cover_has_evaluation_city_period_organiser_and_date(visible):
    cover = visible.split("目　录")[0]
    for expected in (
        "示例省2026年第三季度12345政务服务便民热线服务质量综合评价",
        "青山市12345政务服务便民热线",
        "2026年7月1日—2026年9月30日",
        "示例省政务服务管理办公室",
        "2026年10月30日",  # issued_on: the period's end + 30 days (evaluation.py)
    ):
        assert expected in cover, expected


def test_the_outline_is_complete_and_the_contents_link_every_section(report):
    html = report["html"].read_text(encoding="utf-8")
    sections = [s for s in re.findall(r'<h2\b[^>]*\bid="([^"]+)"[^>]*>(.*?)</h2>', html) if s[0] != "toc"]
    titles = [t for _, t in sections]
    assert titles[:3] == ["一、评价概况", "二、评价结果", "三、指标分析"]
    assert titles[-1] == "附　录"
    toc = re.search(r'<nav class="toc">.*?</nav>', html, re.S).group(0)
    for anchor, _ in sections:
        assert f'href="#{anchor}"' in toc
    ids = re.findall(r'<h[23]\b[^>]*\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)) > 10, "every section and subsection has its own id"


def test_tables_and_figures_are_numbered_in_order_and_charts_have_alt_text(report):
    html = report["html"].read_text(encoding="utf-8")
    tables = [int(n) for n in re.findall(r"<figcaption>表(\d+)　", html)]
    figures = [int(n) for n in re.findall(r"<figcaption>图(\d+)　", html)]
    assert tables == list(range(1, len(tables) + 1)) and len(tables) >= 5
    assert figures == list(range(1, len(figures) + 1)) and len(figures) >= 2
    images = re.findall(r"<img [^>]*>", html)
    assert len(images) == len(figures)
    assert all(re.search(r'alt="[^"]{6,}"', img) for img in images)


def test_the_appendix_defines_every_indicator_and_the_appeal_deadline(report, demo, root, visible):
    from hotline_eval.config.catalogue import load_catalogue

    appendix = visible.split("附录1")[-1]
    for ind in load_catalogue(root).indicators:
        assert f"{ind.zh}（§{ind.clause}）" in appendix, ind.id
    # issued 2026-10-30 (Friday) + 10 working days (appeal_days) → Friday 2026-11-13
    assert "10个工作日内，即2026年11月13日前" in appendix


def test_the_reader_sees_no_code_and_no_python_artefacts(report, visible):
    html = report["html"].read_text(encoding="utf-8")
    assert "<script" not in html
    assert "jp-InputArea" not in html and "import " not in html
    assert not ARTEFACTS.search(visible), ARTEFACTS.search(visible)


def test_the_report_embeds_its_font_and_loads_nothing_from_outside(report):
    html = report["html"].read_text(encoding="utf-8")
    assert "@font-face" in html and "base64," in html
    assert not re.search(r"https?://(?!www\.w3\.org)", html), "no external resources"


def test_the_report_and_its_executed_notebook_hold_no_personal_numbers(report):
    for path in (report["html"], report["notebook"]):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"data:[a-z/+0-9]+;base64,[A-Za-z0-9+/=]+", "", text)
        assert find_personal_numbers(text) == [], path.name


def test_the_executed_notebook_records_its_parameters(report):
    nb = nbformat.read(report["notebook"], as_version=4)
    assert nb.metadata["papermill"]["parameters"]["city"] == "qingshan"


def test_the_manifest_records_params_and_input_fingerprints(demo):
    manifest = json.loads(demo.manifest.read_text(encoding="utf-8"))
    assert manifest["evaluation"] == "demo-comprehensive"
    assert manifest["parameters"]["short_abandon_s"] == 5
    assert len(manifest["inputs"]) > 100 and all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert "params/indicators.yaml" in manifest["params_files"]
    version = manifest["versions"][-1]
    assert manifest["outputs"]["scores.xlsx"] == {"stage": "analysis", "data_version": 1, "inputs": version["inputs"]}


def test_the_report_records_the_data_version_it_was_made_from(report, demo):
    """The data version and input fingerprint of the manifest, in the document (a reader of the HTML can check it)."""
    version = json.loads(demo.manifest.read_text(encoding="utf-8"))["versions"][-1]
    html = report["html"].read_text(encoding="utf-8")
    (tag,) = re.findall(r'<meta[^>]*name="hotline-eval-data-version"[^>]*>', html)
    assert f'content="{version["version"]} {version["inputs"]}"' in tag


def test_the_pdf_has_chinese_text_page_numbers_the_total_and_a_true_contents(root, demo, tmp_path):
    if find_engine() is None or shutil.which("pdftotext") is None:
        pytest.skip("needs a PDF engine and pdftotext (.ci/run installs Chromium and poppler-utils)")
    written = render_city(root, "demo-comprehensive", "yunling", pdf=True)
    text = subprocess.run(
        ["pdftotext", "-layout", str(written["pdf"]), "-"], capture_output=True, text=True, check=True
    ).stdout
    total = pd.read_csv(demo.out / "totals.csv").set_index("city").loc["yunling", "total"]
    assert "云岭市" in text and f"{total:.2f}分" in text
    assert re.search(r"第\s*2\s*页\s*/\s*共\s*\d+\s*页", text)
    pages = text.split("\f")
    for title in ("一、评价概况", "二、评价结果", "三、指标分析"):
        page = int(re.search(re.escape(title) + r"[ .]*\s(\d+)\s*$", pages[1], re.M).group(1))
        assert title in pages[page - 1], f"the contents put {title} on page {page}"
    assert not ARTEFACTS.search(text)
    fonts = subprocess.run(["pdffonts", str(written["pdf"])], capture_output=True, text=True, check=True).stdout
    assert all(" yes " in row for row in fonts.splitlines()[2:]) and "DejaVu" not in fonts
    assert to_pdf(written["html"], tmp_path / "again.pdf").stat().st_size > 10_000


@pytest.mark.slow
def test_the_appendix_notebook_runs_alone(root, demo, tmp_path):
    nb = execute(
        [root / "notebooks" / "city" / "09-appendix.ipynb"],
        tmp_path / "appendix.ipynb",
        {"evaluation": "demo-comprehensive", "city": "nanhu", "root": str(root)},
        cwd=root / "notebooks" / "city",
    )
    shown = "".join(out.get("data", {}).get("text/html", "") for cell in nb.cells for out in cell.get("outputs", []))
    assert "附录1　指标定义、参考值与计分规则" in shown and "表1　评价指标定义" in shown  # numbering starts afresh

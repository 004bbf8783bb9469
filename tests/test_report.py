"""End to end: the default evaluation's report renders as a document, in Chinese, with no code."""

import json
import re

import nbformat
import pytest

from hotline_eval.masking import find_personal_numbers
from hotline_eval.report.city import render_city

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report(root, demo):
    return render_city(root, "demo-comprehensive", "qingshan", pdf=False)


def test_the_report_names_the_city_and_its_total_score(report, demo):
    html = report["html"].read_text(encoding="utf-8")
    import pandas as pd

    total = pd.read_csv(demo.out / "totals.csv").set_index("city").loc["qingshan", "total"]
    assert "青山市" in html
    assert f"{total:.2f}分" in html


def test_the_report_has_no_code_no_scripts_and_embeds_its_font(report):
    html = report["html"].read_text(encoding="utf-8")
    assert "<script" not in html
    assert "jp-InputArea" not in html and "import " not in html
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


def test_the_pdf_has_chinese_text_page_numbers_and_the_total(root, demo, tmp_path):
    import shutil
    import subprocess

    from hotline_eval.report.render import find_browser, to_pdf

    if find_browser() is None or shutil.which("pdftotext") is None:
        pytest.skip("needs a Chromium-family browser and pdftotext (.ci/run installs both)")
    written = render_city(root, "demo-comprehensive", "yunling", pdf=True)
    text = subprocess.run(
        ["pdftotext", "-layout", str(written["pdf"]), "-"], capture_output=True, text=True, check=True
    ).stdout
    import pandas as pd

    total = pd.read_csv(demo.out / "totals.csv").set_index("city").loc["yunling", "total"]
    assert "云岭市" in text and f"{total:.2f}分" in text
    assert re.search(r"第\s*2\s*页\s*/\s*共\s*\d+\s*页", text)
    assert to_pdf(written["html"], tmp_path / "again.pdf").stat().st_size > 10_000

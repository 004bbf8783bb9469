"""Rendering: Papermill executes the city notebooks, nbconvert turns them into a document.

The city report is the concatenation of notebooks/city/*.ipynb (in name order), executed in one
fresh kernel with the evaluation and city as parameters. The HTML has no code and no scripts,
embeds its charts and a subset of the Chinese font, and opens with a cover and a contents list.
A PDF is printed from the HTML by a headless Chromium, Chrome or Edge when one is installed.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import nbformat

from hotline_eval.errors import RenderError
from hotline_eval.report.fonts import subset_font_css
from hotline_eval.store import atomic_write_bytes, atomic_write_text

FONT_PLACEHOLDER = "/*CJK_FONT*/"
TOC_PLACEHOLDER = "<!--TOC-->"
BROWSERS = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "msedge", "microsoft-edge"]
BROWSER_PATHS = [
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
]


def combine(notebooks: list[Path]) -> nbformat.NotebookNode:
    """One notebook from several: the first `parameters` cell stays, later ones are dropped."""
    if not notebooks:
        raise RenderError("no notebooks to render")
    combined = nbformat.read(notebooks[0], as_version=4)
    for path in notebooks[1:]:
        nb = nbformat.read(path, as_version=4)
        combined.cells += [c for c in nb.cells if "parameters" not in c.get("metadata", {}).get("tags", [])]
    combined.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return combined


def execute(notebooks: list[Path], output: Path, parameters: dict[str, Any], cwd: Path) -> nbformat.NotebookNode:
    """Execute the combined notebook in a fresh kernel; the executed copy is kept for audit."""
    import papermill as pm
    from jupyter_client.manager import KernelManager

    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "combined.ipynb"
        nbformat.write(combine(notebooks), source)
        partial = output.with_name(f".partial-{output.name}")
        # IPC transport: no TCP ports to race for when several kernels start at once
        km = KernelManager(kernel_name="python3", transport="ipc", ip=str(Path(tmp) / "kernel"))
        try:
            pm.execute_notebook(
                str(source),
                str(partial),
                parameters=parameters,
                kernel_name="python3",
                cwd=str(cwd),
                progress_bar=False,
                log_output=False,
                execution_timeout=600,
                km=km,
            )
        except pm.PapermillExecutionError as exc:
            raise RenderError(
                f"the report notebook failed in cell {exc.cell_index}: {exc.ename}: {exc.evalue} "
                f"(executed notebook kept at {partial})"
            ) from exc
        finally:
            if km.has_kernel:
                km.shutdown_kernel(now=True)
    partial.replace(output)
    return nbformat.read(output, as_version=4)


def to_html(nb: nbformat.NotebookNode, templates: Path, cover: dict[str, str]) -> str:
    """The executed notebook as a self-contained HTML document (no code, no scripts)."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.from_dict(nb)
    nb.metadata["hotline"] = cover
    exporter = HTMLExporter(
        template_name="hotline",
        extra_template_basedirs=[str(templates)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(
            remove_cell_tags={"remove-cell"}, remove_all_outputs_tags={"remove-output"}, enabled=True
        ),
        enabled=True,
    )
    body, _ = exporter.from_notebook_node(nb)
    body = _strip_stderr(body)
    body = body.replace(TOC_PLACEHOLDER, _toc(body))
    text = re.sub(r"<[^>]+>", "", body)
    return body.replace(FONT_PLACEHOLDER, subset_font_css(html.unescape(text)))


def _strip_stderr(body: str) -> str:
    """Warnings printed by libraries must never reach a reader."""
    return re.sub(
        r'<div class="jp-RenderedText jp-OutputArea-output" data-mime-type="application/vnd.jupyter.stderr">'
        r".*?</div>",
        "",
        body,
        flags=re.S,
    )


def _toc(body: str) -> str:
    items = re.findall(r'<h([23]) id="([^"]+)">(.*?)</h\1>', body)
    lines = [f'<li class="toc-{level}"><a href="#{ident}">{text}</a></li>' for level, ident, text in items]
    return '<nav class="toc"><h2 class="toc-title">目　录</h2><ol>' + "".join(lines) + "</ol></nav>"


def write_html(path: Path, document: str) -> None:
    atomic_write_text(path, document)


def find_browser() -> str | None:
    """A Chromium-family browser: $REPORT_BROWSER, one on PATH, or a usual install location."""
    env = os.environ.get("REPORT_BROWSER")
    if env:
        return env if Path(env).exists() or shutil.which(env) else None
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return next((p for p in BROWSER_PATHS if Path(p).exists()), None)


def to_pdf(html_path: Path, pdf_path: Path, browser: str | None = None) -> Path:
    """Print the HTML to PDF with a headless Chromium-family browser (page numbers from CSS)."""
    browser = browser or find_browser()
    if browser is None:
        raise RenderError(
            "no Chromium, Chrome or Edge found for PDF output",
            fix="install one (Debian: apt-get install chromium) or set REPORT_BROWSER",
        )
    with tempfile.TemporaryDirectory() as profile:
        target = Path(profile) / "out.pdf"
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={target}",
            html_path.resolve().as_uri(),
        ]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=180)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise RenderError(f"the browser could not print {html_path.name} to PDF: {exc}") from exc
        if not target.exists():
            raise RenderError(f"the browser produced no PDF for {html_path.name}")
        atomic_write_bytes(pdf_path, target.read_bytes())
    return pdf_path

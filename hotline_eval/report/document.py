"""One document from its notebooks: execute, convert to HTML, check it, print it to PDF.

Shared by the city report (notebooks/city), the province bulletin (notebooks/bulletin) and the plan
(notebooks/plan). The check is the document linter (report/lint.py): its findings go to
<name>.lint.json beside the document, and the command line shows them.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from hotline_eval.config.document_styles import DocumentStyle
from hotline_eval.core.errors import RenderError
from hotline_eval.report.lint import lint_file, lint_html, load_rules, write_findings
from hotline_eval.report.pdf import NO_ENGINE_FIX, find_engine, to_pdf
from hotline_eval.report.render import Kernel, execute, notebooks_of, to_html, write_html
from hotline_eval.report.word import write_docx


def render_document(
    root: Path,
    document: str,
    out: Path,
    name: str,
    parameters: dict[str, Any],
    meta: dict[str, Any],
    *,
    period: tuple[dt.date, dt.date],
    pdf: bool | None = None,
    word: DocumentStyle | None = None,
    kernel: Kernel | None = None,
    names: list[str] | None = None,
    situation: str = "",
) -> dict[str, Path]:
    """Execute notebooks/<document>/*.ipynb and write <out>/<name>.ipynb, .html, .lint.json and (maybe)
    .pdf and .docx.

    period: the evaluation period (start, end), for the linter's month rule. pdf: True requires a PDF
    (error without an engine), None makes one when an engine exists, False skips it. word: the style of
    the Word file (report/word/), None for none. kernel: a running
    kernel to execute in (default: a fresh one). names: names from the data the document may quote
    (handling units' ids), which the linter lets through. situation: what the data are like, for the
    message when a notebook fails (report/sources.situation). The linter's findings are in the file under "lint"
    (report.lint.read_findings), so that a batch worker's findings reach the driver too.
    """
    engine = find_engine() if pdf is not False else None
    if pdf and engine is None:
        raise RenderError("要求生成PDF，但未找到PDF引擎", fix=NO_ENGINE_FIX)
    written = {"notebook": out / f"{name}.ipynb", "html": out / f"{name}.html"}
    nb = execute(
        notebooks_of(root, document), written["notebook"], parameters, cwd=root, kernel=kernel, situation=situation
    )
    html = to_html(nb, root / "templates", meta)
    write_html(written["html"], html)
    written["lint"] = write_findings(
        lint_file(written["html"]), lint_html(html, *period, load_rules(root).with_names(names or []))
    )
    if word is not None:
        written["docx"] = write_docx(nb, meta, out / f"{name}.docx", word)
    if engine is not None:
        written["pdf"] = to_pdf(written["html"], out / f"{name}.pdf", engine)
    return written


def css_string(text: str) -> str:
    """Text safe inside a CSS string in a <style> element (a running head): no quotes, escapes or markup."""
    return re.sub(r'["\\<>\n\r]', "", text)

"""One document from its notebooks: execute, convert to HTML, print to PDF.

Shared by the city report (notebooks/city) and the province bulletin (notebooks/bulletin).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hotline_eval.core.errors import RenderError
from hotline_eval.report.pdf import NO_ENGINE_FIX, find_engine, to_pdf
from hotline_eval.report.render import Kernel, execute, notebooks_of, to_html, write_html


def render_document(
    root: Path,
    document: str,
    out: Path,
    name: str,
    parameters: dict[str, Any],
    meta: dict[str, Any],
    *,
    pdf: bool | None = None,
    kernel: Kernel | None = None,
) -> dict[str, Path]:
    """Execute notebooks/<document>/*.ipynb and write <out>/<name>.ipynb, .html and (maybe) .pdf.

    pdf: True requires a PDF (error without an engine), None makes one when an engine exists,
    False skips it. kernel: a running kernel to execute in (default: a fresh one).
    """
    engine = find_engine() if pdf is not False else None
    if pdf and engine is None:
        raise RenderError("要求生成PDF，但未找到PDF引擎", fix=NO_ENGINE_FIX)
    written = {"notebook": out / f"{name}.ipynb", "html": out / f"{name}.html"}
    nb = execute(notebooks_of(root, document), written["notebook"], parameters, cwd=root, kernel=kernel)
    write_html(written["html"], to_html(nb, root / "templates", meta))
    if engine is not None:
        written["pdf"] = to_pdf(written["html"], out / f"{name}.pdf", engine)
    return written


def css_string(text: str) -> str:
    """Text safe inside a CSS string in a <style> element (a running head): no quotes, escapes or markup."""
    return re.sub(r'["\\<>\n\r]', "", text)

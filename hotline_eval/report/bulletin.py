"""The province bulletin (通报, §5.2.5): execute notebooks/bulletin/*.ipynb and render HTML (and PDF).

Outline (docs/documents/bulletin.md#outline): header and addressees; opening sentence; 一、总体情况;
二、各地情况 (ranking, dimensions, who did well and why, who lags and which indicators cost them);
三、存在的主要问题; 四、工作要求; signature; 附件 (every indicator of every city, the comparisons).
The sections are built by report/sections/bulletin_*.py, one per notebook.
"""

from __future__ import annotations

from pathlib import Path

from hotline_eval import __version__
from hotline_eval.config.wording import load_wording
from hotline_eval.core import fmt
from hotline_eval.core.publish import reading
from hotline_eval.report import sources
from hotline_eval.report.document import render_document
from hotline_eval.report.word import style_for
from hotline_eval.results import Results, load


def render_bulletin(
    root: Path, evaluation: str, *, pdf: bool | None = None, docx: bool | None = None, previous: str = ""
) -> dict[str, Path]:
    """Render outputs/<evaluation>/bulletin.html (and .pdf, .docx) from notebooks/bulletin/*.ipynb."""
    results = load(root, evaluation)
    wording = load_wording(root, results.evaluation.labels)
    parameters = {"evaluation": results.evaluation.id, "root": str(root), "previous": previous}
    with reading(results.paths.out):  # one published set throughout (core/publish.py)
        meta = header(results, wording)
        period = (results.evaluation.period.start, results.evaluation.period.end)
        return render_document(
            root,
            "bulletin",
            results.paths.out,
            "bulletin",
            parameters,
            meta,
            period=period,
            pdf=pdf,
            word=style_for(root, results.evaluation, "bulletin", docx),
            names=results.names,
            situation=sources.situation(results),
        )


def title(results: Results, wording: dict) -> str:
    return wording["bulletin"]["title"].format(evaluation=results.evaluation.name_zh)


def header(results: Results, wording: dict) -> dict:
    """What the 通报 shows as a 公文 (GB/T 9704-2012): issuer, document number, title, addressees at the
    head; copy-to, printing organ and date in the 版记. An element the definition leaves empty is omitted."""
    ev = results.evaluation
    docs = ev.documents
    return {
        "kind": "bulletin",
        "style": docs.bulletin_style,
        "version": __version__,
        "data_version": results.data_version,
        "issuer": ev.organiser_zh,
        "number": docs.number_zh,
        "title": title(results, wording),
        "addressees": ev.follow_up.addressees,
        "copy_to": docs.copy_to_zh,
        "printed_by": docs.printed_by_zh or ev.organiser_zh,
        "printed_on": fmt.date(ev.issued_on),
    }

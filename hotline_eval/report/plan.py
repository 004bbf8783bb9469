"""The evaluation plan (评价方案, §5.2.3) as a document: notebooks/plan/*.ipynb → plan.html, plan.pdf.

The plan needs no data: it is rendered from the evaluation definition and params before collection,
into outputs/<evaluation>/plan/. The tables it shows are built in hotline_eval/cycle/plan.py.
"""

from __future__ import annotations

from pathlib import Path

from hotline_eval import __version__
from hotline_eval.config.wording import load_wording
from hotline_eval.core import fmt
from hotline_eval.cycle.plan import objects_text, title
from hotline_eval.cycle.schedule import timeline
from hotline_eval.report.context import ReportContext
from hotline_eval.report.document import css_string, render_document
from hotline_eval.report.word import style_for
from hotline_eval.results import load

_CONTEXTS: dict[tuple[str, str], ReportContext] = {}


def plan_context(root: str | Path, evaluation: str) -> ReportContext:
    """What the plan's notebooks share (section, table numbers); no results are read."""
    key = (str(Path(root).resolve()), evaluation)
    if key not in _CONTEXTS:
        results = load(root, evaluation)
        _CONTEXTS[key] = ReportContext(results, load_wording(results.root, results.evaluation.labels), "")
    return _CONTEXTS[key]


def render_plan(root: Path, evaluation: str, *, pdf: bool | None = None, docx: bool | None = None) -> dict[str, Path]:
    """Render outputs/<evaluation>/plan/plan.html (and .pdf, .docx) from notebooks/plan/*.ipynb."""
    results = load(root, evaluation)
    ev = results.evaluation
    parameters = {"evaluation": ev.id, "root": str(root)}
    out = results.paths.out / "plan"
    period = (ev.period.start, ev.period.end)
    word = style_for(root, ev, "plan", docx)
    meta = cover(root, evaluation)
    return render_document(root, "plan", out, "plan", parameters, meta, period=period, pdf=pdf, word=word)


def cover(root: Path, evaluation: str) -> dict:
    """The plan's cover: title, period, objects, type, data deadline, organiser, publication date."""
    ev = load(root, evaluation).evaluation
    words = load_wording(root, ev.labels)
    name = title(ev, words)
    w = words["plan"]
    head, _, tail = name.partition(w["cover_split"])
    t = timeline(root, ev)
    units = w["cover_units"] if ev.units.evaluate else ""
    return {
        "kind": "report",
        "style": ev.documents.plan_style,
        "version": __version__,
        "kicker": ev.organiser_zh,
        "title": name,
        "title_lines": [head + w["cover_split"], tail] if tail else [name],
        "running_head": css_string(name),
        "subtitle": w["cover_subtitle"].format(type=words["evaluation_type"][ev.type], period=ev.period.label_zh),
        "facts": [
            [w["cover_facts"]["objects"], objects_text(root, ev, words).split("，")[0] + units],
            [
                w["cover_facts"]["period"],
                w["cover_period"].format(start=fmt.date(ev.period.start), end=fmt.date(ev.period.end)),
            ],
            [w["cover_facts"]["type"], words["evaluation_type"][ev.type]],
            [w["cover_facts"]["data_due"], fmt.date(t.data_due)],
        ],
        "organiser": ev.organiser_zh,
        "date": fmt.date(t.published) if t.published else "",
    }

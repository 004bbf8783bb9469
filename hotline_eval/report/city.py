"""The city report: execute notebooks/city/*.ipynb for one city and render HTML (and PDF)."""

from __future__ import annotations

from pathlib import Path

from hotline_eval import __version__
from hotline_eval.config.wording import load_wording
from hotline_eval.core import fmt
from hotline_eval.core.publish import reading
from hotline_eval.report import sources
from hotline_eval.report.document import css_string, render_document
from hotline_eval.report.render import Kernel
from hotline_eval.report.word import style_for
from hotline_eval.results import Results, load
from hotline_eval.score.rules import NOT_GRADED


def render_city(
    root: Path,
    evaluation: str,
    city: str,
    *,
    pdf: bool | None = None,
    docx: bool | None = None,
    previous: str = "",
    kernel: Kernel | None = None,
) -> dict[str, Path]:
    """Render one city's report from the prepared results; returns the files written.

    pdf: True requires a PDF (error without a PDF engine), None makes one when an engine exists.
    docx: write report.docx (None: as the definition's documents.docx says).
    previous: id of an earlier evaluation to compare with ("" = the evaluation's own, if any).
    kernel: a running kernel to execute the notebooks in (a batch worker's), else a fresh one.
    """
    results = load(root, evaluation)
    results.evaluation.check_city(city)
    parameters = {"evaluation": results.evaluation.id, "city": city, "root": str(root), "previous": previous}
    out = results.paths.city(city)
    with reading(results.paths.out):  # one published set throughout (core/publish.py)
        meta = cover(results, city)
        period = (results.evaluation.period.start, results.evaluation.period.end)
        return render_document(
            root,
            "city",
            out,
            "report",
            parameters,
            meta,
            period=period,
            pdf=pdf,
            word=style_for(root, results.evaluation, "report", docx),
            kernel=kernel,
            names=results.names,
            situation=sources.situation(results),
        )


def title(results: Results, city: str, wording: dict) -> str:
    labels = results.evaluation.labels
    return wording["report"]["cover"]["title"].format(name=results.city_name(city), service=labels.service)


def objects_text(results: Results, city: str, default: str) -> str:
    """The evaluated object as the cover and section 一 describe it (the evaluation's labels.objects)."""
    labels = results.evaluation.labels
    template = labels.objects or default
    return template.format(name=results.city_name(city), service_short=labels.service_short)


def cover(results: Results, city: str) -> dict:
    """What the cover shows: evaluation, title, period, object, result, organiser, date."""
    ev = results.evaluation
    words = load_wording(results.root, results.evaluation.labels)
    w = words["report"]["cover"]
    t = results.totals.loc[city]
    name = results.city_name(city)
    labels = ev.labels
    grade = words["report"]["cells"]["not_graded"] if t["grade"] == NOT_GRADED else t["grade"]
    result = f"{fmt.score(t['total'])}　{grade}"
    if city not in results.ranked:  # no total: say why instead of dashes
        result = w["no_total"][results.no_total_cause]
    elif len(ev.city_ids()) > 1:
        result += f"　{labels.scope}{fmt.rank(t['rank'], len(ev.city_ids()))}"
    return {
        "kind": "report",
        "style": ev.documents.report_style,
        "version": __version__,
        "data_version": results.data_version,
        "kicker": ev.name_zh,
        "title": title(results, city, words),
        "title_lines": [f"{name}{labels.service}", w["title_tail"]],
        "running_head": css_string(
            w["running_head"].format(name=name, service_short=labels.service_short, period=ev.period.label_zh)
        ),
        "subtitle": f"（{ev.period.label_zh}　{words['evaluation_type'][ev.type]}）",
        "facts": [
            [w["facts"]["objects"], objects_text(results, city, w["objects"])],
            [w["facts"]["period"], w["period"].format(start=fmt.date(ev.period.start), end=fmt.date(ev.period.end))],
            [w["facts"]["type"], words["evaluation_type"][ev.type]],
            [w["facts"]["result"], result],
        ],
        "organiser": ev.organiser_zh,
        "date": fmt.date(ev.issued_on),
    }

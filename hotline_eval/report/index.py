"""outputs/<evaluation>/index.html: links to every city's report and the bulletin, with the ranking."""

from __future__ import annotations

from pathlib import Path

import jinja2

from hotline_eval import __version__
from hotline_eval.compare.aggregates import dimension_rates, dimensions_scored
from hotline_eval.config.wording import load_wording
from hotline_eval.core import fmt
from hotline_eval.core.publish import reading
from hotline_eval.report.batch import Outcome, recorded_failures
from hotline_eval.report.bulletin import title as bulletin_title
from hotline_eval.report.lint import lint_file, lint_html, load_rules, write_findings
from hotline_eval.report.render import embed_font, write_html
from hotline_eval.results import Results, load
from hotline_eval.score.rules import NOT_GRADED


def write_index(root: Path, evaluation: str, outcomes: list[Outcome] | None = None) -> Path:
    """Write the index from what is on disk; failed reports (these outcomes, else the last batch's) are named."""
    results = load(root, evaluation)
    with reading(results.paths.out):  # one published set throughout (core/publish.py)
        return _write_index(root, results, outcomes)


def _write_index(root: Path, results: Results, outcomes: list[Outcome] | None) -> Path:
    ev, out = results.evaluation, results.paths.out
    if outcomes is None:
        failed = {c: e.splitlines()[0] for c, e in recorded_failures(out).items()}
    else:
        failed = {o.city: o.error.splitlines()[0] for o in outcomes if not o.ok}
    dims = dimensions_scored(results)
    rates = dimension_rates(results)
    labels, words = ev.labels, load_wording(root, ev.labels)
    w, cols = words["report"]["index"], words["report"]["index"]["columns"]
    named = cols["city"] if labels.object == words["written_for"]["object"] else cols["object"]
    single, totals = len(ev.city_ids()) == 1, bool(results.ranked)
    # (header, cell of a city's totals row, numeric?): no rank of one object, no total where none has one
    columns = [
        *(
            [(cols["rank"], lambda c, t: fmt.DASH if fmt.missing(t["rank"]) else str(int(t["rank"])), False)]
            if totals and not single
            else []
        ),
        (named, lambda c, t: results.city_name(c), False),
        *([(cols["total"], lambda c, t: fmt.number(t["total"]), True)] if totals else []),
        (
            cols["grade"],
            lambda c, t: words["report"]["cells"]["not_graded"] if t["grade"] == NOT_GRADED else t["grade"],
            False,
        ),
        *[
            (w["dimension_rate"].format(dimension=d.zh), lambda c, t, d=d: fmt.pct(rates.loc[c, d.id]), True)
            for d in dims
        ],
    ]
    rows = []
    for city, t in results.totals.sort_values(["rank", "total"], ascending=[True, False]).iterrows():
        folder = out / city
        rows.append(
            {
                "cells": [cell(city, t) for _, cell, _ in columns],
                "html": f"{city}/report.html" if (folder / "report.html").exists() and city not in failed else "",
                "pdf": f"{city}/report.pdf" if (folder / "report.pdf").exists() and city not in failed else "",
                "docx": f"{city}/report.docx" if (folder / "report.docx").exists() and city not in failed else "",
                "error": failed.get(city, ""),
            }
        )
    bulletin = None
    if (out / "bulletin.html").exists():
        pdf = "bulletin.pdf" if (out / "bulletin.pdf").exists() else ""
        docx = "bulletin.docx" if (out / "bulletin.docx").exists() else ""
        bulletin = {"html": "bulletin.html", "pdf": pdf, "docx": docx, "title": bulletin_title(results, words)}
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root / "templates")), autoescape=True, undefined=jinja2.StrictUndefined
    )
    page = env.get_template("index/index.html.j2").render(
        version=__version__,
        data_version=results.data_version,
        title=ev.name_zh,
        subtitle=w["subtitle"].format(
            start=fmt.date(ev.period.start), end=fmt.date(ev.period.end), object=labels.object, n=len(rows)
        ),
        scope=labels.scope,
        results_title=w["results_title_single" if single else "results_title"].format(object=labels.object),
        header=[h for h, _, _ in columns],
        numeric={i for i, (_, _, numeric) in enumerate(columns, start=1) if numeric},
        rows=rows,
        note=w["note" if totals and not single else "note_unranked"],
        bulletin=bulletin,
        failures=[w["failure"].format(city=results.city_name(c), error=e) for c, e in failed.items()],
        organiser=ev.organiser_zh,
        date=fmt.date(ev.issued_on),
    )
    path = out / "index.html"
    write_html(path, embed_font(page))
    rules = load_rules(root).with_names(results.names)
    write_findings(lint_file(path), lint_html(page, ev.period.start, ev.period.end, rules))
    return path

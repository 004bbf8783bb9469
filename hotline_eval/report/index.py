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
    header = [
        cols["rank"],
        named,
        cols["total"],
        cols["grade"],
        *[w["dimension_rate"].format(dimension=d.zh) for d in dims],
    ]
    rows = []
    for city, t in results.totals.sort_values(["rank", "total"], ascending=[True, False]).iterrows():
        folder = out / city
        rows.append(
            {
                "cells": [
                    fmt.DASH if fmt.missing(t["rank"]) else str(int(t["rank"])),
                    results.city_name(city),
                    fmt.number(t["total"]),
                    words["report"]["cells"]["not_graded"] if t["grade"] == NOT_GRADED else t["grade"],
                    *[fmt.pct(rates.loc[city, d.id]) for d in dims],
                ],
                "html": f"{city}/report.html" if (folder / "report.html").exists() and city not in failed else "",
                "pdf": f"{city}/report.pdf" if (folder / "report.pdf").exists() and city not in failed else "",
                "error": failed.get(city, ""),
            }
        )
    bulletin = None
    if (out / "bulletin.html").exists():
        pdf = "bulletin.pdf" if (out / "bulletin.pdf").exists() else ""
        bulletin = {"html": "bulletin.html", "pdf": pdf, "title": bulletin_title(results, words)}
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
        objects=labels.object,
        header=header,
        numeric={3, *range(5, 5 + len(dims))},
        rows=rows,
        note=w["note"],
        bulletin=bulletin,
        failures=[w["failure"].format(city=results.city_name(c), error=e) for c, e in failed.items()],
        organiser=ev.organiser_zh,
        date=fmt.date(ev.issued_on),
    )
    path = out / "index.html"
    write_html(path, embed_font(page))
    return path

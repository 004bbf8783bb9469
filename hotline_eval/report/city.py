"""The city report: execute notebooks/city/*.ipynb for one city and render HTML (and PDF)."""

from __future__ import annotations

from pathlib import Path

from hotline_eval import __version__
from hotline_eval.errors import RenderError
from hotline_eval.pipeline import Paths
from hotline_eval.report.render import execute, find_browser, to_html, to_pdf, write_html
from hotline_eval.results import load
from hotline_eval.wording import load_wording


def render_city(root: Path, evaluation: str, city: str, *, pdf: bool | None = None) -> dict[str, Path]:
    """Render one city's report from the prepared results; returns the files written.

    pdf: True requires a PDF (error without a browser), None makes one when a browser exists.
    """
    results = load(root, evaluation)
    results.evaluation.check_city(city)
    paths = Paths(root, results.evaluation.id)
    notebooks = sorted((root / "notebooks" / "city").glob("*.ipynb"))
    out = paths.city(city)
    parameters = {"evaluation": results.evaluation.id, "city": city, "root": str(root)}
    nb = execute(notebooks, out / "report.ipynb", parameters, cwd=root)
    document = to_html(nb, root / "templates", cover(results, city))
    written = {"html": out / "report.html", "notebook": out / "report.ipynb"}
    write_html(written["html"], document)
    if pdf or (pdf is None and find_browser()):
        written["pdf"] = to_pdf(written["html"], out / "report.pdf")
    elif pdf:
        raise RenderError("PDF requested but no browser found")
    return written


def cover(results, city: str) -> dict:
    ev = results.evaluation
    words = load_wording(results.root)
    t = results.totals.loc[city]
    n = len(ev.city_ids())
    name = results.city_name(city)
    score = f"{t['total']:.2f}分，{t['grade']}，全省第{int(t['rank'])}位（共{n}个）"
    return {
        "version": __version__,
        "kicker": ev.name_zh,
        "title": f"{name}12345政务服务便民热线服务质量评价报告",
        "subtitle": f"{ev.period.label_zh}　{words['evaluation_type'][ev.type]}",
        "facts": [
            ["评价对象", f"{name}12345热线工作机构及承办单位"],
            ["评价周期", f"{ev.period.start:%Y年%-m月%-d日}—{ev.period.end:%Y年%-m月%-d日}"],
            ["综合结果", score],
        ],
        "organiser": ev.organiser_zh,
        "date": f"{ev.issued_on:%Y年%-m月%-d日}",
    }

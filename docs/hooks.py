"""MkDocs hook: the site's reference pages, generated from params/ and bench/ at every build.

The canonical schema (params/schema.yaml), the indicator reference (params/indicators.yaml) and the
benchmark results (bench/RESULTS.md) are written into the site when it is built, through the
package's own loaders, so they can never drift from what the code reads; none of them is committed
under docs/. mkdocs.yml names this file under `hooks:`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # document this checkout's params with this checkout's code
    sys.path.insert(0, str(ROOT))

from hotline_eval.config.catalogue import Catalogue, Indicator, load_catalogue  # noqa: E402
from hotline_eval.config.schema import load_schema, schema_markdown  # noqa: E402

SCORING = "scoring.md"
KIND = {
    "system": "system extraction (§7.1)",
    "sampled": "sampling or tests (§7.2)",
    "qualitative": "qualitative, rule table (§7.2, A.2)",
    "expert": "expert panel (§7.3, A.3)",
}
DIRECTION = {"higher": "higher is better", "lower": "lower is better", "lower_rate": "lower is better (a rate)"}
UNIT = {
    "percent": "rate (shown in %)",
    "seconds": "seconds",
    "hours": "hours",
    "per_10k": "per 10,000 residents and month",
    "points": "points",
    "count": "count",
    "factor": "level factor",
}
METHOD = {
    "SYS": "system extraction",
    "REC": "recording sampling (录音抽查)",
    "CALL": "test calls (拨测)",
    "OBS": "on-site observation",
    "TEST": "scripted tests of the intelligent service",
    "STAT": "official statistics",
    "REP": "reports and meetings (汇报、座谈)",
    "SELF": "self-reported",
}
CONFIDENCE = {"V": "verbatim from the standard", "A": "adapted from a cited source", "P": "proposed by this project"}
RATIO_RULE = {
    "higher": "points × min(value ÷ reference, 1)",
    "lower": "points × min(reference ÷ value, 1)",
    "lower_rate": "points × min((1 − value) ÷ (1 − reference), 1)",
}
OBJECTS = {"agency": "hotline agency (热线工作机构)", "unit": "handling units (承办单位)"}


def on_files(files: Files, config: Any) -> Files:
    for uri, build in PAGES.items():
        files.append(File.generated(config, uri, content=build(ROOT)))
    return files


def on_serve(server: Any, config: Any, builder: Any) -> Any:
    """`mkdocs serve` rebuilds when params/ or the benchmark results change, too."""
    for path in ("params", "bench/RESULTS.md", "hotline_eval/config"):
        server.watch(str(ROOT / path))
    return server


def schema_page(root: Path) -> str:
    load_schema.cache_clear()
    return schema_markdown(load_schema(root))


def results_page(root: Path) -> str:
    return (root / "bench" / "RESULTS.md").read_text(encoding="utf-8")


def indicator_page(root: Path) -> str:
    load_catalogue.cache_clear()
    cat = load_catalogue(root)
    scored = [i for i in cat.indicators if not i.report_only]
    lines = [
        "# Indicator reference",
        "",
        "Generated from `params/indicators.yaml` when this site is built. "
        f"{len(scored)} scored indicators in {len(cat.dimensions)} dimensions, "
        f"{sum(i.points for i in scored):g} points, and {len(cat.indicators) - len(scored)} report-only "
        "companions (0 points, shown beside their parent). How the fields are used: "
        "[Indicators](indicators.md) and [Scoring](scoring.md); how to change one: "
        "[Adding an indicator](../development/extending.md#adding-an-indicator).",
        "",
        *dimension_summary(cat),
    ]
    for dim in cat.dimensions:
        members = [i for i in cat.indicators if i.dimension == dim.id]
        scored_here = [i for i in members if not i.report_only]
        count = f"{len(scored_here)} scored indicators, {sum(i.points for i in scored_here):g} points"
        if len(members) > len(scored_here):
            count += f", and {len(members) - len(scored_here)} report-only companions"
        lines += ["", f"## {dim.clause} {dim.zh} — {dim.en} {{ #{dim.id} }}", ""]
        lines += [f"{count}.", "", *indicator_table(members)]
        for ind in members:
            lines += ["", *indicator_section(ind, cat)]
    lines += ["", *parameter_section(cat), "", *source_section(cat)]
    return "\n".join(lines) + "\n"


def dimension_summary(cat: Catalogue) -> list[str]:
    rows = ["| clause | dimension | indicators | points |", "|---|---|---:|---:|"]
    for dim in cat.dimensions:
        members = [i for i in cat.indicators if i.dimension == dim.id and not i.report_only]
        rows.append(
            f"| {dim.clause} | [{dim.zh} {dim.en}](#{dim.id}) | {len(members)} | {sum(i.points for i in members):g} |"
        )
    return rows


def indicator_table(members: list[Indicator]) -> list[str]:
    rows = ["| id | 指标 | clause | kind | direction | points |", "|---|---|---|---|---|---:|"]
    for ind in members:
        rows.append(
            f"| [`{ind.id}`](#{ind.id}) | {ind.zh} | {ind.clause} | {ind.kind} | {ind.direction} | {ind.points:g} |"
        )
    return rows


def indicator_section(ind: Indicator, cat: Catalogue) -> list[str]:
    fields: list[tuple[str, str]] = [
        ("clause", f"§{ind.clause}"),
        ("dimension", f"{cat.dimension(ind.dimension).zh} ({ind.dimension})"),
        ("kind", f"{ind.kind}: {KIND[ind.kind]}; method: " + ", ".join(METHOD[m] for m in ind.method)),
        ("formula", ind.formula_zh),
        ("exclusions", ind.exclusions_zh or ""),
        ("unit", UNIT[ind.unit]),
        ("direction", DIRECTION[ind.direction]),
        ("points", f"{ind.points:g}"),
        ("scoring", scoring_rule(ind, cat)),
        ("evaluated for", "; ".join(OBJECTS[o] for o in ind.objects)),
        ("applies when", applicability(ind)),
        ("data needs", ", ".join(f"`{need}`" for need in ind.data_needs) or "—"),
        ("or any one of", " — or — ".join(", ".join(f"`{n}`" for n in group) for group in ind.data_needs_any)),
        ("computed as", computation(ind)),
        ("confidence", f"{ind.confidence}: {CONFIDENCE[ind.confidence]}" if ind.confidence else ""),
        ("notes", ind.notes or ""),
    ]
    out = [f"### {ind.zh} `{ind.id}` {{ #{ind.id} }}", "", f"*{ind.en}*", "", "| | |", "|---|---|"]
    out += [f"| {name} | {cell(text)} |" for name, text in fields if text]
    return out


def scoring_rule(ind: Indicator, cat: Catalogue) -> str:
    if ind.report_only:
        return f"not scored: shown beside [{cat.indicator(ind.parent).zh}](#{ind.parent})"
    if ind.scoring == "ratio":
        floor = {"seconds": "floor_seconds", "hours": "floor_hours", "per_10k": "floor_per_10k"}.get(ind.unit)
        text = f"[against the reference]({SCORING}#reference-values) (A.1): {RATIO_RULE[ind.direction]}"
        if ind.direction == "lower" and floor:
            text += f", value and reference raised to the [floor]({SCORING}#floors) `{floor}`"
        return text
    if ind.scoring == "level_factor":
        return f"[points × mean level factor]({SCORING}#qualitative-indicators) of the rule table (A.2)"
    if ind.scoring == "rule_points":
        return f"[the points the rule table awards]({SCORING}#qualitative-indicators) (A.2)"
    return f"[trimmed mean of the expert panel]({SCORING}#expert-panel) (A.3)"


def applicability(ind: Indicator) -> str:
    parts = [f"the city declares `{need}` (otherwise not applicable)" for need in ind.requires]
    if ind.applicable_if is not None:
        source = ind.applicable_if.source or ind.source
        parts.append(f"at least one record of `{source}` qualifies (otherwise not applicable)")
    if ind.min_n is not None:
        parts.append(f"at least {ind.min_n} observations")
    elif ind.kind == "sampled" or ind.scoring == "level_factor":
        parts.append("at least `min_sample` observations")
    return "; ".join(parts)


def computation(ind: Indicator) -> str:
    if ind.kind == "expert":
        return "scores of the `expert_scores` table"
    if ind.composite is not None:
        parts = ", ".join(f"{label}: [`{comp}`](#{comp})" for label, comp in ind.composite.components.items())
        weights = f" with the weights `{ind.composite.weights}`" if ind.composite.weights else " with equal weights"
        return f"weighted mean of {parts}{weights}; a component without data is dropped"
    text = f"source `{ind.source}`, cohort `{ind.cohort}`"
    if ind.where.strip() != "true":
        text += f", where `{one_line(ind.where)}`"
    text += f"; numerator {term(ind.numerator)}; denominator {term(ind.denominator)}"
    if ind.value == "numerator":
        text += "; the value is the numerator"
    if ind.structural_zero is not None:
        text += f"; structural zero when {term(ind.structural_zero)} > 0"
    return text


def term(t: Any) -> str:
    if t.count_if:
        text = f"`count_if: {one_line(t.count_if)}`"
    elif t.sum:
        text = f"`sum: {one_line(t.sum)}`"
    elif t.median:
        text = f"`median: {one_line(t.median)}`"
    else:
        text = "`count`"
    if t.source:
        text += f" over `{t.source}` (cohort `{t.cohort}`" + (f", where `{one_line(t.where)}`" if t.where else "") + ")"
    return text


def parameter_section(cat: Catalogue) -> list[str]:
    out = [
        "## Parameters { #parameters }",
        "",
        "Defaults of `params/indicators.yaml`; an evaluation overrides any of them under `parameters:` "
        "([Evaluation definitions](../cycle/definitions.md#parameters)).",
        "",
        "| parameter | 中文 | default | unit | meaning |",
        "|---|---|---|---|---|",
    ]
    for name, p in cat.parameters.items():
        out.append(f"| `{name}` | {p.zh} | {cell(default_text(p.default))} | {p.unit or ''} | {cell(p.doc or '')} |")
    return out


def source_section(cat: Catalogue) -> list[str]:
    out = [
        "## Sources { #sources }",
        "",
        "The SQL views the engine reads, one grouped pass each ([Indicators](indicators.md#the-catalogue-language)).",
        "",
        "| source | tables | meaning |",
        "|---|---|---|",
    ]
    for name, src in cat.sources.items():
        out.append(f"| `{name}` | {', '.join(f'`{t}`' for t in src.tables)} | {cell(src.doc or '')} |")
    return out


def default_text(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {default_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(default_text(v) for v in value)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def one_line(text: str) -> str:
    return " ".join(text.split())


def cell(text: str) -> str:
    return one_line(text)


PAGES: dict[str, Callable[[Path], str]] = {
    "data/schema.md": schema_page,
    "method/indicator-reference.md": indicator_page,
    "performance/results.md": results_page,
}

"""Why indicators are no data: the fields the evaluation's sources do not record, named."""

from __future__ import annotations

import pandas as pd

from hotline_eval.config.catalogue import Indicator
from hotline_eval.measure.engine import NOT_PROVIDED, missing_fields
from hotline_eval.results import Results


def not_provided_sentence(results: Results, wording: dict, members: list[Indicator], pooled: pd.DataFrame) -> str:
    """Why indicators of a dimension are no data: the fields the sources do not record, by name
    (params/wording/report.yaml, report.sources)."""
    have = results.ingest.get("provided")
    schema, w = results.schema, wording["report"]["sources"]
    parts = []
    for ind in members:
        if ind.id not in pooled.index or pooled.loc[ind.id, "flag"] != NOT_PROVIDED:
            continue
        fields = [need.split(".") for need in missing_fields(ind, have)]
        labels = (
            w["field"].format(table=schema.tables[t].zh, column=schema.tables[t].columns[c].zh) for t, c in fields
        )
        parts.append(w["needs"].format(indicator=ind.zh, fields="、".join(dict.fromkeys(labels))))
    refined = refinements_sentence(results, wording, members, pooled)
    if not parts:
        return refined
    return w["not_provided"].format(needs="；".join(parts)) + refined


def refinements_sentence(results: Results, wording: dict, members: list[Indicator], pooled: pd.DataFrame) -> str:
    """Indicators computed without a column that only refines them (`refines` in the catalogue), named."""
    have = results.ingest.get("provided")
    schema, w = results.schema, wording["report"]["sources"]
    parts = []
    for ind in members:
        if ind.id not in pooled.index or pooled.loc[ind.id, "flag"] == NOT_PROVIDED:
            continue
        fields = [need.split(".") for need in missing_fields(ind, have, "refines")]
        if fields:
            labels = (
                w["field"].format(table=schema.tables[t].zh, column=schema.tables[t].columns[c].zh) for t, c in fields
            )
            parts.append(w["refines"].format(indicator=ind.zh, fields="、".join(dict.fromkeys(labels))))
    return w["refines_missing"].format(items="；".join(parts)) if parts else ""

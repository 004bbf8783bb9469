"""Why indicators are no data: the fields the evaluation's sources do not record, named."""

from __future__ import annotations

import pandas as pd

from hotline_eval.config.catalogue import Indicator
from hotline_eval.measure.engine import NOT_PROVIDED, missing_fields
from hotline_eval.results import Results


def not_provided_sentence(results: Results, members: list[Indicator], pooled: pd.DataFrame) -> str:
    """Why indicators of a dimension are no data: the fields the sources do not record, by name."""
    have = results.ingest.get("provided")
    schema = results.schema
    parts = []
    for ind in members:
        if ind.id not in pooled.index or pooled.loc[ind.id, "flag"] != NOT_PROVIDED:
            continue
        fields = [need.split(".") for need in missing_fields(ind, have)]
        labels = (f"{schema.tables[t].zh}的{schema.tables[t].columns[c].zh}" for t, c in fields)
        names = "、".join(dict.fromkeys(labels))
        parts.append(f"{ind.zh}需要{names}")
    if not parts:
        return ""
    return "；".join(parts) + "，数据源未记录这些数据，相关指标按“无数据”处理，不计分。"

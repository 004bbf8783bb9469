"""Narrative text generated from the numbers (§8.1): every figure comes from the results."""

from __future__ import annotations

import pandas as pd

from hotline_eval.catalogue import Indicator
from hotline_eval.measure import NOT_PROVIDED, missing_fields
from hotline_eval.report import fmt
from hotline_eval.results import Results
from hotline_eval.scoring import NOT_GRADED


def dimension_rates(results: Results) -> pd.DataFrame:
    """得分率 (score ÷ available points) of every dimension, city × dimension."""
    t = results.totals
    out = {}
    for dim in results.catalogue.dimensions:
        score, avail = f"dim_{dim.id}", f"dimavail_{dim.id}"
        if score in t and (t[avail] > 0).any():
            out[dim.zh] = t[score] / t[avail].where(t[avail] > 0)
    return pd.DataFrame(out)


def summary(results: Results, city: str) -> str:
    """The opening paragraph: score, grade, rank, coverage, strongest and weakest dimensions."""
    t = results.totals.loc[city]
    n = len(results.evaluation.city_ids())
    name = results.city_name(city)
    labels = results.evaluation.labels
    parts = [f"{results.evaluation.period.label_zh}，{name}{labels.service_short}综合得分{fmt.score(t['total'])}"]
    if t["grade"] == NOT_GRADED:
        parts.append(f"，由于有数据的指标分值合计仅占{t['coverage']:.1f}%，按规则不予定级")
    else:
        parts.append(f"，评价等级为“{t['grade']}”")
    if n > 1:
        parts.append(f"，在{labels.scope}{n}个参评{labels.object}中居第{int(t['rank'])}位。")
    else:
        parts.append("。")
    rates = dimension_rates(results)
    if city in rates.index and rates.shape[1] >= 2:
        own = rates.loc[city].dropna().sort_values()
        mean = rates.mean()
        strong = [d for d in own.index[::-1] if own[d] >= mean[d]][:2]
        weak = [d for d in own.index if own[d] < mean[d]][:2]
        if strong:
            parts.append(f"从各维度看，{'、'.join(strong)}得分率高于{labels.scope}平均")
        if weak:
            lead = "，" if strong else "从各维度看，"
            parts.append(lead + f"{'、'.join(weak)}低于{labels.scope}平均，是需要重点改进的方面。")
        elif strong:
            parts.append(f"，各维度均不低于{labels.scope}平均。")
    return "".join(parts)


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

"""Extra sums from the indicator engine (measure/engine.py), over the same sources, cohorts and conditions.

The engine sums each indicator's terms per city × month (× handling unit). Comparisons need two
more things the indicators do not keep; the pipeline sums both in the indicators' own grouped
passes (`extra_terms`, measure.measure_all) rather than with a second implementation of the
formulas, and writes them next to indicators.csv (moments.csv, channels.csv):

- Σx² of every indicator whose numerator is a sum (means such as waiting times, satisfaction
  weights, level factors), per city, handling unit and month, so that a difference of means can be
  tested (compare/significance.py) and a mean redrawn (compare/robustness.py bootstrap): `Results.moments`;
- `by_channel`: numerator and denominator of indicators per intake channel (§5.2.2), the engine's
  handling-unit slot grouped by `channel` instead.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import pandas as pd

from hotline_eval.config.catalogue import Catalogue, Indicator, SqlRenderer, Term
from hotline_eval.core.errors import ConfigError
from hotline_eval.measure.engine import ExtraTerms, TermSpec, term_specs

if TYPE_CHECKING:
    from hotline_eval.results import Results

KEYS = ["city", "unit", "month", "indicator"]


def is_mean(ind: Indicator) -> bool:
    """A mean of records: a summed numerator over a plain count of the same records (no own sources)."""
    num, den = ind.numerator, ind.denominator
    return (
        ind.composite is None
        and ind.value == "ratio"
        and num is not None
        and num.sum is not None
        and num.source is None
        and den is not None
        and den.sum is None
        and den.count_if is None
        and den.source is None
        and num.where is None
        and den.where is None
    )


def is_proportion(ind: Indicator) -> bool:
    """A rate: records meeting a condition over records (count_if over count, one source)."""
    num, den = ind.numerator, ind.denominator
    return (
        ind.composite is None
        and ind.value == "ratio"
        and ind.unit == "percent"
        and num is not None
        and num.sum is None
        and num.source is None
        and den is not None
        and den.sum is None
        and den.source is None
    )


def is_poisson(ind: Indicator) -> bool:
    """Events per exposure (e.g. requests per 10,000 residents and month): a count over a summed exposure."""
    num, den = ind.numerator, ind.denominator
    return (
        ind.composite is None
        and ind.value == "ratio"
        and num is not None
        and num.sum is None
        and num.count_if is None
        and den is not None
        and den.sum is not None
        and den.source is not None
    )


SQUARES = "squares"
CHANNEL_ROLES = {"channel_numerator": "numerator", "channel_denominator": "denominator"}
CHANNEL_COLUMNS = ["city", "channel", "month", "indicator", "numerator", "denominator"]


def extra_terms(catalogue: Catalogue, channel_indicators: list[str]) -> ExtraTerms:
    """The terms the pipeline measures along with the indicators (measure.measure_all): Σx² of every
    mean indicator, and numerator and denominator per channel of the `channel_indicators` measured
    (only indicators whose source is built on the tickets table, which carries the channel)."""
    check_channel_indicators(catalogue, channel_indicators)

    def build(measured: list[Indicator], renderer: SqlRenderer) -> list[TermSpec]:
        chosen = {i.id: i for i in measured}
        return [t for i in measured if is_mean(i) for t in _square_terms(i, renderer)] + [
            t for i in channel_indicators if i in chosen for t in _channel_terms(chosen[i], renderer)
        ]

    return build


def _square_terms(ind: Indicator, renderer: SqlRenderer) -> list[TermSpec]:
    expr = ind.numerator.sum
    squared = ind.model_copy(update={"numerator": Term(sum=f"(({expr})) * (({expr}))")})
    return [dataclasses.replace(t, role=SQUARES) for t in term_specs(squared, renderer) if t.role == "numerator"]


def _channel_terms(ind: Indicator, renderer: SqlRenderer) -> list[TermSpec]:
    return [
        dataclasses.replace(t, unit="channel", role=f"channel_{t.role}")
        for t in term_specs(ind, renderer)
        if t.role in ("numerator", "denominator")
    ]


def check_channel_indicators(catalogue: Catalogue, ids: list[str]) -> None:
    """Only indicators whose source is built on the tickets table (which carries the channel) qualify."""
    for ind_id in ids:
        ind = catalogue.indicator(ind_id)
        source = catalogue.sources.get(ind.source or "")
        if source is None or source.table != "tickets" or ind.composite is not None:
            raise ConfigError(
                "params/comparison.yaml",
                "channel_indicators",
                f"'{ind.id}' 不是由 tickets 表计算的，不能按渠道比较",
                fix="请只列出数据源读取 tickets 表的指标（如 ontime_completion_rate）",
            )


def moments_frame(extra: pd.DataFrame) -> pd.DataFrame:
    """moments.csv from the extra sums: city, unit ('' = agency), month ('all' = period), indicator, squares."""
    rows = extra[extra["role"] == SQUARES].rename(columns={"value": SQUARES})
    return rows[[*KEYS, SQUARES]].sort_values(KEYS, ignore_index=True)


def channels_frame(extra: pd.DataFrame) -> pd.DataFrame:
    """channels.csv from the extra sums: city, channel, month, indicator, numerator, denominator."""
    rows = extra[extra["role"].isin(CHANNEL_ROLES)]
    if not len(rows):
        return pd.DataFrame(columns=CHANNEL_COLUMNS)
    rows = rows.assign(role=rows["role"].map(CHANNEL_ROLES))
    wide = rows.pivot_table(index=KEYS, columns="role", values="value", aggfunc="sum").reset_index()
    wide = wide.rename(columns={"unit": "channel"}).reindex(columns=CHANNEL_COLUMNS)
    return wide.fillna({"numerator": 0.0, "denominator": 0.0}).sort_values(CHANNEL_COLUMNS[:4], ignore_index=True)


def by_channel(results: Results, indicators: list[Indicator]) -> pd.DataFrame:
    """city, channel, month, indicator, numerator, denominator: the indicators per intake channel
    (channels.csv, written by the pipeline for params/comparison.yaml's channel_indicators)."""
    frame = results.channels
    missing = sorted({i.id for i in indicators} - set(frame["indicator"]) & set(results.indicators["indicator"]))
    if missing:
        raise ConfigError(
            "params/comparison.yaml",
            "channel_indicators",
            f"评价 '{results.evaluation.id}' 没有按渠道计算以下指标：{'、'.join(missing)}",
            fix="请将其加入 channel_indicators，然后重新运行该评价（make run）",
        )
    return frame[frame["indicator"].isin([i.id for i in indicators])].reset_index(drop=True)

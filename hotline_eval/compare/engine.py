"""Extra sums from the indicator engine (measure.py), over the same sources, cohorts and conditions.

The engine sums each indicator's terms per city × month (× handling unit). Comparisons need two
more things it does not keep, and both come from the same grouped passes rather than from a
second implementation of the formulas:

- `second_moments`: Σx² of every indicator whose numerator is a sum (means such as waiting times,
  satisfaction weights, level factors), per city, handling unit and month, so that a difference
  of means can be tested (significance.py) and a mean redrawn (robustness.py bootstrap);
- `by_channel`: numerator and denominator of indicators per intake channel (§5.2.2), the engine's
  handling-unit slot grouped by `channel` instead.
"""

from __future__ import annotations

import dataclasses

import duckdb
import pandas as pd

from hotline_eval.catalogue import Indicator, SqlRenderer, Term
from hotline_eval.errors import ConfigError
from hotline_eval.ingest import connect
from hotline_eval.measure import prepare_connection, register_tables, source_pass, term_specs
from hotline_eval.results import Results

KEYS = ["city", "unit", "month", "indicator"]


def _session(results: Results) -> tuple[duckdb.DuckDBPyConnection, SqlRenderer]:
    ev, catalogue = results.evaluation, results.catalogue
    params = ev.parameter_values(catalogue)
    renderer = SqlRenderer(params, ev.period.start, ev.period.end, int(params["outcome_grace_days"]))
    con = connect()
    register_tables(con, results.root, results.paths.data)
    prepare_connection(con, results.root, catalogue, renderer, ev.period)
    return con, renderer


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


def second_moments(results: Results) -> pd.DataFrame:
    """city, unit ('' = agency), month ('all' = period), indicator, squares (Σx²) of every mean indicator."""
    wanted = [i for i in results.active if is_mean(i)]
    if not wanted:
        return pd.DataFrame(columns=[*KEYS, "squares"])
    con, renderer = _session(results)
    terms = []
    for ind in wanted:
        expr = ind.numerator.sum
        squared = ind.model_copy(update={"numerator": Term(sum=f"(({expr})) * (({expr}))")})
        terms += [t for t in term_specs(squared, renderer) if t.role == "numerator"]
    frames = [
        _pass(con, results, renderer, source, [t for t in terms if t.source == source]) for source in _sources(terms)
    ]
    con.close()
    out = pd.concat(frames, ignore_index=True).rename(columns={"value": "squares"})
    return out[[*KEYS, "squares"]]


def by_channel(results: Results, indicators: list[Indicator]) -> pd.DataFrame:
    """city, channel, month, indicator, numerator, denominator: the indicators per intake channel.

    Only indicators whose source is built on the tickets table (which carries the channel) qualify.
    """
    con, renderer = _session(results)
    terms = []
    for ind in indicators:
        source = results.catalogue.sources.get(ind.source or "")
        if source is None or source.table != "tickets" or ind.composite is not None:
            raise ConfigError(
                "params/comparison.yaml",
                "channel_indicators",
                f"'{ind.id}' is not computed from the tickets table, so it cannot be compared by channel",
                fix="list indicators whose source reads tickets (e.g. ontime_completion_rate)",
            )
        terms += [
            dataclasses.replace(t, unit="channel")
            for t in term_specs(ind, renderer)
            if t.role in ("numerator", "denominator")
        ]
    frames = [
        _pass(con, results, renderer, source, [t for t in terms if t.source == source]) for source in _sources(terms)
    ]
    con.close()
    if not frames:
        return pd.DataFrame(columns=["city", "channel", "month", "indicator", "numerator", "denominator"])
    long = pd.concat(frames, ignore_index=True)
    wide = long.pivot_table(index=KEYS, columns="role", values="value", aggfunc="sum").reset_index()
    wide = wide.rename(columns={"unit": "channel"}).reindex(
        columns=["city", "channel", "month", "indicator", "numerator", "denominator"]
    )
    return wide.fillna({"numerator": 0.0, "denominator": 0.0})


def _sources(terms) -> list[str]:
    return sorted({t.source for t in terms})


def _pass(con, results: Results, renderer: SqlRenderer, source: str, terms) -> pd.DataFrame:
    long = source_pass(con, results.catalogue, source, terms, renderer, results.evaluation)
    return long[long["city"].isin(results.evaluation.city_ids())]

"""关联度 (§5.2.7, indicators.md §8.4): linkage of every designed link, indicator relevance."""

from __future__ import annotations

import pandas as pd

from hotline_eval.errors import ConfigError
from hotline_eval.quality.context import ROW_ID, QualityContext
from hotline_eval.quality.frame import finish, rate, with_pooled
from hotline_eval.quality.spec import PATH, Link


def link_sql(ctx: QualityContext, link: Link) -> str:
    """SQL over the link's table: every linkable record with `_linked` (its id exists in the target)."""
    return (
        f"SELECT s.*, k._k IS NOT NULL AS _linked FROM {link.table} s "
        f'LEFT JOIN (SELECT DISTINCT city, "{link.target_column}" AS _k FROM {link.target_table}) k '
        f'ON k.city = s.city AND k._k = s."{link.column}" WHERE {link.where}'
    )


def linkage(ctx: QualityContext) -> pd.DataFrame:
    """Linked ÷ linkable records per designed link and month (gate ≥ 90 %, or the link's own minimum)."""
    frames = []
    for link in ctx.spec.links:
        if not ctx.row_counts[link.table]:
            continue
        month_col = ctx.table(link.table).month_column
        counts = ctx.query(
            f"SELECT city, {ctx.month_of(month_col)} AS month, count(*) FILTER (WHERE _linked) AS numerator, "
            f"count(*) AS denominator FROM ({link_sql(ctx, link)}) WHERE {ctx.in_period(month_col)} GROUP BY ALL"
        )
        frame = with_pooled(counts.assign(table=link.table, item=link.id, scope=link.blocks))
        frames.append(frame.assign(threshold=link.min if link.min is not None else ctx.spec.check("linkage").min))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return finish(rate(frame) if len(frame) else frame, "linkage", ctx.spec)


def used_records_sql(ctx: QualityContext, table: str) -> str | None:
    """SQL: (city, _rid) of the table's records that feed at least one active indicator in the period.

    A record feeds an indicator when it is in the indicator's source view, meets its `where` and
    its cohort timestamp falls in a month of the period (as in measure.py).
    """
    parts = []
    for source_id in sorted({i.source for i in ctx.active if i.source}):
        source = ctx.catalogue.sources[source_id]
        if source.table != table:
            continue
        members = [i for i in ctx.active if i.source == source_id]
        conditions = [
            f"(({ctx.renderer.render(i.where, i.id)}) AND "
            f"{ctx.in_period('(' + ctx.renderer.render(i.cohort or 'NULL', i.id) + ')')})"
            for i in members
        ]
        body = ctx.renderer.render(source.sql, f"sources.{source_id}")
        columns = ctx.con.execute(f"DESCRIBE ({body})").df()["column_name"].tolist()
        if ROW_ID not in columns:
            raise ConfigError(
                PATH,
                None,
                f"the SQL of source '{source_id}' (params/indicators.yaml) drops the row number {ROW_ID}",
                fix="select the table's columns with * (e.g. SELECT *, ... or SELECT c.*, ...)",
            )
        parts.append(f"SELECT city, {ROW_ID} FROM ({body}) WHERE {' OR '.join(conditions)}")
    return " UNION ".join(parts) if parts else None


def relevance(ctx: QualityContext) -> pd.DataFrame:
    """Share of the received records that feed at least one active indicator (flag below the minimum)."""
    frames = []
    for table in ctx.tables_with_data():
        used = used_records_sql(ctx, table)
        if used is None:
            continue
        month_col = ctx.table(table).month_column
        counts = ctx.query(
            f"WITH used AS ({used}) SELECT t.city, coalesce({ctx.month_of('t.' + month_col)}, 'none') AS month, "
            f"count(u.{ROW_ID}) AS numerator, count(*) AS denominator FROM {table} t "
            f"LEFT JOIN used u ON u.city = t.city AND u.{ROW_ID} = t.{ROW_ID} GROUP BY ALL"
        )
        counts = counts.assign(table=table, item="", scope=table)
        pooled = with_pooled(counts.assign(month=counts["month"].where(counts["month"].isin(ctx.months), "other")))
        frames.append(pooled[pooled["month"] != "other"])
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return finish(rate(frame) if len(frame) else frame, "relevance", ctx.spec)

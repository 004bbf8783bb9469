"""关联度 (§5.2.7, docs/method/data-quality.md#relevance): linkage of every designed link, indicator relevance."""

from __future__ import annotations

import pandas as pd

from hotline_eval.config.catalogue import sql_in
from hotline_eval.config.quality import Link
from hotline_eval.core.errors import ConfigError
from hotline_eval.quality.context import ROW_ID, QualityContext
from hotline_eval.quality.frame import finish, rate, with_pooled


def link_sql(ctx: QualityContext, link: Link, cities: list[str] | None = None) -> str:
    """SQL over the link's table: every linkable record with `_linked` (its id exists in the target),
    of the given cities only when `cities` is given.

    Only the target ids that some linkable record names are looked up (a few thousand QC samples
    need not collect the distinct ids of millions of calls).
    """
    target, column = f'"{link.target_column}"', f'"{link.column}"'
    only = "" if cities is None else f" AND {{city}} IN {sql_in(cities)}"
    named = f"SELECT {column} FROM {link.table} WHERE ({link.where}){only.format(city='city')}"
    return (
        f"SELECT s.*, k._k IS NOT NULL AS _linked FROM {link.table} s "
        f"LEFT JOIN (SELECT DISTINCT city, {target} AS _k FROM {link.target_table} WHERE {target} IN ({named})) k "
        f"ON k.city = s.city AND k._k = s.{column} WHERE ({link.where}){only.format(city='s.city')}"
    )


def link_counts(ctx: QualityContext, link: Link) -> pd.DataFrame:
    """Per city × month of the period: linked records (numerator) and linkable records (denominator)."""
    month_col = ctx.table(link.table).month_column
    return ctx.memo(
        f"link:{link.id}",
        lambda: ctx.query(
            f"SELECT city, {ctx.month_of(month_col)} AS month, count(*) FILTER (WHERE _linked) AS numerator, "
            f"count(*) AS denominator FROM ({link_sql(ctx, link)}) WHERE {ctx.in_period(month_col)} GROUP BY ALL"
        ),
    )


def linkage(ctx: QualityContext) -> pd.DataFrame:
    """Linked ÷ linkable records per designed link and month (gate ≥ 90 %, or the link's own minimum)."""
    frames = []
    for link in ctx.links():
        if not ctx.row_counts[link.table]:
            continue
        counts = link_counts(ctx, link)
        frame = with_pooled(counts.assign(table=link.table, item=link.id, scope=link.blocks))
        frames.append(frame.assign(threshold=link.min if link.min is not None else ctx.spec.check("linkage").min))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return finish(rate(frame) if len(frame) else frame, "linkage", ctx.spec)


def used_records_sql(ctx: QualityContext, table: str, month: bool = False) -> tuple[str, str] | None:
    """SQL of (city, id) of the table's records feeding at least one active indicator, and the id column.

    A record feeds an indicator when it is in the indicator's source view, meets its `where` and
    its cohort timestamp falls in a month of the period (as in measure/engine.py). Records are identified
    by their row number in the file, or by the table's key when a source selects its own columns.
    With `month`, each row also carries `_month`, the month of the record's own month column (None
    when a source does not keep that column); rows may then repeat (UNION ALL).
    """
    sources = sorted({i.source for i in ctx.active if i.source and ctx.catalogue.sources[i.source].table == table})
    if not sources:
        return None
    bodies = {s: ctx.renderer.render(ctx.catalogue.sources[s].sql, f"sources.{s}") for s in sources}
    columns = {s: set(ctx.con.execute(f"DESCRIBE ({b})").df()["column_name"]) for s, b in bodies.items()}
    key = ctx.table(table).key
    # a source that aggregates (e.g. one row per caller and day) keeps no record identity: its records
    # are counted through the table's row-level sources
    sources = [s for s in sources if ROW_ID in columns[s] or (key and key in columns[s])]
    id_column = next((c for c in (ROW_ID, key) if c and sources and all(c in columns[s] for s in sources)), None)
    if id_column is None:
        raise ConfigError(
            "params/indicators.yaml",
            "sources",
            f"表 '{table}' 的数据源都没有保留行号或主键，指标相关性检查（params/quality.yaml）"
            "无法判断哪些记录用于计算指标",
            fix=f"请在数据源中用 * 选取该表的列（SELECT *, ...），或保留其主键列 '{key}'",
        )
    month_col = ctx.table(table).month_column
    if month and not (month_col and all(month_col in columns[s] for s in sources)):
        return None
    extra = f", {ctx.month_of(month_col)} AS _month" if month else ""
    parts = []
    for source_id in sources:
        members = [i for i in ctx.active if i.source == source_id]
        conditions = [
            f"(({ctx.renderer.render(i.where, i.id)}) AND "
            f"{ctx.in_period('(' + ctx.renderer.render(i.cohort or 'NULL', i.id) + ')')})"
            for i in members
        ]
        parts.append(
            f'SELECT city, "{id_column}" AS _id{extra} FROM ({bodies[source_id]}) WHERE {" OR ".join(conditions)}'
        )
    return (" UNION ALL " if month else " UNION ").join(parts), id_column


def relevance(ctx: QualityContext) -> pd.DataFrame:
    """Share of the received records that feed at least one active indicator (flag below the minimum)."""
    frames = []
    for table in ctx.tables_with_data():
        if used_records_sql(ctx, table) is None:
            continue
        counts = _used_by_month(ctx, table)
        counts = counts.assign(table=table, item="", scope=table)
        pooled = with_pooled(counts.assign(month=counts["month"].where(counts["month"].isin(ctx.months), "other")))
        frames.append(pooled[pooled["month"] != "other"])
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return finish(rate(frame) if len(frame) else frame, "relevance", ctx.spec)


def _used_by_month(ctx: QualityContext, table: str) -> pd.DataFrame:
    """Per city × month of the record ('none' outside the period): records used (numerator) and received.

    When every source keeps the table's month column, the used records are counted where the sources
    put them (distinct ids per city and month) and no join with the table is needed; otherwise the
    table is joined with the distinct used ids.
    """
    month_col = ctx.table(table).month_column
    by_month = used_records_sql(ctx, table, month=True)
    if by_month is None:
        used, id_column = used_records_sql(ctx, table)  # type: ignore[misc]
        return ctx.query(
            f"WITH used AS ({used}) SELECT t.city, coalesce({ctx.month_of('t.' + month_col)}, 'none') AS month, "
            f"count(u._id) AS numerator, count(*) AS denominator FROM {table} t "
            f'LEFT JOIN used u ON u.city = t.city AND u._id = t."{id_column}" GROUP BY ALL'
        )
    used, _ = by_month
    received = ctx.query(
        f"SELECT city, coalesce({ctx.month_of(month_col)}, 'none') AS month, count(*) AS denominator "
        f"FROM {table} GROUP BY ALL"
    )
    numerators = ctx.query(
        f"SELECT city, coalesce(_month, 'none') AS month, count(DISTINCT _id) AS numerator FROM ({used}) GROUP BY ALL"
    )
    counts = received.merge(numerators, on=["city", "month"], how="left")
    counts["numerator"] = counts["numerator"].fillna(0).astype("int64")
    return counts[["city", "month", "numerator", "denominator"]]

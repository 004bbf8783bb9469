"""How one canonical column's value is computed from an export: SQL over the source text.

A mapping says where a column comes from (a source column, a recoding, a constant, an
expression); the schema says its type. Text is trimmed, recoded, then parsed: times in the
declared format (or any usual layout, or ISO 8601 with an offset), numbers with thousands
separators, percentages in rate columns, yes/no values. Each column yields two expressions:
the raw text (shown in rejects) and the typed value (NULL where the text does not parse).
"""

from __future__ import annotations

from hotline_eval.config.mapping import ColumnSource
from hotline_eval.config.schema import Column
from hotline_eval.core.masking import id_hash_sql, id_mask_sql, phone_hash_sql, phone_mask_sql
from hotline_eval.core.sqltext import ident, lit
from hotline_eval.ingest.readers import MASKED
from hotline_eval.ingest.textfiles import WHITESPACE

TIMESTAMP_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y%m%d%H%M%S",
    "%Y.%m.%d %H:%M:%S",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H时%M分%S秒",
]
TYPED_TIMESTAMPS = ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "DATE")
BEIJING_OFFSET_S = 8 * 3600
SOURCE, SHOWN, TIME, ADD, ADD_TEXT = "_src_", "_shown_", "_time_", "_add_", "_addtext_"  # first-level prefixes


def source_sql(
    name: str, col: Column, src: ColumnSource | None, staged: bool, source_type: str | None, key: str, wide: bool
) -> dict[str, str]:
    """The first level: what one canonical column reads from the export, computed once per row.

    `wide`: the source column holds whitespace other than spaces somewhere (see wide_space_sql).
    `SOURCE + name` holds the trimmed source text (the hash for a masked column; several columns
    joined by a space), `SHOWN + name` a masked value as rejects show it, `TIME + name` a source
    column already holding times, `ADD + name` the seconds `add_seconds` adds and `ADD_TEXT +
    name` their text. With `when`, each is empty on the rows where the condition does not hold.
    """
    if src is None or src.const is not None:
        return {}
    column = ident(src.source) if src.source else ""
    if src.mask is not None:
        if staged:  # hashed and masked while staging
            return {SOURCE + name: f"CAST({column} AS VARCHAR)", SHOWN + name: ident(MASKED + src.source)}
        hashed = phone_hash_sql if src.mask == "phone" else id_hash_sql
        shown = phone_mask_sql if src.mask == "phone" else id_mask_sql
        return {
            SOURCE + name: hashed(f"trim(CAST({column} AS VARCHAR))", key),
            SHOWN + name: shown(column),
        }
    if src.expr is not None:
        out = {SOURCE + name: f"CAST(({src.expr}) AS VARCHAR)"}
    elif src.parts:
        joined = ", ".join(_text(ident(c), staged, wide) for c in src.parts)
        out = {SOURCE + name: f"nullif(concat_ws(' ', {joined}), '')"}
    else:
        out = {SOURCE + name: _text(column, staged, wide)}
        if col.type == "timestamp" and src.values is None and source_type in TYPED_TIMESTAMPS:
            out[TIME + name] = typed_time(column, source_type)  # already a time: no parsing
    if src.add_seconds:
        texts = [_text(ident(c), staged, wide) for c in src.add_seconds]
        out[ADD + name] = " + ".join(f"({duration_sql(t)})" for t in texts)
        out[ADD_TEXT + name] = f"concat_ws(' + ', {', '.join(texts)})"
    if src.when is not None:
        out = {alias: f"CASE WHEN coalesce(({src.when}), false) THEN {sql} END" for alias, sql in out.items()}
    return out


def _text(column: str, staged: bool, wide: bool) -> str:
    """A source column as trimmed text (staged files were trimmed and their null values mapped while staging)."""
    text = f"CAST({column} AS VARCHAR)"
    return text if staged else f"nullif({trimmed(text, wide)}, '')"


def duration_sql(text_sql: str) -> str:
    """SQL: seconds of a duration written as a number of seconds or as H:MM:SS; 0 when empty, NULL when unreadable."""
    number = f"TRY_CAST(replace({text_sql}, ',', '') AS DOUBLE)"
    clock = f"epoch(TRY_CAST({text_sql} AS INTERVAL))"
    clock = f"CASE WHEN contains({text_sql}, ':') THEN {clock} END"
    return f"CASE WHEN {text_sql} IS NULL THEN 0 ELSE coalesce({number}, {clock}) END"


def column_sql(
    name: str, col: Column, src: ColumnSource | None, staged: bool, source_type: str | None
) -> tuple[str, str]:
    """The second level: (raw text, typed value) SQL of one canonical column, over source_sql's columns."""
    if src is None:
        default = "NULL" if col.default is None else lit(col.default)
        return "NULL::VARCHAR", f"CAST({default} AS {col.sql_type})"
    if src.const is not None:
        return lit(str(src.const)), f"TRY_CAST({lit(src.const)} AS {col.sql_type})"
    base = ident(SOURCE + name)
    if src.mask is not None:
        return ident(SHOWN + name), base
    typed_time_column = col.type == "timestamp" and src.values is None and source_type in TYPED_TIMESTAMPS
    if typed_time_column and src.expr is None and not src.parts:
        raw, value = base, ident(TIME + name)
    else:
        raw = text = base
        if src.values is not None:
            cases = " ".join(f"WHEN {lit(str(k))} THEN {value_text(v)}" for k, v in src.values.items())
            text = f"(CASE {base} {cases} ELSE {base} END)"
            null_keys = [k for k, v in src.values.items() if v is None]
            if null_keys:  # a value the mapping declares empty is not a parse failure
                raw = f"(CASE {base} {' '.join(f'WHEN {lit(str(k))} THEN NULL' for k in null_keys)} ELSE {base} END)"
        value = typed_sql(text, col, src.formats)
        if col.default is not None:
            default = f"TRY_CAST({lit(col.default)} AS {col.sql_type})"
            value = f"coalesce({value}, CASE WHEN {text} IS NULL THEN {default} END)"
    if src.add_seconds:
        added = ident(ADD + name)
        raw = f"CASE WHEN {raw} IS NULL THEN NULL ELSE concat_ws(' + ', {raw}, {ident(ADD_TEXT + name)}) END"
        value = f"to_timestamp(epoch({value}) + {added})"
    return raw, value


def wide_space_sql(text_sql: str) -> str:
    """SQL: the text holds whitespace other than spaces (a tab, a full-width space, …)."""
    return "(" + " OR ".join(f"contains({text_sql}, chr({ord(c)}))" for c in WHITESPACE if c != " ") + ")"


def trimmed(text_sql: str, wide: bool) -> str:
    """SQL: the text without WHITESPACE at either end (`wide`), or without spaces.

    trim() with a character list costs three times the plain trim in DuckDB, so it is used only
    for the columns that hold other whitespace at all (ingest looks first).
    """
    return f"trim({text_sql}, {lit(WHITESPACE)})" if wide else f"trim({text_sql})"


def typed_time(ident: str, source_type: str) -> str:
    """A source column that already holds times (Parquet exports): no parsing."""
    if source_type == "TIMESTAMP WITH TIME ZONE":
        return ident
    return beijing(f"CAST({ident} AS TIMESTAMP)")


def beijing(naive_sql: str) -> str:
    """A naive Beijing time as an instant (TIMESTAMPTZ).

    China has kept UTC+8 all year since 1991, so the offset is fixed; this is exact for every
    date a hotline evaluates and several times cheaper than a time-zone lookup per value.
    """
    return f"to_timestamp(epoch({naive_sql}) - {BEIJING_OFFSET_S})"


def typed_sql(text: str, col: Column, fmt: str | list[str] | None) -> str:
    declared = [fmt] if isinstance(fmt, str) else list(fmt or [])
    if col.type == "timestamp":
        formats = "[" + ", ".join(lit(f) for f in (declared or TIMESTAMP_FORMATS)) + "]"
        parsed = beijing(f"try_strptime({text}, {formats})")
        return parsed if declared else f"coalesce({parsed}, TRY_CAST({text} AS TIMESTAMPTZ))"
    if col.type == "date":
        if declared:
            formats = "[" + ", ".join(lit(f) for f in declared) + "]"
            return f"CAST(try_strptime({text}, {formats}) AS DATE)"
        return f"coalesce(TRY_CAST({text} AS DATE), CAST(try_strptime({text}, '%Y/%m/%d') AS DATE))"
    if col.type == "number":
        plain = f"replace({text}, ',', '')"
        if col.max is None or col.max > 1:  # "95%" is a rate; in a score column it would mislead
            return f"TRY_CAST({plain} AS DOUBLE)"
        return (
            f"CASE WHEN {plain} LIKE '%\\%' ESCAPE '\\' THEN TRY_CAST(rtrim({plain}, '%') AS DOUBLE) / 100 "
            f"ELSE TRY_CAST({plain} AS DOUBLE) END"
        )
    if col.type == "integer":
        number = f"TRY_CAST(replace({text}, ',', '') AS DOUBLE)"
        return f"CASE WHEN {number} = floor({number}) THEN CAST({number} AS BIGINT) END"
    if col.type == "boolean":
        return (
            f"CASE lower({text}) WHEN 'true' THEN true WHEN 'false' THEN false WHEN '1' THEN true "
            f"WHEN '0' THEN false WHEN 't' THEN true WHEN 'f' THEN false END"
        )
    return text


def value_text(value: object) -> str:
    """A value-map target as SQL text (booleans as 'true'/'false', None as NULL)."""
    if value is None:
        return "NULL"
    return lit(str(value).lower() if isinstance(value, bool) else str(value))

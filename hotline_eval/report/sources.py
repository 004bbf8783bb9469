"""What the data sources of an evaluation provide, and what they do not (一、（五）数据来源).

Ingest records, per table, the canonical columns the sources provide (ingest.json `provided`).
From it a report states which tables and fields the sources do not record at all, which
indicators of the evaluation are therefore no data, and how many of the standard's indicators the
sources allow to compute. Nothing here is invented for a missing field: it is named as missing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from hotline_eval.config.catalogue import Indicator
from hotline_eval.core import fmt
from hotline_eval.measure.engine import missing_fields
from hotline_eval.results import Results


@dataclass(frozen=True)
class Missing:
    """Tables and fields the standard's indicators read that no source of the evaluation records."""

    tables: list[str]  # table ids without any input file
    fields: dict[str, list[str]]  # table id → columns its files do not provide
    computable: list[Indicator]  # scored catalogue indicators the sources allow to compute
    scored: list[Indicator]  # every scored catalogue indicator (the standard's list)

    @property
    def anything(self) -> bool:
        return bool(self.tables or self.fields)


def provided(results: Results) -> dict[str, list[str]] | None:
    """ingest.json's `provided` (None for outputs written before it was recorded)."""
    return results.ingest.get("provided")


def missing(results: Results) -> Missing | None:
    """What the standard's indicators need and the sources do not record (None when unknown)."""
    have = provided(results)
    if have is None:
        return None
    needs: dict[str, list[str]] = {}
    for ind in results.catalogue.indicators:
        for need in ind.all_needs:
            table, column = need.split(".")
            if column not in needs.setdefault(table, []):
                needs[table].append(column)
    tables = [t for t in results.schema.tables if t in needs and t not in have]
    fields = {
        t: [c for c in results.schema.tables[t].columns if c in needs[t] and c not in have[t]]
        for t in results.schema.tables
        if t in needs and t in have
    }
    scored = [i for i in results.catalogue.indicators if not i.report_only]
    computable = [i for i in scored if _computable(i, have)]
    return Missing(tables, {t: c for t, c in fields.items() if c}, computable, scored)


def _computable(ind: Indicator, have: dict[str, list[str]]) -> bool:
    if ind.kind == "expert":
        return "expert_scores" in have
    return not missing_fields(ind, have) and all(n.split(".")[0] in have for n in ind.data_needs)


def missing_sentences(results: Results, wording: dict) -> list[str]:
    """The paragraph of 一、（五） on data the sources do not record (empty when nothing is missing)."""
    gap = missing(results)
    if gap is None or not gap.anything:
        return []
    schema, w = results.schema, wording["report"]["sources"]
    out = []
    if gap.tables:
        out.append(w["absent_tables"].format(tables="、".join(schema.tables[t].zh for t in gap.tables)))
    if gap.fields:
        parts = [
            w["absent_field"].format(
                table=schema.tables[t].zh, columns="、".join(schema.tables[t].columns[c].zh for c in cols)
            )
            for t, cols in gap.fields.items()
        ]
        out.append(w["absent_fields"].format(fields="；".join(parts)))
    out.append(w["rule"].format(scored=len(gap.scored), computable=len(gap.computable)))
    return out


def source_files(results: Results, city: str) -> tuple[pd.DataFrame, bool]:
    """The input files behind a city's data: its own folder's files, else every input file (shared by
    all evaluated objects, the second value True). Columns: file, table, rows_in, accepted, rejected, excluded."""
    files = results.ingest.get("files", [])
    own = [f for f in files if f["file"].split("/")[0] == city]
    shared = not own
    chosen = own or files
    frame = pd.DataFrame(
        [
            {
                "file": f["file"].rsplit("/", 1)[-1],
                "table": f["table"],
                "rows_in": f["rows_in"],
                "accepted": f["accepted"],
                "rejected": f["rejected"],
                "excluded": f.get("excluded", 0),
            }
            for f in chosen
        ],
        columns=["file", "table", "rows_in", "accepted", "rejected", "excluded"],
    )
    return frame, shared


def files_table(results: Results, wording: dict, city: str) -> tuple[pd.DataFrame, bool]:
    """source_files as display text (headers in the reader's words), one row per file."""
    frame, shared = source_files(results, city)
    cols = wording["report"]["sources"]["files_columns"]
    rows = [
        {
            cols["file"]: r.file,
            cols["table"]: results.schema.tables[r.table].zh,
            cols["rows_in"]: fmt.count(r.rows_in + r.excluded, "条"),
            cols["accepted"]: fmt.count(r.accepted, "条"),
            cols["rejected"]: fmt.count(r.rejected, "条"),
            cols["excluded"]: fmt.count(r.excluded, "条"),
        }
        for r in frame.itertuples()
    ]
    return pd.DataFrame(rows), shared


def situation(results: Results) -> str:
    """What the data are like, in one line for a failure message: the tables provided, the period,
    the evaluated objects and what is scored (enough to reproduce a failure without the data)."""
    ev, schema = results.evaluation, results.schema
    have = provided(results)
    tables = [schema.tables[t].zh for t in schema.tables if have is None or have.get(t)]
    kinds = sorted({item.kind for item in ev.items(results.catalogue)})
    return "；".join(
        [
            "数据含" + ("、".join(tables) if tables else "（无）"),
            f"评价周期{ev.period.label_zh}（{len(ev.period.months)}个自然月）",
            f"{len(ev.city_ids())}个{ev.labels.object}，其中{len(results.ranked)}个有综合得分",
            f"计分子项类型：{'、'.join(kinds) or '（无）'}",
        ]
    )

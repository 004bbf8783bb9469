"""Dissatisfaction reasons (§6.5.3): how the dissatisfied evaluations of the period are distributed
over the reason taxonomy, per city and per handling unit (dissatisfaction.csv).

The taxonomy is the code list `dissatisfaction_reason` of params/schema.yaml; the five reasons the
standard requires at least are the parameter `dissatisfaction_mandatory_reasons`; which evaluations
are dissatisfied, and which period they belong to, is the catalogue's `callbacks` source (its
`dissatisfied` column, cohort completed_at), the same records the 6.5.3 indicators count. An
evaluation without a verified reason counts as `unverified`.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from hotline_eval.config.catalogue import SqlRenderer, load_catalogue
from hotline_eval.config.evaluation import Evaluation
from hotline_eval.config.schema import load_schema
from hotline_eval.config.sql import prepare_connection
from hotline_eval.core.errors import ConfigError
from hotline_eval.measure.engine import AGENCY

CODE_LIST = "dissatisfaction_reason"
UNVERIFIED = "unverified"
COLUMNS = ["city", "unit", "reason", "reason_zh", "mandatory", "count", "share"]


def taxonomy(root: Path, mandatory: list[str]) -> dict[str, str]:
    """The reason codes and their Chinese labels; every mandatory reason must be one of them."""
    codes = load_schema(root).codes[CODE_LIST].values
    missing = [code for code in mandatory if code not in codes]
    if missing:
        raise ConfigError(
            "params/schema.yaml",
            f"codes.{CODE_LIST}",
            f"不满意原因分类中缺少§6.5.3要求的原因：{'、'.join(missing)}",
            fix="请将其加入该代码表（或更正 params/indicators.yaml 中的 dissatisfaction_mandatory_reasons）",
        )
    return codes


def reason_distribution(con: duckdb.DuckDBPyConnection, root: Path, ev: Evaluation) -> pd.DataFrame:
    """Counts and shares of every reason code, per city (unit '') and per handling unit."""
    catalogue = load_catalogue(root)
    params = ev.parameter_values(catalogue)
    codes = taxonomy(root, list(params["dissatisfaction_mandatory_reasons"]))
    renderer = SqlRenderer(params, ev.period.start, ev.period.end, int(params["outcome_grace_days"]))
    prepare_connection(con, root, catalogue, renderer, ev.period)
    body = renderer.render(catalogue.sources["callbacks"].sql, "sources.callbacks")
    counts = con.execute(
        f"""WITH src AS ({body})
        SELECT city, CASE WHEN grouping(unit_id) = 1 THEN '' ELSE unit_id END AS unit,
               coalesce(reason_code, '{UNVERIFIED}') AS reason, count(*) AS count
        FROM src
        WHERE dissatisfied AND completed_at >= {renderer.context["period_start"]}
          AND completed_at < {renderer.context["period_end"]}
        GROUP BY GROUPING SETS ((city, reason), (city, unit_id, reason))
        HAVING grouping(unit_id) = 1 OR unit_id IS NOT NULL"""
    ).df()
    return _complete(counts, codes, params["dissatisfaction_mandatory_reasons"], ev.city_ids())


def _complete(counts: pd.DataFrame, codes: dict[str, str], mandatory: list[str], cities: list[str]) -> pd.DataFrame:
    """Every code for every city and every unit with dissatisfied evaluations (0 where none), in taxonomy order."""
    units = counts.loc[(counts["unit"] != AGENCY) & counts["city"].isin(cities), ["city", "unit"]].drop_duplicates()
    objects = pd.concat([pd.DataFrame({"city": cities, "unit": AGENCY}), units], ignore_index=True)
    objects = objects.assign(_order=objects["city"].map({c: i for i, c in enumerate(cities)}))
    objects = objects.sort_values(["_order", "unit"], kind="stable").drop(columns="_order")
    grid = objects.merge(pd.DataFrame({"reason": list(codes)}), how="cross")
    out = grid.merge(counts, on=["city", "unit", "reason"], how="left").fillna({"count": 0})
    out["count"] = out["count"].astype(int)
    totals = out.groupby(["city", "unit"])["count"].transform("sum")
    out["share"] = (out["count"] / totals).where(totals > 0)
    out["reason_zh"] = out["reason"].map(codes)
    out["mandatory"] = out["reason"].isin(mandatory)
    return out[COLUMNS]

"""The data-quality checks on hand-built tables: their context, one result row, and records of the checked tables."""

import pandas as pd

from hotline_eval.config.catalogue import Catalogue
from hotline_eval.quality.context import QualityContext, open_quality_data
from hotline_eval.quality.rejects import COLUMNS as REJECT_COLUMNS
from tests.support.hand_built import evaluation, write_tables


def context(root, tmp_path, tables, ev=None, rejects=None, evidence=False) -> QualityContext:
    """A context over hand-made tables. Their months hold a few records, so months are judged on
    their values (evidence=False) unless a test is about the monthly evidence rule itself."""
    write_tables(root, tmp_path / "data", tables)
    con = open_quality_data(root, tmp_path / "data")
    ctx = QualityContext(root, con, ev or evaluation(), rejects if rejects is not None else no_rejects())
    if not evidence:
        ctx.spec = ctx.spec.model_copy(update={"monthly_evidence": None})
    return ctx


def no_rejects() -> pd.DataFrame:
    return pd.DataFrame(columns=REJECT_COLUMNS)


def row(frame, city="a", month="all", item="", table=None):
    rows = frame[(frame["city"] == city) & (frame["month"] == month) & (frame["item"] == item)]
    if table:
        rows = rows[rows["table"] == table]
    assert len(rows) == 1, f"{city}/{month}/{item}: {len(rows)} rows"
    return rows.iloc[0]


def call(i, city, day, outcome="answered", valid=True):
    stamp = f"2026-07-{day:02d} 10:00:00"
    return {
        "call_id": f"c{i}",
        "city": city,
        "arrived_at": stamp,
        "answered_at": stamp if outcome == "answered" else None,
        "ended_at": f"2026-07-{day:02d} 10:05:00",
        "outcome": outcome,
        "is_valid": valid,
    }


def report(city, period, figure, value):
    return {"city": city, "period": period, "figure": figure, "value": value}


def ticket(i, city="a", **fields):
    base = {
        "ticket_id": f"t{i}",
        "city": city,
        "channel": "web",
        "accepted_at": "2026-07-06 09:00:00",
        "handling_mode": "dispatched",
        "unit_id": "u1",
        "caller_hash": f"h{i}",
        "category_code": "010101",
        "is_valid": True,
    }
    return base | fields


def tiny_catalogue(indicators, calls_sql="SELECT * FROM calls WHERE is_valid"):
    return Catalogue.model_validate(
        {
            "parameters": {"outcome_grace_days": {"default": 15, "zh": "宽限期"}},
            "dimensions": [{"id": "response", "clause": "6.1", "zh": "服务响应", "en": "Service response"}],
            "sources": {
                "calls": {"table": "calls", "sql": calls_sql},
                "tickets": {"table": "tickets", "sql": "SELECT * FROM tickets WHERE is_valid"},
            },
            "indicators": [
                {
                    "zh": i,
                    "en": i,
                    "dimension": "response",
                    "clause": "6.1.1",
                    "kind": "system",
                    "direction": "higher",
                    "unit": "percent",
                    "points": 1,
                    "cohort": "arrived_at" if source == "calls" else "accepted_at",
                    "numerator": "count",
                    "denominator": "count",
                    "formula_zh": "—",
                    "id": i,
                    "source": source,
                    "data_needs": needs,
                    **extra,
                }
                for i, source, needs, extra in indicators
            ],
        }
    )

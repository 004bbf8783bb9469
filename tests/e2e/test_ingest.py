"""End to end: the sample province's ingest reconciles every table and drops the personal columns."""

from __future__ import annotations

import pandas as pd


def test_the_demo_ingest_reconciles_and_drops_personal_columns(demo):
    import json

    report = json.loads((demo.out / "ingest.json").read_text(encoding="utf-8"))
    for table, t in report["totals"].items():
        assert t["rows_in"] == t["accepted"] + t["rejected"], table
    assert {"诉求人姓名", "身份证号", "诉求地址"} <= set(report["personal_columns_dropped"])
    names = pd.read_parquet(demo.data / "tickets.parquet").columns
    assert not any(c in names for c in ("诉求人姓名", "身份证号", "诉求地址", "联系电话"))

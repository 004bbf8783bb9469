"""The benchmark's plain scan (bench/scan.py) reads exactly the columns the catalogue's formulas name."""

import sys

import duckdb

from hotline_eval.config.definitions import load_evaluation


def test_the_plain_scan_reads_the_columns_the_formulas_name(root):
    sys.path.insert(0, str(root))
    from bench.scan import catalogue_columns, scan_sql

    columns = catalogue_columns(root, load_evaluation(root, "demo-comprehensive"))
    assert {"arrived_at", "answered_at", "ended_at", "outcome", "survey_level", "caller_hash"} <= set(columns["calls"])
    assert "agent_id" not in columns["calls"]  # no indicator reads who answered
    assert {"ticket_id", "completed_at", "result_level"} <= set(columns["callbacks"])
    con = duckdb.connect()
    con.execute("CREATE TABLE calls AS SELECT 'a' AS city, 1 AS call_id, 2 AS outcome")
    assert con.execute(scan_sql("calls", ["city", "call_id", "outcome"])).fetchall() == [("a", 1, 1)]

"""What counts as an interruption, and a DuckDB query cancelled with interrupt() ending the command with 130."""

from __future__ import annotations

import sys
import threading

import duckdb
import pytest

from hotline_eval.core import interrupts
from hotline_eval.core.connection import connect
from hotline_eval.core.pauses import ENDLESS_QUERY


def cancelled_query() -> duckdb.Error:
    """An endless query, cancelled from another thread with DuckDB's interrupt() (repeated until the query has
    started and stopped: an interrupt() before the query starts does nothing)."""
    con = connect()
    ended = threading.Event()

    def cancel() -> None:
        while not ended.wait(0.01):
            con.interrupt()

    threading.Thread(target=cancel, daemon=True).start()
    try:
        with pytest.raises(duckdb.Error) as caught:
            con.execute(ENDLESS_QUERY)
    finally:
        ended.set()
    return caught.value


def test_a_cancelled_duckdb_query_is_an_interruption_even_when_wrapped():
    exc = cancelled_query()
    assert interrupts.is_interruption(exc)
    try:
        try:
            raise exc
        except duckdb.Error as inner:
            raise RuntimeError("cleanup failed") from inner
    except RuntimeError as outer:
        assert interrupts.is_interruption(outer)
    assert not interrupts.is_interruption(duckdb.IOException("IO Error: disk"))
    assert not interrupts.is_interruption(RuntimeError("plain"))


def test_the_command_exits_130_for_a_cancelled_query(monkeypatch, capsys):
    """Before: DuckDB's InterruptException was an internal error (exit 3, a crash log)."""
    import hotline_eval.pipeline as pipeline
    from hotline_eval import cli

    def query(*_a, **_k):
        raise cancelled_query()

    monkeypatch.setattr(pipeline, "prepare", query)
    monkeypatch.setattr(sys, "argv", ["hotline-eval", "run"])
    with pytest.raises(SystemExit) as stop:
        cli.main()
    assert stop.value.code == 130
    assert capsys.readouterr().err == interrupts.MESSAGE + "\n"

"""A DuckDB connection as every stage opens it: Beijing time, a memory limit, a private spill folder; its query
cancelled on Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import tempfile
import weakref
from pathlib import Path

import duckdb

from hotline_eval.core import interrupts

# DuckDB's working memory per connection (hash tables, sorts, Parquet buffers). Beyond it DuckDB
# spills to a private temporary folder, so that a province fits beside everything else on a laptop.
MEMORY_LIMIT = "1GB"
MEMORY_ENV = "HOTLINE_EVAL_MEMORY"


def connect(threads: int | None = None, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection in Beijing time (naive source times are read as Asia/Shanghai), its memory
    limited to `memory_limit` (default $HOTLINE_EVAL_MEMORY, else MEMORY_LIMIT)."""
    con = duckdb.connect()
    _OPEN.add(con)
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    # the command line reports progress itself; a Jupyter kernel without ipywidgets has no bar to turn off
    with contextlib.suppress(duckdb.InvalidInputException):
        con.execute("SET enable_progress_bar = false")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    limit = memory_limit or os.environ.get(MEMORY_ENV) or MEMORY_LIMIT
    con.execute("SET memory_limit = $limit", {"limit": limit})
    con.execute("SET temp_directory = $dir", {"dir": str(_spill_folder())})
    return con


def cancel_queries() -> None:
    """Cancel the query each open connection runs (Ctrl-C: core/interrupts.py calls this first)."""
    for con in list(_OPEN):
        con.interrupt()


_OPEN: weakref.WeakSet[duckdb.DuckDBPyConnection] = weakref.WeakSet()
interrupts.add_canceller(cancel_queries)


def _spill_folder() -> Path:
    """This process's folder for DuckDB's spilled data. DuckDB creates it when it first spills and
    removes it with its files when the connection closes (nothing is left behind otherwise)."""
    return Path(tempfile.gettempdir()) / f"hotline-eval-duckdb-{os.getpid()}"

"""A hook for tests: stop at a named moment until interrupted, so that a test sends a real Ctrl-C just then.

$HOTLINE_EVAL_PAUSE_AT = "<moment>:<file>". On reaching <moment> the process writes its process id to
<file> and waits: in Python, or, given a DuckDB connection, inside a DuckDB query that never ends (it
writes <file> itself, so the query is running when the file appears). Without the variable, or at
another moment, `pause_at` returns at once. The moments: import (the command line being imported),
ingest, query, notebook (in the notebook kernel), write (an output about to be renamed into place).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from hotline_eval.core.sqltext import lit

ENV = "HOTLINE_EVAL_PAUSE_AT"
ENDLESS_QUERY = "SELECT count(*) FROM range(9223372036854775807) t(i) WHERE hash(i) = 0"


def pause_at(moment: str, con: Any = None) -> None:
    """Wait here until interrupted, when $HOTLINE_EVAL_PAUSE_AT names this moment."""
    name, _, file = os.environ.get(ENV, "").partition(":")
    if name != moment or not file:
        return
    if con is not None:  # one call: the file is written by the running query, not before it
        con.execute(f"COPY (SELECT {os.getpid()}) TO {lit(file)} (FORMAT csv, HEADER false); {ENDLESS_QUERY}")
        return
    partial = Path(f"{file}.partial")
    partial.write_text(str(os.getpid()), encoding="utf-8")
    partial.replace(file)
    while True:
        time.sleep(0.05)

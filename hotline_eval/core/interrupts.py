"""Ctrl-C (SIGINT) at any moment: the program cleans up, says one Chinese line and exits with 130.

`install()` runs first in the command's entry module (hotline_eval/__main__.py), before the heavy
imports. The first SIGINT raises KeyboardInterrupt wherever the program is, so that every `with` and
`finally` on the way out runs: temporary folders are removed, a browser or a notebook kernel is
stopped (report/pdf.py, report/render.py), a DuckDB query is cancelled (DuckDB reports it as
duckdb.InterruptException). From then on whatever ends the program — the KeyboardInterrupt itself,
an error the unwinding caused (a folder still being written into, a kernel gone, a broken worker
pool) or an ordinary exit — ends as interrupted: `requested()` tells the command line so.

A second SIGINT, or one arriving while the interpreter shuts down, ends the process at once, with
the same line and code. Tracebacks of helper threads and of objects finalised while unwinding are
silenced once interrupted: they are consequences of the interruption, not news for the user.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any, NoReturn

EXIT_CODE = 130
MESSAGE = "已中断。已发布的结果保持不变，重新运行同一命令即可。"
# Exceptions other libraries raise for an interruption: DuckDB's for a cancelled query.
FOREIGN_INTERRUPTS = {("_duckdb", "InterruptException"), ("duckdb", "InterruptException")}
FOREIGN_INTERRUPT_MESSAGES = {"Query interrupted"}  # DuckDB's RuntimeError when Python's signal check stops it


class Interrupted(Exception):
    """A KeyboardInterrupt carried past Click, which would print an empty line for it (cli.ChineseGroup)."""


class _State:
    cancellers: list[Callable[[], None]] = []  # what stops work running outside Python (add_canceller)
    signals = 0  # SIGINTs received
    said = False  # the line is on stderr
    closing = False  # the command has finished; the interpreter is shutting down


def install() -> None:
    """Handle SIGINT from now on (in the main thread), and silence the echoes of an interruption."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _on_sigint)
    threading.excepthook = _quiet_when_interrupted(threading.excepthook)
    sys.unraisablehook = _quiet_when_interrupted(sys.unraisablehook)


def add_canceller(cancel: Callable[[], None]) -> None:
    """Call `cancel` on the first SIGINT, before the KeyboardInterrupt: it stops work that runs outside Python
    (core/connection.py cancels the running DuckDB queries; a query that learns of the interruption only
    from the KeyboardInterrupt can hang while it stops, DuckDB 2.0)."""
    _State.cancellers.append(cancel)


def _on_sigint(_signum: int, _frame: Any) -> None:
    _State.signals += 1
    if _State.signals == 1 and not _State.closing:
        for cancel in _State.cancellers:
            with contextlib.suppress(Exception):
                cancel()
        raise KeyboardInterrupt
    _say_once()
    os._exit(EXIT_CODE)


def _quiet_when_interrupted(hook: Any) -> Any:
    def quiet(args: Any) -> None:
        if not requested():
            hook(args)

    return quiet


def requested() -> bool:
    """Whether the user has interrupted this process (then every way out is an interruption)."""
    return _State.signals > 0


def is_interruption(exc: BaseException | None) -> bool:
    """`exc`, or an exception it came from, is an interruption (Ctrl-C, a cancelled DuckDB query)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        kind = type(exc)
        if isinstance(exc, KeyboardInterrupt | Interrupted) or (kind.__module__, kind.__name__) in FOREIGN_INTERRUPTS:
            return True
        if isinstance(exc, RuntimeError) and str(exc) in FOREIGN_INTERRUPT_MESSAGES:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def leave() -> NoReturn:
    """Say that the command was interrupted (one line on stderr) and exit with 130."""
    closing()
    _State.said = True
    with contextlib.suppress(OSError, ValueError):  # stderr closed: the exit code still tells
        sys.stderr.write(MESSAGE + "\n")
        sys.stderr.flush()
    sys.exit(EXIT_CODE)


def closing() -> None:
    """The command has finished: a SIGINT from now on ends the process at once (see `_on_sigint`). After an
    interruption the libraries' complaints about what it left unfinished (asyncio's pending tasks of a
    stopped notebook run) are not logged while the interpreter shuts down."""
    _State.closing = True
    if requested():
        logging.disable(logging.CRITICAL)


def _say_once() -> None:
    """The line, written straight to the file descriptor (safe inside a signal handler)."""
    if _State.said:
        return
    _State.said = True
    with contextlib.suppress(OSError):
        os.write(2, (MESSAGE + "\n").encode("utf-8"))


def kill_group(process) -> None:
    """Kill a child started in its own process group (a browser, a kernel) with all it started, and reap it."""
    if os.name == "posix":
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    else:
        process.kill()
    process.wait()

"""Every city's report of an evaluation, in parallel, with progress; one failure loses no other city.

One driver process hands cities to a pool of worker processes (spawned, so each starts clean);
each worker runs the city notebooks through Papermill's Python API and prints the PDF. A worker
keeps one kernel for all its cities (render.Kernel; IPC transport, no port races): the notebooks
open by clearing its namespace, and the modules stay imported and the evaluation's shared
analysis (compare/analysis.py) computed, which saves seconds per city; a report is the same, byte
for byte, whichever kernel made it (tests/e2e/test_report_batch.py). Outputs are written atomically, so an
interrupted batch can simply be run again; Ctrl-C stops the workers at once, their kernels and
browsers with them (`stop_workers`).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing.util import Finalize
from pathlib import Path
from typing import NoReturn

from hotline_eval.config.definitions import load_evaluation
from hotline_eval.core import interrupts
from hotline_eval.core.errors import HotlineEvalError
from hotline_eval.core.masking import mask_text
from hotline_eval.core.paths import Paths
from hotline_eval.core.publish import reading
from hotline_eval.core.store import read_json, write_json
from hotline_eval.report.city import render_city
from hotline_eval.report.render import Kernel

Progress = Callable[[str], None]
RECORD = "reports.json"
WORKER_STOP_S = 30


@dataclass
class Outcome:
    """What happened to one city's report."""

    city: str
    ok: bool
    files: dict[str, Path] = field(default_factory=dict)
    error: str = ""
    seconds: float = 0.0


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # Windows, macOS
        return os.cpu_count() or 1


_KERNEL: list[Kernel] = []  # the worker process's kernel, started with its first city


def worker_kernel(root: Path) -> Kernel:
    """This worker process's kernel, shut down when the process ends."""
    if not _KERNEL:
        _KERNEL.append(Kernel(root))
        Finalize(_KERNEL[0], _KERNEL[0].shutdown, exitpriority=10)
    return _KERNEL[0]


def worker_setup() -> None:
    """A worker process's signals. Ctrl-C reaches every process of the terminal's group, but stopping is the
    driver's business (`stop_workers`): a worker ignores SIGINT and ends on the driver's SIGTERM."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_stop)


_BUSY: list[bool] = []  # a city is being rendered (the worker unwinds it before it ends)


def _worker_stop(_signum: int, _frame: object) -> None:
    if _BUSY:
        raise KeyboardInterrupt  # render_one cleans up (browser, temporary folders), then ends the worker
    _end_worker()


def _end_worker() -> NoReturn:
    for kernel in _KERNEL:
        kernel.kill()
    os._exit(interrupts.EXIT_CODE)


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Stop a pool at once: nothing queued starts, every worker stops its kernel and browser and ends."""
    workers = multiprocessing.active_children()
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.join(WORKER_STOP_S)
        if worker.is_alive():
            worker.kill()
            worker.join()


def render_one(root: str, evaluation: str, city: str, pdf: bool | None, docx: bool | None, previous: str) -> Outcome:
    """Worker: one city's report; every error becomes a failed outcome with a readable, masked message."""
    start = time.monotonic()
    _BUSY.append(True)
    try:
        kernel = worker_kernel(Path(root))
        files = render_city(Path(root), evaluation, city, pdf=pdf, docx=docx, previous=previous, kernel=kernel)
    except KeyboardInterrupt:  # the driver stops this worker (worker_setup)
        _end_worker()
    except HotlineEvalError as exc:  # a failing city must not stop the others
        return Outcome(city, False, error=mask_text(str(exc)), seconds=time.monotonic() - start)
    except Exception as exc:
        message = mask_text(f"内部错误：{type(exc).__name__}: {exc}")
        return Outcome(city, False, error=message, seconds=time.monotonic() - start)
    finally:
        _BUSY.clear()
    return Outcome(city, True, files=files, seconds=time.monotonic() - start)


def render_all(
    root: Path,
    evaluation: str,
    *,
    workers: int | None = None,
    pdf: bool | None = None,
    docx: bool | None = None,
    previous: str = "",
    cities: list[str] | None = None,
    progress: Progress = lambda _: None,
) -> list[Outcome]:
    """Render the reports of all (or the given) cities; returns one outcome per city, in the evaluation's order."""
    ev = load_evaluation(root, evaluation)
    todo = [ev.check_city(c) for c in cities] if cities else ev.city_ids()
    workers = max(1, min(workers or available_cores(), len(todo)))
    progress(f"生成{len(todo)}个城市的报告（{workers}个进程并行）")
    done: dict[str, Outcome] = {}
    context = multiprocessing.get_context("spawn")
    out = Paths(root, ev.id).out
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=worker_setup)
    try:
        with reading(out):  # one published set
            futures: dict[Future, str] = {
                pool.submit(render_one, str(root), ev.id, city, pdf, docx, previous): city for city in todo
            }
            for future in as_completed(futures):
                city = futures[future]
                try:
                    outcome = future.result()
                except BrokenProcessPool as exc:
                    outcome = Outcome(city, False, error=f"工作进程意外退出：{exc}")
                done[city] = outcome
                mark = "完成" if outcome.ok else "失败"
                detail = f"{outcome.seconds:.1f}秒" if outcome.ok else outcome.error.splitlines()[0]
                progress(f"[{len(done)}/{len(todo)}] {ev.city_name(city)} {mark}（{detail}）")
    except BaseException:  # Ctrl-C: the workers stop now, not after the remaining cities
        stop_workers(pool)
        raise
    pool.shutdown()
    outcomes = [done[c] for c in todo]
    record_outcomes(out, outcomes)
    return outcomes


def record_outcomes(out: Path, outcomes: list[Outcome]) -> None:
    """outputs/<evaluation>/reports.json: the last batch's result per city (the index reads it)."""
    with reading(out):
        previous = read_json(out / RECORD) or {}
        previous.update({o.city: {"ok": o.ok, "error": o.error} for o in outcomes})
        write_json(out / RECORD, previous)


def recorded_failures(out: Path) -> dict[str, str]:
    """City → error of the cities whose last report failed."""
    record = read_json(out / RECORD) or {}
    return {city: r["error"] for city, r in record.items() if not r.get("ok", True)}

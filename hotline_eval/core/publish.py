"""A run's outputs published all at once: written in a staging folder, then swapped into place.

A run writes its whole result set into `<folder>/.staging-<id>/` (the entries it reuses from the
published set are hard-linked there first, so they cost no copying). Publishing then replaces
the folder's result set by the staging folder's in one step:

1. the journal `.staging-<id>/.publish.json` is written: from this moment the new set is
   committed, and whoever finds the journal (this run, or the next one after a crash) finishes
   the swap instead of discarding the new set;
2. every entry of the previous set moves out (into the archive folder of its data version, or
   into the staging folder's own `.superseded/` when it is the same data version) — phase
   `archived` in the journal;
3. every entry of the new set moves in (renames within one file system) — phase `published`;
4. the staging folder is deleted.

Readers hold a shared lock (`reading`) while they read a set; the swap holds the exclusive one,
so a reader sees the complete old set or the complete new one, never a mix. A run that fails or
is interrupted before step 1 leaves the published set untouched; its staging folder is removed at
once, or by the next run (`recover`). The locks are advisory file locks (fcntl); on a system
without them (Windows) publishing is still a few renames, but readers are not held off.

The result set of a folder is every entry except hidden ones (a dot first) and those the caller
keeps out of it (`kept`: inputs, archives, documents with a life of their own).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from hotline_eval.core.store import read_json, write_json

try:
    import fcntl
except ImportError:  # Windows: no advisory locks (see the module docstring)
    fcntl = None  # type: ignore[assignment]

STAGING = ".staging-"
JOURNAL = ".publish.json"
SUPERSEDED = ".superseded"
RUN_LOCK = ".run.lock"
READ_LOCK = ".publish.lock"


@contextlib.contextmanager
def _lock(path: Path, *, shared: bool, waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """An advisory lock on `path` (created if need be), released on exit; `waiting` is told if it must wait."""
    if fcntl is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        kind = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        try:
            fcntl.flock(fh.fileno(), kind | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting()
            fcntl.flock(fh.fileno(), kind)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def running(folder: Path, waiting: Callable[[], None] | None = None) -> contextlib.AbstractContextManager[None]:
    """Held for a whole run: one run at a time per folder (a second waits for the first)."""
    return _lock(folder / RUN_LOCK, shared=False, waiting=waiting)


@contextlib.contextmanager
def reading(folder: Path, waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Held while reading a published set (rendering a document): no swap happens meanwhile.

    A swap that a crash cut short is finished first, so the reader never sees half of one.
    """
    if _committed(folder):
        with _lock(folder / READ_LOCK, shared=False, waiting=waiting):
            for staging in _committed(folder):  # looked up again under the lock
                _finish(folder, staging)
    with _lock(folder / READ_LOCK, shared=True, waiting=waiting):
        yield


def _committed(folder: Path) -> list[Path]:
    """The staging folders whose swap was committed but not finished."""
    return sorted(p.parent for p in folder.glob(f"{STAGING}*/{JOURNAL}")) if folder.is_dir() else []


def result_set(folder: Path, kept: Iterable[str]) -> list[Path]:
    """The folder's published result set: every entry but hidden ones and the `kept` names."""
    if not folder.is_dir():
        return []
    keep = set(kept)
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".") and p.name not in keep)


def start(folder: Path, carried: Iterable[str]) -> Path:
    """A new, empty staging folder in `folder`, holding hard-linked copies of the `carried` entries."""
    staging = folder / f"{STAGING}{dt.datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}"
    staging.mkdir(parents=True)
    for name in carried:
        source = folder / name
        if source.is_dir():
            shutil.copytree(source, staging / name, copy_function=_link_or_copy)
        elif source.exists():
            _link_or_copy(source, staging / name)
    return staging


def _link_or_copy(source: str | Path, target: str | Path) -> None:
    """A hard link (no bytes copied; every output is replaced by rename, never changed in place), else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def publish(
    folder: Path,
    staging: Path,
    kept: Iterable[str],
    archive: Path | None = None,
    waiting: Callable[[], None] | None = None,
) -> None:
    """Replace the folder's result set by the staging folder's; the previous set goes to `archive` (a folder
    inside `folder`) or away. `waiting` is told if documents being rendered hold the published set."""
    target = archive if archive is not None else staging / SUPERSEDED
    journal = {"phase": "committed", "archive": target.relative_to(folder).as_posix(), "kept": list(kept)}
    with _lock(folder / READ_LOCK, shared=False, waiting=waiting):
        write_json(staging / JOURNAL, journal)
        _finish(folder, staging)


def _finish(folder: Path, staging: Path) -> None:
    """Carry a committed swap through from the phase its journal records (idempotent)."""
    journal = read_json(staging / JOURNAL)
    target, kept = folder / journal["archive"], journal["kept"]
    if journal["phase"] == "committed":
        target.mkdir(parents=True, exist_ok=True)
        for entry in result_set(folder, kept):
            os.replace(entry, target / entry.name)
        journal["phase"] = "archived"
        write_json(staging / JOURNAL, journal)
    if journal["phase"] == "archived":
        for entry in result_set(staging, []):
            _replace(entry, folder / entry.name)
        journal["phase"] = "published"
        write_json(staging / JOURNAL, journal)
    (staging / JOURNAL).unlink()  # the swap is over; the rest is the superseded set and leftovers
    shutil.rmtree(staging, ignore_errors=True)


def _replace(source: Path, target: Path) -> None:
    """Rename `source` to `target`; a directory left there by a crash between two renames is removed first."""
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    os.replace(source, target)


def discard(staging: Path) -> None:
    """Remove a staging folder that was never committed (a failed or interrupted run)."""
    if not (staging / JOURNAL).exists():
        shutil.rmtree(staging, ignore_errors=True)


def recover(folder: Path) -> list[Path]:
    """Before a run: finish the swaps a crash cut short, remove the staging folders of runs that failed.

    Call it holding `running(folder)`: then no other run is writing a staging folder there.
    Returns the staging folders found.
    """
    found = sorted(folder.glob(f"{STAGING}*")) if folder.is_dir() else []
    if _committed(folder):
        with _lock(folder / READ_LOCK, shared=False):
            for staging in _committed(folder):  # looked up again under the lock: a reader may have finished it
                _finish(folder, staging)
    for staging in found:
        discard(staging)
    return found

"""Writing outputs safely and recording where they came from.

Every file is written to a temporary name in its own folder and renamed into place, so an
interrupted run never leaves a half-written file that looks complete: a reader sees the old file
or the new one, never a part. Fingerprints (SHA-256) of inputs and params go into each
evaluation's manifest.json.

Spreadsheet cells are written as data, never as formulas: text that a spreadsheet program would
run (starting with =, +, -, @, or a tab or carriage return) is prefixed with an apostrophe
(`spreadsheet_text`). Every CSV written by `write_csv` is neutralised that way; the Excel
writers must pass their text cells through the same function.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from hotline_eval.core.pauses import pause_at

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")


def sha256_file(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def sha256_text(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def relative_label(path: Path, base: Path) -> str:
    """`path` relative to `base` with forward slashes (`../` for a file beside it), else absolute."""
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        pass
    try:
        return Path(os.path.relpath(path.resolve(), base.resolve())).as_posix()
    except ValueError:  # another drive (Windows)
        return str(path)


def fingerprints(paths: Iterable[Path], base: Path) -> list[dict[str, Any]]:
    out = []
    for path in sorted(set(paths)):
        label = relative_label(path, base)
        out.append({"file": label, "bytes": path.stat().st_size, "sha256": sha256_file(path)})
    return out


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside `path`; on success it replaces `path`, on failure it is removed.

    For writers that need a file name (DuckDB COPY, a browser, a CSV writer):

        with atomic_path(target) as tmp:
            write_somehow(tmp)
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        _publish(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _publish(tmp: Path, path: Path) -> None:
    """Make the finished temporary file durable, give it ordinary permissions, rename it into place."""
    pause_at("write")
    with tmp.open("rb+") as fh:
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; outputs are ordinary files
    os.replace(tmp, path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def remove_partials(folder: Path, older_than_s: float = 3600) -> list[Path]:
    """Delete temporary files an interrupted run left behind (never a finished output).

    Only files untouched for `older_than_s` seconds go: a run working in the same folder at the
    same time keeps its own.
    """
    now = time.time()
    removed = []
    for path in sorted(folder.rglob(".*.partial")):
        with contextlib.suppress(FileNotFoundError):  # its own run may just have finished it
            if now - path.stat().st_mtime >= older_than_s:
                path.unlink()
                removed.append(path)
    return removed


def write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n")


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def spreadsheet_text(value: Any) -> Any:
    """A cell value that a spreadsheet shows as text and never runs as a formula.

    Text starting with =, +, -, @, tab or carriage return gets a leading apostrophe, except plain
    numbers such as -5 or +3.5 (harmless, and they stay numbers). Other values pass unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells pass through spreadsheet_text (numbers are untouched)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = out[column].map(spreadsheet_text)
    out.columns = [spreadsheet_text(c) if isinstance(c, str) else c for c in out.columns]
    return out


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    """CSV with a BOM so that Excel opens the Chinese text correctly; formulas are neutralised."""
    atomic_write_bytes(path, spreadsheet_safe(frame).to_csv(index=False).encode("utf-8-sig"))

"""Writing outputs safely and recording where they came from.

Every file is written to a temporary name and renamed into place, so an interrupted run never
leaves a half-written file that looks complete. Fingerprints (SHA-256) of inputs and params go
into each evaluation's manifest.json.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd


def sha256_file(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def sha256_text(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def fingerprints(paths: Iterable[Path], base: Path) -> list[dict[str, Any]]:
    out = []
    for path in sorted(set(paths)):
        try:
            label = str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            label = str(path)
        out.append({"file": label, "bytes": path.stat().st_size, "sha256": sha256_file(path)})
    return out


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n")


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    """CSV with a BOM so that Excel opens the Chinese text correctly."""
    atomic_write_bytes(path, frame.to_csv(index=False).encode("utf-8-sig"))

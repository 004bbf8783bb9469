"""Data versions: re-collection and supplementary collection (§5.2.7) keep earlier uploads on record.

Every ingest of a new set of input files (files added, removed or changed: a supplementary or
repeated upload) starts a new data version. Before the new version's ingest overwrites the
outputs, the previous version's data, rejects, quality results and scores move to
`outputs/<evaluation>/versions/<n>/`, with its own manifest. Re-ingesting the same files (after a
change of mapping or schema, say) keeps the version number. The manifest lists every version;
quality.csv and scores.csv carry the number of the version they used.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

from hotline_eval.core.store import sha256_text

# What a version consists of (moved as a whole into versions/<n>/ when a new version starts).
VERSIONED = [
    "data",
    "rejects",
    "ingest.json",
    "quality.csv",
    "quality_examples.csv",
    "indicators.csv",
    "scores.csv",
    "totals.csv",
    "manifest.json",
]
FOLDER = "versions"


def inputs_digest(input_prints: list[dict[str, Any]]) -> str:
    """One fingerprint for a set of input files (names, sizes, contents)."""
    return sha256_text(*(f"{p['file']}:{p['bytes']}:{p['sha256']}" for p in input_prints))


def current(manifest: dict) -> dict | None:
    versions = manifest.get("versions") or []
    return versions[-1] if versions else None


def start_ingest(out: Path, manifest: dict, input_prints: list[dict[str, Any]]) -> list[dict]:
    """The version list for an ingest about to run; archives the previous version if the inputs changed."""
    versions = list(manifest.get("versions") or [])
    digest = inputs_digest(input_prints)
    last = current(manifest)
    if last is not None and last["inputs"] == digest:
        return versions
    if last is not None and (out / "data").exists():
        last = {**last, "archived": _archive(out, int(last["version"]))}
        versions[-1] = last
    number = int(last["version"]) + 1 if last else _next_free(out)
    versions.append(
        {
            "version": number,
            "inputs": digest,
            "files": len(input_prints),
            "ingested_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "changed_files": _changed(manifest.get("inputs") or [], input_prints) if last else [],
            "archived": None,
        }
    )
    return versions


def _archive(out: Path, number: int) -> str:
    target = out / FOLDER / str(number)
    if target.exists():  # an interrupted earlier archive of the same version: keep the first copy
        return str(target.relative_to(out))
    target.mkdir(parents=True)
    for name in VERSIONED:
        source = out / name
        if source.exists():
            shutil.move(str(source), target / name)
    return str(target.relative_to(out))


def _next_free(out: Path) -> int:
    """Version 1, or after the versions already archived when the manifest was lost."""
    folder = out / FOLDER
    numbers = [int(p.name) for p in folder.iterdir() if p.name.isdigit()] if folder.exists() else []
    return max(numbers, default=0) + 1


def _changed(before: list[dict], after: list[dict]) -> list[str]:
    """Files added, removed or changed since the previous version (their labels, with a sign)."""
    old = {p["file"]: p["sha256"] for p in before}
    new = {p["file"]: p["sha256"] for p in after}
    added = [f"+{f}" for f in sorted(new) if f not in old]
    removed = [f"-{f}" for f in sorted(old) if f not in new]
    changed = [f"~{f}" for f in sorted(new) if f in old and old[f] != new[f]]
    return added + removed + changed

"""Data versions: re-collection and supplementary collection (§5.2.7) keep earlier uploads on record.

Every ingest of a new set of input files (files added, removed or changed: a supplementary or
repeated upload) starts a new data version. When the new version's results are published (all at
once, core/publish.py), the previous version's whole result set — data, rejects, quality results,
scores, score sheet, documents, manifest — moves to `outputs/<evaluation>/versions/<n>/`.
Re-ingesting the same files (after a change of mapping or schema, say) keeps the version number.
The manifest lists every version; quality.csv and scores.csv carry the number of the version they used.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from hotline_eval.core.store import sha256_text

FOLDER = "versions"


def inputs_digest(input_prints: list[dict[str, Any]]) -> str:
    """One fingerprint for a set of input files (names, sizes, contents)."""
    return sha256_text(*(f"{p['file']}:{p['bytes']}:{p['sha256']}" for p in input_prints))


def current(manifest: dict) -> dict | None:
    versions = manifest.get("versions") or []
    return versions[-1] if versions else None


def start_ingest(out: Path, manifest: dict, input_prints: list[dict[str, Any]]) -> list[dict]:
    """The version list for an ingest about to run; if the inputs changed, a new version whose
    predecessor names the folder its results will be archived in (`archive_folder`)."""
    versions = list(manifest.get("versions") or [])
    digest = inputs_digest(input_prints)
    last = current(manifest)
    if last is not None and last["inputs"] == digest:
        return versions
    if last is not None:
        last = {**last, "archived": _archive_name(out, int(last["version"]))}
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


def archive_folder(manifest: dict, versions: list[dict]) -> str | None:
    """Where the published results go when `versions` replace the manifest's: the previous version's
    archive (relative to the evaluation's folder) when a new version started, else None."""
    started = len(versions) > len(manifest.get("versions") or [])
    return versions[-2]["archived"] if started and len(versions) > 1 else None


def _archive_name(out: Path, number: int) -> str:
    """versions/<n>, or versions/<n>-2, … if that folder is taken (by a copy an earlier release left)."""
    name, k = str(number), 1
    while (out / FOLDER / name).exists():
        k += 1
        name = f"{number}-{k}"
    return f"{FOLDER}/{name}"


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

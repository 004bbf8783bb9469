"""Publishing a result set all at once: a reader sees the whole old set or the whole new one, never a mix."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from hotline_eval.core import publish

KEPT = ("raw", "versions")


def write_set(folder: Path, label: str) -> None:
    """A small result set: files, a folder of files, a document folder; every file says which set it is."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "city").mkdir(exist_ok=True)
    for name in ("manifest.json", "scores.csv", "scores.xlsx", "data/calls.parquet", "city/report.html"):
        (folder / name).write_text(label)


def contents(folder: Path) -> dict[str, str]:
    """Every file of the folder's result set, with its text."""
    return {
        p.relative_to(folder).as_posix(): p.read_text()
        for entry in publish.result_set(folder, KEPT)
        for p in ([entry] if entry.is_file() else sorted(entry.rglob("*")))
        if p.is_file()
    }


@pytest.fixture
def folder(tmp_path) -> Path:
    """An evaluation's folder with a published set "old", a raw/ input folder and an archive."""
    out = tmp_path / "ev"
    write_set(out, "old")
    (out / "raw").mkdir()
    (out / "raw" / "export.csv").write_text("input")
    (out / "versions" / "1").mkdir(parents=True)
    return out


def staged(out: Path, label: str, carried: tuple[str, ...] = ()) -> Path:
    staging = publish.start(out, carried)
    write_set(staging, label)
    return staging


def test_publishing_swaps_the_whole_set_and_archives_the_old_one(folder):
    staging = staged(folder, "new")
    publish.publish(folder, staging, KEPT, folder / "versions" / "2")
    assert set(contents(folder).values()) == {"new"}
    assert set(contents(folder / "versions" / "2").values()) == {"old"}
    assert len(contents(folder / "versions" / "2")) == 5
    assert (folder / "raw" / "export.csv").read_text() == "input", "inputs are not part of a result set"
    assert not staging.exists()


def test_a_set_of_the_same_data_version_replaces_the_old_one_and_drops_what_it_lacks(folder):
    staging = publish.start(folder, ["data"])
    (staging / "scores.csv").write_text("new")
    publish.publish(folder, staging, KEPT)
    assert contents(folder) == {"data/calls.parquet": "old", "scores.csv": "new"}
    assert not staging.exists() and os.listdir(folder / "versions" / "1") == []


def test_carried_outputs_are_hard_links_and_a_rewrite_in_staging_leaves_the_published_file_alone(folder):
    staging = publish.start(folder, ["data", "scores.csv", "missing.csv"])
    assert os.path.samefile(staging / "scores.csv", folder / "scores.csv")
    (staging / "scores.tmp").write_text("new")
    os.replace(staging / "scores.tmp", staging / "scores.csv")  # every writer renames into place (core/store.py)
    assert (folder / "scores.csv").read_text() == "old"
    assert not (staging / "missing.csv").exists()


def test_a_run_that_fails_before_publishing_leaves_the_old_set_and_its_staging_folder_goes(folder):
    staging = staged(folder, "new")
    publish.discard(staging)
    assert not staging.exists() and set(contents(folder).values()) == {"old"}
    left = staged(folder, "new")  # a run killed outright: the next run's recover removes its folder
    assert publish.recover(folder) == [left] and not left.exists()
    assert set(contents(folder).values()) == {"old"} and len(contents(folder)) == 5


@pytest.mark.parametrize("renames_before_crash", [0, 1, 3, 6, 7, 9, 12])
def test_a_swap_cut_short_at_any_rename_leaves_one_whole_set_once_the_next_run_recovers(
    folder, monkeypatch, renames_before_crash
):
    """The renames: the journal (the commit), 5 entries out, the journal, 5 in, the journal. Cut short
    before the commit the old set stays; after it the next run completes the new one."""
    old = contents(folder)
    staging = staged(folder, "new")
    new = contents(staging)
    real_replace, done = os.replace, []

    def crashing(source, target):
        if len(done) == renames_before_crash:
            raise KeyboardInterrupt
        done.append(source)
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", crashing)
    with pytest.raises(KeyboardInterrupt):
        publish.publish(folder, staging, KEPT, folder / "versions" / "2")
    monkeypatch.setattr(os, "replace", real_replace)
    publish.discard(staging)  # what the failed run does; a committed swap is not discarded
    publish.recover(folder)
    committed = renames_before_crash > 0
    assert contents(folder) == (new if committed else old)
    assert contents(folder / "versions" / "2") == (old if committed else {})
    assert not list(folder.glob(".staging-*"))


def test_a_reader_finishes_a_swap_cut_short_before_it_reads(folder, monkeypatch):
    staging = staged(folder, "new")
    real_replace = os.replace
    calls = []

    def crashing(source, target):
        calls.append(source)
        if len(calls) == 3:
            raise KeyboardInterrupt
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", crashing)
    with pytest.raises(KeyboardInterrupt):
        publish.publish(folder, staging, KEPT)
    monkeypatch.setattr(os, "replace", real_replace)
    with publish.reading(folder):
        assert set(contents(folder).values()) == {"new"} and len(contents(folder)) == 5


@pytest.mark.skipif(publish.fcntl is None, reason="no advisory locks on this system")
def test_a_swap_waits_for_the_readers_of_the_published_set(folder):
    staging = staged(folder, "new")
    swapped = threading.Event()

    def swap() -> None:
        publish.publish(folder, staging, KEPT)
        swapped.set()

    with publish.reading(folder):
        thread = threading.Thread(target=swap)
        thread.start()
        time.sleep(0.3)
        assert not swapped.is_set()
        seen = contents(folder)
    thread.join(timeout=10)
    assert swapped.is_set()
    assert set(seen.values()) == {"old"} and set(contents(folder).values()) == {"new"}


@pytest.mark.skipif(publish.fcntl is None, reason="no advisory locks on this system")
def test_a_second_run_waits_for_the_first_and_is_told_so(folder):
    told = []
    second_in = threading.Event()

    def second() -> None:
        with publish.running(folder, waiting=lambda: told.append("waiting")):
            second_in.set()

    with publish.running(folder):
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.3)
        assert not second_in.is_set()
    thread.join(timeout=10)
    assert second_in.is_set() and told == ["waiting"]

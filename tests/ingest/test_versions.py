"""Data versions: new inputs start a new version and name the folder the previous one is archived in;
nothing moves until the run publishes (core/publish.py)."""

from __future__ import annotations

from hotline_eval.ingest.versions import archive_folder, start_ingest


def prints(*contents: str) -> list[dict]:
    return [{"file": f"exports/{n}.csv", "bytes": len(c), "sha256": c * 8} for n, c in enumerate(contents)]


def test_the_same_inputs_keep_the_version_and_archive_nothing(tmp_path):
    first = start_ingest(tmp_path, {}, prints("a", "b"))
    manifest = {"versions": first, "inputs": prints("a", "b")}
    assert start_ingest(tmp_path, manifest, prints("a", "b")) == first
    assert archive_folder(manifest, first) is None
    assert [v["version"] for v in first] == [1] and archive_folder({}, first) is None


def test_changed_inputs_start_a_version_whose_predecessor_names_its_archive_and_nothing_moves(tmp_path):
    (tmp_path / "scores.csv").write_text("v1")
    manifest = {"versions": start_ingest(tmp_path, {}, prints("a", "b")), "inputs": prints("a", "b")}
    versions = start_ingest(tmp_path, manifest, prints("a", "c"))
    assert [(v["version"], v["archived"]) for v in versions] == [(1, "versions/1"), (2, None)]
    assert versions[1]["changed_files"] == ["~exports/1.csv"]
    assert archive_folder(manifest, versions) == "versions/1"
    assert (tmp_path / "scores.csv").read_text() == "v1" and not (tmp_path / "versions").exists()


def test_an_archive_folder_already_taken_is_not_overwritten(tmp_path):
    (tmp_path / "versions" / "1").mkdir(parents=True)
    (tmp_path / "versions" / "1-2").mkdir()
    manifest = {"versions": [{"version": 1, "inputs": "x", "archived": None}], "inputs": []}
    assert archive_folder(manifest, start_ingest(tmp_path, manifest, prints("a"))) == "versions/1-3"

"""The evaluation model's input folders: the shared data folder and a file filter."""

from __future__ import annotations

from hotline_eval.ingest.discovery import discover


def test_input_folders_in_the_shared_data_folder_and_a_file_filter(root, tmp_path, monkeypatch):
    from hotline_eval.config.evaluation import InputDir, shared_folder

    monkeypatch.delenv("HOTLINE_EVAL_SHARED", raising=False)
    item = InputDir(dir="{shared}/data/real/x", systems=["vendor-a"], files=["a*.csv"])
    assert item.folder(root) == (root.parent / "shared" / "data" / "real" / "x").resolve()
    monkeypatch.setenv("HOTLINE_EVAL_SHARED", str(tmp_path))
    assert shared_folder(root) == tmp_path.resolve() and item.folder(root) == tmp_path.resolve() / "data/real/x"
    for name in ("话务明细_a.csv", "话务明细_b.csv"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    found = discover(root, tmp_path, ["vendor-a"], "linjiang", ["*_b.csv"])
    assert [f.path.name for f in found] == ["话务明细_b.csv"]

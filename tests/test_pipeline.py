"""The pipeline: an input folder that does not exist is named before anything runs."""

import pytest


def test_an_input_folder_that_does_not_exist_is_named_before_anything_runs(root, tmp_path, monkeypatch):
    """The benchmark evaluation reads folders that make bench generates; without them the run stops at once."""
    from hotline_eval.core.errors import InputError
    from hotline_eval.pipeline import prepare

    project = tmp_path / "project"
    project.mkdir()
    (project / "params").symlink_to(root / "params")
    monkeypatch.setenv("HOTLINE_EVAL_OUTPUTS", str(tmp_path / "outputs"))
    with pytest.raises(InputError, match="输入文件夹不存在") as exc:
        prepare(project, "bench")
    assert "outputs/bench/raw/linjiang" in str(exc.value) and "make bench" in str(exc.value)
    assert not (tmp_path / "outputs" / "bench" / "data").exists()

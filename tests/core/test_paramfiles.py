"""Params files: a named file never leaves its folder, and YAML with Python tags is refused without running anything."""

from __future__ import annotations

import pytest

from hotline_eval.core.errors import ConfigError, UnknownNameError
from hotline_eval.core.paramfiles import load_yaml, named_file


def test_named_params_files_never_leave_their_folder(root):
    folder = root / "params" / "mappings"
    assert named_file(folder, "mapping", "vendor-a") == folder / "vendor-a.yaml"
    for name in ("../schema", "../../pyproject", "vendor-a.yaml", "", ".", "/etc/passwd"):
        with pytest.raises(UnknownNameError):
            named_file(folder, "mapping", name)


# ---------------------------------------------------------------------------------------------
# YAML, notebook parameters


def test_yaml_with_python_tags_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.yaml"
    path.write_text(f'id: !!python/object/apply:os.system ["touch {marker}"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_yaml(path)
    assert "evil.yaml" in str(err.value)
    assert not marker.exists()


def test_a_key_given_twice_in_a_params_file_is_refused(tmp_path):
    """YAML keeps the last of two equal keys silently; a params file that does so is an error with its line."""
    path = tmp_path / "x.yaml"
    path.write_text("report:\n  title: 一\n  note: 二\n  title: 三\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"第4行第3列（键 'title' 在同一映射中出现了两次）"):
        load_yaml(path)
    path.write_text("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  x: 3\n", encoding="utf-8")
    assert load_yaml(path)["other"] == {"x": 3, "y": 2}  # a merge may be overridden

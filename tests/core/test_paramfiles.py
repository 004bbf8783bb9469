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

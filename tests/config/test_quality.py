"""The data-quality params (params/quality.yaml): errors name file and key; every check has a Chinese name and
every gate a threshold."""

import shutil

import pytest

from hotline_eval.config.quality import load_quality_spec
from hotline_eval.core.errors import ConfigError

# ---------------------------------------------------------------- params


def test_a_quality_params_error_names_the_file_and_key(root, tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(root / "params", copy / "params")
    path = copy / "params" / "quality.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("target: calls.call_id", "target: calls.call_no"))
    with pytest.raises(ConfigError) as err:
        load_quality_spec(copy)
    assert "quality.yaml" in str(err.value) and "links.0" in str(err.value) and "calls.call_no" in str(err.value)


def test_every_check_has_a_chinese_name_and_every_gate_a_threshold(root):
    spec = load_quality_spec(root)
    for check_id, check in spec.checks.items():
        assert check.zh, check_id
        assert check.severity == "info" or check.threshold is not None, check_id

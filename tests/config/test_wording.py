"""The wording files (params/wording/*.yaml): every file is read, and a key given in two files is named."""

import pytest

from hotline_eval.core.errors import ConfigError


def test_wording_is_read_from_every_file_and_a_key_given_twice_is_named(root, tmp_path):
    from hotline_eval.config.wording import load_wording

    words = load_wording(root)
    assert {"report", "bulletin", "plan", "narrative", "appeals", "fieldwork", "assessment", "status"} <= set(words)
    copy = tmp_path / "params" / "wording"
    copy.mkdir(parents=True)
    for path in (root / "params" / "wording").glob("*.yaml"):
        (copy / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (copy / "extra.yaml").write_text("report:\n  objects: x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"在 extra\.yaml 中也有") as err:
        load_wording(tmp_path)
    assert err.value.key == "report" and err.value.file.endswith("report.yaml")

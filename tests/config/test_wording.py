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


def test_relabelling_replaces_each_word_once_longest_first():
    from hotline_eval.config.wording import relabel_text

    pairs = [("全省", "全市"), ("设区市", "市议会选区"), ("各市", "各市议会选区"), ("城市", "市议会选区")]
    text = "全省为各设区市分子、分母合并计算的全省值；各市、城市；《全省各设区市》"
    assert relabel_text(text, pairs) == (
        "全市为各市议会选区分子、分母合并计算的全市值；各市议会选区、市议会选区；《全省各设区市》"
    )

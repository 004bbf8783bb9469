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


def test_labels_replace_each_word_once_so_no_label_is_doubled(root):
    """设区市 → 市议会选区 and then 各市 → 各市议会选区 gave “各市议会选区议会选区” and 12345热线服务 → 311服务服务
    in reports of a city's council districts (issue 18); replaced in one pass, longest first, they do not."""
    from hotline_eval.config.evaluation import ObjectLabels
    from hotline_eval.config.wording import load_wording, relabel_text, replacements

    labels = ObjectLabels(scope="全市", object="市议会选区", service="311市民服务热线", service_short="311服务")
    pairs = replacements(labels, load_wording(root)["written_for"])
    assert relabel_text("各设区市得分，各市平均，3个市达到，全省最优", pairs) == (
        "各市议会选区得分，各市议会选区平均，3个市议会选区达到，全市最优"
    )
    assert relabel_text("12345热线服务质量评价报告", pairs) == "311服务质量评价报告"
    assert relabel_text("《12345政务服务便民热线服务质量评价规范》要求各市", pairs).startswith(
        "《12345政务服务便民热线"
    )
    words = load_wording(root, labels)
    text = str(words)
    assert "议会选区议会选区" not in text and "服务服务" not in text


def test_relabelling_replaces_each_word_once_longest_first():
    from hotline_eval.config.wording import relabel_text

    pairs = [("全省", "全市"), ("设区市", "市议会选区"), ("各市", "各市议会选区"), ("城市", "市议会选区")]
    text = "全省为各设区市分子、分母合并计算的全省值；各市、城市；《全省各设区市》"
    assert relabel_text(text, pairs) == (
        "全市为各市议会选区分子、分母合并计算的全市值；各市议会选区、市议会选区；《全省各设区市》"
    )

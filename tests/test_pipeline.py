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


def test_the_run_names_the_indicators_the_sources_cannot_feed_and_those_computed_without_a_refinement(root):
    """A work-orders-only system without first contacts and approved extensions: 先行联系率 is no data (a field
    it needs is recorded by no source) and 按期办结率 is computed at the original due times (issue 18, point 3)."""
    from hotline_eval.pipeline import _print_not_provided
    from tests.support.hand_built import evaluation

    ev = evaluation(indicators=["first_contact_rate", "ontime_completion_rate", "answer_rate"])
    schema_columns = ["due_at", "closed_at", "handling_mode", "unit_id", "is_valid", "unit_received_at", "replied_at"]
    ingested = {"provided": {"tickets": [*schema_columns, "contact_required"]}}
    lines: list[str] = []
    _print_not_provided(root, ev, ingested, lines.append)
    assert lines == [
        "数据源未记录所需字段、按“无数据”处理的指标：接通率、先行联系率（详见报告“数据来源”）",  # catalogue order
        "缺少细化字段、按基本口径计算的指标：按期办结率（详见报告“数据来源”）",
    ]
    everything = {"provided": None}  # outputs of an older version: every column counts as recorded
    _print_not_provided(root, ev, everything, lines.append)
    assert len(lines) == 2


def test_the_quality_line_names_the_evaluated_objects_by_their_label():
    """“14个城市有未通过的门槛检查” was printed for 14 council districts."""
    import pandas as pd

    from hotline_eval.pipeline import _print_quality
    from tests.support.hand_built import evaluation

    labels = {"scope": "全市", "object": "市议会选区", "service": "311市民服务热线", "service_short": "311热线"}
    ev = evaluation(labels=labels)
    failed = pd.DataFrame([{"city": "a", "severity": "gate", "passed": False}])
    lines: list[str] = []
    _print_quality(ev, failed, lines.append)
    _print_quality(ev, failed.assign(passed=True), lines.append)
    assert lines == [
        "数据质量：1个市议会选区有未通过的门槛检查（a市），明细见 make check CITY=...",
        "数据质量：全部市议会选区通过门槛检查",
    ]

"""Evaluation definitions (§5.1): defaults, sub-items, load-time errors naming file and key, period rules."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from hotline_eval.config.catalogue import load_catalogue
from hotline_eval.config.definitions import list_evaluations, load_evaluation
from hotline_eval.core.errors import ConfigError, PeriodError

BASE = """\
id: x
name_zh: 测试评价
organiser_zh: 测试
period: {start: 2026-07-01, end: 2026-09-30}
province: sample
data:
  sample: {seed: 1, scale: 1}
"""


@pytest.fixture
def project(root, tmp_path):
    """A project folder sharing the real params, with its own evaluations/ folder."""
    params = tmp_path / "params"
    (params / "evaluations").mkdir(parents=True)
    for name in ("indicators.yaml", "schema.yaml", "evaluation-defaults.yaml", "calendar.yaml", "provinces"):
        (params / name).symlink_to(root / "params" / name)
    return tmp_path


def define(project, text: str):
    (project / "params" / "evaluations" / "x.yaml").write_text(BASE + textwrap.dedent(text), encoding="utf-8")
    return load_evaluation(project, "x")


def error(project, text: str) -> ConfigError:
    with pytest.raises(ConfigError) as exc:
        define(project, text)
    assert "x.yaml" in str(exc.value)
    return exc.value


def test_the_shipped_definitions_load(root):
    names = list_evaluations(root)
    assert {"demo-comprehensive", "demo-special"} <= set(names)
    for name in names:
        load_evaluation(root, name)


def test_defaults_come_from_params_and_sections_merge_key_by_key(project):
    ev = define(project, "type: comprehensive\nexpert_panel: {min_experts: 7}\n")
    assert ev.expert_panel.min_experts == 7 and ev.expert_panel.trim_from == 5  # the rest from the defaults
    assert [g.grade for g in ev.grades] == ["优秀", "良好", "合格", "不合格"] and ev.coverage_min == 80
    assert ev.trend.material_change["percent"] == 0.01


def test_special_sub_items_expand_into_scored_items(root):
    ev = load_evaluation(root, "demo-special")
    ids = [(i.id, i.points) for i in ev.items(load_catalogue(root))]
    assert ("answer_rate", 20) in ids and ("answer_rate.change", 10) in ids
    assert ("answer_rate.activity", 5) in ids and ("answer_rate.night", 5) in ids
    assert sum(p for _, p in ids) == 100
    active = {i.id: i.points for i in ev.active_indicators(load_catalogue(root))}
    assert active["answer_rate"] == 20  # the level's points, as the report shows them


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ("type: comprehensive\nindicators: [answer_rate, no_such]\n", "indicators.no_such", "未知的指标"),
        ("type: comprehensive\nparameters: {no_such: 1}\n", "parameters.no_such", "未知的参数"),
        ("type: comprehensive\nsurprise: 1\n", "surprise", "未知的键"),
        ("type: comprehensive\nreference: {strategy: best}\n", "reference.strategy", "province_best"),
        (
            "type: comprehensive\nreference: {strategy: mixed, benchmarks: {answer_rate: {value: 0.98}}}\n",
            "reference.benchmarks.answer_rate.source",
            "缺少必填键",
        ),
        (
            "type: comprehensive\nreference: {strategy: benchmark, benchmarks: "
            "{answer_rate: {value: 0.98, source: 常州}}}\n",
            "reference.benchmarks",
            "缺少：",
        ),
        ("type: comprehensive\nthresholds: {no_such: {zero_below: 1}}\n", "thresholds.no_such", "未知的指标"),
        ("type: comprehensive\nthresholds: {answer_rate: {}}\n", "thresholds.answer_rate", "zero_below"),
        ("type: comprehensive\nvetoes: [{city: atlantis, reason_zh: 数据造假}]\n", "vetoes.0.city", "未知的城市"),
        ("type: comprehensive\nvetoes: [{city: linjiang}]\n", "vetoes.0.reason_zh", "缺少必填键"),
        ("type: comprehensive\ngrades: [{grade: 好, min: 60}, {grade: 优, min: 90}]\n", "grades", "从高到低"),
        ("type: comprehensive\ngrades: [{grade: 好, min: 60}]\n", "grades", "min 须为 0"),
        ("type: comprehensive\nunits: {classes: [village]}\n", "units.classes.0", "未知的单位类别"),
        ("type: comprehensive\nperiod_rule: {tables: [units]}\n", "period_rule.tables.0", "没有日期列"),
        ("type: comprehensive\ninnovation: extra\n", "innovation", "inside"),
        (
            "type: comprehensive\nindicators: {answer_rate: {level: 4, change: 2}}\n",
            "indicators.answer_rate",
            "special",
        ),
        ("type: special\n", "indicators", "须选定指标"),
        ("type: special\nindicators: {answer_rate: {level: 10}}\n", "indicators.answer_rate.change", "§5.1.2.4"),
        (
            "type: special\nindicators: {answer_rate: {level: 10, change: 5, flux: 1}}\n",
            "indicators.answer_rate.flux",
            "未知的键",
        ),
        ("type: comprehensive\nindicators: {answer_rate: -2}\n", "indicators.answer_rate", "不能为负数"),
        ("type: comprehensive\nindicators: everything\n", "indicators", "'all'"),
        (
            "type: special\nindicators: {answer_rate: {level: 10, change: 5, segments: {night: 2}}}\n",
            "indicators.answer_rate.segments.night",
            "未知的时段",
        ),
        (
            "type: special\nindicators: {answer_rate: {level: 10, change: 5, activity: 2}}\n",
            "activity",
            "须给出 activity 设置",
        ),
        (
            "type: special\nindicators: {answer_rate: {level: 10, change: 5, activity: 2}}\n"
            "activity: {zh: 领导接听日, exclude_holidays: true, windows: [{date: 2026-10-08, start: '09:00', end: '11:00'}]}\n",
            "activity.windows.0.date",
            "不在评价周期内",
        ),
        (
            "type: special\nindicators: {answer_rate: {level: 10, change: 5}}\nsegments: {night: {zh: 夜间}}\n",
            "segments.night",
            "hours 或 weekdays",
        ),
    ],
)
def test_a_bad_definition_names_the_file_and_the_key(project, text, key, words):
    exc = error(project, text)
    assert exc.key == key, str(exc)
    assert words in str(exc)


def test_a_single_city_needs_benchmarks_for_every_ratio_indicator(project):
    exc = error(project, "type: comprehensive\ncities: [{id: linjiang, name_zh: 临江市}]\n")
    assert exc.key == "reference.strategy"
    exc = error(
        project,
        """\
        type: comprehensive
        cities: [{id: linjiang, name_zh: 临江市}]
        indicators: [answer_rate, answer_wait_avg]
        reference: {strategy: mixed, benchmarks: {answer_rate: {value: 0.9816, source: 常州市2021年}}}
        """,
    )
    assert exc.key == "reference.benchmarks" and "answer_wait_avg" in str(exc)


def test_a_special_evaluation_needs_three_whole_months_in_its_definition(project):
    text = (
        BASE.replace("2026-09-30", "2026-09-15") + "type: special\nindicators: {answer_rate: {level: 5, change: 5}}\n"
    )
    (project / "params" / "evaluations" / "x.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(PeriodError, match=r"至少3个连续的完整月份.*§5\.1\.2\.3.*只包含2个"):
        load_evaluation(project, "x")


def test_an_indicator_that_cannot_be_windowed_cannot_have_windowed_sub_items(project):
    import yaml

    catalogue = yaml.safe_load((project / "params" / "indicators.yaml").read_text(encoding="utf-8"))
    catalogue["sources"]["samples"] = {"table": "qc_samples", "sql": "SELECT * FROM qc_samples"}
    catalogue["indicators"].append(
        {
            "id": "consult_accuracy_test",
            "zh": "咨询答复准确率",
            "en": "test",
            "dimension": "accuracy",
            "clause": "6.2.1",
            "kind": "sampled",
            "direction": "higher",
            "unit": "percent",
            "points": 3,
            "source": "samples",
            "cohort": "coalesce(sampled_at, sampled_at)",  # derived, and qc_samples has no key
            "numerator": {"count_if": "correct"},
            "denominator": "count",
            "formula_zh": "测试",
        }
    )
    path = project / "params" / "indicators.yaml"
    path.unlink()
    path.write_text(yaml.safe_dump(catalogue, allow_unicode=True), encoding="utf-8")
    exc = error(project, "type: special\nindicators: {consult_accuracy_test: {level: 5, change: 5}}\n")
    assert exc.key == "indicators.consult_accuracy_test" and "无法按时间筛选" in str(exc)


def test_every_default_lives_in_the_defaults_file_only(root):
    """Each key of params/evaluation-defaults.yaml is a required field of the model (sections: each of their
    keys), so the models hold no second copy that could disagree, and a key deleted there is an error."""
    import yaml
    from pydantic import BaseModel

    from hotline_eval.config.evaluation import Evaluation

    defaults = yaml.safe_load((root / "params" / "evaluation-defaults.yaml").read_text(encoding="utf-8"))
    for key, value in defaults.items():
        field = Evaluation.model_fields[key]
        assert field.is_required(), f"Evaluation.{key} has a default in Python as well"
        model = field.annotation
        if isinstance(value, dict) and isinstance(model, type) and issubclass(model, BaseModel):
            for sub in value:
                assert model.model_fields[sub].is_required(), f"{key}.{sub} has a default in Python as well"


def test_a_key_missing_from_the_defaults_is_named(project):
    defaults = project / "params" / "evaluation-defaults.yaml"
    text = defaults.read_text(encoding="utf-8")
    defaults.unlink()
    defaults.write_text(text.replace("coverage_min: 80\n", ""), encoding="utf-8")
    assert error(project, "type: comprehensive\n").key == "coverage_min"


def definition(**extra) -> dict:
    return {
        "id": "t",
        "name_zh": "测试评价",
        "type": "comprehensive",
        "organiser_zh": "测试",
        "period": {"start": dt.date(2026, 7, 1), "end": dt.date(2026, 7, 9)},
        "cities": [{"id": "a", "name_zh": "a市"}, {"id": "b", "name_zh": "b市"}],
        "data": {"inputs": [{"dir": ".", "systems": ["vendor-a"]}]},
        **extra,
    }


def test_the_period_rule_is_waived_only_explicitly_and_with_a_reason(root):
    from hotline_eval.config.definitions import build_evaluation

    with pytest.raises(PeriodError, match="连续的完整月份"):
        build_evaluation(root, definition())
    rule = {"tables": ["calls"], "min_day_share": 0.9, "waived": True}
    with pytest.raises(ConfigError, match="reason_zh"):
        build_evaluation(root, definition(period_rule=rule))
    waived = build_evaluation(root, definition(period_rule={**rule, "reason_zh": "样本仅9天，仅作方法检验"}))
    assert waived.period_rule.waived  # no error: the report states the waiver instead
    with pytest.raises(ConfigError, match="只能与 waived: true 一同给出"):
        build_evaluation(root, definition(period_rule={**rule, "waived": False, "reason_zh": "理由"}))

"""The catalogue contract: every indicator of indicators.md §2.1 with its points, clause and data
needs, every entry computed (or explicitly expert-scored), and new indicators through YAML alone."""

import shutil

import pandas as pd
import pytest
import yaml

from hotline_eval.config.catalogue import load_catalogue
from hotline_eval.config.schema import load_schema
from hotline_eval.config.wording import load_wording
from hotline_eval.core.errors import ConfigError
from hotline_eval.measure.engine import computed_indicators
from tests.support.builders import call, measured, row
from tests.support.hand_built import evaluation, run_measure

# indicators.md §2.1: id → (clause, points, kind)
TABLE_2_1 = {
    "answer_wait_avg": ("6.1.1", 2, "system"),
    "abandon_wait_avg": ("6.1.1", 1, "system"),
    "ring_time_avg": ("6.1.1", 1, "system"),
    "answer_rate": ("6.1.1", 4, "system"),
    "talk_time_avg": ("6.1.1", 1, "system"),
    "online_first_response_avg": ("6.1.2", 2, "system"),
    "online_service_time_avg": ("6.1.2", 1, "system"),
    "bot_response_time_avg": ("6.1.3", 1, "sampled"),  # QS/QT: measured by scripted tests here
    "self_service_time_avg": ("6.1.3", 1, "sampled"),
    "mobile_response_timely_rate": ("6.1.4", 2, "system"),
    "agent_answer_accuracy": ("6.2.1", 3, "sampled"),
    "merged_hotline_self_handled_rate": ("6.2.2", 2, "system"),
    "bot_answer_accuracy": ("6.2.3", 2, "sampled"),
    "bot_time_to_answer_avg": ("6.2.3", 1, "sampled"),
    "dispatch_timely_rate": ("6.2.4", 1, "system"),
    "precise_dispatch_rate": ("6.2.4", 2, "system"),
    "agent_attitude": ("6.3.1", 4, "qualitative"),
    "agent_professionalism": ("6.3.2", 4, "qualitative"),
    "agent_language": ("6.3.3", 4, "qualitative"),
    "ticket_qc_pass_rate": ("6.3.4", 4, "sampled"),
    "ticket_submit_time_avg": ("6.3.4", 2, "system"),
    "request_cycle_time_avg": ("6.4.1", 3, "system"),
    "emergency_resolution_time_avg": ("6.4.2", 2, "system"),
    "emergency_response_capability": ("6.4.2", 2, "qualitative"),
    "callback_completion_rate": ("6.4.3", 3, "system"),
    "call_service_satisfaction": ("6.5.1", 6, "system"),
    "first_contact_rate": ("6.5.2", 5, "system"),
    "result_satisfaction": ("6.5.2", 5, "system"),
    "dissatisfaction_verified_rate": ("6.5.3", 1, "system"),
    "dissatisfaction_followup_rate": ("6.5.3", 1, "system"),
    "direct_handling_rate": ("6.6.1", 3, "system"),
    "direct_handling_accuracy": ("6.6.1", 2, "sampled"),
    "ontime_completion_rate": ("6.6.2", 3, "system"),
    "overall_completion_rate": ("6.6.2", 2, "system"),
    "supervised_resolution_rate": ("6.6.2", 2, "system"),
    "one_time_completion_rate": ("6.6.3", 2, "system"),
    "resolve_time_avg": ("6.6.3", 2, "system"),
    "requests_per_10k": ("6.6.4", 1, "system"),
    "reply_compliance_rate": ("6.6.5", 2, "sampled"),
    "return_for_redo_rate": ("6.6.6", 1, "system"),
    "innovation_new_technology": ("6.7.1", 2, "expert"),
    "innovation_proactive_services": ("6.7.2", 1, "expert"),
    "innovation_service_range": ("6.7.3", 1, "expert"),
    "innovation_joint_action": ("6.7.4", 2, "expert"),
    "innovation_personalised_service": ("6.7.5", 1, "expert"),
}
COMPANIONS = {  # indicators.md §2.1, report-only companions → parent
    "answer_within_15s_rate": "answer_rate",
    "unique_caller_answer_rate": "answer_rate",
    "online_answer_rate": "online_first_response_avg",
    "return_for_redo_count": "return_for_redo_rate",
    "dissatisfaction_recovered_rate": "dissatisfaction_followup_rate",
    "actual_resolution_rate": "result_satisfaction",
}


def test_the_45_indicators_of_table_2_1_with_their_clause_points_and_kind(catalogue):
    scored = {i.id: (i.clause, i.points, i.kind) for i in catalogue.indicators if not i.report_only}
    assert scored == TABLE_2_1


def test_points_total_100_with_the_dimension_subtotals_of_indicators_md(catalogue):
    by_dim: dict[str, float] = {}
    for ind in catalogue.indicators:
        by_dim[ind.dimension] = by_dim.get(ind.dimension, 0) + ind.points
    assert sum(by_dim.values()) == 100
    expected = {"6.1": 16, "6.2": 11, "6.3": 18, "6.4": 10, "6.5": 18, "6.6": 20, "6.7": 7}
    assert {catalogue.dimension(d).clause: p for d, p in by_dim.items()} == expected


def test_kinds_28_system_8_sampled_4_qualitative_5_expert(catalogue):
    kinds = pd.Series([i.kind for i in catalogue.indicators if not i.report_only]).value_counts().to_dict()
    assert kinds == {"system": 28, "sampled": 8, "qualitative": 4, "expert": 5}


def test_report_only_companions_carry_no_points_and_sit_beside_their_parent(catalogue):
    companions = {i.id: i for i in catalogue.indicators if i.report_only}
    for cid, parent in COMPANIONS.items():
        assert companions[cid].parent == parent and companions[cid].points == 0
    for ind in companions.values():
        assert catalogue.indicator(ind.parent).dimension == ind.dimension


def test_every_entry_cites_a_clause_of_its_dimension_and_explains_itself_in_chinese(catalogue, root):
    methods = set(load_wording(root)["methods"])
    for ind in catalogue.indicators:
        assert ind.clause.startswith(catalogue.dimension(ind.dimension).clause + "."), ind.id
        assert any("\u4e00" <= ch <= "\u9fff" for ch in ind.formula_zh), ind.id
        assert ind.method and set(ind.method) <= methods, ind.id


def test_scoring_rule_matches_the_kind(catalogue):
    for ind in catalogue.indicators:
        if ind.kind == "expert":
            assert (ind.scoring, ind.source, ind.unit) == ("expert_panel", None, "points"), ind.id
        elif ind.kind == "qualitative":
            assert (ind.scoring, ind.unit) in {("level_factor", "factor"), ("rule_points", "points")}, ind.id
        else:
            assert ind.scoring == "ratio", ind.id


def test_every_data_need_is_a_schema_column_read_by_the_indicators_sources(catalogue, root):
    schema = load_schema(root)
    for ind in catalogue.indicators:
        assert ind.data_needs or len(ind.data_needs_any) >= 2, ind.id
        sources = [ind.source, *(t.source for t in ind.terms.values())]
        if ind.composite:
            sources += [catalogue.indicator(c).source for c in ind.composite.components.values()]
        read = {table for s in sources if s for table in catalogue.sources[s].tables}
        for need in ind.all_needs:
            table, column = need.split(".")
            assert column in schema.table(table).columns, f"{ind.id}: {need}"
            if ind.kind != "expert":
                assert table in read, f"{ind.id}: {need} is not read by its sources {read}"


def test_empty_tables_give_no_data_never_zero_or_full_marks(root, tmp_path):
    result = measured(root, tmp_path, {})
    pooled = result[result["month"] == "all"]
    assert set(pooled["status"]) <= {"no_data", "not_applicable"}
    assert pooled["value"].isna().all()
    ev = evaluation()
    assert len(pooled) == len(computed_indicators(load_catalogue(root), ev)) * 2  # every indicator × a, b


NEW_INDICATOR = {
    "id": "night_call_share",
    "zh": "夜间来电占比",
    "en": "Share of human-requested calls at night",
    "dimension": "response",
    "clause": "6.1.1",
    "kind": "system",
    "direction": "lower",
    "unit": "percent",
    "points": 0,
    "report_only": True,
    "parent": "answer_rate",
    "method": ["SYS"],
    "source": "night_calls",
    "cohort": "arrived_at",
    "numerator": {
        "count_if": "local_seconds(arrived_at) >= {{ night_from_h }} * 3600 OR local_seconds(arrived_at) < 21600"
    },
    "denominator": "count",
    "formula_zh": "夜间（默认22时至次日6时）请求人工服务的来电数 ÷ 请求人工服务的来电数",
    "data_needs": ["calls.arrived_at", "calls.outcome", "calls.is_valid"],
}


@pytest.fixture
def yaml_root(root, tmp_path):
    """A copy of the project's params/ with one more source, parameter and indicator, added as YAML only."""
    new_root = tmp_path / "project"
    shutil.copytree(root / "params", new_root / "params")
    path = new_root / "params" / "indicators.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["parameters"]["night_from_h"] = {"default": 22, "zh": "夜间起始时刻", "unit": "h"}
    data["sources"]["night_calls"] = {
        "table": "calls",
        "sql": "SELECT * FROM calls WHERE is_valid AND outcome IN ('answered', 'abandoned', 'rejected')",
    }
    data["indicators"].append(NEW_INDICATOR)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return new_root


NIGHT = [
    call(1, "a", "2026-07-01 23:00:00", outcome="answered", answer=10, end=100),  # night
    call(2, "a", "2026-07-02 02:00:00", outcome="abandoned", end=30),  # night
    call(3, "a", "2026-07-02 10:00:00", outcome="answered", answer=10, end=100),
    call(4, "a", "2026-07-02 14:00:00", outcome="rejected", end=3),
    call(5, "a", "2026-07-02 21:00:00", outcome="answered", answer=10, end=100),  # night only from 20:00
    call(6, "a", "2026-07-02 23:30:00", outcome="ivr_only", end=60),  # never asked for a human
]


def test_a_new_indicator_needs_only_yaml(yaml_root, tmp_path):
    result = run_measure(yaml_root, tmp_path, {"calls": NIGHT}, evaluation(root=yaml_root))
    r = row(result, "night_call_share")
    assert (r["numerator"], r["denominator"]) == (2, 5)  # c1, c2 of c1–c5
    earlier = run_measure(
        yaml_root, tmp_path, {"calls": NIGHT}, evaluation(root=yaml_root, parameters={"night_from_h": 20})
    )
    assert row(earlier, "night_call_share")["numerator"] == 3  # c5 at 21:00 is night from 20:00


def test_a_broken_formula_is_reported_with_its_source_and_indicator(root, tmp_path):
    broken = tmp_path / "project"
    shutil.copytree(root / "params", broken / "params")
    path = broken / "params" / "indicators.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "numerator: {sum: answered_s - queued_s}", "numerator: {sum: wait_minutes}"
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"sources\.calls.*answer_wait_avg") as info:
        run_measure(broken, tmp_path, {}, evaluation())
    assert "wait_minutes" in str(info.value)


def test_an_unknown_source_is_refused_when_the_catalogue_loads(root, tmp_path):
    broken = tmp_path / "project"
    shutil.copytree(root / "params", broken / "params")
    path = broken / "params" / "indicators.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("    source: chats\n", "    source: chat\n", 1), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="未知的数据源 'chat'"):
        load_catalogue(broken)


def test_every_computed_indicator_has_a_hand_built_test(catalogue, root):
    """Each per-dimension test file of the engine (tests/measure/test_engine_*.py) checks its indicators by id."""
    text = "".join(p.read_text(encoding="utf-8") for p in (root / "tests" / "measure").glob("test_engine_*.py"))
    untested = [i.id for i in catalogue.indicators if i.computed and f'"{i.id}"' not in text]
    assert untested == []

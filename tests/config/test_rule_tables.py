"""The rule tables of the qualitative indicators come from params, a table shared by several indicators shown once."""

from hotline_eval.config.rule_tables import rule_tables


def test_rule_tables_come_from_params_and_a_shared_table_is_shown_once(root):
    ids = ["agent_attitude", "innovation_new_technology", "innovation_joint_action", "answer_rate"]
    found = rule_tables(root, ids)
    assert [t.indicators for t in found] == [
        ("agent_attitude",),
        ("innovation_new_technology", "innovation_joint_action"),
    ]
    attitude = found[0].frame
    assert list(attitude["评定等级"]) == ["A", "B", "C", "D"] and list(attitude["等级系数"]) == [
        "1.0",
        "0.8",
        "0.5",
        "0",
    ]

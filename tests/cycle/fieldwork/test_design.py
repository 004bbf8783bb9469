"""The fieldwork design (params/fieldwork.yaml): the stated precision of a sample, and the review forms'
mappings that read them back."""

import math

import pytest

from hotline_eval.cycle.fieldwork.design import load_design


def test_the_stated_precision_is_the_normal_half_width_at_p_one_half(root):
    design = load_design(root)
    assert design.half_width(100) == pytest.approx(1.959964 * 0.5 / 10, rel=1e-6)  # ±9.8 percentage points
    assert round(design.half_width(100) * 100, 1) == 9.8
    # 100 of 120 records: finite-population correction √(20 / 119)
    assert design.half_width(100, 120) == pytest.approx(0.0979982 * math.sqrt(20 / 119), rel=1e-5)
    assert design.half_width(50, 50) == 0  # a census


def test_the_design_and_the_mappings_that_read_the_forms_agree(root):
    from hotline_eval.config.mapping import load_mapping

    design = load_design(root)
    forms = load_mapping(root, "review-forms").tables["qc_samples"]
    assert forms.source("item").values == {v.zh: k for k, v in design.rule_items.items()}
    score = load_mapping(root, "review-tickets").tables["qc_samples"].source("score").expr
    assert all(f'"{item.header}"' in score for item in design.ticket_qc.items)
    assert score.count("TRY_CAST") == len(design.ticket_qc.items)
    # every frame's form is claimed by its mapping's file patterns
    for frame in design.frames.values():
        patterns = load_mapping(root, frame.mapping).tables["qc_samples"].patterns
        assert any(frame.form in p for p in patterns), frame.form

"""Which facts make a problem (narrative/problems.kind_of), on hand-built facts."""

from types import SimpleNamespace

import numpy as np

from hotline_eval.narrative.facts import Fact
from hotline_eval.narrative.problems import kind_of
from tests.support.builders import indicator

CTX = SimpleNamespace(a=SimpleNamespace(settings=SimpleNamespace(problems=SimpleNamespace(far_below=0.8))))


def fact(score: float, reference: float, zero_reference: bool = False) -> Fact:
    return Fact(
        indicator=indicator("first_contact_rate", points=5),
        value=0.857,
        score=score,
        points=5,
        reference=reference,
        holder="",
        province=np.nan,
        best=0.91,
        peers=np.nan,
        rank=5,
        ranked=8,
        gap=None,
        change=None,
        month=None,
        zero_reference=zero_reference,
    )


def test_a_score_far_below_the_reference_is_a_problem():
    assert kind_of(CTX, fact(score=2.0, reference=0.95)) == "far_below"  # 40 % of the points


def test_a_zero_reference_is_no_shortfall_of_the_city():
    """Against a reference of 0 every city scores 0 (Appendix A's ratio): the report read '先行联系率偏低 …
    距参考值0.0%尚差85.7个百分点' for a city above the province's average."""
    assert kind_of(CTX, fact(score=0.0, reference=0.0, zero_reference=True)) is None

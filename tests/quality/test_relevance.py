"""Relevance checks (关联度, §5.2.7, indicators.md §8.4) on hand-built tables: linkage of tickets to calls and
the share of records feeding an indicator."""

import pytest

from hotline_eval.quality import relevance
from tests.support.quality_tables import call, context, row, ticket, tiny_catalogue

# ---------------------------------------------------------------- 关联度 (§8.4)


def test_linkage_of_phone_tickets_to_calls(root, tmp_path):
    calls = [call(i, "a", 5) for i in range(3)]
    tickets = [ticket(i, channel="phone", call_id=f"c{i}") for i in range(3)]  # linked
    tickets += [ticket(3, channel="phone", call_id="c999"), ticket(4, channel="phone")]  # unknown id, no id
    tickets += [ticket(5, channel="web")]  # not linkable
    frame = relevance.linkage(context(root, tmp_path, {"calls": calls, "tickets": tickets}))
    r = row(frame, month="2026-07", item="ticket_call")
    assert (r["numerator"], r["denominator"]) == (3, 5)
    assert r["threshold"] == 0.95 and r["passed"] is False and r["scope"] == "tickets.call_id"


def test_linkage_examples_name_the_field_in_chinese(root, tmp_path):
    """The examples are printed in the report: the field by its Chinese name (was 'call_id=c999')."""
    from hotline_eval.quality.examples import link_examples

    calls = [call(i, "a", 5) for i in range(3)]
    tickets = [ticket(0, channel="phone", call_id="c0"), ticket(3, channel="phone", call_id="c999")]
    tickets += [ticket(4, channel="phone")]
    examples = link_examples(context(root, tmp_path, {"calls": calls, "tickets": tickets}))
    details = set(examples[0]["detail"])
    assert details == {"来源呼叫编号=c999，在话务记录中不存在", "来源呼叫编号为空"}


@pytest.mark.parametrize(
    "calls_sql",
    [
        "SELECT * FROM calls WHERE is_valid",  # records known by their row number
        "SELECT call_id, city, arrived_at, outcome FROM calls WHERE is_valid",  # by their key
    ],
)
def test_indicator_relevance_is_the_share_of_records_feeding_an_indicator(root, tmp_path, calls_sql):
    calls = [call(i, "a", 5) for i in range(4)]  # four valid answered calls in July: used
    calls += [call(4, "a", 6, outcome="abandoned"), call(5, "a", 6, valid=False)]  # not used
    calls += [{**call(6, "a", 30), "arrived_at": "2026-06-30 10:00:00", "ended_at": "2026-06-30 10:05:00"}]
    ctx = context(root, tmp_path, {"calls": calls})
    ctx.catalogue = tiny_catalogue([("answered", "calls", [], {"where": "outcome = 'answered'"})], calls_sql)
    ctx.active = list(ctx.catalogue.indicators)
    frame = relevance.relevance(ctx)
    july = row(frame, month="2026-07")
    assert (july["numerator"], july["denominator"]) == (4, 6)
    period = row(frame)
    assert (period["numerator"], period["denominator"]) == (4, 7)  # the June call is received but not used

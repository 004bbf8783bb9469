"""Province scale (make bench) on the sample province: the engine's rewritten sources against their first
definitions, the working-day macro against the Python calendar, and the benchmark's pandas baseline.

Timings are the benchmark's business (bench/); these tests check that what it times is right.
"""

import sys

import pandas as pd
import pytest

from hotline_eval.config.catalogue import SqlRenderer, load_catalogue
from hotline_eval.config.definitions import load_evaluation
from hotline_eval.config.sql import prepare_connection
from hotline_eval.core.connection import connect
from hotline_eval.measure.engine import measure
from hotline_eval.pipeline import open_data

# The sources as the catalogue first defined them (a correlated EXISTS), to compare the rewrite with.
FIRST_REPEATED = """
    SELECT t.city, t.ticket_id,
           EXISTS (SELECT 1 FROM tickets rep
                   WHERE rep.is_valid AND rep.repeat_of IS NOT NULL
                     AND rep.city = t.city AND rep.repeat_of = t.ticket_id
                     AND rep.accepted_at > t.closed_at
                     AND epoch(rep.accepted_at) <= epoch(t.closed_at) + {{ repeat_window_days }} * 86400
                     AND rep.accepted_at < {{ cutoff }}) AS repeated
    FROM tickets t WHERE t.is_valid
"""


@pytest.mark.parametrize("window_days", [30, 3])
def test_repeated_requests_of_ticket_outcomes_equal_the_correlated_exists(demo, root, window_days):
    ev = load_evaluation(root, "demo-comprehensive")
    catalogue = load_catalogue(root)
    params = ev.parameter_values(catalogue) | {"repeat_window_days": window_days}
    renderer = SqlRenderer(params, ev.period.start, ev.period.end, int(params["outcome_grace_days"]))
    con = open_data(root, demo)
    prepare_connection(con, root, catalogue, renderer, ev.period)
    source = renderer.render(catalogue.sources["ticket_outcomes"].sql)
    new = con.execute(f"SELECT city, ticket_id, repeated FROM ({source}) ORDER BY ALL").df()
    old = con.execute(f"SELECT * FROM ({renderer.render(FIRST_REPEATED)}) ORDER BY ALL").df()
    assert new["repeated"].sum() > 20 and (~new["repeated"]).sum() > 1000
    pd.testing.assert_frame_equal(new, old)


def test_add_workdays_gives_the_same_times_as_a_calendar_table(demo, root):
    """The macro keeps the working days as constant lists; the days it gives are the Python calendar's."""
    from hotline_eval.config.calendar import load_calendar, register_sql

    con = connect()
    register_sql(con, load_calendar(root))
    tickets = f"read_parquet('{demo.data / 'tickets.parquet'}')"
    got = con.execute(
        f"SELECT closed_at, add_workdays(closed_at, 2) FROM {tickets} WHERE closed_at IS NOT NULL LIMIT 2000"
    ).df()
    stamps = got.iloc[:, 0].dt.tz_convert("Asia/Shanghai").dt.tz_localize(None).to_numpy().astype("datetime64[s]")
    expected = load_calendar(root).add_workdays(stamps, 2)
    shown = got.iloc[:, 1].dt.tz_convert("Asia/Shanghai").dt.tz_localize(None).to_numpy().astype("datetime64[s]")
    assert (shown == expected).all()


def test_the_pandas_baseline_gives_the_engines_numbers(demo, root):
    """bench/pandas_baseline.py is what the benchmark compares the engine with: it must compute the same."""
    sys.path.insert(0, str(root))
    from bench.pandas_baseline import SUBSET, compare, measure_subset

    ev = load_evaluation(root, "demo-comprehensive")
    engine = measure(open_data(root, demo), root, ev)
    agreement = compare(engine, measure_subset(demo.data, ev, root))
    assert agreement["rows"] == len(SUBSET) * len(ev.city_ids()) * (len(ev.period.months) + 1)
    assert agreement["denominators_differing"] == 0
    assert agreement["max_relative_difference"] < 1e-9

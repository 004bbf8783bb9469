"""Worksheet cells: a column reads as its cells read one by one (property-based)."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

cells = st.one_of(
    st.none(),
    st.just(""),
    st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 1, 1)),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 1, 1)),
    st.integers(-(10**12), 10**12).map(float),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.integers(-(10**15), 10**15),
    st.booleans(),
    st.text(st.sampled_from(list(" ab临江\t-")), max_size=5),
)


@settings(max_examples=300)
@given(
    st.one_of(
        st.lists(cells, max_size=12),
        st.integers(0, 7).flatmap(
            lambda k: st.lists(
                cells.filter(
                    lambda v, k=k: (
                        type(v) is [type(None), str, dt.datetime, dt.date, float, int, bool, str][k] or v is None
                    )
                ),
                max_size=12,
            )
        ),
    )
)
def test_a_worksheet_column_reads_as_its_cells_read_one_by_one(values):
    # e.g. a date cell above date-time cells must not cut the times off the date-times
    from hotline_eval.ingest.excel_cells import cell_text, column_text

    grid = np.empty(len(values), dtype=object)
    grid[:] = values
    nulls = ["", "NULL"]
    expected = []
    for v in values:
        text = cell_text(v)
        text = None if text is None else text.strip()
        expected.append(None if text in nulls or text is None else text)
    assert column_text(grid, nulls).to_pylist() == expected

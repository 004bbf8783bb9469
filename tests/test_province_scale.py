"""Province scale (make bench): the canonical Parquet layout, the benchmark province, the engine's
rewritten sources against their first definitions, and the benchmark's pandas baseline.

Timings are the benchmark's business (bench/); these tests check that what it times is right.
"""

import sys

import duckdb
import pandas as pd
import pytest
import yaml

from hotline_eval.config.catalogue import SqlRenderer, load_catalogue
from hotline_eval.config.definitions import load_evaluation
from hotline_eval.config.mapping import load_mapping
from hotline_eval.config.province import load_province
from hotline_eval.config.schema import load_schema
from hotline_eval.config.sql import prepare_connection
from hotline_eval.core.connection import connect
from hotline_eval.core.errors import ConfigError
from hotline_eval.ingest.canonical import discover, ingest
from hotline_eval.measure.engine import measure
from hotline_eval.pipeline import open_data
from hotline_eval.sample import SampleSpec, generate_sample

CITY = "linjiang"  # vendor-a: UTF-8 CSV, a clean city (no planted defects)


def test_the_canonical_mapping_reads_every_schema_column_under_its_own_name(root):
    mapping, schema = load_mapping(root, "canonical"), load_schema(root)
    assert set(mapping.tables) == set(schema.tables)
    for name, table in schema.tables.items():
        for column, spec in table.columns.items():
            source = mapping.tables[name].source(column)
            expected = "caller_number" if spec.pii == "phone" else column
            assert source is not None and source.source == expected, (name, column)
            assert (source.mask == "phone") == (spec.pii == "phone")


def test_canonical_parquet_exports_ingest_to_the_same_tables_as_the_vendor_exports(root, tmp_path):
    """One generated city written twice, as vendor-a's CSV files and as typed canonical Parquet:
    ingest gives the same canonical tables (phone numbers hashed alike) and rejects nothing more."""
    spec = {"seed": 11, "scale": 0.2, "cities": (CITY,)}
    generate_sample(root, SampleSpec(**spec), tmp_path / "native")
    generate_sample(root, SampleSpec(file_format="canonical", **spec), tmp_path / "canonical")
    assert (tmp_path / "canonical" / CITY / "calls.parquet").exists()
    tables = {}
    for kind, systems in (("native", ["vendor-a", "province-template"]), ("canonical", ["canonical"])):
        inputs = discover(root, tmp_path / kind / CITY, systems, CITY)
        report = ingest(root, inputs, tmp_path / f"out-{kind}", [CITY])
        tables[kind] = report.totals()
    assert tables["native"] == tables["canonical"]
    schema = load_schema(root)
    for table in ("calls", "chats", "tickets", "callbacks", "qc_samples", "units", "self_reports"):
        frames = [pd.read_parquet(tmp_path / f"out-{kind}" / "data" / f"{table}.parquet") for kind in tables]
        key = schema.tables[table].key  # vendor exports come one file per month: compare in key order
        frames = [f.sort_values(key, ignore_index=True) if key else f for f in frames]
        pd.testing.assert_frame_equal(*frames, check_dtype=False, obj=table)


def test_the_benchmark_province_takes_the_sample_province_and_replaces_its_cities(root):
    bench, sample = load_province(root, "bench"), load_province(root, "sample")
    assert len(bench.cities) == 16 and len({c.id for c in bench.cities}) == 16
    assert bench.profiles == sample.profiles and bench.categories == sample.categories
    assert set(bench.defects) == {"jinsha", "shiqiao"}  # the planted defects come along
    assert sum(c.calls_per_month for c in bench.cities) > 100 * sum(c.calls_per_month for c in sample.cities)
    ev = load_evaluation(root, "bench")
    assert [i.city for i in ev.data.inputs] == [c.id for c in bench.cities]
    assert all(i.systems == ["canonical"] for i in ev.data.inputs)


def test_a_province_extending_another_in_a_circle_is_refused(root, tmp_path):
    folder = tmp_path / "params" / "provinces"
    folder.mkdir(parents=True)
    (folder / "a.yaml").write_text(yaml.safe_dump({"extends": "b", "id": "a"}), encoding="utf-8")
    (folder / "b.yaml").write_text(yaml.safe_dump({"extends": "a", "id": "b"}), encoding="utf-8")
    for name in ("schema.yaml",):
        (tmp_path / "params" / name).write_text((root / "params" / name).read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ConfigError, match="循环继承"):
        load_province(tmp_path, "a")


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


def test_the_plain_scan_reads_the_columns_the_formulas_name(root):
    sys.path.insert(0, str(root))
    from bench.scan import catalogue_columns, scan_sql

    columns = catalogue_columns(root, load_evaluation(root, "demo-comprehensive"))
    assert {"arrived_at", "answered_at", "ended_at", "outcome", "survey_level", "caller_hash"} <= set(columns["calls"])
    assert "agent_id" not in columns["calls"]  # no indicator reads who answered
    assert {"ticket_id", "completed_at", "result_level"} <= set(columns["callbacks"])
    con = duckdb.connect()
    con.execute("CREATE TABLE calls AS SELECT 'a' AS city, 1 AS call_id, 2 AS outcome")
    assert con.execute(scan_sql("calls", ["city", "call_id", "outcome"])).fetchall() == [("a", 1, 1)]


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

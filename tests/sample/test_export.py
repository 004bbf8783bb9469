"""The sample's exports: one city written as vendor CSV files and as typed canonical Parquet ingests to the same
tables."""

import pandas as pd

from hotline_eval.config.schema import load_schema
from hotline_eval.ingest.canonical import ingest
from hotline_eval.ingest.discovery import discover
from hotline_eval.sample import SampleSpec, generate_sample

CITY = "linjiang"  # vendor-a: UTF-8 CSV, a clean city (no planted defects)


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

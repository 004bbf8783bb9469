"""The canonical mapping (params/mappings/canonical.yaml) reads every schema column under its own name."""

from hotline_eval.config.mapping import load_mapping
from hotline_eval.config.schema import load_schema


def test_the_canonical_mapping_reads_every_schema_column_under_its_own_name(root):
    mapping, schema = load_mapping(root, "canonical"), load_schema(root)
    assert set(mapping.tables) == set(schema.tables)
    for name, table in schema.tables.items():
        for column, spec in table.columns.items():
            source = mapping.tables[name].source(column)
            expected = "caller_number" if spec.pii == "phone" else column
            assert source is not None and source.source == expected, (name, column)
            assert (source.mask == "phone") == (spec.pii == "phone")

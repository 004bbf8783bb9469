"""The canonical schema (params/schema.yaml) covers every table of indicators.md §9, documented once."""

from hotline_eval.config.schema import load_schema

SPEC_TABLES = {
    "calls",
    "chats",
    "bot_tests",
    "tickets",
    "callbacks",
    "qc_samples",
    "emergencies",
    "expert_scores",
    "self_reports",
    "population",
    "units",
    "verifications",  # §5.2.7 sample verification against the source system (indicators.md §8.2)
}


def test_every_spec_table_is_in_the_schema(root):
    assert set(load_schema(root).tables) == SPEC_TABLES


def test_every_column_is_documented_with_a_chinese_label(root):
    schema = load_schema(root)
    for tname, table in schema.tables.items():
        assert table.doc and table.zh, tname
        for cname, col in table.columns.items():
            assert col.zh, f"{tname}.{cname} has no Chinese label"
            if col.codes:
                assert schema.codes[col.codes].values, f"{tname}.{cname}: empty code list"


def test_every_table_has_a_city_and_tables_with_keys_name_them(root):
    schema = load_schema(root)
    for tname, table in schema.tables.items():
        assert "city" in table.columns and table.columns["city"].required, tname
        if table.key:
            assert table.columns[table.key].required and table.columns[table.key].unique, tname


def test_dissatisfaction_codes_include_the_five_mandatory_reasons_of_6_5_3(root):
    codes = load_schema(root).codes["dissatisfaction_reason"].values
    mandatory = [
        "repeated_unresolved",
        "result_not_as_expected",
        "result_contradicts_facts",
        "handling_too_slow",
        "unit_attitude",
    ]
    assert all(code in codes for code in mandatory)


def test_channels_cover_every_source_of_5_2_2(root):
    # the sources §5.2.2 names, written out here as the standard's side of the check: the one place the
    # tests spell channels out (the others read them from the schema and the mappings: tests/support/channels.py)
    channels = set(load_schema(root).codes["ticket_channel"].values)
    assert {
        "phone",
        "web",
        "wechat",
        "mini_program",
        "merged_hotline",
        "transfer_110",
        "transfer_119",
        "transfer_120",
        "national_platform",
        "provincial_platform",
        "leader_mailbox",
        "sms",
        "message_board",
    } <= channels


def test_every_text_column_is_scanned_for_personal_numbers_and_identifiers_stay_ids(root):
    """Only coded columns and the city (checked against lists) are not scanned; ids and links are
    identifiers (a number in them is hashed, an 18-digit id stays an id), people's ids `person`."""
    schema = load_schema(root)
    for tname, table in schema.tables.items():
        for cname, col in table.columns.items():
            where = f"{tname}.{cname}"
            if col.type != "string" or col.codes or cname == "city":
                assert col.scan_kind is None, where
            elif cname.endswith(("_id", "_hash")) or col.unique or cname == "repeat_of":
                assert col.scan_kind in ("id", "code", "person"), where
            else:
                assert col.scan_kind is not None, where
    people = {c for t in schema.tables.values() for c, col in t.columns.items() if col.scan_kind == "person"}
    assert people == {"agent_id", "assessor_id", "expert_id", "verifier_id", "caller_hash"}
    assert schema.tables["units"].columns["name_zh"].scan_kind == "text"
    codes = {c for t in schema.tables.values() for c, col in t.columns.items() if col.scan_kind == "code"}
    assert codes == {"category_code", "merged_domain_id"}

"""Personal numbers: the patterns that find them, masking that leaves none (in Python and in the DuckDB scan of
text columns alike), identifiers that stay ids, the private salt, and one hash per caller however the number
is written."""

from __future__ import annotations

import re

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline_eval.core.masking import find_personal_numbers, mask_text, phone_hash_sql, salt, scan_sql

# ---------------------------------------------------------------------------------------------
# The patterns


@pytest.mark.parametrize(
    "text, kind",
    [
        ("来电13812345678反映", "mobile"),
        ("+86 138 1234 5678", "mobile"),
        ("0086-13812345678", "mobile"),
        ("138-1234-5678", "mobile"),
        ("Tel.15912345678", "mobile"),
        ("身份证110101199003071234", "id_number"),
        ("11010519900101123X", "id_number"),
        ("990102196804205541", "id_number"),  # the sample province's (fictional) region code
        ("座机010-62345678", "landline"),
        ("(021)62345678", "landline"),
        ("0571 8888 8888", "landline"),
        ("01062345678", "landline"),
        ("电话6234-5678", "local_phone"),
        ("电话62345678", "local_phone"),
        ("623 4567", "local_phone"),
        ("１３９１２３４５６７８", "mobile"),  # full-width digits
        ("１３９－１２３４－５６７８", "mobile"),  # and a full-width hyphen
        ("（０１０）６２３４５６７８", "landline"),
        ("１１０１０１１９９００３０７１２３Ｘ", "id_number"),
        ("zhang.san@example.com", "email"),
        ("13912345678@163.com", "email"),
        ("邮箱：ｌｉ@qq．com", "email"),
    ],
)
def test_the_patterns_find_real_personal_numbers(text, kind):
    assert [k for k, _ in find_personal_numbers(text)] == [kind]
    assert find_personal_numbers(mask_text(text)) == []


@pytest.mark.parametrize(
    "text",
    [
        "LIT202607010004018",  # ticket id of the sample province (vendor-a)
        "QIC202607010001927",  # call id (vendor-b)
        "LIVLIT202606170000047",  # callback id
        "a13812345678bcde",  # a hexadecimal caller hash
        "0.13812345678",  # a rate with eleven decimals
        "20260701090000",  # a compact timestamp
        "050101",  # a request category code
        "2026-07-01 09:00:00+08",
        "linjiang-d01",
        "共1234567行",  # seven digits without a separator: a count, not a phone number
        "2026-07",
        "A0012",
    ],
)
def test_the_patterns_ignore_ids_hashes_and_numbers(text):
    assert find_personal_numbers(text) == []


mobiles = st.builds(
    lambda second, rest, sep: f"1{second}{rest[:1]}" + sep + rest[1:5] + sep + rest[5:],
    st.sampled_from("3456789"),
    st.text("0123456789", min_size=9, max_size=9),
    st.sampled_from(["", "-", " "]),
)
# text around the numbers: Chinese, punctuation, spaces (a number glued to letters or digits is
# part of an id, not a phone number: see the tests above)
filler = st.text(st.sampled_from(list("来电话号码为，。：、（）\n 请回拨联系张先生")), min_size=1, max_size=12)


@given(st.lists(st.tuples(filler, mobiles), min_size=1, max_size=4), filler)
def test_masking_leaves_no_mobile_number_and_is_stable(parts, tail):
    text = "".join(f + m for f, m in parts) + tail
    masked = mask_text(text)
    assert [k for k, _ in find_personal_numbers(masked)] == []
    for _, number in parts:
        assert number not in masked
        assert re.sub(r"\D", "", number)[3:7] + re.sub(r"\D", "", number)[7:] not in masked.replace("-", "")
    assert mask_text(masked) == masked


def test_the_salt_is_private_and_shared(tmp_path, monkeypatch):
    monkeypatch.delenv("HOTLINE_EVAL_SALT", raising=False)
    first = salt(tmp_path)
    assert salt(tmp_path) == first and len(first) == 32
    assert (tmp_path / ".hotline-salt").stat().st_mode & 0o077 == 0, "readable by its owner only"


phones = st.tuples(st.sampled_from("3456789"), st.text("0123456789", min_size=9, max_size=9))


@given(phones, st.sampled_from(["{n}", "+86 {a} {b} {c}", "0086-{n}", "86{n}", "{a}-{b}-{c}", " {n} "]))
def test_one_caller_has_one_hash_however_the_number_is_written(phone, layout):
    number = f"1{phone[0]}{phone[1]}"
    written = layout.format(n=number, a=number[:3], b=number[3:7], c=number[7:])
    con = duckdb.connect()
    plain, other = con.execute(
        f"SELECT {phone_hash_sql('a', 'salt')}, {phone_hash_sql('b', 'salt')} FROM (VALUES (?, ?)) t(a, b)",
        [number, written],
    ).fetchone()
    assert plain == other and len(plain) == 16 and number not in plain


def test_masking_keeps_a_few_digits_and_the_text_around_them():
    assert mask_text("U-住建局（联系人13912345678）") == "U-住建局（联系人139****5678）"
    assert mask_text("+86 138 1234 5678") == "+86 138****5678"
    assert mask_text("身份证110101199003071234") == "身份证110101****1234"
    assert mask_text("座机010-62345678，分机6234-5678") == "座机010-****78，分机****78"
    assert mask_text("１３９１２３４５６７８") == "１３９****５６７８"
    assert mask_text("zhang.san@example.com") == "z****@example.com"
    assert mask_text("13812345678,13912345678,13712345678") == "138****5678,139****5678,137****5678"


# ---------------------------------------------------------------------------------------------
# The scan of text columns at ingest (DuckDB): the same masking, ids kept, personal ids hashed


def scanned(values: list[str | None], kind: str, salt_value: str = "salt") -> list[str | None]:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, v VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(values)))
    return [r[0] for r in con.execute(f"SELECT {scan_sql('v', kind, salt_value)} FROM t ORDER BY i").fetchall()]


digits = st.text("0123456789", min_size=1, max_size=20)
numbers = st.one_of(
    mobiles,
    st.builds(
        lambda a, b: f"0{a}-{b}",
        st.text("123456789", min_size=2, max_size=3),
        st.text("2345678", min_size=8, max_size=8),
    ),
    st.sampled_from(
        [
            "110101199003071234",
            "11010519900101123X",
            "１３９１２３４５６７８",
            "（０２１）６２３４５６７８",
            "zhang.san@example.com",
        ]
    ),
    digits,
)
mixed = st.lists(
    st.one_of(numbers, filler, st.sampled_from(["LIT2026070100", "U-", ".", "0.", "A", "Ｘ", "，"])), max_size=6
)


@given(st.lists(mixed.map("".join), min_size=1, max_size=20))
def test_the_scan_of_text_columns_masks_as_mask_text_does(texts):
    assert scanned(texts, "text") == [mask_text(t) for t in texts]


def test_ids_stay_ids_and_an_id_holding_a_personal_number_is_hashed_alike_everywhere():
    values = [
        "110101199003071234",  # an 18-digit ticket id: an id, not an ID card
        "62345678",  # an eight-digit agent number
        "LIT202607010004018",
        "U-住建局",
        "13912345678",  # a mobile number typed into the id column
        "U-住建局（联系人13912345678）",
        "U-住建局（联系人13912345678）",
        "U-城管局（联系人13912345678）",
        "U-城管局（联系人zhang@example.com）",
        None,
    ]
    out = scanned(values, "id")
    assert out[:4] == values[:4] and out[-1] is None
    assert re.fullmatch(r"#[0-9a-f]{16}", out[4])
    assert out[5] == out[6] and out[5].startswith("U-住建局（联系人#") and out[5] != out[7]
    assert out[8].startswith("U-城管局（联系人#")
    assert len(set(out[4:9])) == 4, "distinct values stay distinct, the same value is the same id"
    assert all(find_personal_numbers(v) == [] for v in out[4:9])
    assert scanned(values, "id", "other salt")[5] != out[5], "salted"


def test_the_id_of_a_person_that_is_an_id_card_number_is_hashed():
    assert scanned(["110101199003071234", "62345678"], "person")[1] == "62345678"
    assert re.fullmatch(r"#[0-9a-f]{16}", scanned(["110101199003071234"], "person")[0])


def test_a_code_holding_a_personal_number_anywhere_is_hashed_whole():
    """A classification code is short: a mobile or ID-card number inside its run of digits was typed
    into it (a test of the mutation harness kept 02030513912345678 as a code before `code` existed)."""
    values = ["020305", "12315", "0203051391234567８", "02030513912345678", "110101199003071234X1", "A-0101", None]
    out = scanned(values, "code")
    assert out[:2] == values[:2] and out[5] == "A-0101" and out[6] is None
    assert all(re.fullmatch(r"#[0-9a-f]{16}", v) for v in out[2:5]), out
    assert len(set(out[2:5])) == 3
    assert scanned(["02030513912345678"], "id") == ["02030513912345678"], "an id of digits only stays an id"

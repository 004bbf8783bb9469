"""Personal numbers: the patterns that find them, masking that leaves none, the private salt, and one hash per
caller however the number is written."""

from __future__ import annotations

import re

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline_eval.core.masking import find_personal_numbers, mask_text, phone_hash_sql, salt

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

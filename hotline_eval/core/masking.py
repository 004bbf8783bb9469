"""Personal data: salted hashing of phone numbers and masking of personal numbers in text.

A caller's phone number becomes `caller_hash`, a salted SHA-256 that still links repeat callers
but cannot be reversed without the salt. The salt is local to the installation
(`.hotline-salt`, git-ignored, or $HOTLINE_EVAL_SALT) and never written to any output.
"""

from __future__ import annotations

import os
import re
import secrets
from functools import cache
from pathlib import Path

from hotline_eval.core.sqltext import lit

SALT_FILE = ".hotline-salt"

# Personal numbers: ID-card, mobile and landline numbers and e-mail addresses, in ASCII or full-width
# digits and separators. The patterns are written once, in the syntax that Python's `re` and DuckDB's
# RE2 share (RE2 has no look-around), and mask text alike in both: mask_text here (error messages,
# rejects, logs) and scan_sql in the SQL that types the text columns at ingest.
#
# A number counts when it stands alone: not inside a longer run of letters and digits (ticket ids
# such as LIT202607010004018, hexadecimal hashes) and not as the decimals of a number (0.13812345678).
# Without look-around the characters around it are matched too (the first and last group) and put
# back; as two numbers may share the character between them, NUMBERS is applied twice. The four kinds
# are one pattern (one pass over the text, whichever kind is found): each keeps a few digits, in the
# groups the replacement names (ID card 110101****1234, mobile 138****5678, landline 010-****78 or ****78).
_D = "[0-9０-９]"
_SEP = "[-－–— 　]"  # hyphens and dashes, the space and the full-width space
_ALNUM = "0-9A-Za-z０-９Ａ-Ｚａ-ｚ"
_YEAR = f"(?:[1１][9９]|[2２][0０]){_D}{{2}}"
_MONTH_DAY = "(?:[0０][1-9１-９]|[1１][0-2０-２])(?:[0０][1-9１-９]|[12１２][0-9０-９]|[3３][01０１])"
_ID_NUMBER = f"([1-9１-９]{_D}{{5}}){_YEAR}{_MONTH_DAY}({_D}{{3}}[0-9Xx０-９Ｘｘ])"
_COUNTRY_CODE = f"(?:[+＋]?[8８][6６]|[0０][0０][8８][6６]){_SEP}?"
_MOBILE = f"((?:{_COUNTRY_CODE})?[1１][3-9３-９]{_D}){_SEP}?{_D}{{4}}{_SEP}?({_D}{{4}})"
_AREA_CODE = f"(?:[(（][0０][1-9１-９]{_D}{{1,2}}[)）]|[0０][1-9１-９]{_D}{{1,2}})"
_LANDLINE = f"({_AREA_CODE}{_SEP}?)[2-9２-９]{_D}{{2,3}}{_SEP}?{_D}{{2}}({_D}{{2}})"
_LOCAL_PHONE = f"[2-9２-９](?:{_D}{{3}}|{_D}{{2,3}}{_SEP}){_D}{{2}}({_D}{{2}})"  # 8 digits, or 7-8 with a separator
NUMBERS = (
    f"(^|^[.．]|[^{_ALNUM}.．]|[^0-9０-９][.．])(?:{_ID_NUMBER}|{_MOBILE}|{_LANDLINE}|{_LOCAL_PHONE})([^{_ALNUM}]|$)"
)
NUMBERS_MASKED = r"\1\2\4\6****\3\5\7\8\9"
NUMBER_KINDS = {2: "id_number", 4: "mobile", 6: "landline", 8: "local_phone"}  # the group that holds its last digits
_EMAIL_CHAR = "[A-Za-z0-9Ａ-Ｚａ-ｚ０-９._%+-]"
_EMAIL_DOMAIN = "[@＠](?:[A-Za-z0-9-]+[.．])+[A-Za-z]{2,}"
EMAIL = f"({_EMAIL_CHAR}){_EMAIL_CHAR}*({_EMAIL_DOMAIN})"
EMAIL_MASKED = r"\1****\2"
# Any personal number or address; its groups are those of NUMBERS (an address matches none of them)
ANY_PERSONAL = f"{_EMAIL_CHAR}+{_EMAIL_DOMAIN}|{NUMBERS}"
DIGITS_ONLY = f"{_D}+"
# In identifier columns a value of digits only is an id, unless it is, as a whole, one of these
WHOLE_PERSONAL = {"id": _MOBILE, "person": f"{_MOBILE}|{_ID_NUMBER}"}
# In code columns (short classification codes) a mobile or ID-card number anywhere in a run of digits is
# personal: a code is never that long, so 02030513912345678 is a code with a number typed after it
INSIDE_DIGITS = f"[1１][3-9３-９]{_D}{{9}}|{_ID_NUMBER}"


@cache
def _compiled(regex: str) -> re.Pattern:
    return re.compile(regex)


def salt(root: Path) -> str:
    """The installation's salt: $HOTLINE_EVAL_SALT, else .hotline-salt (created on first use).

    The file is created readable by its owner only, and atomically: two runs starting at once
    share one salt (a second salt would split every repeat caller in two).
    """
    env = os.environ.get("HOTLINE_EVAL_SALT")
    if env:
        return env
    path = root / SALT_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(secrets.token_hex(16))
    return path.read_text(encoding="utf-8").strip()


SCIENTIFIC_SHOWN = "（科学计数法，位数已丢失）"


def phone_hash_sql(column_sql: str, salt_value: str) -> str:
    """DuckDB expression: salted hash of a phone number (digits only, country code removed); NULL for
    a number in scientific notation, whose digits are lost (ingest clears it and says so)."""
    text = f"CAST({column_sql} AS VARCHAR)"
    digits = f"CASE WHEN {scientific_sql(text)} THEN '' ELSE regexp_replace({text}, '[^0-9]', '', 'g') END"
    national = f"regexp_replace({digits}, '^(0086|86)(1[3-9][0-9]{{9}})$', '\\2')"
    quoted = "'" + salt_value.replace("'", "''") + "'"
    return f"CASE WHEN {national} = '' THEN NULL ELSE left(sha256({quoted} || {national}), 16) END"


def id_hash_sql(column_sql: str, salt_value: str) -> str:
    """DuckDB expression: salted hash of any other personal identifier (`mask: id`: a customer
    number, an agent's name), trimmed; empty stays empty. Distinct from phone hashes by a prefix."""
    text = f"trim(CAST({column_sql} AS VARCHAR))"
    quoted = "'" + (salt_value + "|id|").replace("'", "''") + "'"
    return f"CASE WHEN coalesce({text}, '') = '' THEN NULL ELSE left(sha256({quoted} || {text}), 16) END"


def id_mask_sql(column_sql: str) -> str:
    """DuckDB expression: an identifier as shown in rejects (its first character and ***)."""
    return f"CASE WHEN {column_sql} IS NULL THEN NULL ELSE left(CAST({column_sql} AS VARCHAR), 1) || '***' END"


def phone_mask_sql(column_sql: str) -> str:
    """DuckDB expression: a phone number as shown in rejects (****5678: its last four digits only);
    one written in scientific notation (1.38E+10, its digits lost) as SCIENTIFIC_SHOWN."""
    text = f"CAST({column_sql} AS VARCHAR)"
    digits = f"regexp_replace({text}, '[^0-9]', '', 'g')"
    return (
        f"CASE WHEN {column_sql} IS NULL THEN NULL WHEN {scientific_sql(text)} THEN {SCIENTIFIC_SHOWN!r} "
        f"ELSE '****' || right({digits}, 4) END"
    )


def scientific_sql(text_sql: str) -> str:
    """DuckDB expression: the text is a number in scientific notation (cheap test first)."""
    return (
        f"(contains(upper({text_sql}), 'E+') AND regexp_matches(trim({text_sql}), '^[0-9]+(\\.[0-9]+)?[eE]\\+[0-9]+$'))"
    )


def mask_text(text: str | None) -> str | None:
    """Mask every personal number in a text, keeping a few digits for reference: 138****5678,
    110101****1234, 010-****78, z****@example.com. The same masking as scan_sql's `text`."""
    if text is None:
        return None
    text = _compiled(EMAIL).sub(EMAIL_MASKED, text)
    for _ in range(2):
        text = _compiled(NUMBERS).sub(NUMBERS_MASKED, text)
    return text


def find_personal_numbers(text: str) -> list[tuple[str, str]]:
    """Every (kind, number) of an unmasked personal number in text, as mask_text finds them."""
    email, numbers = _compiled(EMAIL), _compiled(NUMBERS)
    found = [("email", m.group()) for m in email.finditer(text)]
    text = email.sub(EMAIL_MASKED, text)
    for _ in range(2):
        for m in numbers.finditer(text):
            kind = next(kind for group, kind in NUMBER_KINDS.items() if m.group(group) is not None)
            found.append((kind, text[m.end(1) : m.start(9)]))
        text = numbers.sub(NUMBERS_MASKED, text)
    return found


# ---------------------------------------------------------------------------------------------
# Scanning text columns at ingest (params/schema.yaml, `scan`)


def scan_sql(value_sql: str, kind: str | None, salt_value: str) -> str:
    """DuckDB expression: a text column's value as stored, its personal numbers masked.

    `text` (names, free text): each number masked in place, as mask_text does. `id` and `person`
    (identifiers, and identifiers of people): each number replaced by `#` and the value's salted
    hash (id_hash_sql), so that an identifier stays distinct and links alike in every table; a value
    of digits only is an id, not a number, unless it is a mobile number (for `person`, also an
    ID-card number). `code` (short classification codes): as `id`, and a value holding a mobile or
    ID-card number anywhere, even inside a run of digits, becomes `#` and its hash as a whole.
    None: the value unchanged. A value without a personal number costs one scan.
    """
    if kind is None:
        return value_sql
    found = f"regexp_matches({value_sql}, {lit(ANY_PERSONAL)})"
    if kind == "code":
        inside = f"regexp_matches({value_sql}, {lit(INSIDE_DIGITS)})"
        return f"CASE WHEN {inside} OR {found} THEN '#' || {id_hash_sql(value_sql, salt_value)} ELSE {value_sql} END"
    if kind == "text":
        masked = f"regexp_replace({value_sql}, {lit(EMAIL)}, {lit(EMAIL_MASKED)}, 'g')"
        for _ in range(2):
            masked = f"regexp_replace({masked}, {lit(NUMBERS)}, {lit(NUMBERS_MASKED)}, 'g')"
        return f"CASE WHEN {found} THEN {masked} ELSE {value_sql} END"
    replacement = f"'\\1#' || {id_hash_sql(value_sql, salt_value)} || '\\9'"
    hashed = value_sql
    for _ in range(2):
        hashed = f"regexp_replace({hashed}, {lit(ANY_PERSONAL)}, {replacement}, 'g')"
    an_id = (
        f"regexp_full_match({value_sql}, {lit(DIGITS_ONLY)}) "
        f"AND NOT regexp_full_match({value_sql}, {lit(WHOLE_PERSONAL[kind])})"
    )
    return f"CASE WHEN NOT {found} OR ({an_id}) THEN {value_sql} ELSE {hashed} END"

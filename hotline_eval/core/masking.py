"""Personal data: salted hashing of phone numbers and masking of personal numbers in text.

A caller's phone number becomes `caller_hash`, a salted SHA-256 that still links repeat callers
but cannot be reversed without the salt. The salt is local to the installation
(`.hotline-salt`, git-ignored, or $HOTLINE_EVAL_SALT) and never written to any output.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

SALT_FILE = ".hotline-salt"

# Patterns for Chinese personal numbers (also used to scan outputs for leaks). A number counts
# when it stands alone: not inside a longer run of letters and digits (ticket ids such as
# LIT202607010004018, hexadecimal hashes) and not as the decimals of a number (0.13812345678).
_ALONE_BEFORE = r"(?<![0-9A-Za-z])(?<![0-9]\.)"
_ALONE_AFTER = r"(?![0-9A-Za-z])"
ID_NUMBER = (
    _ALONE_BEFORE
    + r"[1-9][0-9]{5}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]"
    + _ALONE_AFTER
)
MOBILE = _ALONE_BEFORE + r"(?:\+?86[- ]?|0086[- ]?)?1[3-9][0-9](?:[- ]?[0-9]{4}){2}" + _ALONE_AFTER
LANDLINE = _ALONE_BEFORE + r"(?:\(0[1-9][0-9]{1,2}\)|0[1-9][0-9]{1,2}-)[2-9][0-9]{6,7}" + _ALONE_AFTER
PATTERNS = {"id_number": re.compile(ID_NUMBER), "mobile": re.compile(MOBILE), "landline": re.compile(LANDLINE)}


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
    """Mask ID, mobile and landline numbers inside free text (keeps a few digits for reference)."""
    if text is None:
        return None
    text = PATTERNS["id_number"].sub(lambda m: m.group()[:6] + "********" + m.group()[-4:], text)
    text = PATTERNS["mobile"].sub(_mask_mobile, text)
    return PATTERNS["landline"].sub(_mask_landline, text)


def _mask_landline(match: re.Match) -> str:
    """010-****78: the area code and the last two digits."""
    number = match.group()
    cut = max(number.find(")"), number.find("-")) + 1
    return number[:cut] + "****" + number[-2:]


def _mask_mobile(match: re.Match) -> str:
    """138****5678, whatever separators or country code the number was written with."""
    number = match.group()
    digits = re.sub(r"[^0-9]", "", number)
    national = digits[-11:]
    prefix = number[: len(number) - len(number.lstrip("+0 86-"))] if len(digits) > 11 else ""
    return prefix + national[:3] + "****" + national[-4:]


def find_personal_numbers(text: str) -> list[tuple[str, str]]:
    """Every (kind, match) of an unmasked personal number in text."""
    return [(kind, m.group()) for kind, rx in PATTERNS.items() for m in rx.finditer(text)]

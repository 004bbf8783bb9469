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

# Patterns for Chinese personal numbers (also used to scan outputs for leaks).
ID_NUMBER = (
    r"(?<![0-9])[1-9][0-9]{5}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9])"
)
MOBILE = r"(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9]{9}(?![0-9])"
LANDLINE = r"(?<![0-9])0[1-9][0-9]{1,2}-[2-9][0-9]{6,7}(?![0-9])"
PATTERNS = {"id_number": re.compile(ID_NUMBER), "mobile": re.compile(MOBILE), "landline": re.compile(LANDLINE)}


def salt(root: Path) -> str:
    """The installation's salt: $HOTLINE_EVAL_SALT, else .hotline-salt (created on first use)."""
    env = os.environ.get("HOTLINE_EVAL_SALT")
    if env:
        return env
    path = root / SALT_FILE
    if not path.exists():
        path.write_text(secrets.token_hex(16), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


def phone_hash_sql(column_sql: str, salt_value: str) -> str:
    """DuckDB expression: salted hash of a phone number (digits only, country code removed)."""
    digits = f"regexp_replace(CAST({column_sql} AS VARCHAR), '[^0-9]', '', 'g')"
    national = f"regexp_replace({digits}, '^(0086|86)(1[3-9][0-9]{{9}})$', '\\2')"
    quoted = "'" + salt_value.replace("'", "''") + "'"
    return f"CASE WHEN {national} = '' THEN NULL ELSE left(sha256({quoted} || {national}), 16) END"


def phone_mask_sql(column_sql: str) -> str:
    """DuckDB expression: a phone number as shown in rejects (****5678: its last four digits only)."""
    digits = f"regexp_replace(CAST({column_sql} AS VARCHAR), '[^0-9]', '', 'g')"
    return f"CASE WHEN {column_sql} IS NULL THEN NULL ELSE '****' || right({digits}, 4) END"


def mask_text(text: str | None) -> str | None:
    """Mask ID, mobile and landline numbers inside free text (keeps the first and last digits)."""
    if text is None:
        return None
    text = PATTERNS["id_number"].sub(lambda m: m.group()[:6] + "********" + m.group()[-4:], text)
    text = PATTERNS["mobile"].sub(lambda m: m.group()[:-8] + "****" + m.group()[-4:], text)
    return PATTERNS["landline"].sub(lambda m: m.group()[:4] + "****" + m.group()[-2:], text)


def find_personal_numbers(text: str) -> list[tuple[str, str]]:
    """Every (kind, match) of an unmasked personal number in text."""
    return [(kind, m.group()) for kind, rx in PATTERNS.items() for m in rx.finditer(text)]

"""Outputs are written atomically (an interrupted write leaves the old file and no debris) and spreadsheet-safe
(no live formula in a CSV cell)."""

from __future__ import annotations

import os
import re
import time

import pandas as pd
import pytest

from hotline_eval.core.store import (
    atomic_path,
    atomic_write_text,
    remove_partials,
    spreadsheet_safe,
    spreadsheet_text,
    write_csv,
)

# ---------------------------------------------------------------------------------------------
# Atomic writes


def test_a_failed_write_leaves_the_old_file_and_no_debris(tmp_path):
    target = tmp_path / "scores.csv"
    target.write_text("old, complete\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as tmp:
        tmp.write_text("new, half-writ", encoding="utf-8")
        raise KeyboardInterrupt  # Ctrl-C in the middle of writing
    assert target.read_text(encoding="utf-8") == "old, complete\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores.csv"]


def test_a_finished_write_replaces_the_file_with_ordinary_permissions(tmp_path):
    target = tmp_path / "out" / "scores.csv"
    write_csv(target, pd.DataFrame({"city": ["linjiang"], "total": [91.5]}))
    assert target.read_text(encoding="utf-8-sig") == "city,total\nlinjiang,91.5\n"
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0600
    assert [p.name for p in target.parent.iterdir()] == ["scores.csv"]


def test_readers_never_see_a_partial_file(tmp_path):
    # While a writer is busy, the target holds the previous complete content, never a prefix.
    target = tmp_path / "report.html"
    atomic_write_text(target, "<html>v1</html>")
    with atomic_path(target) as tmp:
        tmp.write_text("<html>v2 …", encoding="utf-8")
        assert target.read_text(encoding="utf-8") == "<html>v1</html>"
        tmp.write_text("<html>v2</html>", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "<html>v2</html>"


def test_only_stale_partial_files_are_cleaned_up(tmp_path):
    stale, fresh = tmp_path / ".calls.parquet.abc.partial", tmp_path / ".tickets.parquet.def.partial"
    for path in (stale, fresh, tmp_path / "calls.parquet"):
        path.write_bytes(b"x")
    hour_ago = time.time() - 3700
    os.utime(stale, (hour_ago, hour_ago))
    assert remove_partials(tmp_path) == [stale]  # a partial file of a run still working stays
    assert sorted(p.name for p in tmp_path.iterdir()) == [".tickets.parquet.def.partial", "calls.parquet"]


# ---------------------------------------------------------------------------------------------
# Spreadsheet formula injection


@pytest.mark.parametrize(
    "value, shown",
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://example.invalid","x")', '\'=HYPERLINK("http://example.invalid","x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-5", "-5"),  # plain numbers stay numbers
        ("+3.5", "+3.5"),
        ("-12.5%", "-12.5%"),
        ("临江市", "临江市"),
        ("a=b", "a=b"),
        (-5, -5),
        (None, None),
    ],
)
def test_spreadsheet_text_neutralises_formulas_only(value, shown):
    assert spreadsheet_text(value) == shown


def test_csv_exports_hold_no_live_formula_and_keep_numbers(tmp_path):
    frame = pd.DataFrame(
        {
            "单位": ['=HYPERLINK("http://example.invalid")', "@SUM(1)", "市住建局"],
            "得分": [-1.5, 2.0, 3.25],
            "说明": ["-5", "+cmd|'/C calc'!A0", None],
        }
    )
    write_csv(tmp_path / "scores.csv", frame)
    text = (tmp_path / "scores.csv").read_text(encoding="utf-8-sig")
    assert not re.search(r'(^|,)"?[=+@\t\r]', text, re.M), text
    back = pd.read_csv(tmp_path / "scores.csv", encoding="utf-8-sig")
    assert back["得分"].tolist() == [-1.5, 2.0, 3.25]
    assert back["单位"].tolist()[:2] == ['\'=HYPERLINK("http://example.invalid")', "'@SUM(1)"]
    assert back["说明"].tolist()[0] == "-5"  # a plain number is left as it is
    assert spreadsheet_safe(frame)["得分"].dtype == frame["得分"].dtype

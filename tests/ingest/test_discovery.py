"""Finding the exports of an input folder: case-insensitive patterns, subfolders, and a clear error
for every folder or file that cannot be read, never silence (issue: inputs never seen before)."""

from __future__ import annotations

import os
import shutil

import pytest

from hotline_eval.core.errors import InputError
from hotline_eval.ingest.discovery import matches, scan_folder

EXAMPLE = "docs/examples/12345-export"
CALLS, TICKETS = "话务清单_2026-07.csv", "工单明细_2026-07.xlsx"


@pytest.fixture
def folder(root, tmp_path):
    target = tmp_path / "in"
    shutil.copytree(root / EXAMPLE, target)
    return target


def scan(root, folder):
    return scan_folder(root, folder, ["example-12345"], "demo")


def test_upper_case_extensions_and_subfolders_are_read(root, folder):
    (folder / "2026-07").mkdir()
    (folder / CALLS).rename(folder / "2026-07" / CALLS.replace(".csv", ".CSV"))
    (folder / TICKETS).rename(folder / TICKETS.replace(".xlsx", ".XLSX"))
    found = scan(root, folder)
    assert sorted((f.path.relative_to(folder).as_posix(), f.table) for f in found.files) == [
        ("2026-07/话务清单_2026-07.CSV", "calls"),
        ("工单明细_2026-07.XLSX", "tickets"),
    ]
    assert found.unread == []


def test_data_files_no_mapping_claims_are_named_and_hidden_files_are_not(root, folder):
    (folder / "话务记录_2026-07.csv").write_text("x", encoding="utf-8")  # 记录, not 清单: no pattern
    (folder / "说明.md").write_text("x", encoding="utf-8")  # not data
    (folder / "~$工单明细_2026-07.xlsx").write_bytes(b"lock")  # Excel's lock file
    found = scan(root, folder)
    assert [p.name for p in found.unread] == ["话务记录_2026-07.csv"]
    assert len(found.files) == 2


@pytest.mark.parametrize("content", ["empty", "unclaimed"])
def test_a_folder_that_yields_no_export_is_an_error_naming_it_and_what_it_holds(root, folder, content):
    for path in folder.iterdir():
        path.unlink()
    if content == "unclaimed":
        (folder / "calls.csv").write_text("x", encoding="utf-8")
    with pytest.raises(InputError) as err:
        scan(root, folder)
    message = str(err.value)
    assert str(folder) in message and "没有可读入的导出文件" in message
    assert ("calls.csv" in message) == (content == "unclaimed")
    assert "话务清单*.csv" in message  # what the files should be called


def test_a_named_pipe_is_refused_not_read_forever(root, folder):
    os.mkfifo(folder / "话务清单_2026-08.csv")
    with pytest.raises(InputError, match="不是普通文件") as err:
        scan(root, folder)
    assert "话务清单_2026-08.csv" in str(err.value)


def test_looping_and_dangling_links_are_refused(root, folder):
    os.symlink(folder / "话务清单_2026-09.csv", folder / "话务清单_2026-09.csv")
    with pytest.raises(InputError, match="循环"):
        scan(root, folder)
    (folder / "话务清单_2026-09.csv").unlink()
    os.symlink(folder / "nowhere.csv", folder / "话务清单_2026-10.csv")
    with pytest.raises(InputError, match="不存在"):
        scan(root, folder)


def test_a_subfolder_link_to_its_parent_is_refused(root, folder):
    os.symlink(folder, folder / "again")
    with pytest.raises(InputError, match="循环") as err:
        scan(root, folder)
    assert "again" in str(err.value)


def test_an_unreadable_folder_is_an_error(root, folder):
    if os.geteuid() == 0:
        pytest.skip("root reads every folder")
    (folder / "locked").mkdir()
    (folder / "locked").chmod(0)
    try:
        with pytest.raises(InputError, match="权限"):
            scan(root, folder)
    finally:
        (folder / "locked").chmod(0o755)


@pytest.mark.parametrize(
    ("relative", "pattern", "expected"),
    [
        ("话务清单_2026-07.CSV", "话务清单*.csv", True),
        ("sub/话务清单_2026-07.csv", "话务清单*.csv", True),
        ("a/b/专家评分表_1.xlsx", "**/*专家评分表*.xlsx", True),
        ("话务记录.csv", "话务清单*.csv", False),
        ("x/calls.parquet", "x/*.parquet", True),
        ("y/calls.parquet", "x/*.parquet", False),
    ],
)
def test_patterns_match_names_at_any_depth_ignoring_case(relative, pattern, expected):
    assert matches(relative, pattern) is expected

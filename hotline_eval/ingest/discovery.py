"""Finding the export files of an input folder (§5.2.8): which file is read as which table.

A mapping names its files by pattern (`files: "话务明细*.csv"`). Patterns match file names in the
folder and in its subfolders (exports kept per month in subfolders are common), case-insensitively
(`.CSV` is `.csv`). Nothing in a folder is passed over without a word:

- a folder that is missing, unreadable, or yields no export file is an error naming it and what it holds;
- a file a pattern claims but that is not a regular file (a named pipe, a device, a dangling or
  looping symbolic link) is an error naming it; a subfolder link that loops is one too;
- data files no mapping claims are listed (`FolderScan.unread`), so the run can name them.

Hidden files and Office lock files (`.~`, `~$`) are skipped.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from hotline_eval.config.mapping import load_mapping
from hotline_eval.core.errors import InputError, InputErrors

# Files of these kinds are exports someone may have meant to read; others (README.md, a PDF) are not.
DATA_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".parquet", ".zip"}


@dataclass(frozen=True)
class InputFile:
    """One export file, the system (mapping) that produced it, its table and (if fixed) its city."""

    path: Path
    system: str
    table: str
    city: str | None = None


@dataclass
class FolderScan:
    """What one input folder holds: the files mappings claim, and data files none claims."""

    files: list[InputFile] = field(default_factory=list)
    unread: list[Path] = field(default_factory=list)


def discover(
    root: Path, folder: Path, systems: list[str], city: str | None, only: list[str] | None = None
) -> list[InputFile]:
    """The export files in `folder` that the given systems' mappings claim (see `scan_folder`)."""
    return scan_folder(root, folder, systems, city, only).files


def scan_folder(
    root: Path, folder: Path, systems: list[str], city: str | None, only: list[str] | None = None
) -> FolderScan:
    """The files in `folder` (and its subfolders) that the systems' mappings claim by pattern, in the
    order system → table → pattern → path; with `only`, just those matching one of its patterns.
    Every problem with the folder or a claimed file is raised; unclaimed data files are listed."""
    entries = list_files(folder)
    relative = {path: path.relative_to(folder).as_posix() for path in entries}
    scan, claimed, errors = FolderScan(), set(), []
    for system in systems:
        mapping = load_mapping(root, system)
        for table, tmap in mapping.tables.items():
            for pattern in tmap.patterns:
                for path in entries:
                    if (path, table) in claimed or not matches(relative[path], pattern):
                        continue
                    claimed.add((path, table))
                    if only is not None and not any(matches(relative[path], p) for p in only):
                        continue
                    try:
                        check_regular(path)
                    except InputError as exc:
                        errors.append(exc)
                        continue
                    scan.files.append(InputFile(path, system, table, city))
    if errors:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)
    taken = {path for path, _ in claimed}
    scan.unread = [p for p in entries if p not in taken and p.suffix.lower() in DATA_SUFFIXES]
    if not scan.files:
        raise _nothing_to_read(folder, entries, systems, root, only)
    return scan


def matches(relative: str, pattern: str) -> bool:
    """A file (path relative to the input folder) matches a mapping's pattern: by its name, at any
    depth, ignoring case; a pattern with a folder part matches the relative path."""
    name = pattern.removeprefix("**/")
    target = relative if "/" in name else relative.rsplit("/", 1)[-1]
    return fnmatchcase(target.casefold(), name.casefold())


def list_files(folder: Path) -> list[Path]:
    """Every non-hidden entry below `folder` that is not a folder, sorted; subfolder links followed once."""
    if not folder.is_dir():
        raise InputError(folder, "输入文件夹不存在或不是文件夹", fix="请检查评价定义中 data.inputs 的 dir")
    found: list[Path] = []
    _walk(folder, found, {os.path.realpath(folder)})
    return sorted(found)


def _walk(folder: Path, found: list[Path], ancestors: set[str]) -> None:
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except PermissionError as exc:
        raise InputError(folder, "没有读取该文件夹的权限", fix="请检查文件夹权限（chmod）后重试") from exc
    except OSError as exc:
        raise InputError(folder, f"无法读取该文件夹（{exc.strerror}）", fix="请检查文件夹后重试") from exc
    for entry in entries:
        if entry.name.startswith((".", "~$")):
            continue
        path = Path(entry.path)
        if _is_dir(entry):
            real = os.path.realpath(path)
            if real in ancestors:
                raise InputError(path, "文件夹的符号链接指向其上级文件夹（循环）", fix="请删除该链接，或让它指向别处")
            _walk(path, found, ancestors | {real})
        else:
            found.append(path)


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()  # follows a link; a broken or looping link is no folder
    except OSError:
        return False


def check_regular(path: Path) -> None:
    """A claimed export must be a regular file (reading a named pipe would wait forever)."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(path, "符号链接指向自身（循环），无法读取", fix="请删除该链接，换成导出文件本身") from exc
        if path.is_symlink():
            raise InputError(path, "符号链接指向的文件不存在", fix="请修正该链接，或换成导出文件本身") from exc
        raise InputError(path, f"无法读取该文件（{exc.strerror}）", fix="请检查文件权限后重试") from exc
    if not stat.S_ISREG(mode):
        raise InputError(
            path,
            "不是普通文件（命名管道、设备或套接字），不能作为导出文件读取",
            fix="请把导出文件本身复制到输入文件夹中",
        )


def _nothing_to_read(
    folder: Path, entries: list[Path], systems: list[str], root: Path, only: list[str] | None
) -> InputError:
    patterns = [p for s in systems for t in load_mapping(root, s).tables.values() for p in t.patterns]
    if only is not None:
        patterns = [f"{'、'.join(only)}（评价定义 data.inputs 的 files）"]
    held = "、".join(p.relative_to(folder).as_posix() for p in entries[:8]) + ("等" if len(entries) > 8 else "")
    return InputError(
        folder,
        "文件夹中没有可读入的导出文件（" + (f"文件夹中有：{held}" if entries else "文件夹是空的") + "）",
        fix=f"请把导出文件放入该文件夹；文件名须符合映射的规则：{'、'.join(dict.fromkeys(patterns))}",
    )

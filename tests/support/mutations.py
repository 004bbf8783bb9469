"""Seeded corruptions of real-looking exports, for the mutation harness (tests/e2e/test_mutations.py).

A `Base` is a folder of exports and what is known about them (the encoding of each text file, the row
holding its header, the personal numbers in it); a `Mutant` names one file of a base and one `Change`
made to a copy of it. Every change is deterministic: it draws from a `random.Random` seeded with the
harness' seed and the mutant's name, so a failing mutant can be rebuilt and looked at
(`build(mutant, folder)`).

The text changes work on the file's bytes split into lines (the exports here quote no field, so a
line's fields are split at commas); the workbook changes go through openpyxl or the file's bytes.
"""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

SEED = 20260717
MOBILE, ID_CARD, LANDLINE = "13912345678", "11010519491231002X", "010-87654321"
BOM = b"\xef\xbb\xbf"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
PLANTS = 3  # cells a personal number is planted in
NUMBER = re.compile(rb"^\d+(\.\d+)?$")


@dataclass(frozen=True)
class TextFile:
    """A CSV file of a base: its encoding and the 0-based line of its header."""

    encoding: str
    header: int = 0


@dataclass(frozen=True)
class Base:
    """A folder of exports to corrupt, read with `systems` for `city`."""

    id: str
    folder: Path
    systems: tuple[str, ...]
    city: str
    texts: dict[str, TextFile]
    personal: tuple[str, ...] = ()  # numbers and names in the exports that no output may show


# A change gets the copied file and a seeded random source; it returns the file's path afterwards
# (renamed, moved) and the personal numbers it planted.
Change = Callable[[Path, random.Random, "TextFile | None"], tuple[Path, tuple[str, ...]]]


@dataclass(frozen=True)
class Mutant:
    base: Base
    file: str  # the file of the base that is changed
    label: str  # the file's short name in the mutant's name (calls, tickets)
    kind: str
    change: Change = field(repr=False, compare=False)

    @property
    def name(self) -> str:
        return f"{self.base.id}-{self.label}-{self.kind}"


@dataclass(frozen=True)
class Built:
    """A mutant written out: its folder, the changed file's path afterwards, the numbers it planted."""

    folder: Path
    path: Path
    planted: tuple[str, ...]


def build(mutant: Mutant, folder: Path) -> Built:
    """The mutant's base copied into `folder` with the one change made."""
    shutil.copytree(mutant.base.folder, folder)
    rng = random.Random(f"{SEED}:{mutant.name}")
    path, planted = mutant.change(folder / mutant.file, rng, mutant.base.texts.get(mutant.file))
    return Built(folder, path, planted)


# ---------------------------------------------------------------------------------------------
# Lines and fields


def split_lines(data: bytes) -> tuple[list[bytes], bytes]:
    """The file's lines without their ends, and the line end it uses (CRLF or LF)."""
    end = b"\r\n" if b"\r\n" in data else b"\n"
    lines = data.split(end)
    return (lines[:-1] if lines and lines[-1] == b"" else lines), end


def _rewrite(path: Path, change: Callable[[list[bytes], bytes], bytes]) -> None:
    lines, end = split_lines(path.read_bytes())
    path.write_bytes(change(lines, end))


def _data_index(lines: list[bytes], text: TextFile, rng: random.Random) -> int:
    """A random data line (under the header)."""
    return rng.randrange(text.header + 1, len(lines))


def _cells(line: bytes) -> list[bytes]:
    return line.split(b",")


def _text_change(change: Callable[[list[bytes], bytes, TextFile, random.Random], bytes]) -> Change:
    def apply(path: Path, rng: random.Random, text: TextFile | None) -> tuple[Path, tuple[str, ...]]:
        assert text is not None, f"{path.name} is not a text file of its base"
        _rewrite(path, lambda lines, end: change(lines, end, text, rng))
        return path, ()

    return apply


# ---------------------------------------------------------------------------------------------
# Changes of a text file


def line_ends(kind: str) -> Change:
    """Every line end written as `kind` (crlf, lf, cr, crcrlf) or, for mixed, each line's drawn from all four."""
    ends = {"crlf": b"\r\n", "lf": b"\n", "cr": b"\r", "crcrlf": b"\r\r\n"}

    def change(lines, end, text, rng):
        if kind == "mixed":
            return b"".join(line + rng.choice(list(ends.values())) for line in lines)
        return b"".join(line + ends[kind] for line in lines)

    return _text_change(change)


def foreign_line() -> Change:
    """One data line in the other encoding: UTF-8 in a GBK file, GBK in a UTF-8 file."""

    def change(lines, end, text, rng):
        i = _data_index(lines, text, rng)
        gbk = text.encoding.lower() in ("gbk", "gb18030", "gb2312")
        lines[i] = lines[i].decode(text.encoding).encode("utf-8" if gbk else "gb18030")
        return end.join(lines) + end

    return _text_change(change)


def truncated(mid_character: bool) -> Change:
    """The file cut inside a data line (after the first byte of a multi-byte character when `mid_character`)."""

    def change(lines, end, text, rng):
        data = end.join(lines) + end
        start = len(end.join(lines[: text.header + 1])) + len(end)
        if mid_character:
            cut = start + rng.choice(_multibyte_starts(data[start:], text.encoding)) + 1
        else:
            i = _data_index(lines, text, rng)
            line_start = len(end.join(lines[:i])) + len(end)
            cut = line_start + rng.randrange(1, len(lines[i]))
        return data[:cut]

    return _text_change(change)


def _multibyte_starts(data: bytes, encoding: str) -> list[int]:
    """The offsets of the characters of `data` written with more than one byte."""
    starts, offset = [], 0
    for char in data.decode(encoding):
        size = len(char.encode(encoding))
        if size > 1:
            starts.append(offset)
        offset += size
    return starts


def inserted_row() -> Change:
    """A row of the right width made of random junk (letters, digits, punctuation) at a random place."""

    def change(lines, end, text, rng):
        width = len(_cells(lines[text.header]))
        junk = [bytes(rng.choice(b"abcXYZ0123456789-:/ ") for _ in range(rng.randrange(0, 12))) for _ in range(width)]
        lines.insert(_data_index(lines, text, rng), b",".join(junk))
        return end.join(lines) + end

    return _text_change(change)


def duplicated_row() -> Change:
    """A data row written a second time elsewhere in the file."""

    def change(lines, end, text, rng):
        lines.insert(_data_index(lines, text, rng), lines[_data_index(lines, text, rng)])
        return end.join(lines) + end

    return _text_change(change)


def resized_row(delta: int) -> Change:
    """A data row with its last field dropped (delta -1) or a field added (delta +1)."""

    def change(lines, end, text, rng):
        i = _data_index(lines, text, rng)
        cells = _cells(lines[i])
        lines[i] = b",".join(cells[:-1] if delta < 0 else [*cells, b"x"])
        return end.join(lines) + end

    return _text_change(change)


def repeated_header() -> Change:
    """The header line repeated inside the file (two exports joined)."""

    def change(lines, end, text, rng):
        lines.insert(_data_index(lines, text, rng), lines[text.header])
        return end.join(lines) + end

    return _text_change(change)


def bom_inside() -> Change:
    """A UTF-8 byte-order mark at the start of a data line (a second file appended to the first)."""

    def change(lines, end, text, rng):
        i = _data_index(lines, text, rng)
        lines[i] = BOM + lines[i]
        return end.join(lines) + end

    return _text_change(change)


def control_character(char: bytes) -> Change:
    """`char` inserted into random cells of three data lines."""

    def change(lines, end, text, rng):
        for _ in range(3):
            i = _data_index(lines, text, rng)
            cells = _cells(lines[i])
            c = rng.randrange(len(cells))
            at = rng.randrange(len(cells[c]) + 1)
            cells[c] = cells[c][:at] + char + cells[c][at:]
            lines[i] = b",".join(cells)
        return end.join(lines) + end

    return _text_change(change)


def reformatted_numbers(style: str) -> Change:
    """Number cells rewritten as Excel shows them: sci (1.38E+10, the longest numbers), thousands
    ("1,035", quoted), fullwidth (full-width digits)."""

    def change(lines, end, text, rng):
        spots = [
            (i, c)
            for i in range(text.header + 1, len(lines))
            for c, cell in enumerate(_cells(lines[i]))
            if NUMBER.match(cell)
        ]
        if style == "sci":
            longest = max(len(_cells(lines[i])[c]) for i, c in spots)
            spots = [(i, c) for i, c in spots if len(_cells(lines[i])[c]) == longest]
        for i, c in rng.sample(spots, min(3, len(spots))):
            cells = _cells(lines[i])
            cells[c] = _reformat(cells[c].decode("ascii"), style).encode(text.encoding)
            lines[i] = b",".join(cells)
        return end.join(lines) + end

    return _text_change(change)


def _reformat(number: str, style: str) -> str:
    if style == "sci":
        return f"{float(number):.2E}"
    if style == "thousands":
        return f'"{int(float(number)) + 1000:,}"'  # at least four digits, so a separator is written
    return number.translate(FULL_WIDTH)


def planted(number: str) -> Change:
    """`number` written into random cells of PLANTS random data lines: alone, after the value, or in a phrase."""

    def apply(path: Path, rng: random.Random, text: TextFile | None) -> tuple[Path, tuple[str, ...]]:
        if text is None:
            return _planted_in_workbook(path, rng, number)

        def change(lines, end, text, rng):
            for _ in range(PLANTS):
                i = _data_index(lines, text, rng)
                cells = _cells(lines[i])
                c = rng.randrange(len(cells))
                cells[c] = _with_number(cells[c].decode(text.encoding), number, rng).encode(text.encoding)
                lines[i] = b",".join(cells)
            return end.join(lines) + end

        _rewrite(path, lambda lines, end: change(lines, end, text, rng))
        return path, (number,)

    return apply


def _with_number(value: str, number: str, rng: random.Random) -> str:
    return rng.choice([number, f"{value}{number}", f"请回电{number}"])


def _planted_in_workbook(path: Path, rng: random.Random, number: str) -> tuple[Path, tuple[str, ...]]:
    """`number` in random text cells under the header of the workbook's first sheet."""
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    cells = [cell for row in sheet.iter_rows(min_row=4) for cell in row if isinstance(cell.value, str)]
    for cell in rng.sample(cells, PLANTS):
        cell.value = _with_number(cell.value, number, rng)
    book.save(path)
    return path, (number,)


# ---------------------------------------------------------------------------------------------
# Changes of any file


def emptied() -> Change:
    def apply(path, rng, text):
        path.write_bytes(b"")
        return path, ()

    return apply


def cut_in_half() -> Change:
    """A file (a workbook) cut at a random byte of its second half, as an interrupted copy leaves it."""

    def apply(path, rng, text):
        data = path.read_bytes()
        path.write_bytes(data[: rng.randrange(len(data) // 2, len(data))])
        return path, ()

    return apply


def upper_case() -> Change:
    def apply(path, rng, text):
        return path.rename(path.with_name(path.name.upper())), ()

    return apply


def into_subfolder() -> Change:
    def apply(path, rng, text):
        folder = path.parent / "2026年7月"
        folder.mkdir()
        return path.rename(folder / path.name), ()

    return apply


TEXT_CHANGES: dict[str, Change] = {
    "lf": line_ends("lf"),
    "crlf": line_ends("crlf"),
    "cr": line_ends("cr"),
    "crcrlf": line_ends("crcrlf"),
    "mixed-ends": line_ends("mixed"),
    "foreign-line": foreign_line(),
    "cut-mid-row": truncated(mid_character=False),
    "cut-mid-char": truncated(mid_character=True),
    "inserted-row": inserted_row(),
    "duplicated-row": duplicated_row(),
    "short-row": resized_row(-1),
    "long-row": resized_row(+1),
    "header-again": repeated_header(),
    "bom-inside": bom_inside(),
    "nul": control_character(b"\x00"),
    "esc": control_character(b"\x1b"),
    "del": control_character(b"\x7f"),
    "sci": reformatted_numbers("sci"),
    "thousands": reformatted_numbers("thousands"),
    "fullwidth": reformatted_numbers("fullwidth"),
    "emptied": emptied(),
    "upper-case": upper_case(),
    "subfolder": into_subfolder(),
    "mobile": planted(MOBILE),
    "id-card": planted(ID_CARD),
    "landline": planted(LANDLINE),
}

WORKBOOK_CHANGES: dict[str, Change] = {
    "emptied": emptied(),
    "cut": cut_in_half(),
    "upper-case": upper_case(),
    "subfolder": into_subfolder(),
    "mobile": planted(MOBILE),
    "id-card": planted(ID_CARD),
}


def mutants(base: Base, file: str, label: str, kinds: list[str] | None = None) -> list[Mutant]:
    """The mutants of one file of a base: every change of its kind (text or workbook), or those in `kinds`."""
    changes = TEXT_CHANGES if file in base.texts else WORKBOOK_CHANGES
    return [Mutant(base, file, label, kind, changes[kind]) for kind in (kinds or changes)]

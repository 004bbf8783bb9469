"""What a CSV export holds as text: its encoding, line ends, quotes and blank rows.

Streaming passes over the bytes at C speed (1 MiB at a time, no per-row Python), so that the
CSV reader knows before parsing whether the file must be re-encoded, whether its line ends are
mixed, and whether a quote or a blank row needs Python's csv module to settle row numbers.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from hotline_eval.core.errors import InputError

SNIFF_ROWS = 30
CHUNK = 1 << 20
BOMS = [(codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]
# Trimmed from both ends of every value: ASCII whitespace, and what spreadsheet exports add (the
# tab that keeps Excel from turning long numbers into 1.38E+10, no-break and full-width spaces).
# Zero-width spaces and joiners, invisible in any program, are trimmed too.
WHITESPACE = " \t\n\r\v\f\u00a0\u3000\ufeff\u200b\u200c\u200d\u2060"
# Bytes of whitespace other than the space (UTF-8): tab, vertical tab, form feed, no-break space,
# ideographic (full-width) space, a byte-order mark inside the text. Without any of them (and
# without quotes) a plain trim of spaces gives the same values as trimming all of WHITESPACE.
WIDE_SPACE_BYTES = (
    *(b"\t", b"\x0b", b"\x0c", b"\xc2\xa0", b"\xe3\x80\x80", b"\xef\xbb\xbf"),
    *(b"\xe2\x80\x8b", b"\xe2\x80\x8c", b"\xe2\x80\x8d", b"\xe2\x81\xa0"),  # zero-width
)
MIN_FOREIGN_CHARS = 4  # a GB18030 file's line counts as UTF-8 when it holds this many valid UTF-8 characters


# One line end, however written: LF, CRLF, CR alone, or CRs before an LF (a CRLF file converted
# to CRLF once more). A lone CR ends a line as it does in Excel.
LINE_END = re.compile(r"\r+\n|\r")
LINE_END_BYTES = re.compile(rb"\r*\n|\r")  # counts every line end, LF alone included

FOREIGN_LINE = re.compile(
    r"(?m)^(?:[\x00-\x09\x0b-\x7f]*[\u0080-\ufffc\ufffe\uffff\U00010000-\U0010ffff]){"
    + str(MIN_FOREIGN_CHARS)
    + r"}[^\n\ufffd]*$"
)
# A UTF-8 byte-order mark starting a line after the first: a UTF-8 export appended to a GB18030 one.
# In GB18030 its bytes are valid text ("锘" and a character that swallows the next byte), so the
# line would otherwise be read as mojibake, its first field corrupted.
BOM_AFTER_LINE_END = re.compile(rb"[\r\n]" + re.escape(codecs.BOM_UTF8))


@dataclass
class TextScan:
    """What one pass over a CSV file's bytes found."""

    encoding: str
    lossy: bool = False
    irregular_newlines: bool = False  # LF and CRLF mixed, CR alone (old Mac files), or CR CR LF (converted twice)
    odd_quotes: bool = False
    inner_blank: bool = False  # a blank line with content after it (row numbers must skip it)
    trailing_blank: int = 0
    wide_space: bool = False  # values may need trimming of more than spaces (see WIDE_SPACE_BYTES)


def detect_encoding(path: Path, declared: str = "auto") -> str:
    """The file's text encoding: the declared one, else from its BOM, else UTF-8 or GB18030.

    Without a BOM the header line decides when it holds Chinese; an all-ASCII header lets the
    majority of the file's non-ASCII characters decide. A UTF-8 file with a few broken bytes stays
    UTF-8: its broken rows are rejected one by one.
    """
    if declared not in ("auto", None):
        return declared
    with path.open("rb") as fh:
        head = fh.read(4)
        for bom, name in BOMS:
            if head.startswith(bom):
                return name
        fh.seek(0)
        first_line = fh.readline()
        if not first_line.isascii():
            return "utf-8" if valid_utf8(first_line) else "gb18030"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        good = bad = 0
        while chunk := fh.read(CHUNK):
            text = decoder.decode(chunk)
            wrong = text.count("\ufffd")
            bad += wrong
            good += len(text) - len(text.encode("ascii", "ignore")) - wrong
    return "utf-8" if good >= bad else "gb18030"


def check_declared(path: Path, declared: str) -> None:
    """A mapping that names the encoding must match the file, or every value would be garbled."""
    with path.open("rb") as fh:
        first = fh.readline()
    if first.isascii() or first.startswith(codecs.BOM_UTF16_LE) or first.startswith(codecs.BOM_UTF16_BE):
        return
    utf8 = valid_utf8(first)
    if declared in ("gb18030", "gbk") and utf8:
        actual, wrong = "UTF-8", declared
    elif declared.startswith("utf-8") and not utf8:
        actual, wrong = "GB18030（GBK）", declared
    else:
        return
    raise InputError(
        path,
        f"映射声明的编码为 {wrong}，但文件表头的编码为 {actual}",
        row=1,
        fix="请在映射中设置 read.encoding: auto（或正确的编码），或将文件另存为声明的编码",
    )


def valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def scan_text(path: Path, encoding: str) -> TextScan:
    """Line endings, quote balance and blank lines, at C speed (valid for UTF-8 and GB18030 bytes)."""
    scan = TextScan(encoding)
    crlf = lf = cr = quotes = 0
    tail = b""
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            data = tail + chunk
            text = chunk[3:] if not tail and chunk.startswith(codecs.BOM_UTF8) else chunk  # the BOM itself is fine
            lf += chunk.count(b"\n")
            cr += chunk.count(b"\r")
            crlf += data.count(b"\r\n") - tail.count(b"\r\n")
            quotes += chunk.count(b'"')
            scan.wide_space = scan.wide_space or any(b in text for b in WIDE_SPACE_BYTES)
            body = data.rstrip(b"\r\n")
            scan.inner_blank = scan.inner_blank or b"\n\n" in body or b"\n\r\n" in body
            tail = data[-4:]
    with path.open("rb") as fh:
        fh.seek(max(path.stat().st_size - 4096, 0))
        end = fh.read()
    scan.trailing_blank = max(end[len(end.rstrip(b"\r\n")) :].count(b"\n") - 1, 0)
    scan.irregular_newlines = 0 < crlf < lf or cr != crlf
    scan.odd_quotes = quotes % 2 == 1
    scan.wide_space = scan.wide_space or quotes > 0  # a quoted value may end in a line break
    return scan


def count_records(path: Path, delimiter: str, header_row: int) -> tuple[int, list[int], int | None]:
    """Data records after the header, row numbers of blank rows, and the row whose quoted value
    is never closed (None if all are), by Python's csv module in strict mode."""
    records, blank, number = 0, [], 0
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter, strict=True)
        while True:
            number += 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                if "unexpected end of data" in str(exc):
                    return records, blank, number
                row = ["(malformed)"]  # DuckDB rejects it too (a stray quote): still one row
            if number <= header_row:
                continue
            if row:
                records += 1
            else:
                blank.append(number)
    while blank and blank[-1] == header_row + records + len(blank):
        blank.pop()  # trailing blank rows are counted by scan_text
    return records, blank, None


def to_utf8(path: Path, encoding: str, target: Path, *, normalise: bool) -> tuple[Path, bool]:
    """Re-encode as UTF-8 (DuckDB reads UTF-8), streaming; returns (path, lossy).

    Bytes that are not valid in the file's encoding become U+FFFD (ingest rejects those rows).
    A GB18030 file that holds UTF-8 lines mixes two encodings and cannot be read reliably.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    lossy = False
    line = 1
    by_line = not encoding.startswith("utf-16")  # in UTF-16 a newline byte may be half a character
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    with path.open("rb") as src, target.open("w", encoding="utf-8", newline="") as dst:
        carry, held = b"", ""
        while True:
            chunk = src.read(CHUNK)
            data = carry + chunk
            cut = max(data.rfind(b"\n"), data.rfind(b"\r")) + 1 if chunk and by_line else len(data)
            if chunk and by_line:  # a CR at the end may be half a CRLF: it goes with the next block
                cut = len(data[:cut].rstrip(b"\r"))
            block, carry = data[:cut], data[cut:]
            if encoding in ("gb18030", "gbk"):
                refuse_utf8_lines(path, block, line)
                line += len(LINE_END_BYTES.findall(block))
            text = held + decoder.decode(block, final=not chunk)
            held = ""
            lossy = lossy or "\ufffd" in text
            if normalise:
                if chunk and text.endswith("\r"):
                    kept = text.rstrip("\r")
                    text, held = kept, text[len(kept) :]  # keep the CRs with the LF that may follow
                text = LINE_END.sub("\n", text)
            dst.write(text)
            if not chunk:
                break
    return target, lossy


def refuse_utf8_lines(path: Path, block: bytes, first_line: int) -> None:
    """A GB18030 file whose line is valid UTF-8 Chinese, or starts with a UTF-8 BOM, mixes encodings:
    a clear error, not mojibake."""
    if block.isascii():
        return
    row = _line_starting_with_bom(block, first_line)
    if row:
        raise InputError(
            path,
            "文件混用了编码：开头为 GB18030（GBK），而该行以 UTF-8 的字节顺序标记（BOM）开头（可能拼接了另一个文件）",
            row=row,
            fix="请将整个文件保存为同一种编码（建议 UTF-8）后重新导入",
        )
    text = LINE_END.sub("\n", block.decode("utf-8", errors="replace"))  # CR alone ends a line too
    found = FOREIGN_LINE.search(text)
    if found:
        row = first_line + text.count("\n", 0, found.start())
        raise InputError(
            path,
            "文件混用了编码：开头为 GB18030（GBK），而该行为 UTF-8",
            row=row,
            fix="请将整个文件保存为同一种编码（建议 UTF-8）后重新导入",
        )


def _line_starting_with_bom(block: bytes, first_line: int) -> int | None:
    """The number of the first line after the file's first that starts with a UTF-8 BOM (blocks start lines)."""
    if first_line > 1 and block.startswith(codecs.BOM_UTF8):
        return first_line
    found = BOM_AFTER_LINE_END.search(block)
    return None if found is None else first_line + len(LINE_END_BYTES.findall(block[: found.start() + 1]))


def head_rows(path: Path, delimiter: str) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        lines = [line for _, line in zip(range(SNIFF_ROWS), fh, strict=False)]
    return list(csv.reader(io.StringIO("".join(lines)), delimiter=delimiter))

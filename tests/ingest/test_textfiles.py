"""Text files: a UTF-8 byte-order mark inside a GB18030 file (found by the mutation harness)."""

from __future__ import annotations

import codecs

import pytest

from hotline_eval.core.errors import InputError
from hotline_eval.ingest import textfiles
from hotline_eval.ingest.textfiles import to_utf8

GBK_LINES = ["流水号,呼叫方向", "H0001,呼入", "H0002,呼入", "H0003,呼出"]


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r", "\r\r\n"])
def test_a_utf8_bom_starting_a_later_line_of_a_gbk_file_is_refused_with_its_row(tmp_path, line_end):
    """In GB18030 the BOM's bytes are text ("锘" and a character that swallows the H of H0003):
    the call id would be read as 锘縃0003. Two exports joined: refused, naming the line."""
    lines = [line.encode("gb18030") for line in GBK_LINES]
    lines[3] = codecs.BOM_UTF8 + lines[3]
    path = tmp_path / "calls.csv"
    path.write_bytes(b"".join(line + line_end.encode() for line in lines))
    with pytest.raises(InputError) as err:
        to_utf8(path, "gb18030", tmp_path / "out.csv", normalise=True)
    assert "第4行" in str(err.value) and "字节顺序标记" in str(err.value)


def test_a_gbk_file_without_a_bom_inside_is_read(tmp_path):
    path = tmp_path / "calls.csv"
    path.write_bytes("\r\n".join(GBK_LINES).encode("gb18030"))
    target, lossy = to_utf8(path, "gb18030", tmp_path / "out.csv", normalise=True)
    assert target.read_text(encoding="utf-8").split("\n") == GBK_LINES and not lossy


@pytest.mark.parametrize("line_end", ["\n", "\r", "\r\n"])
def test_a_utf8_line_in_a_gbk_file_is_named_by_its_row_in_any_block_with_any_line_end(tmp_path, monkeypatch, line_end):
    """Blocks of 64 bytes: the row is counted across blocks, LF alone and CR alone included."""
    monkeypatch.setattr(textfiles, "CHUNK", 64)
    lines = [line.encode("gb18030") for line in [*GBK_LINES, *GBK_LINES[1:] * 5]]
    lines[13] = "H0013,呼入来电咨询".encode()
    path = tmp_path / "calls.csv"
    path.write_bytes(b"".join(line + line_end.encode() for line in lines))
    with pytest.raises(InputError) as err:
        to_utf8(path, "gb18030", tmp_path / "out.csv", normalise=True)
    assert "第14行" in str(err.value) and "而该行为 UTF-8" in str(err.value)

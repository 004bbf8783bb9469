"""The libraries' errors a user can act on become the project's errors; a bug stays a bug."""

from __future__ import annotations

import errno
import os

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hotline_eval.core.errors import DataFormatError, HotlineEvalError, MemoryLimitError, RenderError, StorageError
from hotline_eval.core.foreign_errors import foreign_error, named_file, original_line


def duckdb_error(sql: str) -> duckdb.Error:
    with pytest.raises(duckdb.Error) as caught:
        duckdb.sql(sql).fetchall()
    return caught.value


def translated(exc: BaseException) -> HotlineEvalError:
    error = foreign_error(exc)
    assert error is not None, f"not translated: {exc!r}"
    return error


def test_a_file_that_is_not_parquet_names_the_file_for_duckdb_and_pyarrow(tmp_path):
    fake = tmp_path / "calls.parquet"
    fake.write_text("呼叫时间,主叫号码\n2026-07-01,13812345678\n", encoding="utf-8")
    for exc in (duckdb_error(f"SELECT * FROM read_parquet('{fake}')"), _raises(lambda: pq.read_table(fake))):
        error = translated(exc)
        assert isinstance(error, DataFormatError)
        assert str(error).startswith(f"文件 {fake}：不是有效的 Parquet 文件")
        assert "处理建议：请重新导出该文件" in str(error)


def test_a_file_another_process_deleted_is_a_storage_problem_with_its_name(tmp_path):
    gone = tmp_path / "data" / "tickets.parquet"
    error = translated(duckdb_error(f"SELECT * FROM read_parquet('{gone}')"))
    assert isinstance(error, StorageError)
    assert f"文件 {gone}：文件不存在或无法打开" in str(error)
    assert "（DuckDB：IO Error: No files found that match the pattern" in str(error)


def test_a_full_disk_and_a_lock_reported_by_duckdb():
    full = duckdb.IOException('IO Error: Could not write file "/out/data/calls.parquet": No space left on device')
    locked = duckdb.IOException('IO Error: Could not set lock on file "/out/x.duckdb": Conflicting lock is held')
    assert str(translated(full)).startswith("文件 /out/data/calls.parquet：磁盘空间不足")
    assert "清理磁盘空间" in str(translated(full))
    assert str(translated(locked)).startswith("文件 /out/x.duckdb：文件正被其他程序占用")


def test_out_of_memory_advises_what_the_user_can_set_not_duckdbs_options():
    exc = duckdb.OutOfMemoryException(
        "Out of Memory Error: failed to allocate data of size 16.0 MiB (976.5 MiB/976.5 MiB used)\n\n"
        "Possible solutions:\n* Reducing the number of threads (SET threads=X)\n* Increasing the memory limit"
    )
    error = translated(exc)
    assert isinstance(error, MemoryLimitError)
    assert "HOTLINE_EVAL_MEMORY" in str(error)
    assert "SET " not in str(error) and "Possible solutions" not in str(error)


def test_a_value_that_does_not_convert_is_a_data_problem():
    error = translated(duckdb_error("SELECT CAST('13812345678x' AS INTEGER)"))
    assert isinstance(error, DataFormatError) and "无法转换" in str(error) and "LINE 1" not in str(error)
    assert isinstance(translated(_raises(lambda: pa.array(["七"], type=pa.int64()))), DataFormatError)


def test_a_broken_pdf_from_the_engine():
    import pikepdf

    error = translated(_raises(lambda: pikepdf.Pdf.open(__file__)))
    assert isinstance(error, RenderError) and "PDF引擎生成的PDF无法读取" in str(error)
    assert "REPORT_PDF_ENGINE" in str(error)


def test_bugs_stay_bugs():
    """A query the program got wrong, an internal error, a plain OSError (cli.py says those itself)."""
    for exc in (
        duckdb_error("SELECT * FROM no_such_table"),
        duckdb_error("SELECT nonsense("),
        duckdb.InvalidInputException("Invalid Input Error: Values were not provided for prepared statement"),
        ValueError("could not convert"),
        OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "x.csv"),
    ):
        assert foreign_error(exc) is None, exc


def test_the_original_keeps_its_first_line_without_advice():
    assert original_line(ValueError("IO Error: x See also https://duckdb.org/docs\nmore")) == "IO Error: x"
    assert original_line(ValueError("")) == "ValueError"
    assert named_file("Could not open 'x' in \"/data/a b.csv\"") == "/data/a b.csv"
    assert named_file("Table with name nosuchtable does not exist") is None


def _raises(action) -> BaseException:
    with pytest.raises(Exception) as caught:
        action()
    return caught.value

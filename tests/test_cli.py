"""The command line: a message and an exit code, never a traceback."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from hotline_eval import cli as cli_module
from hotline_eval.core.errors import InputError

# ---------------------------------------------------------------------------------------------
# The command line: a message and an exit code, never a traceback


def run_main(monkeypatch, capsys, *argv: str) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["hotline-eval", *argv])
    with pytest.raises(SystemExit) as stop:
        cli_module.main()
    return stop.value.code, capsys.readouterr().err


def test_an_unexpected_error_goes_to_a_masked_crash_log(monkeypatch, capsys, outputs_dir):
    import hotline_eval.pipeline as pipeline

    def boom(*_a, **_k):
        raise RuntimeError("caller 13812345678 broke it")

    monkeypatch.setattr(pipeline, "prepare", boom)
    code, err = run_main(monkeypatch, capsys, "run")
    assert code == 3
    assert "Traceback" not in err and "13812345678" not in err
    assert "内部错误：RuntimeError: caller 138****5678 broke it" in err
    log = Path(err.split("详细信息（已脱敏）见 ")[1].splitlines()[0].strip())
    assert "处理建议：" in err
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "138****5678" in text and "13812345678" not in text


def test_an_input_error_is_one_plain_message(monkeypatch, capsys):
    import hotline_eval.pipeline as pipeline

    def bad(*_a, **_k):
        raise InputError("exports/话务明细.csv", "文件为空（0字节）", row=None, fix="请重新导出数据")

    monkeypatch.setattr(pipeline, "prepare", bad)
    code, err = run_main(monkeypatch, capsys, "run")
    assert code == 2
    assert err == "错误：文件 exports/话务明细.csv：文件为空（0字节）\n  处理建议：请重新导出数据\n"


def test_a_full_disk_names_the_file(monkeypatch, capsys):
    import errno

    import hotline_eval.pipeline as pipeline

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "outputs/demo/data/calls.parquet")

    monkeypatch.setattr(pipeline, "prepare", full)
    code, err = run_main(monkeypatch, capsys, "run")
    assert code == 2
    assert "outputs/demo/data/calls.parquet：磁盘空间不足" in err and "处理建议：" in err and "Traceback" not in err


def test_an_interrupt_says_the_command_can_be_rerun(monkeypatch, capsys):
    import hotline_eval.pipeline as pipeline

    def interrupted(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "prepare", interrupted)
    code, err = run_main(monkeypatch, capsys, "run")
    assert code == 130 and "重新运行" in err and "Traceback" not in err

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


def test_a_rendered_document_s_findings_are_warnings_on_the_terminal(monkeypatch, capsys, tmp_path):
    """make report: each finding of the document linter one warning line, the first 30, then how many more."""
    import hotline_eval.report.city as city
    from hotline_eval.report.lint import Finding, write_findings

    findings = [Finding("missing_value", "缺失值", "nan", f"第{k}段nan%", "（一）概况") for k in range(35)]
    written = {"html": tmp_path / "report.html", "lint": write_findings(tmp_path / "report.lint.json", findings)}
    monkeypatch.setattr(cli_module, "_prepare", lambda *_a: None)
    monkeypatch.setattr(cli_module, "_refresh_index", lambda *_a: None)
    monkeypatch.setattr(city, "render_city", lambda *_a, **_k: written)
    monkeypatch.setattr(sys, "argv", ["hotline-eval", "report", "--city", "linjiang", "--no-pdf"])
    cli_module.main()
    lines = capsys.readouterr().err.splitlines()
    warnings = [line for line in lines if line.startswith("警告：")]
    assert warnings[0] == "警告：文档检查：（一）概况：缺失值「nan」：第0段nan%"
    assert len(warnings) == cli_module.FINDINGS_SHOWN == 30
    assert lines[-1].endswith("文档检查：另有5处问题，见 " + str(tmp_path / "report.lint.json"))

    write_findings(written["lint"], [])
    cli_module.main()
    lines = capsys.readouterr().err.splitlines()
    assert lines[-1].endswith("文档检查：未发现问题") and not [line for line in lines if line.startswith("警告：")]


def test_a_batch_names_each_report_with_findings_and_where_they_are(monkeypatch, capsys, tmp_path):
    import hotline_eval.report.batch as batch
    import hotline_eval.report.index as index
    from hotline_eval.report.lint import Finding, write_findings

    found = write_findings(tmp_path / "a.lint.json", [Finding("placeholder", "占位符", "{x}", "{x}", "")] * 2)
    clean = write_findings(tmp_path / "b.lint.json", [])
    outcomes = [
        batch.Outcome("linjiang", True, {"lint": found}),
        batch.Outcome("qingshan", True, {"lint": clean}),
        batch.Outcome("baihe", True, {}),  # e.g. rendered before the linter existed
    ]
    monkeypatch.setattr(cli_module, "_prepare", lambda *_a: None)
    monkeypatch.setattr(batch, "render_all", lambda *_a, **_k: outcomes)
    monkeypatch.setattr(index, "write_index", lambda *_a: tmp_path / "index.html")
    monkeypatch.setattr(sys, "argv", ["hotline-eval", "reports", "--no-pdf"])
    cli_module.main()
    lines = [line for line in capsys.readouterr().err.splitlines() if "文档检查" in line]
    assert len(lines) == 1 and lines[0].endswith(f"文档检查：临江市的报告有2处问题，见 {found}")

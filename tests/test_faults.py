"""Faults: outputs are written atomically, an interrupted run can simply be run again, a rerun
gives the same outputs, and the command line never shows a traceback."""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from hotline_eval import cli as cli_module
from hotline_eval.core.errors import InputError
from hotline_eval.core.store import atomic_path, atomic_write_text, remove_partials, write_csv
from hotline_eval.ingest.canonical import ingest
from hotline_eval.pipeline import collect_inputs

CORPUS = Path(__file__).parent / "corpus"


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
# Interrupted ingest, rerun, idempotence


KILLER = """
import sys
from pathlib import Path
from hotline_eval.config.definitions import load_evaluation
from hotline_eval.ingest.canonical import ingest
from hotline_eval.core.paths import Paths
from hotline_eval.pipeline import collect_inputs

root, out = Path(sys.argv[1]), Path(sys.argv[2])
ev = load_evaluation(root, "demo-comprehensive")
paths = Paths(root, ev.id)
inputs = collect_inputs(root, ev, paths, lambda m: None)
ingest(root, inputs, out, ev.city_ids(), lambda m: print(m, flush=True), base_dir=paths.raw)
print("DONE", flush=True)
"""


@pytest.mark.slow
def test_an_ingest_killed_midway_leaves_only_complete_files_and_a_rerun_matches_a_clean_run(root, demo, tmp_path):
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-c", KILLER, str(root), str(out)], stdout=subprocess.PIPE, text=True, cwd=root
    )
    for line in process.stdout:
        if line.startswith("导入 工单"):  # calls, chats and bot tests are written; tickets are under way
            time.sleep(0.3)
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=120)
    assert process.returncode == -signal.SIGKILL, "killed before it finished"
    finished = [p for p in out.rglob("*") if p.is_file() and not p.name.endswith(".partial")]
    assert {p.name for p in finished} >= {"calls.parquet", "chats.parquet", "calls.csv"}
    assert not (out / "data" / "callbacks.parquet").exists() and not (out / "ingest.json").exists()
    for path in finished:  # every file that looks finished is complete
        if path.suffix == ".parquet":
            duckdb.sql(f"SELECT count(*) FROM read_parquet('{path}')").fetchall()
        else:
            assert path.read_text(encoding="utf-8-sig").startswith("文件,行号")
    # Run again: the same command, nothing to clean by hand. The result equals the demo's own
    # ingest (same inputs, same salt) byte for byte.
    ev_inputs = collect_inputs(root, _evaluation(root), demo, lambda m: None)
    report = ingest(root, ev_inputs, out, _evaluation(root).city_ids(), base_dir=demo.raw)
    for table in report.totals():
        assert filecmp.cmp(out / "data" / f"{table}.parquet", demo.data / f"{table}.parquet", shallow=False), table
        assert filecmp.cmp(out / "rejects" / f"{table}.csv", demo.out / "rejects" / f"{table}.csv", shallow=False)
    assert report.as_dict() == json.loads((demo.out / "ingest.json").read_text(encoding="utf-8"))


def _evaluation(root):
    from hotline_eval.config.definitions import load_evaluation

    return load_evaluation(root, "demo-comprehensive")


def test_ingesting_the_same_files_twice_gives_identical_files(root, tmp_path):
    # the whole corpus that can be read, several systems and tables at once
    from hotline_eval.ingest.canonical import InputFile

    files = [
        InputFile(CORPUS / "files" / name, "vendor-a", "calls", "linjiang")
        for name in ("enc_gbk.csv", "ragged_rows.csv", "calls_duplicate_ids.csv", "inject_formula.csv", "typed.parquet")
    ] + [InputFile(CORPUS / "files" / "xlsx_title_merged.xlsx", "vendor-c", "calls", "nanhu")]
    cities = ["linjiang", "nanhu"]
    first = ingest(root, files, tmp_path / "a", cities, base_dir=CORPUS)
    second = ingest(root, list(reversed(files))[::-1], tmp_path / "b", cities, base_dir=CORPUS)
    assert first.as_dict() == second.as_dict()
    for sub in ("data", "rejects"):
        compared = filecmp.dircmp(tmp_path / "a" / sub, tmp_path / "b" / sub)
        assert compared.left_only == compared.right_only == []
        _, mismatch, errors = filecmp.cmpfiles(
            tmp_path / "a" / sub, tmp_path / "b" / sub, compared.common, shallow=False
        )
        assert mismatch == errors == []


@pytest.mark.slow
def test_the_report_command_run_twice_reuses_the_results_and_writes_the_same_report(root, demo):
    def report() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "hotline_eval", "report", "--city", "baihe", "--no-pdf"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=600,
        )

    first = report()
    assert first.returncode == 0, first.stderr
    html = demo.city("baihe") / "report.html"
    data_before = {p.name: p.stat().st_mtime_ns for p in demo.data.iterdir()}
    content = html.read_bytes()
    second = report()
    assert second.returncode == 0, second.stderr
    assert "导入" not in second.stderr, "the second run does not ingest again"
    assert {p.name: p.stat().st_mtime_ns for p in demo.data.iterdir()} == data_before

    assert html.read_bytes() == content, "the same results give the same report, byte for byte"
    assert not [p for p in demo.city("baihe").iterdir() if p.name.startswith(".")], "no temporary files left"


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


@pytest.fixture(scope="module")
def bad_project(root, tmp_path_factory) -> Path:
    """A project whose evaluation points at a folder of broken exports."""
    project = tmp_path_factory.mktemp("bad-project")
    shutil.copytree(root / "params", project / "params")
    shutil.copy2(root / "pyproject.toml", project / "pyproject.toml")
    exports = project / "exports" / "linjiang"
    exports.mkdir(parents=True)
    shutil.copy(CORPUS / "files" / "empty.csv", exports / "话务明细_2026-07.csv")
    shutil.copy(CORPUS / "files" / "col_missing_required.csv", exports / "话务明细_2026-08.csv")
    shutil.copy(CORPUS / "files" / "ragged_rows.csv", exports / "话务明细_2026-09.csv")
    (project / "params" / "evaluations" / "broken.yaml").write_text(
        "id: broken\nname_zh: 故障演示\ntype: comprehensive\norganiser_zh: 测试\n"
        "period: {start: 2026-07-01, end: 2026-09-30}\n"
        "cities: [{id: linjiang, name_zh: 临江市}, {id: qingshan, name_zh: 青山市}]\n"
        "data:\n  inputs:\n    - {dir: exports/linjiang, systems: [vendor-a], city: linjiang}\n",
        encoding="utf-8",
    )
    return project


def test_broken_exports_through_the_command_line(bad_project, tmp_path):
    env = {**os.environ, "HOTLINE_EVAL_ROOT": str(bad_project), "HOTLINE_EVAL_OUTPUTS": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "hotline_eval", "run", "--evaluation", "broken"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 2
    err = result.stderr
    assert "Traceback" not in err + result.stdout
    assert "错误：共2个输入文件无法读取：" in err
    assert "话务明细_2026-07.csv：文件为空（0字节）" in err
    assert "话务明细_2026-08.csv，列 '来电时间'" in err and "是否应为 '来电日期'" in err
    assert err.count("处理建议：") == 2


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_broken_exports_through_make(root, bad_project, tmp_path):
    venv = Path(sys.prefix)
    env = {**os.environ, "HOTLINE_EVAL_ROOT": str(bad_project), "HOTLINE_EVAL_OUTPUTS": str(tmp_path)}
    result = subprocess.run(
        # the virtual environment running these tests; -o: never (re)install it from here
        [
            "make",
            "-s",
            "-f",
            str(root / "Makefile"),
            "run",
            "EVAL=broken",
            f"VENV={venv}",
            "-o",
            f"{venv}/.installed-dev",
        ],
        cwd=bad_project,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode != 0
    assert "共2个输入文件无法读取" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout

"""Faults, end to end: an ingest killed midway leaves only complete files and a rerun gives a clean run's
files, the report command run twice writes the same report, and broken exports through the command line
and make give a message, never a traceback."""

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
import pytest

from hotline_eval.ingest.canonical import ingest
from hotline_eval.pipeline import collect_inputs
from tests.support import CORPUS

# ---------------------------------------------------------------------------------------------
# Interrupted ingest, rerun, idempotence


KILLER = """
import sys
from pathlib import Path
from hotline_eval.config.definitions import load_evaluation
from hotline_eval.ingest.canonical import ingest
from hotline_eval.core.paths import Paths
from hotline_eval.pipeline import collect_inputs
from tests.support import CORPUS

root, out = Path(sys.argv[1]), Path(sys.argv[2])
ev = load_evaluation(root, "demo-comprehensive")
paths = Paths(root, ev.id)
inputs = collect_inputs(root, ev, paths, lambda m: None).files
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
    ev_inputs = collect_inputs(root, _evaluation(root), demo, lambda m: None).files
    report = ingest(root, ev_inputs, out, _evaluation(root).city_ids(), base_dir=demo.raw)
    for table in report.totals():
        assert filecmp.cmp(out / "data" / f"{table}.parquet", demo.data / f"{table}.parquet", shallow=False), table
        assert filecmp.cmp(out / "rejects" / f"{table}.csv", demo.out / "rejects" / f"{table}.csv", shallow=False)
    assert report.as_dict() == json.loads((demo.out / "ingest.json").read_text(encoding="utf-8"))


def _evaluation(root):
    from hotline_eval.config.definitions import load_evaluation

    return load_evaluation(root, "demo-comprehensive")


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

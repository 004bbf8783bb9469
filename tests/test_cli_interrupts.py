"""Ctrl-C at any moment: exit code 130, one Chinese line, no traceback, no crash log, no temporary folder
left, no browser or kernel left running.

Each test runs the real command in a subprocess and sends it a real SIGINT at a chosen moment: the command
waits there ($HOTLINE_EVAL_PAUSE_AT, hotline_eval/core/pauses.py) or a stand-in browser does, and says so
by writing a file; the test waits for that file, never for a time.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from hotline_eval.core.interrupts import EXIT_CODE, MESSAGE
from tests.support import ROOT

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a subprocess is POSIX")
EVALUATION = "demo-comprehensive"
READY_LIMIT_S = 900  # only so that a broken hook cannot hang the suite; nothing is timed


@dataclass
class Interrupted:
    code: int
    err: str
    paused_pid: int
    tmp: Path


def interrupt(args: list[str], moment: str, tmp_path: Path, outputs: Path, **env: str) -> Interrupted:
    """Run `hotline-eval <args>`, send SIGINT once it has reached `moment` (a file appears), wait for it to end."""
    ready, temp, err_file = tmp_path / "ready", tmp_path / "tmp", tmp_path / "stderr.txt"
    temp.mkdir()
    environ = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TMPDIR": str(temp),
        "HOTLINE_EVAL_OUTPUTS": str(outputs),
        "HOTLINE_EVAL_PAUSE_AT": f"{moment}:{ready}",
        **env,
    }
    with err_file.open("w", encoding="utf-8") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "hotline_eval", *args],
            cwd=ROOT,
            env=environ,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        try:
            deadline = time.monotonic() + READY_LIMIT_S
            while not (ready.exists() and ready.read_text().strip()):
                assert process.poll() is None, f"ended before reaching {moment}: {err_file.read_text()}"
                assert time.monotonic() < deadline, f"never reached {moment}"
                time.sleep(0.05)
            process.send_signal(signal.SIGINT)
            code = process.wait(timeout=300)
        finally:
            if process.poll() is None:
                process.kill()
    return Interrupted(code, err_file.read_text(encoding="utf-8"), int(ready.read_text().split()[0]), temp)


def assert_interrupted(result: Interrupted, outputs: Path) -> None:
    """130, the one line last on stderr, nothing else said about it, nothing left behind."""
    assert result.code == EXIT_CODE, result.err
    assert result.err.endswith(f"\n{MESSAGE}\n") or result.err == f"{MESSAGE}\n", result.err
    assert result.err.count(MESSAGE) == 1
    assert "Traceback" not in result.err and "错误" not in result.err
    assert not list((outputs / "logs").glob("crash-*")), "no crash log"
    assert list(result.tmp.iterdir()) == [], "temporary folders removed"
    assert list(outputs.rglob(".*.partial")) == [], "no half-written output"


def running(pid: int) -> bool:
    """The process exists and is not a zombie (a dead child nobody reaped yet)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


@pytest.fixture
def outputs(demo, tmp_path) -> Path:
    """A private copy of the prepared sample evaluation's outputs (the interrupted runs must not touch the demo's)."""
    copy = tmp_path / "outputs"
    shutil.copytree(demo.out, copy / EVALUATION)
    return copy


def test_ctrl_c_while_the_command_is_still_importing(tmp_path):
    """Before: a KeyboardInterrupt traceback through importlib, exit -2."""
    outputs = tmp_path / "outputs"
    result = interrupt(["list"], "import", tmp_path, outputs)
    assert result.paused_pid > 0
    assert_interrupted(result, outputs)


@pytest.mark.slow
def test_ctrl_c_during_ingest(outputs, tmp_path):
    (outputs / EVALUATION / "ingest.json").unlink()  # the ingest stage runs again
    result = interrupt(["run", "-e", EVALUATION], "ingest", tmp_path, outputs)
    assert_interrupted(result, outputs)


@pytest.mark.slow
def test_ctrl_c_during_a_duckdb_query(outputs, tmp_path):
    """Before: DuckDB's InterruptException went to the crash log, exit 3."""
    (outputs / EVALUATION / "scores.xlsx").unlink()  # the analysis stage runs again
    result = interrupt(["run", "-e", EVALUATION], "query", tmp_path, outputs)
    assert_interrupted(result, outputs)


@pytest.mark.slow
def test_ctrl_c_while_an_output_is_written(outputs, tmp_path):
    manifest = outputs / EVALUATION / "manifest.json"
    before = manifest.read_bytes()
    result = interrupt(["run", "-e", EVALUATION], "write", tmp_path, outputs)
    assert_interrupted(result, outputs)
    assert manifest.read_bytes() == before and json.loads(before)


@pytest.mark.slow
def test_ctrl_c_while_the_notebook_kernel_runs(outputs, tmp_path):
    result = interrupt(["report", "-e", EVALUATION, "-c", "linjiang", "--no-pdf"], "notebook", tmp_path, outputs)
    assert_interrupted(result, outputs)
    assert not running(result.paused_pid), "the kernel is stopped"
    assert not (outputs / EVALUATION / "linjiang" / "report.html").exists()


FAKE_BROWSER = """\
#!{python}
# A browser that starts a helper process; both keep writing into the profile folder until killed.
import os, sys, time
from pathlib import Path
profile = Path(next(a for a in sys.argv if a.startswith("--user-data-dir=")).split("=", 1)[1])
helper = os.fork()
if helper == 0:
    while True:
        (profile / f"helper-{{time.monotonic_ns()}}").write_text("x")
        time.sleep(0.01)
Path({ready!r} + ".partial").write_text(f"{{os.getpid()}} {{helper}}")
os.replace({ready!r} + ".partial", {ready!r})
while True:
    (profile / f"browser-{{time.monotonic_ns()}}").write_text("x")
    time.sleep(0.01)
"""


@pytest.mark.slow
def test_ctrl_c_while_the_browser_prints_the_pdf(outputs, tmp_path):
    """Before: exit 2 with "Directory not empty" (the browser's helper still wrote into its profile folder)."""
    browser = tmp_path / "browser"
    browser.write_text(FAKE_BROWSER.format(python=sys.executable, ready=str(tmp_path / "ready")))
    browser.chmod(0o755)
    env = {"REPORT_BROWSER": str(browser), "REPORT_PDF_ENGINE": "chromium", "HOTLINE_EVAL_PAUSE_AT": ""}
    result = interrupt(["report", "-e", EVALUATION, "-c", "linjiang", "--pdf"], "browser", tmp_path, outputs, **env)
    assert_interrupted(result, outputs)
    pids = [int(p) for p in (tmp_path / "ready").read_text().split()]
    assert len(pids) == 2 and not any(running(pid) for pid in pids), "the browser and its helper are stopped"
    assert not (outputs / EVALUATION / "linjiang" / "report.pdf").exists()


def test_the_pause_hook_is_inert_without_its_variable(tmp_path):
    """The hook itself: a moment not named returns at once (the commands above would otherwise hang)."""
    code = textwrap.dedent(
        """
        import os
        from hotline_eval.core.pauses import pause_at
        os.environ["HOTLINE_EVAL_PAUSE_AT"] = "query:/nonexistent/ready"
        pause_at("import"); pause_at("write")
        print("passed")
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout == "passed\n"

"""The command line run many times at the cost of one start: a warm process forks a child per command.

Starting `python -m hotline_eval` costs about three seconds of imports (pandas, DuckDB, pydantic and the
package) before it reads a single file; the mutation harness runs the command line for dozens of
mutants. A `WarmCli` starts this module once as a subprocess, which imports the package and then, per
command, forks a child that sets the command's environment, working folder, argv and output files and
calls `hotline_eval.cli.main()`, the entry point of `hotline-eval` and `python -m hotline_eval`. The
child's exit status is the command's exit code; what it writes goes to its own stdout and stderr files.
The real start-up (`python -m hotline_eval` in a fresh interpreter) is run by the other end-to-end tests.

Protocol: one JSON object per line on the server's stdin ({argv, env, cwd, stdout, stderr}); one per
finished command on its stdout ({returncode}).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 600  # seconds a command may take before SIGALRM ends it (its exit code is then -14)


class WarmCli:
    """One warm server; `run` is not thread-safe (use one per thread)."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.warm_cli"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
        )

    def run(self, argv: list[str], env: dict[str, str], cwd: Path, stdout: Path, stderr: Path) -> int:
        """`hotline-eval <argv>` in a forked child; its exit code."""
        job = {"argv": argv, "env": env, "cwd": str(cwd), "stdout": str(stdout), "stderr": str(stderr)}
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError(f"the warm command-line server ended (exit code {self.process.poll()})")
        return json.loads(answer)["returncode"]

    def close(self) -> None:
        assert self.process.stdin
        self.process.stdin.close()
        self.process.wait(timeout=60)


def _child(job: dict) -> None:
    """In the forked child: become the command and exit with its code (never returns)."""
    code = 1
    try:
        signal.alarm(TIMEOUT)
        os.chdir(job["cwd"])
        os.environ.clear()
        os.environ.update(job["env"])
        for fd, name in ((1, "stdout"), (2, "stderr")):
            os.dup2(os.open(job[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), fd)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        import hotline_eval
        from hotline_eval.cli import main

        # as `python -m hotline_eval` sees itself (Click names the program in usage lines from these)
        sys.modules["__main__"].__package__ = "hotline_eval"
        sys.argv = [str(Path(hotline_eval.__file__).with_name("__main__.py")), *job["argv"]]

        try:
            main()
            code = 0
        except SystemExit as exc:  # as the interpreter would end: None is 0, a message is printed with 1
            if exc.code is None or isinstance(exc.code, int):
                code = exc.code or 0
            else:
                print(exc.code, file=sys.stderr)
        except BaseException:
            traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        os._exit(code)


def serve() -> None:
    import hotline_eval.cli
    import hotline_eval.pipeline
    import hotline_eval.quality.summary  # noqa: F401

    for line in sys.stdin:
        job = json.loads(line)
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            _child(job)
        _, status = os.waitpid(pid, 0)
        print(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}), flush=True)


if __name__ == "__main__":
    serve()

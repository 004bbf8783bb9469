"""Security, end to end: markup in names renders as text in a report made with the network blocked, nothing
touches the network, and crafted names on the command line or for a report are refused."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from hotline_eval.core.errors import UnknownNameError
from tests.support.hostile import HOSTILE, HOSTILE_UNIT

# ---------------------------------------------------------------------------------------------
# A full report on a tiny tampered province, with the network blocked


NETWORK_GUARD = """
import os, socket
_LOG = os.environ["HOTLINE_NETWORK_LOG"]
_LOCAL = ("127.", "::1", "localhost")

def _local(address):
    if not isinstance(address, tuple):
        return True  # a Unix socket
    return str(address[0]).startswith(_LOCAL)

def _refuse(what):
    with open(_LOG, "a", encoding="utf-8") as fh:
        fh.write(f"{os.getpid()} {what}\\n")
    raise OSError(f"network access attempted in a test: {what}")

_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

def connect(self, address):
    return _connect(self, address) if _local(address) else _refuse(address)

def connect_ex(self, address):
    return _connect_ex(self, address) if _local(address) else _refuse(address)

def getaddrinfo(host, *args, **kwargs):
    if host is None or str(host).startswith(_LOCAL):
        return _getaddrinfo(host, *args, **kwargs)
    return _refuse(f"getaddrinfo {host}")

socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
"""


@pytest.fixture(scope="module")
def offline(tmp_path_factory):
    """Block non-local sockets here and in every child Python (the report kernel)."""
    folder = tmp_path_factory.mktemp("offline")
    (folder / "sitecustomize.py").write_text(NETWORK_GUARD, encoding="utf-8")
    log = folder / "network.log"
    log.touch()
    saved = {k: os.environ.get(k) for k in ("PYTHONPATH", "HOTLINE_NETWORK_LOG")}
    os.environ["HOTLINE_NETWORK_LOG"] = str(log)
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(folder), saved["PYTHONPATH"]) if p)
    import socket

    patched = (socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo)
    namespace: dict = {}
    exec(NETWORK_GUARD, namespace)  # patches this process's socket module
    yield log
    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = patched
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="module")
def tampered(root, tmp_path_factory, outputs_dir, offline):
    """A project copy whose province has a city and a district named with markup; prepared and
    its first city's report rendered while the network is blocked."""
    from hotline_eval.pipeline import prepare
    from hotline_eval.report.city import render_city

    project = tmp_path_factory.mktemp("tampered")
    for folder in ("params", "notebooks", "templates"):
        shutil.copytree(root / folder, project / folder)
    province = yaml.safe_load((root / "params/provinces/sample.yaml").read_text(encoding="utf-8"))
    province.update(id="tampered", cities=province["cities"][:2])
    province.pop("defects", None)  # planted data defects name cities left out here
    province["cities"][0]["name_zh"] = HOSTILE
    province["district_names"][0] = HOSTILE_UNIT
    (project / "params/provinces/tampered.yaml").write_text(yaml.safe_dump(province, allow_unicode=True), "utf-8")
    ev = yaml.safe_load((root / "params/evaluations/demo-comprehensive.yaml").read_text(encoding="utf-8"))
    ev.update(id="tampered", province="tampered", data={"sample": {"seed": 7, "scale": 0.05}})
    (project / "params/evaluations/tampered.yaml").write_text(yaml.safe_dump(ev, allow_unicode=True), "utf-8")
    paths = prepare(project, "tampered")
    written = render_city(project, "tampered", "linjiang", pdf=False)
    return paths, written


@pytest.mark.slow
def test_markup_in_city_and_unit_names_renders_as_text(tampered):
    paths, written = tampered
    html = written["html"].read_text(encoding="utf-8")
    assert "<script" not in html and "<img src=x" not in html
    assert re.search(r"&lt;script&gt;alert\((&quot;|\")x(&quot;|\")\)&lt;/script&gt;临江市", html), "shown, as text"
    # the district's name reached the data (units table) and may appear only escaped
    units = pd.read_parquet(paths.data / "units.parquet")
    assert units["name_zh"].str.contains("<img src=x", regex=False).any()


@pytest.mark.slow
def test_the_pipeline_and_the_report_kernel_never_touch_the_network(tampered, offline):
    assert offline.read_text(encoding="utf-8") == "", "network access was attempted"
    probe = subprocess.run(
        [sys.executable, "-c", "import socket; socket.create_connection(('192.0.2.1', 80), timeout=1)"],
        capture_output=True,
        text=True,
    )
    assert probe.returncode != 0 and "network access attempted" in probe.stderr, "the guard works in children"
    offline.write_text("", encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Names given on the command line


def cli(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hotline_eval", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


@pytest.mark.parametrize("city", ["atlantis", "../../etc/passwd", "linjiang/../../x", "$(touch pwned)"])
def test_an_unknown_or_crafted_city_is_refused_with_the_valid_ids(root, outputs_dir, city):
    result = cli(root, "report", "--city", city, "--no-pdf")
    assert result.returncode == 2
    assert f"未知的城市 '{city}'" in result.stderr
    assert "linjiang" in result.stderr and "qingshan" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (root / "pwned").exists()


@pytest.mark.parametrize("evaluation", ["nope", "../../etc/passwd", "../evaluations/demo-comprehensive", "/etc/hosts"])
def test_an_unknown_or_crafted_evaluation_is_refused_with_the_valid_ids(root, outputs_dir, evaluation):
    result = cli(root, "run", "--evaluation", evaluation)
    assert result.returncode == 2
    assert f"未知的评价 '{evaluation}'" in result.stderr and "demo-comprehensive" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_report_for_an_unknown_city_is_refused_before_anything_runs(root, demo, monkeypatch):
    import papermill

    from hotline_eval.report.city import render_city

    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: pytest.fail("a notebook was executed"))
    with pytest.raises(UnknownNameError):
        render_city(root, "demo-comprehensive", "../../etc")
    assert not (demo.out / "../../etc").resolve().joinpath("report.html").exists()

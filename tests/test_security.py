"""Security: data-derived text is escaped, spreadsheet cells are inert, names are validated,
YAML is loaded safely, notebook parameters are data, and nothing touches the network."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from hotline_eval.core.errors import ConfigError, UnknownNameError
from hotline_eval.core.paramfiles import load_yaml, named_file
from hotline_eval.core.store import spreadsheet_safe, spreadsheet_text, write_csv
from hotline_eval.report import blocks, charts, tables

HOSTILE = '<script>alert("x")</script>临江市'
HOSTILE_UNIT = "<img src=x onerror=alert(1)>东城区"
ATTRIBUTE = '" onmouseover="alert(1)'


# ---------------------------------------------------------------------------------------------
# HTML escaping, through the helpers every notebook uses


def test_report_tables_escape_every_cell_header_caption_and_note():
    frame = pd.DataFrame({HOSTILE: [HOSTILE_UNIT, ATTRIBUTE], "得分": ["<b>9</b>", "&amp;"]})
    markup = tables.html_table(frame, f"{HOSTILE}各单位", note=HOSTILE_UNIT, number=1, align_right=["得分"])
    assert "<script" not in markup and "<img" not in markup and "<b>" not in markup
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;临江市" in markup
    assert "&lt;img src=x onerror=alert(1)&gt;东城区" in markup
    assert "&amp;amp;" in markup  # an ampersand in the data stays text
    assert '" onmouseover' not in markup


def test_report_blocks_escape_headings_paragraphs_and_lists(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(blocks, "display", lambda obj: shown.append(obj.data))
    blocks.heading(HOSTILE, 2, anchor=ATTRIBUTE)
    blocks.paragraph(HOSTILE_UNIT, "。")
    blocks.bullets([HOSTILE, HOSTILE_UNIT])
    markup = "".join(shown)
    assert "<script" not in markup and "<img" not in markup
    assert 'id="&quot; onmouseover=&quot;alert(1)"' in markup
    assert markup.count("&lt;script&gt;") == 2


def test_chart_captions_and_alt_text_are_escaped():
    import matplotlib.pyplot as plt

    fig, _ = plt.subplots()
    markup = charts.figure_html(fig, HOSTILE, alt=ATTRIBUTE, number=3)
    assert "<script" not in markup
    assert 'alt="&quot; onmouseover=&quot;alert(1)"' in markup


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
# Spreadsheet formula injection


@pytest.mark.parametrize(
    "value, shown",
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://example.invalid","x")', '\'=HYPERLINK("http://example.invalid","x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-5", "-5"),  # plain numbers stay numbers
        ("+3.5", "+3.5"),
        ("-12.5%", "-12.5%"),
        ("临江市", "临江市"),
        ("a=b", "a=b"),
        (-5, -5),
        (None, None),
    ],
)
def test_spreadsheet_text_neutralises_formulas_only(value, shown):
    assert spreadsheet_text(value) == shown


def test_csv_exports_hold_no_live_formula_and_keep_numbers(tmp_path):
    frame = pd.DataFrame(
        {
            "单位": ['=HYPERLINK("http://example.invalid")', "@SUM(1)", "市住建局"],
            "得分": [-1.5, 2.0, 3.25],
            "说明": ["-5", "+cmd|'/C calc'!A0", None],
        }
    )
    write_csv(tmp_path / "scores.csv", frame)
    text = (tmp_path / "scores.csv").read_text(encoding="utf-8-sig")
    assert not re.search(r'(^|,)"?[=+@\t\r]', text, re.M), text
    back = pd.read_csv(tmp_path / "scores.csv", encoding="utf-8-sig")
    assert back["得分"].tolist() == [-1.5, 2.0, 3.25]
    assert back["单位"].tolist()[:2] == ['\'=HYPERLINK("http://example.invalid")', "'@SUM(1)"]
    assert back["说明"].tolist()[0] == "-5"  # a plain number is left as it is
    assert spreadsheet_safe(frame)["得分"].dtype == frame["得分"].dtype


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


def test_named_params_files_never_leave_their_folder(root):
    folder = root / "params" / "mappings"
    assert named_file(folder, "mapping", "vendor-a") == folder / "vendor-a.yaml"
    for name in ("../schema", "../../pyproject", "vendor-a.yaml", "", ".", "/etc/passwd"):
        with pytest.raises(UnknownNameError):
            named_file(folder, "mapping", name)


# ---------------------------------------------------------------------------------------------
# YAML, notebook parameters


def test_yaml_with_python_tags_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.yaml"
    path.write_text(f'id: !!python/object/apply:os.system ["touch {marker}"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_yaml(path)
    assert "evil.yaml" in str(err.value)
    assert not marker.exists()


def test_the_package_never_loads_yaml_unsafely_or_runs_strings(root):
    unsafe = re.compile(
        r"yaml\.(?:load|unsafe_load|full_load|load_all)\(|Loader\s*=|\beval\(|\bexec\(|pickle\.load|shell\s*=\s*True"
    )
    found = [
        f"{path.relative_to(root)}:{n}: {line.strip()}"
        for path in sorted((root / "hotline_eval").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if unsafe.search(line)
    ]
    assert found == []


@pytest.mark.parametrize(
    "value",
    [
        'x"; import os; os.system("touch pwned") #',
        "x'''\nimport os\n'''",
        "\\\"); print('pwned') #",
        "临江市\n__import__('os').system('touch pwned')",
    ],
)
def test_notebook_parameters_are_injected_as_literals(value):
    import nbformat
    from papermill.parameterize import parameterize_notebook

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('city = "linjiang"')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nb.metadata["papermill"] = {}
    injected = parameterize_notebook(nb, {"city": value, "root": value})
    source = next(c.source for c in injected.cells if "injected-parameters" in c.metadata.get("tags", []))
    tree = ast.parse(source)
    assignments = [node for node in tree.body if isinstance(node, ast.Assign)]
    assert [type(node) for node in tree.body] == [ast.Assign, ast.Assign], "nothing but two assignments"
    assert {a.targets[0].id: ast.literal_eval(a.value) for a in assignments} == {"city": value, "root": value}


def test_a_report_for_an_unknown_city_is_refused_before_anything_runs(root, demo, monkeypatch):
    import papermill

    from hotline_eval.report.city import render_city

    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: pytest.fail("a notebook was executed"))
    with pytest.raises(UnknownNameError):
        render_city(root, "demo-comprehensive", "../../etc")
    assert not (demo.out / "../../etc").resolve().joinpath("report.html").exists()

"""A run's results are published all at once (issue 17): a rerun with changed inputs that fails or is
interrupted at any point leaves the previous complete results in place, never a mix of two data versions;
one that succeeds moves the previous set, documents included, to versions/<n>/ as a whole."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from hotline_eval import pipeline
from hotline_eval.core import publish
from hotline_eval.core.errors import InputError
from hotline_eval.pipeline import NOT_RESULTS, prepare
from hotline_eval.sample import SampleSpec, generate_sample

pytestmark = pytest.mark.slow

EVALUATION = {
    "id": "republish",
    "name_zh": "发布测试评价",
    "type": "comprehensive",
    "organiser_zh": "测试",
    "period": {"start": "2026-07-01", "end": "2026-09-30"},
    "cities": [{"id": "shiqiao", "name_zh": "石桥市"}, {"id": "nanhu", "name_zh": "南湖市"}],
    "data": {
        "inputs": [
            {"dir": "exports/shiqiao", "systems": ["vendor-a", "province-template"], "city": "shiqiao"},
            {"dir": "exports/nanhu", "systems": ["vendor-c", "province-template"], "city": "nanhu"},
        ]
    },
}
CHANGED = "exports/shiqiao/话务明细_2026-09.csv"
DOCUMENT = "shiqiao/report.html"  # stands for a city report rendered from the published results


def snapshot(out: Path) -> dict[str, str]:
    """Every file of the evaluation folder's published result set, with its SHA-256."""
    files = {}
    for entry in publish.result_set(out, NOT_RESULTS):
        for path in [entry] if entry.is_file() else sorted(p for p in entry.rglob("*") if p.is_file()):
            files[path.relative_to(out).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


def assert_one_version(out: Path, version: int) -> None:
    """The manifest names a data version for every top-level output, the same for all: `version`."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["data_version"] == version
    entries = {p.name for p in publish.result_set(out, NOT_RESULTS)} - {"manifest.json", DOCUMENT.split("/")[0]}
    assert set(manifest["outputs"]) == entries
    digest = manifest["versions"][-1]["inputs"]
    assert {(o["data_version"], o["inputs"]) for o in manifest["outputs"].values()} == {(version, digest)}
    assert set(pd.read_csv(out / "scores.csv")["data_version"]) == {version}
    assert set(pd.read_csv(out / "quality.csv")["data_version"]) == {version}
    assert not list(out.glob(".staging-*")), "no staging folder is left behind"


@pytest.fixture(scope="module")
def project(root, tmp_path_factory) -> Path:
    """Two small cities' exports as their own uploads, and an evaluation that reads them."""
    path = tmp_path_factory.mktemp("project")
    shutil.copytree(root / "params", path / "params")
    spec = SampleSpec(seed=20260701, cities=("shiqiao", "nanhu"), scale=0.25)
    generate_sample(path, spec, path / "exports")
    (path / "params" / "evaluations" / "republish.yaml").write_text(
        yaml.safe_dump(EVALUATION, allow_unicode=True), encoding="utf-8"
    )
    return path


@pytest.fixture(scope="module")
def first(project, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """The first data version published (with a rendered document), then the inputs changed: a call
    export is uploaded again, shorter. Returns the outputs root and the first set's snapshot."""
    outputs = tmp_path_factory.mktemp("outputs")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOTLINE_EVAL_OUTPUTS", str(outputs))
        out = prepare(project, "republish").out
    (out / DOCUMENT).parent.mkdir()
    (out / DOCUMENT).write_text("石桥市 第1版数据的报告", encoding="utf-8")
    exported = project / CHANGED
    lines = exported.read_bytes().splitlines(keepends=True)
    exported.write_bytes(b"".join(lines[:-40]))
    return outputs, snapshot(out)


@pytest.fixture
def outputs(first, tmp_path, monkeypatch) -> Path:
    """A copy of the first version's outputs for one test; returns the evaluation's folder."""
    copy = tmp_path / "outputs"
    shutil.copytree(first[0], copy)
    monkeypatch.setenv("HOTLINE_EVAL_OUTPUTS", str(copy))
    return copy / "republish"


def fail(*_args, **_kwargs):
    raise InputError("test", "模拟的故障")


def interrupt(*_args, **_kwargs):
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    ("where", "how"),
    [
        ("_print_reconciliation", fail),  # the ingest wrote data/ and rejects/
        ("_print_quality", fail),  # quality.csv written
        ("measure_all", interrupt),  # period_coverage checked, measuring under way
        ("write_scores", fail),  # indicators, moments, channels, dissatisfaction, expert panel written
        ("_manifest", interrupt),  # everything written but the manifest
    ],
)
def test_a_rerun_with_changed_inputs_that_fails_leaves_the_previous_set_whole(
    project, first, outputs, monkeypatch, where, how
):
    monkeypatch.setattr(pipeline, where, how)
    with pytest.raises((InputError, KeyboardInterrupt)):
        prepare(project, "republish")
    assert snapshot(outputs) == first[1], "the first version's set, every file unchanged"
    assert_one_version(outputs, 1)
    assert not (outputs / "versions").exists()


def test_a_swap_cut_short_is_finished_by_the_next_run_without_running_again(project, first, outputs, monkeypatch):
    real = publish._replace
    moved = []

    def crash(source, target):
        if len(moved) == 3:
            raise KeyboardInterrupt
        moved.append(source)
        real(source, target)

    monkeypatch.setattr(publish, "_replace", crash)
    with pytest.raises(KeyboardInterrupt):
        prepare(project, "republish")
    monkeypatch.setattr(publish, "_replace", real)
    said = []
    prepare(project, "republish", said.append)
    assert not said, "the committed results are published, nothing runs again"
    assert_one_version(outputs, 2)


def test_a_successful_rerun_publishes_the_new_version_and_archives_the_whole_previous_set(project, first, outputs):
    prepare(project, "republish")
    assert_one_version(outputs, 2)
    assert not (outputs / DOCUMENT).exists(), "a report of the first version leaves with it"
    archive = outputs / "versions" / "1"
    assert {k.removeprefix("versions/1/"): v for k, v in snapshot(archive).items()} == first[1]
    manifest = json.loads((outputs / "manifest.json").read_text(encoding="utf-8"))
    assert [(v["version"], v["archived"]) for v in manifest["versions"]] == [(1, "versions/1"), (2, None)]
    assert manifest["versions"][1]["changed_files"] == [f"~{CHANGED}"]
    calls = pd.read_parquet(outputs / "data" / "calls.parquet")
    assert len(calls) < len(pd.read_parquet(archive / "data" / "calls.parquet"))


def test_runs_that_stop_early_publish_what_they_made_and_reuse_it_later(project, first, outputs):
    """`make fieldwork` (through the ingest) after new inputs publishes the new data alone: the old version's
    quality results and scores leave with it. `make check` then adds the quality results, reusing the
    published data (hard-linked, not ingested again), and `make run` the scores."""
    prepare(project, "republish", until="ingest")
    assert_one_version_without_scores(outputs, 2)
    data_before = {p.name: p.stat().st_ino for p in (outputs / "data").iterdir()}
    prepare(project, "republish", until="quality")
    assert {p.name: p.stat().st_ino for p in (outputs / "data").iterdir()} == data_before, "reused, not copied"
    assert (outputs / "quality.csv").exists() and not (outputs / "scores.xlsx").exists()
    prepare(project, "republish")
    assert_one_version(outputs, 2)


def assert_one_version_without_scores(out: Path, version: int) -> None:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    ingested = {"data", "rejects", "cleared", "excluded.csv", "ingest.json"}
    assert manifest["data_version"] == version and set(manifest["outputs"]) == ingested
    assert {p.name for p in publish.result_set(out, NOT_RESULTS)} == ingested | {"manifest.json"}


def test_an_interrupted_first_run_leaves_no_half_set(project, tmp_path, monkeypatch):
    monkeypatch.setenv("HOTLINE_EVAL_OUTPUTS", str(tmp_path / "outputs"))
    monkeypatch.setattr(pipeline, "write_scores", interrupt)
    with pytest.raises(KeyboardInterrupt):
        prepare(project, "republish")
    out = tmp_path / "outputs" / "republish"
    assert publish.result_set(out, NOT_RESULTS) == []
    assert [p.name for p in out.iterdir() if not p.name.endswith(".lock")] == []

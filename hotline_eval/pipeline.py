"""The evaluation pipeline: sample data (if any) → ingest → quality → measure → gate → score, cached.

Each stage runs only when what it depends on changed (input files, params, package source),
so `make report` for a second city reuses the province's measured and scored results.
"""

from __future__ import annotations

import datetime as dt
import functools
import platform
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from hotline_eval import __version__
from hotline_eval.compare import extra_terms
from hotline_eval.compare.settings import load_settings as load_comparison_settings
from hotline_eval.config.catalogue import load_catalogue
from hotline_eval.config.definitions import load_evaluation
from hotline_eval.config.evaluation import SHARED_ENV, Evaluation, InputDir
from hotline_eval.config.province import load_province
from hotline_eval.config.schema import load_schema
from hotline_eval.config.sql import register_tables
from hotline_eval.config.wording import load_wording
from hotline_eval.core import publish
from hotline_eval.core.connection import connect
from hotline_eval.core.errors import InputError
from hotline_eval.core.paths import Paths
from hotline_eval.core.pauses import pause_at
from hotline_eval.core.store import (
    fingerprints,
    read_json,
    relative_label,
    sha256_file,
    sha256_text,
    write_csv,
    write_json,
)
from hotline_eval.cycle import appeals
from hotline_eval.ingest.canonical import IngestReport, ingest
from hotline_eval.ingest.discovery import FolderScan, InputFile, scan_folder
from hotline_eval.ingest.versions import FOLDER as VERSIONS_FOLDER
from hotline_eval.ingest.versions import archive_folder, start_ingest
from hotline_eval.measure.dissatisfaction import reason_distribution
from hotline_eval.measure.engine import measure_all, missing_fields
from hotline_eval.quality import (
    EXAMPLES_CSV,
    QUALITY_CSV,
    apply_gate,
    assess,
    failures,
    file_cities,
    load_quality,
    write_assessment,
)
from hotline_eval.quality.period_rule import check_data_period, days_with_data, month_coverage
from hotline_eval.sample import SampleSpec, generate_sample
from hotline_eval.score import expert_panel as expert
from hotline_eval.score import veto
from hotline_eval.score.outputs import write_scores
from hotline_eval.score.scoresheet import SheetLabels, appeal_sheets
from hotline_eval.score.scoring import EvaluationScores, ScoringContext, score_evaluation

Progress = Callable[[str], None]
STAGES = ("ingest", "quality", "analysis")
# The top-level outputs of the ingest and quality stages (the analysis writes the rest); a run reuses
# those of the stages it need not run.
STAGE_OUTPUTS = {
    "ingest": ("data", "rejects", "cleared", "excluded.csv", "ingest.json"),
    "quality": (QUALITY_CSV, EXAMPLES_CSV),
    "analysis": (),
}
# What lives in an evaluation's folder beside its results: the generated sample exports, earlier data
# versions, the plan (no data) and the fieldwork kit (forms out with the reviewers; versioned on its own).
NOT_RESULTS = ("raw", VERSIONS_FOLDER, "plan", "fieldwork")
INGEST_PARAMS = ["params/schema.yaml", "params/mappings"]
QUALITY_PARAMS = ["params/quality.yaml", "params/indicators.yaml", "params/evaluations"]
ANALYSIS_PARAMS = [
    "params/indicators.yaml",
    "params/calendar.yaml",
    "params/evaluations",
    "params/evaluation-defaults.yaml",
    "params/wording",
    "params/comparison.yaml",
]


def quiet(_: str) -> None:
    return None


def prepare(
    root: Path, evaluation_id: str, progress: Progress = quiet, *, until: str = "analysis", stage: Progress = quiet
) -> Paths:
    """Bring an evaluation's results up to date (through `until`: ingest, quality or analysis).

    The stages that must run write into a staging folder, and their results are published all at
    once at the end (core/publish.py): a run that fails or is interrupted leaves the previous
    results as they were. `stage` is told when a stage starts (ingest, quality, measure, score)
    and when all are done (done); the benchmark (bench/) times the stages with it.
    """
    stage("ingest")
    ev = load_evaluation(root, evaluation_id)
    paths = Paths(root, ev.id)
    paths.out.mkdir(parents=True, exist_ok=True)
    with publish.running(paths.out, waiting=lambda: progress("等待同一评价的另一次运行结束……")):
        publish.recover(paths.out)
        run = plan_run(root, ev, paths, progress, until)
        if run.stages_to_run:
            execute_run(root, ev, paths, run, progress, stage)
    stage("done")
    return paths


@dataclass
class Run:
    """What a run must do: its inputs, the stages' cache keys, the stages that must run (in order)."""

    inputs: list[InputFile]
    unread: list[Path]  # data files in the input folders no mapping claims
    input_prints: list[dict]
    manifest: dict  # the published one
    keys: dict[str, str]  # stage → the key its results must have
    stages_to_run: list[str]

    @property
    def reused(self) -> tuple[str, ...]:
        """The stages before the first that runs: their published results are reused."""
        return STAGES[: STAGES.index(self.stages_to_run[0])]

    @property
    def carried(self) -> list[str]:
        """The published outputs the run reuses (hard-linked into its staging folder)."""
        return [name for earlier in self.reused for name in STAGE_OUTPUTS[earlier]]


def plan_run(root: Path, ev: Evaluation, paths: Paths, progress: Progress, until: str) -> Run:
    """Which stages must run: those whose inputs, params or code changed, or whose results are missing,
    and every later one (through `until`)."""
    scan = collect_inputs(root, ev, paths, progress)
    inputs = scan.files
    manifest = read_json(paths.manifest) or {}
    done = manifest.get("stages", {})
    input_prints = fingerprints([i.path for i in inputs], paths.raw if ev.data.sample else root)
    ingest_key = sha256_text(code_fingerprint(), repr(input_prints), *_param_hashes(root, INGEST_PARAMS), repr(inputs))
    quality_key = sha256_text(ingest_key, *_param_hashes(root, QUALITY_PARAMS))
    analysis_key = sha256_text(quality_key, *_param_hashes(root, ANALYSIS_PARAMS), appeals.fingerprint(root, ev.id))
    keys = {"ingest": ingest_key, "quality": quality_key, "analysis": analysis_key}
    evidence = {"ingest": "ingest.json", "quality": QUALITY_CSV, "analysis": "scores.xlsx"}
    to_run: list[str] = []
    for name in STAGES[: STAGES.index(until) + 1]:
        if to_run or done.get(name) != keys[name] or not (paths.out / evidence[name]).exists():
            to_run.append(name)
    return Run(inputs, scan.unread, input_prints, manifest, keys, to_run)


def execute_run(root: Path, ev: Evaluation, paths: Paths, run: Run, progress: Progress, stage: Progress) -> None:
    """Run the stages in a staging folder, then publish its results (the previous ones move to versions/<n>/
    when a new data version started); a failure discards the staging folder and keeps the published results."""
    staging = publish.start(paths.out, run.carried)
    try:
        work = paths.staged(staging)
        versions, stages = run_stages(root, ev, work, run, progress, stage)
        manifest = _manifest(root, ev, run.input_prints, stages, versions)
        write_json(work.manifest, {**manifest, "outputs": outputs_entry(work.out, versions[-1])})
        archive = archive_folder(run.manifest, versions)
        waiting = functools.partial(progress, "等待正在生成的文档读完当前结果……")
        publish.publish(paths.out, staging, NOT_RESULTS, paths.out / archive if archive else None, waiting)
    except BaseException:
        publish.discard(staging)  # not once the swap is committed: the next run finishes it
        raise


def run_stages(
    root: Path, ev: Evaluation, work: Paths, run: Run, progress: Progress, stage: Progress
) -> tuple[list[dict], dict[str, str]]:
    """Run the stages into the staging folder `work.out`; returns the data versions and the stages' keys."""
    manifest = run.manifest
    versions = manifest.get("versions") or []
    stages = {name: manifest["stages"][name] for name in run.reused}
    if "ingest" in run.stages_to_run:
        versions = start_ingest(work.published, manifest, run.input_prints)
        base = work.raw if ev.data.sample else root
        pause_at("ingest")
        report = ingest(root, run.inputs, work.out, ev.city_ids(), progress, base_dir=base)
        report.unread = [relative_label(p, base) for p in run.unread]
        write_json(work.out / "ingest.json", report.as_dict())
        _print_reconciliation(root, report, progress)
        stages["ingest"] = run.keys["ingest"]
    version = int(versions[-1]["version"]) if versions else 1
    if "quality" in run.stages_to_run:
        stage("quality")
        progress("数据质量评估（§5.2.7）")
        base = work.raw if ev.data.sample else root
        assessment = assess(root, ev, work.out, file_cities(run.inputs, base), version)
        write_assessment(work.out, assessment)
        _print_quality(ev, assessment.results, progress)
        stages["quality"] = run.keys["quality"]
    if "analysis" in run.stages_to_run:
        progress("计算指标与得分")
        analyse(root, ev, work, version, stage)
        _print_not_provided(root, ev, read_json(work.out / "ingest.json") or {}, progress)
        _print_appeals(root, ev, progress)
        stages["analysis"] = run.keys["analysis"]
    return versions, stages


def outputs_entry(folder: Path, version: dict) -> dict[str, dict]:
    """The manifest's `outputs`: every published output with the stage that wrote it and its data version
    (number and input fingerprint) — one version for all, as they are published together."""
    stage_of = {name: stage for stage, names in STAGE_OUTPUTS.items() for name in names}
    return {
        entry.name: {
            "stage": stage_of.get(entry.name, "analysis"),
            "data_version": version["version"],
            "inputs": version["inputs"],
        }
        for entry in publish.result_set(folder, NOT_RESULTS)
        if entry.name != "manifest.json"
    }


def _print_reconciliation(root: Path, report: IngestReport, progress: Progress) -> None:
    """Rows in = accepted + rejected (+ excluded by a mapping's filter), per table, on the terminal;
    with the accepted rows that had a field cleared."""
    schema = load_schema(root)
    excluded: dict[str, int] = {}
    cleared: dict[str, int] = {}
    for f in report.files:
        excluded[f.table] = excluded.get(f.table, 0) + f.excluded
        cleared[f.table] = cleared.get(f.table, 0) + f.cleared
    for table, t in report.totals().items():
        out, emptied = excluded.get(table, 0), cleared.get(table, 0)
        line = (
            f"{schema.tables[table].zh}：读入{t['rows_in'] + out}行 = 接受{t['accepted']}行 + 拒收{t['rejected']}行"
            + (f" + 按映射规则排除{out}行（见 excluded.csv）" if out else "")
        )
        notes = (["拒收明细见 rejects/"] if t["rejected"] else []) + (
            [f"其中{emptied}行有字段被清空，见 cleared/"] if emptied else []
        )
        progress(line + (f"（{'；'.join(notes)}）" if notes else ""))


def _print_quality(ev: Evaluation, quality: pd.DataFrame, progress: Progress) -> None:
    """One line: which cities failed a quality gate (details: `hotline-eval check`)."""
    failed = [ev.city_name(c) for c in dict.fromkeys(failures(quality)["city"]) if c]
    if failed:
        shown = f"{len(failed)}个{ev.labels.object}有未通过的门槛检查（{'、'.join(failed)}）"
        progress(f"数据质量：{shown}，明细见 make check CITY=...")
    else:
        progress(f"数据质量：全部{ev.labels.object}通过门槛检查")


NAMES_SHOWN = 8  # indicators named on the terminal; the report's data section names them all


def _print_not_provided(root: Path, ev: Evaluation, ingested: dict, progress: Progress) -> None:
    """The indicators no data source can feed (a field they need is recorded by no source: no data,
    not scored) and those computed without a field that only refines them."""
    provided, catalogue = ingested.get("provided"), load_catalogue(root)
    active = [i for i in ev.active_indicators(catalogue) if i.kind != "expert" and not i.report_only]
    lacking = [i.zh for i in active if missing_fields(i, provided)]
    refined = [i.zh for i in active if not missing_fields(i, provided) and missing_fields(i, provided, "refines")]
    for names, line in (
        (lacking, "数据源未记录所需字段、按“无数据”处理的指标"),
        (refined, "缺少细化字段、按基本口径计算的指标"),
    ):
        if names:
            more = f"等{len(names)}项" if len(names) > NAMES_SHOWN else ""
            progress(f"{line}：{'、'.join(names[:NAMES_SHOWN])}{more}（详见报告“数据来源”）")


def _print_appeals(root: Path, ev: Evaluation, progress: Progress) -> None:
    """With an appeal file: the decisions, and where the results before the appeals are kept (§8.2)."""
    filed = appeals.load_appeals(root, ev)
    if filed is None:
        return
    n = filed.counts()
    progress(
        f"申诉复核（§8.2）：采纳{n['accepted']}件、不予采纳{n['refused']}件、逾期{n['late']}件、待复核{n['pending']}件；"
        "得分为复核后结果，复核前结果保存在 scores_original.csv、totals_original.csv，申诉记录见 appeals.csv"
    )


def collect_inputs(root: Path, ev: Evaluation, paths: Paths, progress: Progress) -> FolderScan:
    """The evaluation's input files: the generated sample province and/or the folders listed under
    data.inputs; data files no mapping claims are listed (and named on the terminal)."""
    found = FolderScan()
    if ev.data.sample:
        spec = SampleSpec(
            province=ev.province or "sample",
            start=ev.period.start,
            months=len(ev.period.months),
            seed=ev.data.sample.seed,
            scale=ev.data.sample.scale,
            evaluation_id=ev.id,
        )
        _ensure_sample(root, spec, paths.raw, progress)
        province = load_province(root, spec.province)
        for c in province.cities:
            _add(found, scan_folder(root, paths.raw / c.id, [c.system, "province-template"], c.id))
    for item in ev.data.inputs:
        _add(found, _scan_listed(root, ev, item))
    if found.unread:
        more = f"等{len(found.unread)}个" if len(found.unread) > 5 else ""
        names = "、".join(p.name for p in found.unread[:5]) + more
        progress(f"提示：以下文件不符合任何映射的文件名规则，未读入：{names}（如需读入，请修改映射的 files）")
    return found


def _add(found: FolderScan, scan: FolderScan) -> None:
    found.files += scan.files
    found.unread += scan.unread


def _scan_listed(root: Path, ev: Evaluation, item: InputDir) -> FolderScan:
    """One folder listed under data.inputs (export folders, filled review forms)."""
    folder = item.folder(root)
    if not folder.is_dir():
        raise InputError(
            folder,
            f"输入文件夹不存在（评价 '{ev.id}' 的 data.inputs）",
            fix=f"请检查 params/evaluations/{ev.id}.yaml 中 data.inputs 下的 dir"
            + (f"（或将环境变量 {SHARED_ENV} 设为共享数据文件夹）" if item.dir.startswith("{shared}") else "")
            + "；需要生成的导出文件（如基准测试省份的数据：make bench）须先生成",
        )
    return scan_folder(root, folder, item.systems, item.city, item.files)


def _ensure_sample(root: Path, spec: SampleSpec, raw: Path, progress: Progress) -> None:
    key = sha256_text(code_fingerprint(), repr(spec), *_param_hashes(root, ["params/provinces", "params/mappings"]))
    marker = raw / "sample.key"
    if marker.exists() and marker.read_text() == key:
        return
    generate_sample(root, spec, raw, progress)
    marker.write_text(key)


def analyse(root: Path, ev: Evaluation, paths: Paths, data_version: int = 1, stage: Progress = quiet) -> None:
    """Check the period against the data, measure every indicator, apply the quality gate, score (Appendix A).

    Writes period_coverage.csv, indicators.csv (with the expert panel's results), dissatisfaction.csv,
    expert_panel.csv, scores.csv, totals.csv, unit_scores.csv, unit_totals.csv, for special evaluations
    monthly.csv and trend.csv (and short_periods.csv, activity.csv, segments.csv), and scores.xlsx.
    With an appeal file (§8.2, params/appeals/<evaluation>.yaml) the accepted appeals' records are left
    out and everything is scored again: these files then hold the results after the appeals, and the
    results before them stay on record (scores_original.csv, … , appeals.csv; see cycle/appeals.py).
    """
    filed = appeals.load_appeals(root, ev)
    scored = score_data(root, ev, paths, paths.data, data_version, stage)
    original = scored
    excluded = pd.DataFrame()
    if filed is not None and filed.accepted:
        adjusted = paths.out / "appeals" / "data"
        excluded = appeals.write_adjusted_data(root, paths.data, adjusted, filed)
        scored = score_data(root, ev, paths, adjusted, data_version, stage)
    write_csv(paths.out / "period_coverage.csv", scored.coverage)
    write_csv(paths.out / "indicators.csv", scored.indicators)
    write_csv(paths.out / "moments.csv", extra_terms.moments_frame(scored.extra))
    write_csv(paths.out / "channels.csv", extra_terms.channels_frame(scored.extra))
    write_csv(paths.out / "dissatisfaction.csv", scored.dissatisfaction)
    write_csv(paths.out / "expert_panel.csv", scored.panel_detail)
    labels = SheetLabels(ev, load_catalogue(root), load_schema(root), load_wording(root, ev.labels))
    extra = []
    if filed is None:
        appeals.clear_record(paths.out)
    else:
        entries = appeals.write_record(paths.out, filed, original.files(), scored.files(), excluded)
        extra = appeal_sheets(entries, appeals.compare_totals(original.result.totals, scored.result.totals), labels)
    write_scores(paths.out, scored.result, scored.panel_detail, labels, extra)


@dataclass
class Scored:
    """The scoring stage's results from one folder of canonical tables."""

    coverage: pd.DataFrame
    indicators: pd.DataFrame
    dissatisfaction: pd.DataFrame
    panel_detail: pd.DataFrame
    result: EvaluationScores
    extra: pd.DataFrame  # the sums of compare/extra_terms.py's extra terms (moments.csv, channels.csv)

    def files(self) -> dict[str, pd.DataFrame]:
        return {"scores": self.result.scores, "totals": self.result.totals, "indicators": self.indicators}


def score_data(
    root: Path, ev: Evaluation, paths: Paths, data_dir: Path, data_version: int, stage: Progress = quiet
) -> Scored:
    """Measure, gate and score the canonical tables in `data_dir` (the uploaded ones, or those after appeals)."""
    stage("measure")
    catalogue = load_catalogue(root)
    schema = load_schema(root)
    con = connect()
    register_tables(con, root, data_dir)
    pause_at("query", con)
    coverage = month_coverage(days_with_data(con, ev, schema), ev)
    check_data_period(coverage, ev)
    quality = load_quality(paths.out)

    def gate(rows: pd.DataFrame) -> pd.DataFrame:
        return apply_gate(rows, quality, catalogue)

    experts = [i for i in ev.active_indicators(catalogue) if i.scoring == "expert_panel"]
    panel, panel_detail = expert.panel(con.execute("SELECT * FROM expert_scores").df(), ev, experts)
    provided = (read_json(paths.out / "ingest.json") or {}).get("provided")
    extra = extra_terms.extra_terms(catalogue, load_comparison_settings(root).channel_indicators)
    measured = measure_all(con, root, ev, provided, extra=extra)
    indicators = gate(pd.concat([measured.indicators, panel], ignore_index=True))
    dissatisfaction = reason_distribution(con, root, ev)
    stage("score")
    ctx = ScoringContext(root, data_dir, ev, catalogue, ev.parameter_values(catalogue), indicators, gate=gate)
    result = score_evaluation(ctx, con.execute("SELECT * FROM units").df(), veto.collect(root, ev, paths.out))
    result.scores = result.scores.assign(data_version=data_version)
    return Scored(coverage, indicators, dissatisfaction, panel_detail, result, measured.extra)


def open_data(root: Path, paths: Paths) -> duckdb.DuckDBPyConnection:
    con = connect()
    register_tables(con, root, paths.data)
    return con


@functools.cache
def code_fingerprint() -> str:
    """The package's version and a hash of its source: results of changed code are never reused."""
    package = Path(__file__).parent
    files = sorted(package.rglob("*.py"))
    return sha256_text(__version__, *(f"{f.relative_to(package)}={sha256_file(f)}" for f in files))


def _param_hashes(root: Path, names: list[str]) -> list[str]:
    out = []
    for name in names:
        path = root / name
        files = sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
        out += [f"{f.relative_to(root)}={sha256_file(f)}" for f in files if f.exists()]
    return out


def _manifest(root: Path, ev: Evaluation, inputs: list[dict], stages: dict, versions: list[dict]) -> dict:
    catalogue = load_catalogue(root)
    return {
        "evaluation": ev.id,
        "package_version": __version__,
        "package_source": code_fingerprint(),
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pandas": pd.__version__,
        "definition": ev.model_dump(mode="json"),
        "parameters": ev.parameter_values(catalogue),
        "params_files": dict(
            h.split("=", 1) for h in _param_hashes(root, INGEST_PARAMS + QUALITY_PARAMS + ANALYSIS_PARAMS)
        ),
        "inputs": inputs,
        "stages": stages,
        "data_version": versions[-1]["version"] if versions else None,
        "versions": versions,
        "appeals": appeals.manifest_entry(root, ev),
    }

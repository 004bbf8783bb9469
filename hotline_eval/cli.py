"""The command line: `hotline-eval <command>`. The Makefile's targets are one call each."""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
import tempfile
import time
import traceback
from pathlib import Path

import click

from hotline_eval import __version__
from hotline_eval.config.definitions import list_evaluations, load_evaluation
from hotline_eval.core.errors import HotlineEvalError
from hotline_eval.core.masking import mask_text
from hotline_eval.core.paramfiles import project_root
from hotline_eval.core.paths import outputs_root

DEFAULT_EVALUATION = "demo-comprehensive"
START = time.monotonic()


def say(message: str) -> None:
    """Progress on the terminal (stderr), with the elapsed time."""
    click.echo(f"[{time.monotonic() - START:6.1f}s] {message}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__)
def cli() -> None:
    """Evaluate 12345 hotlines per the 12345政务服务便民热线服务质量评价规范."""


def evaluation_option(f):
    return click.option(
        "--evaluation",
        "-e",
        default=DEFAULT_EVALUATION,
        show_default=True,
        help="Evaluation id (params/evaluations/<id>.yaml).",
    )(f)


@cli.command()
@evaluation_option
def run(evaluation: str) -> None:
    """Ingest, check, measure and score an evaluation (cached: only what changed is redone)."""
    from hotline_eval.pipeline import prepare

    root = project_root()
    paths = prepare(root, evaluation, say)
    say(f"结果已更新：{paths.out}")


def previous_option(f):
    return click.option(
        "--previous",
        "-p",
        default="",
        help="Earlier evaluation to compare with (较上期); default: the one the definition names, if any.",
    )(f)


def pdf_option(f):
    return click.option(
        "--pdf/--no-pdf", default=None, help="Require (or skip) the PDF; default: when a PDF engine exists."
    )(f)


def _prepare(root: Path, evaluation: str, previous: str) -> None:
    """Bring the evaluation (and the one it is compared with) up to date."""
    from hotline_eval.pipeline import prepare
    from hotline_eval.report.previous import previous_id

    prepare(root, evaluation, say)
    earlier = previous_id(load_evaluation(root, evaluation), previous)
    if earlier:
        say(f"上期评价：{load_evaluation(root, earlier).name_zh}")
        prepare(root, earlier, say)


@cli.command()
@evaluation_option
@click.option("--city", "-c", default="", help="City id; default: every city, one line each.")
@click.option("--strict", is_flag=True, help="Exit with status 1 when a quality gate fails (for scripts and CI).")
def check(evaluation: str, city: str, strict: bool) -> None:
    """Assess the data quality alone (§5.2.7) and print a readable summary (ingests first when needed)."""
    from hotline_eval.config.catalogue import load_catalogue
    from hotline_eval.pipeline import prepare
    from hotline_eval.quality import failures, load_quality
    from hotline_eval.quality.summary import QualityLabels, city_summary, province_summary

    root = project_root()
    ev = load_evaluation(root, evaluation)
    if city:
        ev.check_city(city)
    paths = prepare(root, evaluation, say, until="quality")
    quality = load_quality(paths.out)
    catalogue, labels = load_catalogue(root), QualityLabels(root)
    if city:
        quality = quality[quality["city"] == city]
        lines = city_summary(quality, ev, catalogue, city, labels)
    else:
        lines = province_summary(quality, ev, catalogue, labels)
    click.echo("\n".join(lines))
    details, examples = (_shown(paths.out / name, root) for name in ("quality.csv", "quality_examples.csv"))
    say(f"明细：{details}；问题记录示例：{examples}")
    if strict and len(failures(quality)):
        sys.exit(1)


@cli.command()
@evaluation_option
@click.option("--city", "-c", default="", help="City id; default: the evaluation's first city.")
@pdf_option
@previous_option
def report(evaluation: str, city: str, pdf: bool | None, previous: str) -> None:
    """Render one city's evaluation report (HTML, and PDF when a PDF engine is available)."""
    from hotline_eval.report.city import render_city

    root = project_root()
    ev = load_evaluation(root, evaluation)
    city = ev.check_city(city) if city else ev.city_ids()[0]
    _prepare(root, evaluation, previous)
    say(f"生成报告：{ev.city_name(city)}")
    written = render_city(root, evaluation, city, pdf=pdf, previous=previous)
    for kind, path in written.items():
        say(f"{kind}: {_shown(path, root)}")
    _pdf_hint(written, pdf)
    _refresh_index(root, evaluation, city)


@cli.command()
@evaluation_option
@click.option("--workers", "-j", type=int, default=None, help="Parallel reports; default: the available cores.")
@pdf_option
@previous_option
def reports(evaluation: str, workers: int | None, pdf: bool | None, previous: str) -> None:
    """Render every city's report in parallel and write outputs/<evaluation>/index.html."""
    from hotline_eval.core.errors import RenderError
    from hotline_eval.report.batch import render_all
    from hotline_eval.report.index import write_index

    root = project_root()
    _prepare(root, evaluation, previous)
    outcomes = render_all(root, evaluation, workers=workers, pdf=pdf, previous=previous, progress=say)
    index = write_index(root, evaluation, outcomes)
    say(f"索引：{_shown(index, root)}")
    for outcome in outcomes:
        if outcome.ok:
            _pdf_hint(outcome.files, pdf)
            break
    failed = [o for o in outcomes if not o.ok]
    if failed:
        detail = "\n".join(f"  {o.city}: {o.error}" for o in failed)
        raise RenderError(f"{len(failed)} of {len(outcomes)} city reports failed (the others are done):\n{detail}")


@cli.command()
@evaluation_option
@pdf_option
@previous_option
def bulletin(evaluation: str, pdf: bool | None, previous: str) -> None:
    """Render the province bulletin (通报, §5.2.5): ranking, dimensions, changes, highlights, laggards."""
    from hotline_eval.report.bulletin import render_bulletin
    from hotline_eval.report.index import write_index

    root = project_root()
    _prepare(root, evaluation, previous)
    say("生成通报")
    written = render_bulletin(root, evaluation, pdf=pdf, previous=previous)
    for kind, path in written.items():
        say(f"{kind}: {_shown(path, root)}")
    write_index(root, evaluation)
    _pdf_hint(written, pdf)


@cli.command()
@evaluation_option
@pdf_option
def plan(evaluation: str, pdf: bool | None) -> None:
    """Render the evaluation plan (评价方案, §5.2.3) published before collection: needs no data."""
    from hotline_eval.report.plan import render_plan

    root = project_root()
    load_evaluation(root, evaluation)
    say("生成评价方案")
    written = render_plan(root, evaluation, pdf=pdf)
    for kind, path in written.items():
        say(f"{kind}: {_shown(path, root)}")
    _pdf_hint(written, pdf)


@cli.command()
@evaluation_option
@click.option("--seed", type=int, default=None, help="Random seed of the draw (default: params/fieldwork.yaml).")
@click.option("--experts", type=int, default=None, help="Expert score sheets to write (default: the panel minimum).")
@click.option("--round", "round_", type=int, default=1, show_default=True, help="Scoring round of the expert sheets.")
def fieldwork(evaluation: str, seed: int | None, experts: int | None, round_: int) -> None:
    """Draw the review samples (§7.2) and write the review forms and expert score sheets (§7.3)."""
    from hotline_eval.cycle.fieldwork.design import load_design
    from hotline_eval.cycle.fieldwork.kit import make_kit
    from hotline_eval.pipeline import prepare

    root = project_root()
    paths = prepare(root, evaluation, say, until="ingest")
    kit = make_kit(root, evaluation, paths, seed=seed, experts=experts, round_=round_, progress=say)
    summary = kit.draw.summary
    ev, design = load_evaluation(root, evaluation), load_design(root)
    for frame, part in summary.groupby("frame", sort=False) if len(summary) else ():
        drawn = part[part["sample"] > 0]
        low, high = int(drawn["sample"].min()), int(drawn["sample"].max())
        line = f"{design.frames[frame].zh}：{len(drawn)}个市，每市{low if low == high else f'{low}—{high}'}件"
        line += f"，抽样误差不超过±{drawn['half_width'].max() * 100:.1f}个百分点（95%）"
        short = part[part["sample"] < part["minimum"].fillna(0)]
        if len(short):
            line += f"；样本不足最小样本量：{'、'.join(ev.city_name(c) for c in short['city'])}"
        say(line)
    if kit.files:
        say(f"评审工具包（随机种子{kit.seed}）：{_shown(kit.folder, root)}，共{len(kit.files)}个文件")


@cli.command()
@evaluation_option
def appeals(evaluation: str) -> None:
    """Apply the appeal file (§8.2, params/appeals/<evaluation>.yaml): re-score and print the appeal log."""
    from hotline_eval.config.wording import load_wording
    from hotline_eval.cycle.appeals import appeal_file, read_log, read_totals
    from hotline_eval.pipeline import prepare

    root = project_root()
    ev = load_evaluation(root, evaluation)
    path = appeal_file(root, ev.id)
    if not path.exists():
        say(f"没有申诉文件：{_shown(path, root)}（格式见 params/appeals/demo-2026q2.yaml）")
        return
    paths = prepare(root, evaluation, say)
    entries, totals = read_log(paths.out), read_totals(paths.out)
    words = load_wording(root)["appeals"]["outcomes"]
    for _, row in entries.iterrows():
        click.echo(
            f"{row['id']}  {ev.city_name(row['city'])}  {words[row['decision']]}  "
            f"综合得分 {row['total_before']:.2f} → {row['total_after']:.2f}  "
            f"位次 {int(row['rank_before'])} → {int(row['rank_after'])}"
        )
    moved = totals[(totals["change"].abs() > 1e-9) | (totals["rank_before"] != totals["rank_after"])]
    say(f"申诉截止日期：{entries['deadline'].iloc[0] if len(entries) else '—'}；得分变化的城市：{len(moved)}个")
    say(f"申诉记录：{_shown(paths.out / 'appeals.csv', root)}；原始结果：scores_original.csv、totals_original.csv")


def _refresh_index(root: Path, evaluation: str, city: str) -> None:
    """After one city's report: record its success and update the index if there is one."""
    from hotline_eval.report.batch import Outcome, record_outcomes
    from hotline_eval.report.index import write_index
    from hotline_eval.results import load

    out = load(root, evaluation).paths.out
    record_outcomes(out, [Outcome(city, True)])
    if (out / "index.html").exists():
        write_index(root, evaluation)


def _pdf_hint(written: dict[str, Path], pdf: bool | None) -> None:
    if pdf is None and "pdf" not in written:
        say("未生成PDF：未找到PDF引擎（安装 Chromium/Chrome/Edge，或在 Linux 上安装 Pango 以使用 WeasyPrint）")


@cli.command()
@click.option(
    "--evaluation",
    "-e",
    default=DEFAULT_EVALUATION,
    show_default=True,
    help="Evaluation whose sample definition (province, period, seed, scale) to use.",
)
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, help="Folder for the exports.")
@click.option("--scale", type=float, default=None, help="Multiply every volume (default: the evaluation's).")
@click.option("--seed", type=int, default=None, help="Random seed (default: the evaluation's).")
@click.option("--province", default=None, help="Province definition (params/provinces/<id>.yaml).")
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["native", "parquet"]),
    default="native",
    show_default=True,
    help="native: each system's own CSV/GBK/XLSX layout; parquet: for benchmarks.",
)
def sample(
    evaluation: str, out_dir: Path, scale: float | None, seed: int | None, province: str | None, file_format: str
) -> None:
    """Generate the synthetic sample province's exports (deterministic by seed)."""
    from hotline_eval.sample import SampleSpec, generate_sample

    root = project_root()
    ev = load_evaluation(root, evaluation)
    base = ev.data.sample
    spec = SampleSpec(
        province=province or ev.province or "sample",
        start=ev.period.start,
        months=len(ev.period.months),
        seed=seed if seed is not None else (base.seed if base else 1),
        scale=scale or (base.scale if base else 1.0),
        evaluation_id=ev.id,
        file_format=file_format,
    )
    generate_sample(root, spec, out_dir, say)
    say(f"示例数据已写入 {out_dir}")


@cli.command(name="list")
def list_() -> None:
    """List the evaluations and their cities."""
    root = project_root()
    for name in list_evaluations(root):
        ev = load_evaluation(root, name)
        cities = ", ".join(f"{c.id} ({c.name_zh})" for c in ev.cities)
        click.echo(f"{name}: {ev.name_zh}\n  cities: {cities}")


@cli.command()
def schema() -> None:
    """Print the canonical schema as Markdown (the manual's page docs/data/schema.md is generated from it)."""
    from hotline_eval.config.schema import load_schema, schema_markdown

    click.echo(schema_markdown(load_schema(project_root())), nl=False)


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def main() -> None:
    """Entry point: every failure ends in a plain message and an exit code, never a traceback.

    2 — a problem the user can fix (bad params, unreadable input, unknown name, a file that
    cannot be written); 3 — an unexpected error, whose masked traceback goes to a crash log;
    130 — interrupted. Outputs are written atomically, so the same command can simply be rerun.
    """
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("已中止。输出文件均为原子写入，重新运行同一命令即可继续。", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except HotlineEvalError as exc:
        click.echo(f"错误：{mask_text(str(exc))}", err=True)
        sys.exit(2)
    except BrokenPipeError:
        sys.exit(0)  # the reader of our output went away (e.g. `| head`)
    except OSError as exc:  # disk full, no permission, path not found: name the file
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(
            f"错误：{mask_text(where + (exc.strerror or str(exc)))}\n  How to fix: check the path, the free disk space "
            "and the permissions, then run the same command again",
            err=True,
        )
        sys.exit(2)
    except Exception as exc:  # the user never sees a raw traceback
        log = _write_crash_log(exc)
        click.echo(f"内部错误：{type(exc).__name__}: {mask_text(str(exc))}\n详细信息见 {log}", err=True)
        sys.exit(3)


def _write_crash_log(exc: Exception) -> Path | str:
    """The traceback, masked, in outputs/logs (or the system temp folder); never on the terminal."""
    text = mask_text("".join(traceback.format_exception(exc)))
    name = f"crash-{dt.datetime.now():%Y%m%d-%H%M%S}.log"
    for folder in _log_folders():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / name
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            continue
    return "（无法写入日志文件）"


def _log_folders() -> list[Path]:
    folders = []
    with contextlib.suppress(HotlineEvalError):
        folders.append(outputs_root(project_root()) / "logs")
    folders.append(Path(tempfile.gettempdir()) / "hotline-eval-logs")
    return folders


if __name__ == "__main__":
    main()

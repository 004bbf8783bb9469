"""The command line: `hotline-eval <command>`. The Makefile's targets are one call each."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import re
import sys
import tempfile
import time
import traceback
import unicodedata
from pathlib import Path

import click

from hotline_eval import __version__
from hotline_eval.config.definitions import list_evaluations, load_evaluation
from hotline_eval.core import interrupts
from hotline_eval.core.errors import FIX_LABEL, HotlineEvalError
from hotline_eval.core.foreign_errors import foreign_error
from hotline_eval.core.masking import mask_text
from hotline_eval.core.paramfiles import project_root
from hotline_eval.core.paths import outputs_root
from hotline_eval.core.pauses import pause_at

pause_at("import")  # tests interrupt the command here, while it is still being imported

DEFAULT_EVALUATION = "demo-comprehensive"
START = time.monotonic()
WRITTEN_ZH = {"notebook": "笔记本", "html": "HTML", "lint": "文档检查结果", "pdf": "PDF", "docx": "Word"}
FINDINGS_SHOWN = 30  # findings of one document listed on the terminal; the rest are in its .lint.json
OS_ERRORS_ZH = {
    errno.ENOENT: "文件或文件夹不存在",
    errno.EACCES: "没有访问权限",
    errno.EPERM: "没有操作权限",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "文件系统为只读",
    errno.EISDIR: "这是文件夹，不是文件",
    errno.ENOTDIR: "路径中有一部分不是文件夹",
    errno.EEXIST: "文件已存在",
    errno.EMFILE: "打开的文件过多",
    errno.EBUSY: "文件正被其他程序占用",
}


def say(message: str) -> None:
    """Progress on the terminal (stderr), with the elapsed time."""
    click.echo(f"[{time.monotonic() - START:6.1f}s] {message}", err=True)


# ---------------------------------------------------------------------------------------------
# Click in Chinese: the help's headings, the option marks and the usage errors. Docstrings stay
# English for developers; what the user reads comes from help=/short_help= and these classes.


class ChineseHelpFormatter(click.HelpFormatter):
    """Click's help layout with Chinese headings (用法：, 选项：, 命令：), measured in display columns.

    Click counts a character as one column and wraps at spaces; a Chinese character takes two
    columns and a Chinese sentence has no spaces. Definition lists and paragraphs are therefore
    aligned and wrapped here by display width, keeping runs of ASCII (options, paths) whole.
    """

    HEADINGS = {"Options": "选项", "Commands": "命令", "Positional arguments": "参数"}

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{self.HEADINGS.get(heading, heading)}：\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        for paragraph in text.split("\n"):
            for line in wrap_display(paragraph, self.width - self.current_indent):
                self.write(f"{indent}{line}\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first = min(max((display_width(term) for term, _ in rows), default=0), col_max) + col_spacing
        indent = " " * self.current_indent
        for term, text in rows:
            fits = display_width(term) + col_spacing <= first
            head = f"{indent}{term}" + (" " * (first - display_width(term)) if fits else f"\n{indent}{' ' * first}")
            lines = wrap_display(text, max(self.width - self.current_indent - first, 20))
            self.write((head + f"\n{indent}{' ' * first}".join(lines)).rstrip() + "\n")


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap_display(text: str, width: int) -> list[str]:
    """Lines of at most `width` display columns, broken between Chinese characters or at spaces."""
    lines, line = [], ""
    for token in re.findall(r"[!-~]+|\s+|.", text):
        if line.strip() and display_width(line + token.rstrip()) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    return [*lines, line.rstrip()]


class ChineseContext(click.Context):
    formatter_class = ChineseHelpFormatter


class ChineseCommand(click.Command):
    """A command whose usage line and help option speak Chinese."""

    context_class = ChineseContext

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:  # the parser's errors know no command: name it for the usage line
            exc.ctx = exc.ctx or ctx
            raise

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "显示此帮助信息并退出"
        return option


class ChineseGroup(ChineseCommand, click.Group):
    command_class = ChineseCommand

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:  # past Click, which would print an empty line for it
            raise interrupts.Interrupted() from exc


class RequiredOption(click.Option):
    """A required option marked [必填] in the help (Click would append its own "[required]")."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        self.required = False
        try:
            record = super().get_help_record(ctx)
        finally:
            self.required = True
        return None if record is None else (record[0], f"{record[1]}  [必填]")


def usage_problem(exc: click.UsageError) -> str:
    """A usage error in Chinese (Click's own messages are English); an unusual one quotes Click."""
    no_such_command = getattr(click.exceptions, "NoSuchCommand", ())
    if isinstance(exc, click.NoSuchOption | no_such_command):
        name = exc.option_name if isinstance(exc, click.NoSuchOption) else exc.command_name
        near = f"；是否应为 {'、'.join(exc.possibilities)}？" if exc.possibilities else ""
        return f"未知的{'选项' if isinstance(exc, click.NoSuchOption) else '命令'} {name}{near}"
    if isinstance(exc, click.MissingParameter) and exc.param is not None:
        return f"缺少必填的选项 {'/'.join(exc.param.opts)}"
    if isinstance(exc, click.BadParameter) and exc.param is not None:
        return f"选项 {'/'.join(exc.param.opts)} 的取值无效：应为{_type_zh(exc.param.type)}"
    if isinstance(exc, click.BadOptionUsage):
        flag = exc.ctx is not None and any(
            exc.option_name in p.opts and getattr(p, "is_flag", False) for p in exc.ctx.command.params
        )
        return f"选项 {exc.option_name} {'不接受取值' if flag else '须给出一个取值'}"
    return f"命令行用法有误（{exc.format_message()}）"


def _type_zh(kind: click.ParamType) -> str:
    if isinstance(kind, click.Choice):
        return "以下之一：" + "、".join(map(str, kind.choices))
    return {"integer": "整数", "float": "数字", "boolean": "true 或 false"}.get(kind.name, "有效的取值")


def show_usage_error(exc: click.UsageError) -> None:
    lines = [f"错误：{usage_problem(exc)}"]
    if exc.ctx is not None:
        lines.append(exc.ctx.get_usage())
        lines.append(f"  {FIX_LABEL}运行 {exc.ctx.command_path} --help 查看帮助")
    click.echo("\n".join(lines), err=True)


# ---------------------------------------------------------------------------------------------
# The commands


@click.group(
    cls=ChineseGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="按《12345政务服务便民热线服务质量评价规范》评价12345热线：导入数据、评估数据质量、"
    "计算指标与得分、比较各市、生成报告和通报。",
    subcommand_metavar="命令 [参数]...",
)
@click.version_option(__version__, help="显示版本号并退出", message="%(prog)s 版本 %(version)s")
def cli() -> None:
    """Evaluate 12345 hotlines per the 12345政务服务便民热线服务质量评价规范."""


def evaluation_option(f):
    return click.option(
        "--evaluation",
        "-e",
        default=DEFAULT_EVALUATION,
        metavar="评价标识",
        help=f"评价标识（params/evaluations/<评价标识>.yaml），默认 {DEFAULT_EVALUATION}",
    )(f)


@cli.command(
    help="导入数据、评估数据质量、计算指标并评分（有缓存：只重做有变化的部分）。",
    short_help="导入、检查、计算并评分",
)
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
        metavar="评价标识",
        help="用于比较（较上期）的上期评价；默认取评价定义中指定的上期评价（如有）",
    )(f)


def pdf_option(f):
    f = click.option("--pdf/--no-pdf", default=None, help="要求（或不要）生成PDF；默认：有PDF引擎时生成")(f)
    return click.option(
        "--docx/--no-docx", default=None, help="生成（或不生成）Word文档（.docx）；默认：按评价定义的 documents.docx"
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


@cli.command(
    help="单独评估数据质量（§5.2.7），输出易读的摘要（需要时先导入数据）。",
    short_help="评估数据质量（§5.2.7）",
)
@evaluation_option
@click.option("--city", "-c", default="", metavar="城市标识", help="城市标识；默认检查全部城市，每市一行")
@click.option("--strict", is_flag=True, help="有数据质量门槛检查未通过时以状态码 1 退出（供脚本和持续集成使用）")
def check(evaluation: str, city: str, strict: bool) -> None:
    """Assess the data quality alone (§5.2.7) and print a readable summary (ingests first when needed)."""
    from hotline_eval.config.catalogue import load_catalogue
    from hotline_eval.config.wording import load_wording
    from hotline_eval.pipeline import prepare
    from hotline_eval.quality import failures, load_quality
    from hotline_eval.quality.summary import QualityLabels, city_summary, policy_changes, province_summary

    root = project_root()
    ev = load_evaluation(root, evaluation)
    if city:
        ev.check_city(city)
    paths = prepare(root, evaluation, say, until="quality")
    quality = load_quality(paths.out)
    catalogue, labels = load_catalogue(root), QualityLabels(root, ev)
    if city:
        quality = quality[quality["city"] == city]
        lines = city_summary(quality, ev, catalogue, city, labels)
    else:
        lines = province_summary(quality, ev, catalogue, labels)
    if ev.quality:
        words = load_wording(root, ev.labels)["quality_rules"]
        lines.append(words["policy"].format(changes="；".join(policy_changes(labels, ev, words))))
    click.echo("\n".join(lines))
    details, examples = (_shown(paths.out / name, root) for name in ("quality.csv", "quality_examples.csv"))
    say(f"明细：{details}；问题记录示例：{examples}")
    if strict and len(failures(quality)):
        sys.exit(1)


@cli.command(
    help="生成一个城市的评价报告（HTML；有PDF引擎时同时生成PDF）。",
    short_help="生成一个城市的评价报告",
)
@evaluation_option
@click.option("--city", "-c", default="", metavar="城市标识", help="城市标识；默认为该评价的第一个城市")
@pdf_option
@previous_option
def report(evaluation: str, city: str, pdf: bool | None, docx: bool | None, previous: str) -> None:
    """Render one city's evaluation report (HTML, and PDF when a PDF engine is available)."""
    from hotline_eval.report.city import render_city

    root = project_root()
    ev = load_evaluation(root, evaluation)
    city = ev.check_city(city) if city else ev.city_ids()[0]
    _prepare(root, evaluation, previous)
    say(f"生成报告：{ev.city_name(city)}")
    written = render_city(root, evaluation, city, pdf=pdf, docx=docx, previous=previous)
    _say_written(written, root)
    _say_findings(written, root)
    _pdf_hint(written, pdf)
    _refresh_index(root, evaluation, city)


@cli.command(
    help="并行生成全部城市的报告，并写出索引页 outputs/<评价标识>/index.html。",
    short_help="生成全部城市的报告及索引页",
)
@evaluation_option
@click.option(
    "--workers", "-j", type=int, default=None, metavar="数量", help="同时生成的报告数；默认为可用的处理器核数"
)
@pdf_option
@previous_option
def reports(evaluation: str, workers: int | None, pdf: bool | None, docx: bool | None, previous: str) -> None:
    """Render every city's report in parallel and write outputs/<evaluation>/index.html."""
    from hotline_eval.core.errors import RenderError
    from hotline_eval.report.batch import render_all
    from hotline_eval.report.index import write_index

    root = project_root()
    _prepare(root, evaluation, previous)
    outcomes = render_all(root, evaluation, workers=workers, pdf=pdf, docx=docx, previous=previous, progress=say)
    index = write_index(root, evaluation, outcomes)
    say(f"索引：{_shown(index, root)}")
    ev = load_evaluation(root, evaluation)
    for outcome in outcomes:
        _say_findings(outcome.files, root, shown=0, document=f"{ev.city_name(outcome.city)}的报告")
    for outcome in outcomes:
        if outcome.ok:
            _pdf_hint(outcome.files, pdf)
            break
    failed = [o for o in outcomes if not o.ok]
    if failed:
        detail = "\n".join(f"  {o.city}：{o.error}" for o in failed)
        raise RenderError(f"{len(outcomes)}个城市的报告中有{len(failed)}个生成失败（其余已完成）：\n{detail}")


@cli.command(
    help="生成全省通报（§5.2.5）：排名、各维度、变化、亮点与后进。",
    short_help="生成全省通报（§5.2.5）",
)
@evaluation_option
@pdf_option
@previous_option
def bulletin(evaluation: str, pdf: bool | None, docx: bool | None, previous: str) -> None:
    """Render the province bulletin (通报, §5.2.5): ranking, dimensions, changes, highlights, laggards."""
    from hotline_eval.report.bulletin import render_bulletin
    from hotline_eval.report.index import write_index

    root = project_root()
    _prepare(root, evaluation, previous)
    say("生成通报")
    written = render_bulletin(root, evaluation, pdf=pdf, docx=docx, previous=previous)
    _say_written(written, root)
    _say_findings(written, root)
    write_index(root, evaluation)
    _pdf_hint(written, pdf)


@cli.command(
    help="生成评价方案（§5.2.3），于数据采集前发布，无需数据。",
    short_help="生成评价方案（§5.2.3）",
)
@evaluation_option
@pdf_option
def plan(evaluation: str, pdf: bool | None, docx: bool | None) -> None:
    """Render the evaluation plan (评价方案, §5.2.3) published before collection: needs no data."""
    from hotline_eval.report.plan import render_plan

    root = project_root()
    load_evaluation(root, evaluation)
    say("生成评价方案")
    written = render_plan(root, evaluation, pdf=pdf, docx=docx)
    _say_written(written, root)
    _say_findings(written, root)
    _pdf_hint(written, pdf)


@cli.command(
    help="抽取评审样本（§7.2），生成评审表和专家评分表（§7.3）。",
    short_help="抽样并生成评审工具包（§7.2、§7.3）",
)
@evaluation_option
@click.option(
    "--seed", type=int, default=None, metavar="整数", help="抽样的随机种子；默认取 params/fieldwork.yaml 中的设置"
)
@click.option("--experts", type=int, default=None, metavar="数量", help="专家评分表的份数；默认为专家组的最少人数")
@click.option("--round", "round_", type=int, default=1, metavar="轮次", help="专家评分表的评分轮次，默认 1")
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


@cli.command(
    help="应用申诉文件（§8.2，params/appeals/<评价标识>.yaml）：重新计分并列出申诉记录。",
    short_help="处理申诉并重新计分（§8.2）",
)
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


def _say_written(written: dict[str, Path], root: Path) -> None:
    for kind, path in written.items():
        say(f"{WRITTEN_ZH.get(kind, kind)}：{_shown(path, root)}")


def _say_findings(written: dict[str, Path], root: Path, shown: int = FINDINGS_SHOWN, document: str = "文档") -> None:
    """The document linter's findings (report/lint.py) as warnings on the terminal: the first `shown`
    of them one per line, then how many more there are and where all of them are."""
    from hotline_eval.report.lint import read_findings

    if "lint" not in written:
        return
    findings = read_findings(written["lint"])
    if not findings and shown:
        say("文档检查：未发现问题")
    for finding in findings[:shown]:
        click.echo(f"警告：{finding.line()}", err=True)
    if len(findings) > shown:
        more = f"另有{len(findings) - shown}处" if shown else f"{document}有{len(findings)}处"
        say(f"文档检查：{more}问题，见 {_shown(written['lint'], root)}")


def _pdf_hint(written: dict[str, Path], pdf: bool | None) -> None:
    if pdf is None and "pdf" not in written:
        say("未生成PDF：未找到PDF引擎（安装 Chromium/Chrome/Edge，或在 Linux 上安装 Pango 以使用 WeasyPrint）")


@cli.command(
    help="生成示例省份的模拟导出数据（随机种子相同则结果相同）。",
    short_help="生成示例省份的模拟数据",
)
@click.option(
    "--evaluation",
    "-e",
    default=DEFAULT_EVALUATION,
    metavar="评价标识",
    help=f"使用该评价的示例数据设置（省份、周期、随机种子、规模），默认 {DEFAULT_EVALUATION}",
)
@click.option(
    "--out",
    "out_dir",
    cls=RequiredOption,
    type=click.Path(path_type=Path),
    required=True,
    metavar="文件夹",
    help="导出文件的输出文件夹",
)
@click.option("--scale", type=float, default=None, metavar="倍数", help="全部数据量乘以该倍数；默认取评价中的设置")
@click.option("--seed", type=int, default=None, metavar="整数", help="随机种子；默认取评价中的设置")
@click.option(
    "--province",
    default=None,
    metavar="省份标识",
    help="省份定义（params/provinces/<省份标识>.yaml）；默认取评价中的设置",
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["native", "parquet"]),
    default="native",
    help="native：各系统自己的 CSV/GBK/XLSX 格式；parquet：用于基准测试。默认 native",
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


@cli.command(name="list", help="列出全部评价及其城市。", short_help="列出全部评价及其城市")
def list_() -> None:
    """List the evaluations and their cities."""
    root = project_root()
    for name in list_evaluations(root):
        ev = load_evaluation(root, name)
        cities = "、".join(f"{c.id}（{c.name_zh}）" for c in ev.cities)
        click.echo(f"{name}：{ev.name_zh}\n  城市：{cities}")


@cli.command(
    help="以 Markdown 格式输出规范数据结构（使用手册的 docs/data/schema.md 即由此生成）。",
    short_help="输出规范数据结构（Markdown）",
)
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
    cannot be written, a DuckDB, pyarrow or PDF-engine error about the data or the machine:
    core/foreign_errors.py); 3 — an unexpected error, whose masked traceback goes to a crash log;
    130 — interrupted (core/interrupts.py), whatever the interruption caused on the way out.
    A run publishes its results all at once at its end (core/publish.py), so a failed or interrupted
    one leaves the previous results, and the same command can simply be rerun.
    """
    try:
        cli.main(standalone_mode=False)
    except BaseException as exc:
        if interrupts.requested() or interrupts.is_interruption(exc) or isinstance(exc, click.exceptions.Abort):
            interrupts.leave()
        if isinstance(exc, SystemExit):
            raise
        sys.exit(_failed(exc))
    if interrupts.requested():
        interrupts.leave()


def _failed(exc: BaseException) -> int:
    """Say what went wrong; the exit code."""
    if isinstance(exc, click.UsageError):
        if isinstance(exc, getattr(click.exceptions, "NoArgsIsHelpError", ())):
            exc.show()  # the group's help, for `hotline-eval` alone
        else:
            show_usage_error(exc)
        return exc.exit_code
    if isinstance(exc, click.ClickException):
        click.echo(f"错误：{exc.format_message()}", err=True)
        return exc.exit_code
    if isinstance(exc, BrokenPipeError):
        return 0  # the reader of our output went away (e.g. `| head`)
    user_error = exc if isinstance(exc, HotlineEvalError) else foreign_error(exc)
    if user_error is not None:
        click.echo(f"错误：{mask_text(str(user_error))}", err=True)
        return 2
    if isinstance(exc, OSError):  # disk full, no permission, path not found: name the file
        click.echo(
            f"错误：{mask_text(os_problem(exc))}\n  {FIX_LABEL}请检查路径、磁盘剩余空间和权限，然后重新运行同一命令",
            err=True,
        )
        return 2
    if not isinstance(exc, Exception):
        raise exc
    log = _write_crash_log(exc)  # the user never sees a raw traceback
    click.echo(
        f"内部错误：{type(exc).__name__}: {mask_text(str(exc))}\n  详细信息（已脱敏）见 {log}\n"
        f"  {FIX_LABEL}这是程序本身的问题，请将该日志文件发给维护人员；"
        "输出文件均为原子写入，修复后重新运行同一命令即可",
        err=True,
    )
    return 3


def os_problem(exc: OSError) -> str:
    """The file and what went wrong, in Chinese for the common errors (the system's own words otherwise)."""
    where = f"{exc.filename}：" if exc.filename else ""
    return where + (OS_ERRORS_ZH.get(exc.errno or 0) or exc.strerror or str(exc))


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

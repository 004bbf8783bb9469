"""The command line speaks Chinese: errors, fixes, pydantic's complaints, help and usage errors.

What the user must type or find stays literal (paths, keys, ids, commands); everything else on
the terminal is Chinese. A failing command prints "错误：…" and, where there is a fix, a
"处理建议：" line, and never an English sentence.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, PastDate, model_validator

from hotline_eval.core.errors import ConfigError, InputError, InputErrors, UnknownNameError
from hotline_eval.core.paramfiles import load_yaml, validate

QUOTED = re.compile(r"'[^'\n]*'")
TECHNICAL = re.compile(r"[\w-]*[/._=<>{}\\][\w/._=<>{}\\-]*", re.ASCII)  # paths, files, keys
SENTENCE = re.compile(r"\b[A-Za-z]+(?:[ ,;:]+[A-Za-z]+){2,}\b")


def english_sentences(text: str) -> list[str]:
    """Runs of three or more ASCII words outside quoted names, paths and keys."""
    return SENTENCE.findall(TECHNICAL.sub(" ", QUOTED.sub(" ", text)))


def test_the_english_detector_finds_english_and_spares_names():
    assert english_sentences("文件 x.csv：cannot be read as CSV")
    assert english_sentences("错误：Input should be a valid integer")
    assert not english_sentences("文件 params/evaluations/x.yaml，键 'reference.strategy'：应为 'province_best'")
    assert not english_sentences("处理建议：运行 hotline-eval list 查看全部评价（make bench）")


@pytest.fixture(scope="module")
def project(root, tmp_path_factory) -> Path:
    """A copy of the project's params with broken evaluation definitions."""
    project = tmp_path_factory.mktemp("cli-project")
    shutil.copytree(root / "params", project / "params")
    evaluations = project / "params" / "evaluations"
    head = (
        "name_zh: 测试评价\ntype: comprehensive\norganiser_zh: 测试\n"
        "cities: [{id: linjiang, name_zh: 临江市}, {id: qingshan, name_zh: 青山市}]\n"
    )
    folder = "data:\n  inputs:\n    - {dir: exports/none, systems: [vendor-a], city: linjiang}\n"
    period = "period: {start: 2026-07-01, end: 2026-09-30}\n"
    (evaluations / "bad-yaml.yaml").write_text("id: bad-yaml\n" + head + period + folder + "\tgrades: []\n")
    (evaluations / "bad-date.yaml").write_text(
        "id: bad-date\n" + head + "period: {start: 2026-07-01, end: 2026-13-01}\n" + folder
    )
    (evaluations / "bad-value.yaml").write_text(
        "id: bad-value\n" + head + "period: {start: 2026-07-01, end: soon}\n" + folder
    )
    (evaluations / "no-folder.yaml").write_text("id: no-folder\n" + head + period + folder)
    return project


def hotline_eval(project: Path, outputs: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HOTLINE_EVAL_ROOT": str(project), "HOTLINE_EVAL_OUTPUTS": str(outputs)}
    return subprocess.run(
        [sys.executable, "-m", "hotline_eval", *args], capture_output=True, text=True, env=env, timeout=300
    )


@pytest.mark.parametrize(
    ("args", "words", "fix"),
    [
        (["run", "-e", "nope"], ["未知的评价 'nope'", "demo-comprehensive"], True),
        (["check", "-c", "atlantis"], ["未知的城市 'atlantis'", "linjiang"], True),
        (["run", "-e", "bad-yaml"], ["bad-yaml.yaml", "YAML 语法错误，位于第", "制表符"], True),
        (["run", "-e", "bad-date"], ["bad-date.yaml：YAML 内容错误，位于第6行第34列", "无效的日期 '2026-13-01'"], True),
        (["run", "-e", "bad-value"], ["bad-value.yaml，键 'period.end'：应为日期（YYYY-MM-DD），实为 'soon'"], False),
        (["run", "-e", "no-folder"], ["输入文件夹不存在", "exports/none", "data.inputs"], True),
        (["report", "--cty", "linjiang"], ["未知的选项 --cty", "--city", "用法："], True),
        (["reports", "-j", "many"], ["选项 --workers/-j 的取值无效：应为整数"], True),
    ],
)
def test_a_failing_command_explains_itself_in_chinese(project, tmp_path, args, words, fix):
    result = hotline_eval(project, tmp_path, *args)
    err = result.stderr
    assert result.returncode == 2, err
    assert err.startswith("错误：") and "Traceback" not in err + result.stdout
    for word in words:
        assert word in err, err
    assert ("\n  处理建议：" in err) == fix, err
    assert not english_sentences(err), err


def test_help_is_chinese_for_the_program_and_every_command(project, tmp_path):
    main = hotline_eval(project, tmp_path, "--help")
    assert main.returncode == 0 and main.stdout.startswith("用法：") and "命令：" in main.stdout
    commands = re.findall(r"^  ([a-z]+)  ", main.stdout.split("命令：")[1], flags=re.MULTILINE)
    assert {"run", "check", "report", "reports", "bulletin", "plan", "sample", "list"} <= set(commands)
    for command in commands:
        out = hotline_eval(project, tmp_path, command, "--help").stdout
        assert "选项：" in out and "显示此帮助信息并退出" in out, command
        assert not english_sentences(out), (command, english_sentences(out))
    assert "[必填]" in hotline_eval(project, tmp_path, "sample", "--help").stdout


def test_the_help_columns_line_up_in_display_width(project, tmp_path):
    out = hotline_eval(project, tmp_path, "report", "--help").stdout
    options = out.split("选项：\n")[1].splitlines()
    starts = set()
    for line in options:
        _, _, text = line.strip().partition("  ")  # an option line: names, two spaces or more, its help
        if text.strip():
            prefix = line[: line.index(text.strip())]
            starts.add(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in prefix))
    assert len(options) > 4 and len(starts) == 1, out


class Sample(BaseModel):
    model_config = ConfigDict(extra="forbid")
    n: int = Field(1, ge=1)
    share: float = Field(0.5, lt=1)
    name: str = Field("ab", min_length=2, pattern=r"^[a-z]+$")
    rows: list[int] = Field([1], max_length=2)
    strategy: Literal["province_best", "benchmark"] = "benchmark"
    header_row: int | Literal["auto"] = "auto"
    points: dict[str, float | Items] = {}
    day: dt.date = dt.date(2026, 7, 1)
    flag: bool = False


class Items(BaseModel):
    model_config = ConfigDict(extra="forbid")
    level: float


Sample.model_rebuild()


@pytest.mark.parametrize(
    ("data", "key", "problem"),
    [
        ({"n": "many"}, "n", "应为整数，实为 'many'"),
        ({"n": 2.5}, "n", "应为整数，不能带小数部分，实为 2.5"),
        ({"n": 0}, "n", "应不小于 1"),
        ({"share": 1}, "share", "应小于 1"),
        ({"share": "x"}, "share", "应为数字，实为 'x'"),
        ({"flag": "maybe"}, "flag", "应为布尔值（true 或 false），实为 'maybe'"),
        ({"rows": "x"}, "rows", "应为列表，实为 'x'"),
        ({"strategy": True}, "strategy", "应为以下取值之一：'province_best'、'benchmark'，实为 true"),
        ({"strategy": 3}, "strategy", "应为以下取值之一：'province_best'、'benchmark'，实为 3"),
        ({"name": "a"}, "name", "至少应有 2 个字符"),
        ({"name": "ab1"}, "name", "格式不符合要求（应匹配 ^[a-z]+$）"),
        ({"rows": [1, 2, 3]}, "rows", "至多 2 项，实有 3 项"),
        ({"strategy": "best"}, "strategy", "应为以下取值之一：'province_best'、'benchmark'，实为 'best'"),
        ({"header_row": "first"}, "header_row", "应为以下形式之一：整数、'auto'，实为 'first'"),
        ({"points": {"a": {"level": 1, "flux": 2}}}, "points.a.flux", "未知的键（请对照文档检查拼写）"),
        ({"points": {"a": {}}}, "points.a.level", "缺少必填键"),
        ({"points": {"a": "x"}}, "points.a", "应为以下形式之一：数字、键值映射（键: 值），实为 'x'"),
        ({"day": "2026-13-01"}, "day", "应为日期（YYYY-MM-DD），实为 '2026-13-01'"),
        ({"surprise": 1}, "surprise", "未知的键（请对照文档检查拼写）"),
    ],
)
def test_pydantic_errors_are_chinese_and_name_the_key(data, key, problem):
    with pytest.raises(ConfigError) as err:
        validate(Sample, data, Path("params/x.yaml"))
    assert err.value.key == key
    assert str(err.value) == f"文件 params/x.yaml，键 '{key}'：{problem}"


def test_a_validator_speaks_for_itself_and_an_unknown_error_quotes_pydantic():
    class Checked(BaseModel):
        a: int = 0

        @model_validator(mode="after")
        def _positive(self) -> Checked:
            if self.a < 0:
                raise ValueError("a 不能为负数")
            return self

    class Odd(BaseModel):
        born: PastDate = dt.date(2000, 1, 1)

    with pytest.raises(ConfigError, match=r"：a 不能为负数$"):
        validate(Checked, {"a": -1}, Path("x.yaml"))
    with pytest.raises(ConfigError) as err:
        validate(Odd, {"born": "2999-01-01"}, Path("x.yaml"))
    assert "取值无效（校验信息：Date should be in the past）" in str(err.value)


def test_composed_errors_are_chinese():
    assert str(ConfigError("params/a.yaml", "grades", "须从高到低", fix="请改为 …")) == (
        "文件 params/a.yaml，键 'grades'：须从高到低\n  处理建议：请改为 …"
    )
    assert str(ConfigError("params/wording", None, "未找到措辞文件")) == "文件夹 params/wording：未找到措辞文件"
    one = InputError("a.csv", "缺少列", row=12, column="来电时间", fix="请重新导出")
    assert str(one) == "文件 a.csv，第12行，列 '来电时间'：缺少列\n  处理建议：请重新导出"
    both = InputErrors([one, InputError("b.csv", "文件为空")])
    assert str(both) == (
        "共2个输入文件无法读取：\n  1. 文件 a.csv，第12行，列 '来电时间'：缺少列\n     处理建议：请重新导出\n"
        "  2. 文件 b.csv：文件为空"
    )
    unknown = UnknownNameError("mapping", "x", [])
    assert str(unknown) == "未知的映射 'x'。可用的映射标识：（无）" and unknown.kind == "mapping"


def test_a_yaml_syntax_error_names_line_column_and_reason(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("a: 1\nb: c: d\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_yaml(path)
    assert "YAML 语法错误，位于第2行第5列（此处不能出现冒号" in str(err.value)
    assert err.value.fix

"""One exception family. Every error names where the problem is and what to do about it.

The messages are Chinese, as everything the user of the command line reads: "where：problem" and,
when there is one, a "处理建议" line. What the user must type or find (paths, keys, ids, columns)
stays as it is.
"""

from __future__ import annotations

from pathlib import Path

FIX_LABEL = "处理建议："

# The names a user types, in the words of the message that rejects one (UnknownNameError.kind).
NAME_KINDS_ZH = {
    "city": "城市",
    "evaluation": "评价",
    "province": "省份定义",
    "mapping": "映射",
    "indicator": "指标",
}
NAME_FIXES_ZH = {
    "city": "运行 hotline-eval list 查看各评价的城市标识",
    "evaluation": "运行 hotline-eval list 查看全部评价，或在 params/evaluations/ 中新建定义文件",
}


def place(file: Path | str) -> str:
    """ "文件 <path>", or "文件夹 <path>" for a path without a file extension (params/wording, an input folder)."""
    name = str(file)
    folder = not Path(name).suffix and not name.startswith("<")
    return f"{'文件夹' if folder else '文件'} {name}"


class HotlineEvalError(Exception):
    """Base class: a problem the user can fix. The CLI prints it without a traceback."""

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return self.message if not self.fix else f"{self.message}\n  {FIX_LABEL}{self.fix}"


class ConfigError(HotlineEvalError):
    """A params file (YAML) is missing, malformed or refers to something unknown."""

    def __init__(self, file: Path | str, key: str | None, problem: str, *, fix: str | None = None):
        where = place(file) + (f"，键 '{key}'" if key else "")
        super().__init__(f"{where}：{problem}", fix=fix)
        self.file = str(file)
        self.key = key


class InputError(HotlineEvalError):
    """An input data file cannot be read as a whole (encoding, missing columns, empty file)."""

    def __init__(
        self,
        file: Path | str,
        problem: str,
        *,
        row: int | None = None,
        column: str | None = None,
        fix: str | None = None,
    ) -> None:
        parts = [place(file)]
        if row is not None:
            parts.append(f"第{row}行")
        if column is not None:
            parts.append(f"列 '{column}'")
        super().__init__(f"{'，'.join(parts)}：{problem}", fix=fix)
        self.file = str(file)
        self.row = row
        self.column = column


class InputErrors(InputError):
    """Several input files cannot be read: all are listed, so that one round of fixes suffices."""

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = list(errors)
        lines = [f"共{len(self.errors)}个输入文件无法读取："]
        for n, err in enumerate(self.errors, start=1):
            lines.append(f"  {n}. {err.message}" + (f"\n     {FIX_LABEL}{err.fix}" if err.fix else ""))
        HotlineEvalError.__init__(self, "\n".join(lines))
        self.file = self.errors[0].file if self.errors else ""
        self.row = None
        self.column = None


class UnknownNameError(HotlineEvalError):
    """A user-supplied name (city, evaluation, indicator) is not one of the valid ones.

    `kind` is the English id of the kind of name ("city", "evaluation", ...); the message uses its
    Chinese word (NAME_KINDS_ZH).
    """

    def __init__(self, kind: str, name: str, valid: list[str]) -> None:
        word = NAME_KINDS_ZH.get(kind, kind)
        shown = "、".join(valid) if valid else "（无）"
        super().__init__(f"未知的{word} '{name}'。可用的{word}标识：{shown}", fix=NAME_FIXES_ZH.get(kind))
        self.kind = kind
        self.name = name
        self.valid = valid


class PeriodError(HotlineEvalError):
    """The data do not cover the period the evaluation type requires (§5.1.1.3, §5.1.2.3)."""


class RenderError(HotlineEvalError):
    """A report could not be executed or rendered."""


class StorageError(HotlineEvalError):
    """A file or folder cannot be read or written: the disk is full, another program deleted or locked it,
    there is no permission. Raised for the libraries' own reports of it (core/foreign_errors.py)."""


class MemoryLimitError(HotlineEvalError):
    """The machine's memory (or DuckDB's limit, $HOTLINE_EVAL_MEMORY) does not suffice for the data."""


class DataFormatError(HotlineEvalError):
    """A library cannot read data a user supplied: a file that is not in its format, a value that does not
    convert to its column's type."""

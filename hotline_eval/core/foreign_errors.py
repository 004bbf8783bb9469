"""The libraries' errors a user can act on, as the project's errors (exit 2 instead of a crash log).

DuckDB, pyarrow and the PDF engines (WeasyPrint, and pikepdf reading what an engine printed) report
a full disk, a file another program deleted or locked, a file that is not Parquet, a value that does
not convert, too little memory, in English and sometimes with advice the user cannot follow ("SET
memory_limit=…"). `foreign_error` turns such an error into a Chinese message: the file when the
library names one, the problem, what to do, and the library's own first line in brackets for
support. Everything else — a query the program got wrong, a library's internal error — is a bug and
stays one (cli.py: exit 3 with a crash log).

Classes are recognised by their module and name, so that nothing here imports the libraries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hotline_eval.core.errors import (
    DataFormatError,
    HotlineEvalError,
    MemoryLimitError,
    RenderError,
    StorageError,
    place,
)

ORIGINAL_CHARS = 300
RERUN = "然后重新运行同一命令（已完成的步骤会直接复用）"
RERUN_ALONE = "重新运行同一命令（已完成的步骤会直接复用）"
FIX_SPACE = f"请清理磁盘空间（输出文件夹所在的磁盘和系统临时文件夹），{RERUN}"
FIX_LOCK = f"请关闭正在使用该文件的程序，或等另一次运行结束，{RERUN}"
FIX_MISSING = f"请确认该文件存在且未被移动或删除；若它在 outputs/ 中，{RERUN_ALONE}即会重新生成"
FIX_PERMISSION = f"请检查该文件及其文件夹的访问权限，{RERUN}"
FIX_STORAGE = f"请检查路径、磁盘剩余空间和权限，{RERUN}"
FIX_NOT_PARQUET = f"请重新导出该文件（或在映射中指明其真实格式）；若它在 outputs/ 中，删除它，{RERUN}"
FIX_VALUE = "请在导出文件中修正该值，或在映射（params/mappings/）中为该列设置正确的类型或转换，然后重新运行"
FIX_MEMORY = "请关闭其他占用内存的程序，或将环境变量 HOTLINE_EVAL_MEMORY 设为更大的值（如 4GB），然后重新运行"
FIX_PDF = (
    "请重新运行；仍然失败时换用另一个PDF引擎（环境变量 REPORT_PDF_ENGINE=chromium 或 weasyprint），"
    "或加 --no-pdf 只生成HTML"
)
FIX_WEASYPRINT = (
    "WeasyPrint 需要系统的 Pango 库（Debian：apt-get install libpango-1.0-0 libpangoft2-1.0-0）；"
    "也可安装 Chromium 系浏览器，或加 --no-pdf 只生成HTML"
)

DUCKDB = {"_duckdb", "duckdb"}
PYARROW = {"pyarrow.lib", "pyarrow"}
QUOTED = re.compile(r"""["']([^"'\n]+)["']""")
LIBRARY_NAMES = {"_duckdb": "DuckDB", "duckdb": "DuckDB", "pyarrow": "pyarrow", "weasyprint": "WeasyPrint"}


@dataclass(frozen=True)
class Rule:
    """Errors of `modules` whose class (or a base) is one of `classes` (None: any class the module defines)
    and whose message matches `pattern`. `library` names the library in the message (default: by module)."""

    modules: set[str]
    classes: set[str] | None
    pattern: str
    kind: type[HotlineEvalError]
    problem: str
    fix: str
    library: str = ""

    def matches(self, exc: BaseException) -> bool:
        if self.classes is None:
            known = type(exc).__module__.split(".")[0] in self.modules
        else:
            known = any(k.__module__ in self.modules and k.__name__ in self.classes for k in type(exc).__mro__)
        return known and re.search(self.pattern, str(exc), flags=re.I | re.S) is not None


RULES = [
    # DuckDB: the machine and the files
    Rule(
        DUCKDB,
        {"IOException", "OutOfMemoryException"},
        r"no space left on device|disk (is )?full",
        StorageError,
        "磁盘空间不足",
        FIX_SPACE,
    ),
    Rule(DUCKDB, {"IOException"}, r"lock", StorageError, "文件正被其他程序占用（已加锁）", FIX_LOCK),
    Rule(
        DUCKDB,
        {"IOException"},
        r"permission denied|read-only file system",
        StorageError,
        "没有访问权限，或文件系统为只读",
        FIX_PERMISSION,
    ),
    Rule(
        DUCKDB,
        {"IOException"},
        r"no such file|no files found|does not exist|cannot open file",
        StorageError,
        "文件不存在或无法打开（可能已被其他程序删除或移动）",
        FIX_MISSING,
    ),
    Rule(
        DUCKDB,
        {"IOException", "InvalidInputException"},
        r"magic bytes|too small to be a parquet|not a parquet",
        DataFormatError,
        "不是有效的 Parquet 文件（文件已损坏，或并非 Parquet 格式）",
        FIX_NOT_PARQUET,
    ),
    Rule(DUCKDB, {"IOException"}, r".", StorageError, "读写文件失败", FIX_STORAGE),
    Rule(DUCKDB, {"OutOfMemoryException"}, r".", MemoryLimitError, "内存不足，无法处理这些数据", FIX_MEMORY),
    # DuckDB: the data
    Rule(DUCKDB, {"ConversionException"}, r".", DataFormatError, "数据中有无法转换为所需类型的值", FIX_VALUE),
    Rule(
        DUCKDB,
        {"InvalidInputException"},
        r"csv error|invalid unicode|utf-?8|could not convert|file '",
        DataFormatError,
        "输入数据无法读取",
        FIX_VALUE,
    ),
    # pyarrow
    Rule(
        PYARROW,
        {"ArrowInvalid", "ArrowIOError"},
        r"parquet magic bytes|parquet file size|not a parquet",
        DataFormatError,
        "不是有效的 Parquet 文件（文件已损坏，或并非 Parquet 格式）",
        FIX_NOT_PARQUET,
    ),
    Rule(
        PYARROW,
        {"ArrowInvalid", "ArrowTypeError"},
        r"could not convert|tried to convert",
        DataFormatError,
        "数据中有无法转换为所需类型的值",
        FIX_VALUE,
    ),
    Rule(PYARROW, {"ArrowMemoryError"}, r".", MemoryLimitError, "内存不足，无法处理这些数据", FIX_MEMORY),
    # the PDF engines
    Rule({"weasyprint"}, None, r".", RenderError, "PDF引擎 WeasyPrint 无法生成PDF", FIX_PDF),
    Rule(
        {"builtins"},
        {"OSError"},
        r"cannot load library '?(lib)?(pango|gobject|harfbuzz|fontconfig)",
        RenderError,
        "PDF引擎 WeasyPrint 缺少所需的系统库",
        FIX_WEASYPRINT,
        "WeasyPrint",
    ),
    Rule(
        {"pikepdf._core", "pikepdf"},
        {"PdfError"},
        r".",
        RenderError,
        "PDF引擎生成的PDF无法读取（文件不完整或已损坏）",
        FIX_PDF,
        "pikepdf",
    ),
]


def foreign_error(exc: BaseException) -> HotlineEvalError | None:
    """The project's error for a library's error the user can act on; None for anything else (a bug)."""
    for rule in RULES:
        if rule.matches(exc):
            file = named_file(str(exc))
            where = f"{place(file)}：" if file else ""
            library = rule.library or _library(exc)
            error = rule.kind(f"{where}{rule.problem}（{library}：{original_line(exc)}）", fix=rule.fix)
            error.__cause__ = exc
            return error
    return None


def named_file(message: str) -> str | None:
    """The first quoted path in a library's message ('/data/x.parquet', "C:\\exports\\a.csv")."""
    for candidate in QUOTED.findall(message):
        if "/" in candidate or "\\" in candidate or re.search(r"\.[A-Za-z0-9]{1,8}$", candidate):
            return candidate
    return None


def original_line(exc: BaseException) -> str:
    """The library's first line, without the advice that follows it (options the user cannot set)."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    first = re.split(r"\s+(?:See also|Possible solutions|HINT)\b", first)[0]
    return first if len(first) <= ORIGINAL_CHARS else first[: ORIGINAL_CHARS - 1] + "…"


def _library(exc: BaseException) -> str:
    module = type(exc).__module__
    return LIBRARY_NAMES.get(module) or LIBRARY_NAMES.get(module.split(".")[0]) or module.split(".")[0]

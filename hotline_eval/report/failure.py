"""When a document's notebook fails: which section, what went wrong in plain words, on what data.

The partial notebook Papermill keeps (`.partial-<name>.ipynb`) is read to find the failing cell, the
notebook it came from (render.combine marks each cell) and the last heading the document showed
before it; the caller says what the data are like (`situation`), so that the message can be
reproduced without the data. The partial notebook stays for audit.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat

from hotline_eval.core.errors import RenderError

SOURCE_KEY = "hotline_notebook"  # cell metadata: the notebook a combined cell came from
HEADING = re.compile(r"<h([1-4])\b[^>]*>(.*?)</h\1>", re.S)
TAG = re.compile(r"<[^>]+>")

# What an exception means to a reader, in plain words (the exception itself follows in brackets).
PLAIN = {
    "KeyError": "找不到需要的项目（数据中没有这一项，或措辞文件 params/wording 缺少这一条）",
    "IndexError": "需要的数据行不存在（数据为空或少于预期）",
    "ValueError": "数据的取值或数量不符合计算或制图的要求",
    "ZeroDivisionError": "计算时除数为零（有关数据为空）",
    "TypeError": "数据的类型不符合要求（如缺失值出现在需要数字的地方）",
    "AttributeError": "数据缺少预期的字段",
    "FileNotFoundError": "找不到需要读取的结果文件（请先运行 make run）",
}
OTHER = "程序未能处理这种情况"


def failure(partial: Path, ename: str, evalue: str, situation: str = "") -> RenderError:
    """The error to raise for a notebook that failed; `partial` holds what was executed."""
    where, code = _place(partial)
    cause = PLAIN.get(ename, OTHER)
    message = f"{where}未能生成：{cause}（{ename}: {evalue}"
    message += f"；出错的代码：{code}）。" if code else "）。"
    if situation:
        message += f"数据情况：{situation}。"
    message += f"已执行的部分保存在 {partial}，可打开查看出错位置。"
    fix = "这是报告程序没有处理好的数据情况，请将以上信息和该文件发给维护人员；其他文档不受影响"
    return RenderError(message, fix=fix)


def _place(partial: Path) -> tuple[str, str]:
    """(where: 《section》之后的部分（notebooks/…）, the failing cell's first line of code)."""
    try:
        nb = nbformat.read(partial, as_version=4)
    except (OSError, ValueError):
        return "文档", ""
    heading, origin, code = "", "", ""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            origin = cell.get("metadata", {}).get(SOURCE_KEY, "")
            code = next((line.strip() for line in cell.source.splitlines() if line.strip()), "")
            break
        for out in cell.get("outputs", []):
            for m in HEADING.finditer(str(out.get("data", {}).get("text/html", ""))):
                heading = html.unescape(TAG.sub("", m.group(2))).strip()
    section = f"“{heading}”之后的部分" if heading else "文档开头部分"
    return section + (f"（{origin}）" if origin else ""), code

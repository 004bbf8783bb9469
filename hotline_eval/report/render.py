"""Rendering: Papermill executes a document's notebooks, nbconvert turns them into HTML.

A document (the city report, the province bulletin) is the concatenation of the notebooks of one
folder (notebooks/city/*.ipynb, notebooks/bulletin/*.ipynb) in name order, executed in one fresh
kernel with the document's parameters. The HTML has no code and no scripts, embeds its charts and
a subset of the Chinese font, and opens with a cover (or a bulletin header) and a contents page.
report.pdf prints it.
"""

from __future__ import annotations

import html
import re
import tempfile
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import nbformat

from hotline_eval.core import interrupts
from hotline_eval.core.errors import RenderError
from hotline_eval.core.interrupts import kill_group
from hotline_eval.core.store import atomic_write_text
from hotline_eval.report.contents import insert_contents
from hotline_eval.report.failure import SOURCE_KEY, failure
from hotline_eval.report.fonts import subset_font_css

FONT_PLACEHOLDER = "/*CJK_FONT*/"
CELL_TIMEOUT_S = 600


def notebooks_of(root: Path, document: str) -> list[Path]:
    """The notebooks that make up a document, in name order (notebooks/<document>/*.ipynb)."""
    found = sorted((root / "notebooks" / document).glob("*.ipynb"))
    if not found:
        raise RenderError(f"{root / 'notebooks' / document} 中没有笔记本文件（*.ipynb）")
    return found


def combine(notebooks: list[Path]) -> nbformat.NotebookNode:
    """One notebook from several: the first `parameters` cell stays, later ones are dropped.

    It opens with a hidden cell clearing the kernel's namespace, so that a kernel reused from an
    earlier document (a batch worker's, see `Kernel`) starts from the same state as a fresh one:
    only imported modules and their caches remain.
    """
    combined = nbformat.read(notebooks[0], as_version=4)
    for cell in combined.cells:
        cell.metadata[SOURCE_KEY] = _shown(notebooks[0])
    for path in notebooks[1:]:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if "parameters" not in cell.get("metadata", {}).get("tags", []):
                cell.metadata[SOURCE_KEY] = _shown(path)
                combined.cells.append(cell)
    reset = nbformat.v4.new_code_cell("%reset -f", metadata={"tags": ["remove-cell"]})
    combined.cells.insert(0, reset)
    combined.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return combined


def _shown(path: Path) -> str:
    """notebooks/<document>/<name>.ipynb, as a failure message names it."""
    return "/".join(path.parts[-3:])


class Kernel:
    """A Python kernel kept running for several documents (a batch worker renders city after city in
    one kernel, saving the start and the imports each time). Start it with `with Kernel(cwd) as k:`;
    IPC transport, so that kernels starting at once never race for TCP ports."""

    def __init__(self, cwd: Path) -> None:
        from jupyter_client.manager import KernelManager

        self._dir = tempfile.TemporaryDirectory()
        self.cwd = cwd
        self.manager = KernelManager(kernel_name="python3", transport="ipc", ip=str(Path(self._dir.name) / "kernel"))

    def __enter__(self) -> Kernel:
        return self

    def __exit__(self, _kind: object, exc: BaseException | None, _tb: object) -> None:
        if interrupts.requested() or interrupts.is_interruption(exc):
            self.kill()
        else:
            self.shutdown()

    def ready(self) -> Any:
        """The kernel manager, with a live kernel (started, or restarted after a crash)."""
        if not self.manager.has_kernel:
            self.manager.start_kernel(cwd=str(self.cwd), extra_arguments=["--HistoryManager.hist_file=:memory:"])
        elif not self.manager.is_alive():
            self.manager.restart_kernel(now=True)
        return self.manager

    def shutdown(self) -> None:
        if self.manager.has_kernel:
            self.manager.shutdown_kernel(now=True)
        self._dir.cleanup()

    def kill(self) -> None:
        """Stop the kernel at once, without the kernel manager: after an interruption its event loop still
        holds the interrupted execution's tasks, and a shutdown through it would wait for them. The kernel
        runs in its own process group (jupyter_client starts it in a new session): the group is killed."""
        process = getattr(self.manager.provisioner, "process", None) if self.manager.has_kernel else None
        if process is not None:
            kill_group(process)
        if self.manager.connection_file:
            Path(self.manager.connection_file).unlink(missing_ok=True)
        self._dir.cleanup()


def execute(
    notebooks: list[Path],
    output: Path,
    parameters: dict[str, Any],
    cwd: Path,
    kernel: Kernel | None = None,
    situation: str = "",
) -> nbformat.NotebookNode:
    """Execute the combined notebook (in `kernel`, else in a fresh kernel); the executed copy is kept for audit.

    Execution counts are numbered from 1 in the copy, whichever kernel ran it. A failing cell raises a
    RenderError naming the section, the cause and the data (`situation`, report/failure.py).
    """
    import papermill as pm

    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, Kernel(cwd) if kernel is None else nullcontext(kernel) as used:
        source = Path(tmp) / "combined.ipynb"
        nbformat.write(combine(notebooks), source)
        partial = output.with_name(f".partial-{output.name}")
        try:
            executed = pm.execute_notebook(
                str(source),
                str(partial),
                parameters=parameters,
                kernel_name="python3",
                cwd=str(cwd),
                progress_bar=False,
                log_output=False,
                execution_timeout=CELL_TIMEOUT_S,
                km=used.ready(),
            )
        except pm.PapermillExecutionError as exc:
            raise failure(partial, exc.ename, exc.evalue, situation) from exc
    nb = renumbered(executed)
    nbformat.write(nb, partial)
    partial.replace(output)
    return nb


def renumbered(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Execution counts 1, 2, … in cell order (a reused kernel goes on counting from its last document)."""
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code" or cell.get("execution_count") is None:
            continue
        count += 1
        cell.execution_count = count
        for out in cell.get("outputs", []):
            if "execution_count" in out:
                out["execution_count"] = count
    return nb


def to_html(nb: nbformat.NotebookNode, templates: Path, meta: dict[str, Any]) -> str:
    """The executed notebook as a self-contained HTML document (no code, no scripts).

    meta: what the template shows around the notebook's output: `kind` ("report" with a cover,
    "bulletin" with a 通报 header), `title`, and the cover or header fields.
    """
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.from_dict(nb)
    nb.metadata["hotline"] = meta
    for number, cell in enumerate(nb.cells):  # papermill gives its injected cell a random id
        cell.id = f"cell-{number}"
    exporter = HTMLExporter(
        template_name="hotline",
        extra_template_basedirs=[str(templates)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(
            remove_cell_tags={"remove-cell"}, remove_all_outputs_tags={"remove-output"}, enabled=True
        ),
        enabled=True,
    )
    body, _ = exporter.from_notebook_node(nb)
    body = _strip_empty_cells(_strip_stderr(body))
    body = insert_contents(body)
    return embed_font(body)


def embed_font(document: str) -> str:
    """Put the subset of the CJK font that the document needs into its placeholder.

    The subset covers the visible text and the strings that CSS shows (running head, page footer).
    """
    styles = "".join(re.findall(r"<style.*?</style>", document, flags=re.S))
    shown_by_css = "".join(re.findall(r'content:\s*"([^"]*)"', styles))
    text = html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"<style.*?</style>", "", document, flags=re.S)))
    return document.replace(FONT_PLACEHOLDER, subset_font_css(text + shown_by_css), 1)


def _strip_stderr(body: str) -> str:
    """Warnings printed by libraries must never reach a reader."""
    return re.sub(
        r'<div class="jp-RenderedText jp-OutputArea-output" data-mime-type="application/vnd.jupyter.stderr">'
        r".*?</div>",
        "",
        body,
        flags=re.S,
    )


def _strip_empty_cells(body: str) -> str:
    """Cells without output (parameters, setup) leave empty wrappers; drop them."""
    return re.sub(r'<div class="jp-Cell [^"]*jp-mod-noOutputs[^"]*"[^>]*>\s*</div>', "", body)


def write_html(path: Path, document: str) -> None:
    atomic_write_text(path, document)

"""PDF from a report's HTML, with the contents page's page numbers filled in.

Two engines print the same self-contained HTML (docs/documents/pdf-and-batch.md#pdf):

- ``chromium``: an installed Chromium, Chrome or Edge in headless mode (what most laptops have;
  `.ci/run` installs Debian's chromium). Preferred: it synthesises bold for the one-weight font.
- ``weasyprint``: WeasyPrint, installed with the package on Linux (it needs the system's Pango,
  present on ordinary Linux installations), so a fresh Linux machine prints PDFs after
  ``make setup`` alone.

Chromium's print has no CSS ``target-counter``, so the contents page gets its page numbers in two
passes for either engine: print once, read on which page each heading's named destination landed,
write the numbers into the contents and print again (repeated until the numbers are stable; the
number boxes have a fixed width, so one extra pass is the rule). The same pages give the PDF its
bookmarks.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hotline_eval.core.errors import RenderError
from hotline_eval.core.interrupts import kill_group
from hotline_eval.core.store import atomic_write_bytes
from hotline_eval.report.contents import fill_page_numbers, headings

BROWSERS = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "msedge", "microsoft-edge"]
BROWSER_PATHS = [
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
    r"C:\Program Files\Microsoft\Edge\Application\msedge.exe",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
]
MAX_PASSES = 4
BROWSER_TIMEOUT_S = 180
BROWSER_FIX = (
    "请确认该浏览器能正常启动（或将环境变量 REPORT_BROWSER 设为另一个 Chromium 系浏览器），然后重新运行；"
    "也可换用 WeasyPrint（REPORT_PDF_ENGINE=weasyprint），或加 --no-pdf 只生成HTML"
)


@dataclass(frozen=True)
class Engine:
    """A way to print an HTML file to a PDF file."""

    name: str
    label: str
    print_pdf: Callable[[Path, Path], None]


def find_browser() -> str | None:
    """A Chromium-family browser: $REPORT_BROWSER, one on PATH, or a usual install location."""
    env = os.environ.get("REPORT_BROWSER")
    if env:
        return env if Path(env).exists() or shutil.which(env) else None
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return next((p for p in BROWSER_PATHS if Path(p).exists()), None)


def _chromium(browser: str) -> Engine:
    def print_pdf(html: Path, pdf: Path) -> None:
        with tempfile.TemporaryDirectory(prefix="hotline-eval-browser-") as profile:
            target = Path(profile) / "out.pdf"
            command = [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-dev-shm-usage",
                f"--user-data-dir={profile}",
                "--no-pdf-header-footer",
                f"--print-to-pdf={target}",
                html.resolve().as_uri(),
            ]
            try:
                code, said = run_browser(command, Path(profile))
            except subprocess.TimeoutExpired as exc:
                raise RenderError(
                    f"浏览器 {browser} 在{BROWSER_TIMEOUT_S}秒内未能将 {html.name} 打印为PDF", fix=BROWSER_FIX
                ) from exc
            except OSError as exc:
                raise RenderError(f"无法启动浏览器 {browser}（{exc}）", fix=BROWSER_FIX) from exc
            if code != 0 or not target.exists():
                detail = f"（退出码 {code}：{said}）" if said else f"（退出码 {code}）"
                raise RenderError(f"浏览器 {browser} 没有为 {html.name} 生成PDF{detail}", fix=BROWSER_FIX)
            shutil.move(target, pdf)

    return Engine("chromium", f"浏览器（{Path(browser).name}）", print_pdf)


def run_browser(command: list[str], profile: Path) -> tuple[int, str]:
    """Run the browser in its own process group; its exit code and the last line it wrote to stderr.

    On every way out — done, a timeout, Ctrl-C — the whole group (the browser and the helper processes
    it starts) is killed and waited for, so that nothing outlives the command or still writes into the
    profile folder while it is removed. The browser's own temporary files go into the profile folder.
    """
    env = {**os.environ, "TMPDIR": str(profile), "TMP": str(profile), "TEMP": str(profile)}
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=os.name == "posix",
    )
    try:
        _, err = process.communicate(timeout=BROWSER_TIMEOUT_S)
    finally:
        _kill_group(process)
    lines = [line.strip() for line in err.decode("utf-8", "replace").splitlines() if line.strip()]
    return process.returncode, lines[-1] if lines else ""


def _kill_group(process: subprocess.Popen) -> None:
    kill_group(process)


def _weasyprint_usable() -> bool:
    try:
        import weasyprint  # noqa: F401  (needs the system's Pango; an OSError when it is missing)
    except (ImportError, OSError):
        return False
    return True


def _weasyprint() -> Engine:
    def print_pdf(html: Path, pdf: Path) -> None:
        import weasyprint

        # WeasyPrint warns about CSS it ignores (screen-only rules); a reader never needs that.
        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        logging.getLogger("fontTools").setLevel(logging.ERROR)
        weasyprint.HTML(filename=str(html)).write_pdf(str(pdf))

    return Engine("weasyprint", "WeasyPrint", print_pdf)


def find_engine(name: str | None = None) -> Engine | None:
    """The PDF engine to use: `name`, else $REPORT_PDF_ENGINE, else the first available one."""
    wanted = name or os.environ.get("REPORT_PDF_ENGINE") or ""
    if wanted not in ("", "chromium", "weasyprint"):
        raise RenderError(
            f"未知的PDF引擎 '{wanted}'", fix="请使用 chromium 或 weasyprint（环境变量 REPORT_PDF_ENGINE 或 --engine）"
        )
    if wanted in ("", "chromium"):
        browser = find_browser()
        if browser:
            return _chromium(browser)
    if wanted in ("", "weasyprint") and _weasyprint_usable():
        return _weasyprint()
    return None


NO_ENGINE_FIX = (
    "请安装 Chromium、Chrome 或 Edge（Debian：apt-get install chromium），或将环境变量 REPORT_BROWSER 设为浏览器路径；"
    "在 Linux 上安装系统的 Pango 库后也可使用 WeasyPrint（Debian：apt-get install libpango-1.0-0 libpangoft2-1.0-0）"
)


def to_pdf(html_path: Path, pdf_path: Path, engine: Engine | str | None = None) -> Path:
    """Print the report HTML to PDF with page numbers in its contents page."""
    chosen = engine if isinstance(engine, Engine) else find_engine(engine)
    if chosen is None:
        raise RenderError("未找到PDF引擎（既没有 Chromium 系浏览器，也没有 WeasyPrint）", fix=NO_ENGINE_FIX)
    source = html_path.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        draft_html, draft_pdf = Path(tmp) / "draft.html", Path(tmp) / "draft.pdf"
        pages: dict[str, int] = {}
        for _ in range(MAX_PASSES):
            draft_html.write_text(fill_page_numbers(source, pages), encoding="utf-8")
            chosen.print_pdf(draft_html, draft_pdf)
            found = anchor_pages(draft_pdf)
            if found == pages or not found:
                break
            pages = found
        else:
            raise RenderError(f"{html_path.name} 的目录页码经{MAX_PASSES}轮排版仍未确定")
        atomic_write_bytes(pdf_path, with_bookmarks(draft_pdf, headings(source), pages))
    return pdf_path


def with_bookmarks(pdf: Path, entries: list[tuple[int, str, str]], pages: dict[str, int]) -> bytes:
    """The PDF with bookmarks (the outline a PDF viewer shows): sections and their subsections.

    Written here rather than by the engines: Chromium's own outline repeats headings that open a
    page, and both engines then give the same bookmarks. qpdf (pikepdf) edits the file without
    parsing every object in Python (pypdf took 1.3 s for a 45-page report, this 0.1 s).
    """
    import pikepdf

    with pikepdf.Pdf.open(pdf) as document:
        with document.open_outline() as outline:
            parent = None
            for level, anchor, text in entries:
                if anchor not in pages:
                    continue
                item = pikepdf.OutlineItem(text, pages[anchor] - 1)
                if level == 2 or parent is None:
                    outline.root.append(item)
                    parent = item
                else:
                    parent.children.append(item)
        document.Root.PageMode = pikepdf.Name.UseOutlines
        buffer = io.BytesIO()
        document.save(buffer, deterministic_id=True)
    return buffer.getvalue()


def anchor_pages(pdf: Path) -> dict[str, int]:
    """Page number (1-based) of every named destination in the PDF (the headings the contents link to):
    Chromium writes them in the catalogue's /Dests dictionary, WeasyPrint in the /Names tree."""
    import pikepdf

    with pikepdf.Pdf.open(pdf) as document:
        root = document.Root
        named = [(str(k)[1:], v) for k, v in root.Dests.items()] if "/Dests" in root else []
        if "/Names" in root and "/Dests" in root.Names:
            named += list(pikepdf.NameTree(root.Names.Dests).items())
        index = {page.objgen: number for number, page in enumerate(document.pages, 1)}
        out = {}
        for name, dest in named:
            target = dest.D if isinstance(dest, pikepdf.Dictionary) else dest
            if isinstance(target, pikepdf.Array) and len(target) and target[0].objgen in index:
                out[name] = index[target[0].objgen]
        return out

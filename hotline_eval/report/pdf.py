"""PDF from a report's HTML, with page numbers in the contents page and bookmarks.

Two engines print the same self-contained HTML (docs/documents/pdf-and-batch.md#pdf), the first
available one unless $REPORT_PDF_ENGINE or ``--engine`` chooses:

- ``weasyprint``: WeasyPrint, installed with the package on Linux (it needs the system's Pango,
  present on ordinary Linux installations). The default: one pass in about the time of Chromium's two,
  the fonts embedded as fonts (CID CFF subsets), files a quarter to a half smaller, the same bytes for
  the same HTML.
- ``chromium``: an installed Chromium, Chrome or Edge in headless mode (Windows and macOS laptops
  have one; `.ci/run` installs Debian's chromium). It embeds the fonts as Type 3 glyph procedures,
  which prepress checks flag.

WeasyPrint prints in one pass: the contents' page numbers come from CSS ``target-counter()`` and the
bookmarks from ``bookmark-level`` (report.css). Chromium's print has neither, so it prints twice: once
to learn on which page each heading's named destination landed, then with the numbers written into
the contents (repeated until the numbers are stable; the number boxes have a fixed width, so one
extra pass is the rule); the same pages give the PDF its bookmarks.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
    one_pass: bool = False  # the engine prints the contents' page numbers and the bookmarks itself


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
        with _fixed_font_timestamps():
            weasyprint.HTML(filename=str(html)).write_pdf(str(pdf))

    return Engine("weasyprint", "WeasyPrint", print_pdf, one_pass=True)


@contextmanager
def _fixed_font_timestamps() -> Iterator[None]:
    """The fonts WeasyPrint subsets carry a fixed 'modified' time rather than now (fontTools reads
    SOURCE_DATE_EPOCH), so the same HTML prints to the same bytes; a value the user set is kept."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)


def find_engine(name: str | None = None) -> Engine | None:
    """The PDF engine to use: `name`, else $REPORT_PDF_ENGINE, else the first available one."""
    wanted = name or os.environ.get("REPORT_PDF_ENGINE") or ""
    if wanted not in ("", "chromium", "weasyprint"):
        raise RenderError(
            f"未知的PDF引擎 '{wanted}'", fix="请使用 chromium 或 weasyprint（环境变量 REPORT_PDF_ENGINE 或 --engine）"
        )
    if wanted in ("", "weasyprint") and _weasyprint_usable():
        return _weasyprint()
    if wanted in ("", "chromium"):
        browser = find_browser()
        if browser:
            return _chromium(browser)
    return None


NO_ENGINE_FIX = (
    "在 Linux 上安装系统的 Pango 库即可使用 WeasyPrint（Debian：apt-get install libpango-1.0-0 libpangoft2-1.0-0）；"
    "或安装 Chromium、Chrome 或 Edge（Debian：apt-get install chromium），或将环境变量 REPORT_BROWSER 设为浏览器路径"
)


def to_pdf(html_path: Path, pdf_path: Path, engine: Engine | str | None = None) -> Path:
    """Print the report HTML to PDF with page numbers in its contents page and bookmarks."""
    chosen = engine if isinstance(engine, Engine) else find_engine(engine)
    if chosen is None:
        raise RenderError("未找到PDF引擎（既没有 Chromium 系浏览器，也没有 WeasyPrint）", fix=NO_ENGINE_FIX)
    with tempfile.TemporaryDirectory() as tmp:
        printed = Path(tmp) / "printed.pdf"
        if chosen.one_pass:
            chosen.print_pdf(html_path, printed)
            data = with_bookmarks(printed)
        else:
            data = _print_until_numbers_settle(chosen, html_path, Path(tmp))
        atomic_write_bytes(pdf_path, data)
    return pdf_path


def _print_until_numbers_settle(engine: Engine, html_path: Path, tmp: Path) -> bytes:
    """Print, read each heading's page, write the numbers into the contents, print again until stable."""
    source = html_path.read_text(encoding="utf-8")
    draft_html, draft_pdf = tmp / "draft.html", tmp / "draft.pdf"
    pages: dict[str, int] = {}
    for _ in range(MAX_PASSES):
        draft_html.write_text(fill_page_numbers(source, pages), encoding="utf-8")
        engine.print_pdf(draft_html, draft_pdf)
        found = anchor_pages(draft_pdf)
        if found == pages or not found:
            return with_bookmarks(draft_pdf, headings(source), pages)
        pages = found
    raise RenderError(f"{html_path.name} 的目录页码经{MAX_PASSES}轮排版仍未确定")


def with_bookmarks(
    pdf: Path, entries: list[tuple[int, str, str]] | None = None, pages: dict[str, int] | None = None
) -> bytes:
    """The PDF opening with its bookmarks (the outline a PDF viewer shows) and a fixed file id.

    `entries` (level, anchor, text) and their `pages` are written as sections and subsections; without
    them the engine's own bookmarks are kept (WeasyPrint's, from bookmark-level). Chromium's own outline
    would repeat headings that open a page, hence written here. qpdf (pikepdf) edits the file without
    parsing every object in Python (pypdf took 1.3 s for a 45-page report, this 0.1 s).
    """
    import pikepdf

    with pikepdf.Pdf.open(pdf) as document:
        if entries is not None:
            with document.open_outline() as outline:
                parent = None
                for level, anchor, text in entries:
                    if anchor not in (pages or {}):
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

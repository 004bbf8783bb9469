"""LibreOffice headless for the tests: a .docx as LibreOffice lays it out (PDF). A private fontconfig
file gives it one face only, Noto Sans CJK of the noto-cjk-sans-otc wheel, so that the layout (and a
page's picture) does not depend on the machine's fonts. .ci/run installs LibreOffice (Debian
libreoffice-writer-nogui)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from hotline_eval.report.fonts import font_path


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs libreoffice-writer-nogui")
    return found


def libreoffice_pdf(docx: Path, out: Path) -> Path:
    """docx → out/<stem>.pdf by LibreOffice headless (a fresh profile and font cache under `out`)."""
    out.mkdir(parents=True, exist_ok=True)
    conf = out / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{font_path().parent}</dir><cachedir>{out / 'fontcache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    env = os.environ | {"FONTCONFIG_FILE": str(conf), "HOME": str(out)}
    command = [soffice(), f"-env:UserInstallation=file://{out / 'profile'}", "--headless", "--convert-to", "pdf"]
    subprocess.run([*command, "--outdir", str(out), str(docx)], env=env, check=True, capture_output=True, timeout=300)
    pdf = out / f"{docx.stem}.pdf"
    assert pdf.exists(), f"LibreOffice wrote no PDF for {docx}"
    return pdf


def pdf_text(pdf: Path, last: int | None = None) -> str:
    """The PDF's text (pdftotext), up to page `last`."""
    pages = ["-l", str(last)] if last else []
    return subprocess.run(["pdftotext", *pages, str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def page_count(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(pdf)).pages)


# A page's picture matches its reference when the mean difference of grey levels (0–255) at 30 dpi
# stays under this: a moved block or a lost heading differs by far more; antialiasing by far less.
MEAN_GREY_DIFFERENCE = 6.0


def assert_looks_like(pdf: Path, reference: Path, page: int = 1) -> None:
    """Raster `page` at 30 dpi in grey and compare it with the reference PNG (written, and the test
    failed, when it is missing: look at it, then commit it)."""
    from PIL import Image, ImageChops, ImageStat

    stem = pdf.with_name(f"{pdf.stem}-page")
    subprocess.run(
        ["pdftoppm", "-f", str(page), "-l", str(page), "-r", "30", "-gray", "-png", "-singlefile", str(pdf), str(stem)],
        check=True,
    )
    shown = Image.open(f"{stem}.png").convert("L")
    if not reference.exists():
        reference.parent.mkdir(parents=True, exist_ok=True)
        shown.save(reference)
        pytest.fail(f"no reference picture: wrote {reference}; look at it and commit it")
    expected = Image.open(reference).convert("L")
    assert shown.size == expected.size, f"page size {shown.size} against the reference's {expected.size}"
    difference = ImageStat.Stat(ImageChops.difference(shown, expected)).mean[0]
    assert difference < MEAN_GREY_DIFFERENCE, f"page {page} differs from {reference.name}: mean {difference:.1f}"


def page_holding(pdf: Path, text: str) -> int:
    """The last page (1-based) whose text holds `text`: for a heading, its page (the contents come first)."""
    pages = pdf_text(pdf).split("\f")
    squeezed = "".join(text.split())
    return max(n for n, page in enumerate(pages, 1) if squeezed in "".join(page.split()))


def depth_on_page(pdf: Path, text: str, page: int = -1) -> float:
    """How far down its page (0 top, 1 bottom) the last word holding `text` ends, on `page` (1-based;
    -1 the last page)."""
    import re

    number = page_count(pdf) if page == -1 else page
    bbox = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(number), "-l", str(number), str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', bbox).group(1))
    found = [float(y) for y, word in re.findall(r'yMax="([\d.]+)">([^<]*)</word>', bbox) if text in word]
    assert found, f"'{text}' is not on page {number} of {pdf.name}"
    return found[-1] / height

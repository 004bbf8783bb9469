"""Personal data never reaches an output: phone, ID-card and landline numbers, e-mail addresses, names, addresses.

The sample province's raw exports (outputs/<evaluation>/raw/, the generated inputs) carry callers'
names, mobile numbers, ID-card numbers and addresses. After a full evaluation and a rendered report,
every other file under the evaluation's outputs is scanned: text files as text (embedded images and
fonts removed), Parquet and Excel files cell by cell, PDFs through pdftotext. An output type the
scanner does not know fails the test, so that new outputs are scanned too.

Personal numbers also turn up where no column declares them (issue 17): a unit named with its
contact's mobile number, a phone number typed into the agent-id column. A small province's exports
of all three vendors get such values (mobile, landline, ID-card numbers, e-mail addresses, full-width
digits, spaces) planted in every column that is read as text, of every table; after the pipeline and
a city report no output holds one, not even with its separators removed. (The patterns and the
masking themselves: tests/core/test_masking.py.)
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from hotline_eval.config.mapping import load_mapping
from hotline_eval.config.province import load_province
from hotline_eval.core.masking import find_personal_numbers
from hotline_eval.ingest.discovery import discover
from hotline_eval.ingest.textfiles import detect_encoding

# .lock: the (empty) lock files of runs and readers (core/publish.py)
TEXT = {".csv", ".json", ".html", ".ipynb", ".log", ".txt", ".md", ".key", ".lock"}
IMAGES = {".png", ".svg"}
BASE64_RUN = re.compile(r"[A-Za-z0-9+/=\\n]{120,}")  # embedded images and fonts
ADDRESS = re.compile(r"[\u4e00-\u9fff]{2,}(?:路|街|大道)[0-9]+号")


# ---------------------------------------------------------------------------------------------
# The scanner


@dataclass
class Personal:
    """The personal values of the raw exports."""

    names: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    id_numbers: set[str] = field(default_factory=set)
    addresses: set[str] = field(default_factory=set)

    def values(self) -> set[str]:
        return self.names | self.phones | self.id_numbers | self.addresses


def output_files(folder: Path, skip: tuple[str, ...] = ("raw",)) -> Iterator[tuple[Path, str | None, set[str]]]:
    """Every output under folder as (relative path, its text, its cells); text None: a type the scanner does
    not know."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder)
        if rel.parts[0] in skip:
            continue
        suffix = path.suffix.lower()
        if suffix in IMAGES:
            continue  # charts: drawn from aggregates only
        if suffix in TEXT:
            text = path.read_text(encoding="utf-8-sig", errors="replace")
            cells = _text_cells(path, text)
        elif suffix == ".parquet":
            cells = _parquet_cells(path)
            text = "\n".join(cells)
        elif suffix == ".xlsx":
            cells = _xlsx_cells(path)
            text = "\n".join(cells)
        elif suffix == ".pdf":
            text = _pdf_text(path)
            cells = set()
        elif suffix == ".docx":
            text = _docx_text(path)
            cells = set()
        else:
            yield rel, None, set()
            continue
        yield rel, BASE64_RUN.sub(" ", text), cells


def scan(folder: Path, personal: Personal, skip: tuple[str, ...] = ("raw",)) -> list[str]:
    """Every leak found under folder: 'file: kind value'."""
    leaks = []
    long_names = {n for n in personal.names if len(n) >= 3}
    for rel, text, cells in output_files(folder, skip):
        if text is None:
            leaks.append(f"{rel}: unknown output type (teach the scanner to read it)")
            continue
        # a bare eight-digit number may be a local phone number in a name, but outputs are full of counts and
        # sums that long: local numbers are looked for as planted values (below), not by their pattern
        leaks += [f"{rel}: {kind} {value}" for kind, value in find_personal_numbers(text) if kind != "local_phone"]
        leaks += [f"{rel}: address {m.group()}" for m in ADDRESS.finditer(text)]
        leaks += [f"{rel}: value {v}" for v in sorted(cells & personal.values())]
        leaks += [f"{rel}: name {n}" for n in sorted(_windows(text) & long_names)]
    return leaks


def _windows(text: str) -> set[str]:
    return {text[i : i + n] for n in (3, 4) for i in range(len(text) - n + 1)}


def _text_cells(path: Path, text: str) -> set[str]:
    if path.suffix == ".csv":
        return {c.strip() for row in csv.reader(text.splitlines()) for c in row}
    if path.suffix in (".json", ".ipynb"):
        out: set[str] = set()

        def walk(node):
            if isinstance(node, dict):
                for v in node.values():
                    walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)
            elif isinstance(node, str):
                out.add(node.strip())

        walk(json.loads(text))
        return out
    return set()


def _parquet_cells(path: Path) -> set[str]:
    con = duckdb.connect()
    columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()]
    cells: set[str] = set()
    for column in columns:
        rows = con.execute(f"SELECT DISTINCT CAST(\"{column}\" AS VARCHAR) FROM read_parquet('{path}')").fetchall()
        cells |= {r[0] for r in rows if r[0] is not None}
    return cells


def _xlsx_cells(path: Path) -> set[str]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return {
        str(v).strip()
        for name in wb.sheet_names
        for row in wb.get_sheet_by_name(name).to_python()
        for v in row
        if v not in (None, "")
    }


def _pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("needs pdftotext to read the PDF (.ci/run installs poppler-utils)")
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _docx_text(path: Path) -> str:
    """Every text of a Word file: the text of each XML part (body, headers, footers, properties) and
    the pictures' alternative texts and names."""
    import zipfile

    from lxml import etree

    parts = []
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            if name.endswith(".xml") or name.endswith(".rels"):
                root = etree.fromstring(package.read(name))
                parts.append(" ".join(root.itertext()))
                parts += [v for el in root.iter() for k, v in el.attrib.items() if k in ("descr", "title", "name")]
    return "\n".join(parts)


def raw_personal(root: Path, raw: Path) -> Personal:
    """Names, phones, ID numbers and addresses the generator wrote into the raw exports."""
    found = Personal()
    province = load_province(root, json.loads((raw / "sample.json").read_text(encoding="utf-8"))["province"])
    for city in province.cities:
        for item in discover(root, raw / city.id, [city.system, "province-template"], city.id):
            mapping = load_mapping(root, item.system)
            kinds = dict(mapping.personal_columns)
            tmap = mapping.tables[item.table]
            kinds |= {s.source: "phone" for c in tmap.columns if (s := tmap.source(c)) and s.mask == "phone"}
            for column, values in _raw_columns(item.path, list(kinds)).items():
                target = {
                    "name": found.names,
                    "phone": found.phones,
                    "id_number": found.id_numbers,
                    "address": found.addresses,
                }[kinds[column]]
                target |= {v for v in values if v}
    return found


def _raw_columns(path: Path, columns: list[str]) -> dict[str, list[str]]:
    if path.suffix == ".xlsx":
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(path))
        rows = [
            [str(v) if v not in (None, "") else "" for v in r]
            for r in wb.get_sheet_by_name(wb.sheet_names[0]).to_python()
        ]
    else:
        encoding = detect_encoding(path)
        with path.open(encoding=encoding, newline="") as fh:
            rows = list(csv.reader(fh))
    header_at = next((i for i, r in enumerate(rows[:30]) if set(columns) & set(r)), None)
    if header_at is None:
        return {}
    header = rows[header_at]
    return {
        c: [r[header.index(c)] for r in rows[header_at + 1 :] if len(r) > header.index(c)]
        for c in columns
        if c in header
    }


# ---------------------------------------------------------------------------------------------
# The full evaluation


@pytest.fixture(scope="module")
def personal(root, demo) -> Personal:
    found = raw_personal(root, demo.raw)
    # the raw data really holds personal data, so a leak would be visible
    assert len(found.names) > 1000 and len(found.phones) > 1000
    assert len(found.id_numbers) > 1000 and len(found.addresses) > 1000
    return found


@pytest.mark.slow
def test_no_output_of_a_full_evaluation_holds_personal_data(root, demo, personal):
    from hotline_eval.report.city import render_city

    written = render_city(root, "demo-comprehensive", "linjiang", pdf=None)  # a PDF too when a browser exists
    assert written["html"].exists() and written["notebook"].exists()
    scanned = [p for p in demo.out.rglob("*") if p.is_file() and "raw" not in p.relative_to(demo.out).parts]
    assert any(p.suffix == ".parquet" for p in scanned) and any(p.suffix == ".csv" for p in scanned)
    leaks = scan(demo.out, personal)
    assert leaks == [], "\n".join(leaks[:30])


def test_the_scanner_finds_a_planted_leak_of_each_kind(tmp_path, personal):
    name = next(n for n in sorted(personal.names) if len(n) == 3)
    phone, id_number, address = (
        sorted(personal.phones)[0],
        sorted(personal.id_numbers)[0],
        sorted(personal.addresses)[0],
    )
    (tmp_path / "report.html").write_text(f"<p>来电人{name}反映</p>", encoding="utf-8")
    (tmp_path / "scores.csv").write_text(f"city,note\nlinjiang,{phone}\n", encoding="utf-8")
    (tmp_path / "log.txt").write_text(f"地址：{address}", encoding="utf-8")
    con = duckdb.connect()
    con.execute(f"COPY (SELECT '{id_number}' AS x) TO '{tmp_path / 'data.parquet'}' (FORMAT parquet)")
    (tmp_path / "mystery.bin").write_bytes(b"\0")
    from docx import Document

    word = Document()
    word.sections[0].footer.paragraphs[0].add_run(f"联系电话{sorted(personal.phones)[1]}")
    word.save(str(tmp_path / "report.docx"))
    leaks = "\n".join(scan(tmp_path, personal))
    assert f"report.docx: mobile {sorted(personal.phones)[1]}" in leaks  # a footer of a Word file is read too
    assert f"name {name}" in leaks
    assert f"scores.csv: mobile {phone}" in leaks
    assert f"data.parquet: id_number {id_number}" in leaks
    assert "log.txt: address" in leaks
    assert "mystery.bin: unknown output type" in leaks


def test_the_pattern_scan_of_parquet_is_not_fooled_by_hashes(tmp_path):
    # 16 hexadecimal characters with eleven digits inside: a hash, not a phone number
    con = duckdb.connect()
    con.execute(f"COPY (SELECT 'a13812345678bcde' AS caller_hash) TO '{tmp_path / 'calls.parquet'}' (FORMAT parquet)")
    assert scan(tmp_path, Personal()) == []
    assert find_personal_numbers("a13812345678bcde") == []


# ---------------------------------------------------------------------------------------------
# Personal numbers planted in every text column of every table

# Each is written, alone, into every source column read as text (ids, unit names, codes, categories),
# in rows of its own; each holds a number that appears nowhere else.
PLANTED = [
    "U-住建局（联系人13957204861）",
    "13920486137",
    "+86 139 4618 2075",
    "１３９７３０５１８４６",
    "身份证330106198807153826",
    "座机010-62817394",
    "（０２１）６４０２９１７３",
    "分机6830 4172",
    "li.si@example.com",
]
PLANTED_CITIES = ("linjiang", "qingshan", "yunling")  # the three vendors' export layouts


def plain(text: str) -> str:
    """Text with full-width digits and letters made ASCII and the separators between digits removed."""
    text = text.translate({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)})
    return re.sub(r"(?<=\d)[-– \u3000()]+(?=\d)", "", text)


def planted_numbers() -> set[str]:
    """What a leak of each planted value would show after plain(): an ID-card number whole, a phone number's
    last eight digits (with or without its area or country code), the e-mail address."""
    out = set()
    for value in PLANTED:
        for kind, number in find_personal_numbers(value):
            digits = re.sub(r"\D", "", plain(number))
            out.add(number if kind == "email" else digits if kind == "id_number" else digits[-8:])
    return out


def _text_sources(root: Path, item) -> tuple[list[str], str | None]:
    """The source columns a file's mapping reads into text columns, and the source of the table's key."""
    from hotline_eval.config.schema import load_schema

    spec = load_schema(root).tables[item.table]
    tmap = load_mapping(root, item.system).tables[item.table]
    columns = [
        c
        for name, col in spec.columns.items()
        if col.type == "string" and (src := tmap.source(name))
        for c in src.columns
    ]
    key = tmap.source(spec.key) if spec.key else None
    return list(dict.fromkeys(columns)), (key.source if key is not None else None)


def _planted_rows(header: list, template: list, columns: list[str], key: str | None) -> list[list]:
    """A copy of the template row per (column, planted value), its key made unique."""
    rows = []
    for column in columns:
        if column not in header:
            continue
        for value in PLANTED:
            row = list(template)
            if key in header and key != column:
                row[header.index(key)] = f"{row[header.index(key)]}P{len(rows)}"
            row[header.index(column)] = value
            rows.append(row)
    return rows


def plant(root: Path, item) -> int:
    """Append the planted rows to one export file (CSV in its encoding and delimiter, or Excel)."""
    columns, key = _text_sources(root, item)
    if item.path.suffix == ".xlsx":
        import openpyxl

        book = openpyxl.load_workbook(item.path)
        sheet = book.active
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        at = max(range(min(30, len(rows))), key=lambda i: len(set(columns) & set(rows[i])))
        new = _planted_rows(rows[at], rows[at + 1], columns, key)
        for row in new:
            sheet.append(row)
        book.save(item.path)
        return len(new)
    encoding = detect_encoding(item.path)
    delimiter = load_mapping(root, item.system).read_options(item.table).delimiter or ","
    with item.path.open(encoding=encoding, newline="") as fh:
        rows = list(csv.reader(fh, delimiter=delimiter))
    at = max(range(min(30, len(rows))), key=lambda i: len(set(columns) & set(rows[i])))
    new = _planted_rows(rows[at], rows[at + 1], columns, key)
    with item.path.open("a", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(new)
    return len(new)


@pytest.fixture(scope="module")
def planted(root, tmp_path_factory, outputs_dir):
    """A project whose three cities' exports carry the planted values; prepared, one city's report rendered."""
    import yaml

    from hotline_eval.pipeline import prepare
    from hotline_eval.report.city import render_city
    from hotline_eval.sample import SampleSpec, generate_sample

    project = tmp_path_factory.mktemp("planted")
    shutil.copytree(root / "params", project / "params")
    for folder in ("notebooks", "templates"):
        (project / folder).symlink_to(root / folder)
    province = yaml.safe_load((root / "params/provinces/sample.yaml").read_text(encoding="utf-8"))
    province.update(id="planted", cities=[c for c in province["cities"] if c["id"] in PLANTED_CITIES])
    province.pop("defects", None)  # planted data defects name cities left out here
    (project / "params/provinces/planted.yaml").write_text(yaml.safe_dump(province, allow_unicode=True), "utf-8")
    generate_sample(project, SampleSpec(province="planted", seed=17, scale=0.05), project / "exports")
    ev = yaml.safe_load((root / "params/evaluations/demo-comprehensive.yaml").read_text(encoding="utf-8"))
    inputs = [
        {"dir": f"exports/{c['id']}", "systems": [c["system"], "province-template"], "city": c["id"]}
        for c in province["cities"]
    ]
    ev.update(id="planted", province="planted", data={"inputs": inputs})
    (project / "params/evaluations/planted.yaml").write_text(yaml.safe_dump(ev, allow_unicode=True), "utf-8")
    # the planted rows are a sixth of this small province's records: no quality gate may hold back the report
    quality = yaml.safe_load((root / "params/quality.yaml").read_text(encoding="utf-8"))
    for check in quality["checks"].values():
        check["severity"] = "info" if check.get("severity") == "info" else "flag"
    (project / "params/quality.yaml").write_text(yaml.safe_dump(quality, allow_unicode=True), "utf-8")
    counts: dict[str, int] = {}
    for city in province["cities"]:
        for item in discover(
            project, project / "exports" / city["id"], [city["system"], "province-template"], city["id"]
        ):
            counts[item.table] = counts.get(item.table, 0) + plant(project, item)
    paths = prepare(project, "planted")
    written = render_city(project, "planted", PLANTED_CITIES[0], pdf=None)  # a PDF too when a browser exists
    return paths, written, counts


@pytest.mark.slow
def test_personal_numbers_planted_in_every_text_column_reach_no_output(planted, outputs_dir):
    from hotline_eval.config.schema import load_schema

    paths, written, counts = planted
    # every table the sample exports (verifications, optional, come from the review forms: not generated)
    assert set(load_schema(paths.root).tables) - set(counts) == {"verifications"}
    assert [t for t, n in counts.items() if n == 0] == ["population"], counts  # its exports hold no text column
    assert written["html"].exists() and written["notebook"].exists()
    files = list(output_files(paths.out, skip=()))
    logs = outputs_dir / "logs"
    files += list(output_files(logs, skip=())) if logs.is_dir() else []
    suffixes = {rel.suffix for rel, _, _ in files}
    assert {".parquet", ".csv", ".xlsx", ".html", ".ipynb", ".json", ".docx"} <= suffixes
    assert [str(rel) for rel, text, _ in files if text is None] == [], "teach the scanner to read every output"
    numbers = planted_numbers()
    assert len(numbers) == len(PLANTED)
    leaks = [f"{rel}: {n}" for rel, text, _ in files for n in sorted(numbers) if n in plain(text or "")]
    assert leaks == [], "\n".join(leaks[:30])
    # the planted rows were read, not dropped: masked values of them are stored and rejected
    units = pd.read_parquet(paths.data / "units.parquet")
    assert units["name_zh"].str.contains("U-住建局（联系人139****4861）", regex=False).any()
    tickets = pd.read_parquet(paths.data / "tickets.parquet")
    assert tickets["unit_id"].str.startswith("U-住建局（联系人#").any()
    rejects = "\n".join(p.read_text(encoding="utf-8-sig") for p in (paths.out / "rejects").glob("*.csv"))
    assert "139****4861" in rejects, "planted values in coded columns are rejected, shown masked"

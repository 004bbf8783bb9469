"""Personal numbers typed into columns that are not declared personal (a unit named with its contact's mobile
number, a mobile number in the agent-id column) are masked before anything is stored (issue 17, item 4).

The worked example's exports (docs/examples/12345-export) with such values written in: read through its
mapping, nothing stored or rejected holds them; ids holding one stay distinct and link alike."""

from __future__ import annotations

import csv
import re
import shutil

import openpyxl
import pandas as pd

from hotline_eval.core.masking import find_personal_numbers
from hotline_eval.ingest.canonical import ingest
from hotline_eval.ingest.discovery import discover

EXAMPLE = "docs/examples/12345-export"
CALLS, TICKETS = "话务清单_2026-07.csv", "工单明细_2026-07.xlsx"
UNITS = {
    "GD0002": "U-住建局（联系人13912345678）",
    "GD0003": "U-住建局（身份证110101199003071234）",
    "GD0004": "U-城管局（座机０１０－６２３４５６７８，邮箱li.si@example.com）",
}
AGENTS = {"H0001": "13912345678", "H0002": "G-139 1234 5678"}
PLANTED = ["13912345678", "110101199003071234", "62345678", "li.si@example.com"]


def plant(folder) -> None:
    calls = folder / CALLS
    with calls.open(encoding="gb18030", newline="") as fh:
        rows = list(csv.reader(fh))
    agent = rows[1].index("坐席工号")
    for row in rows[2:]:
        if row and row[0] in AGENTS:
            row[agent] = AGENTS[row[0]]
    with calls.open("w", encoding="gb18030", newline="") as fh:
        csv.writer(fh).writerows(rows)
    book = openpyxl.load_workbook(folder / TICKETS)
    sheet = book.active
    header = [c.value for c in sheet[3]]
    for row in sheet.iter_rows(min_row=4):
        if row[0].value in UNITS:
            row[header.index("承办单位")].value = UNITS[row[0].value]
    book.save(folder / TICKETS)


def plain(text: str) -> str:
    """Text with full-width digits made ASCII and the separators between digits removed."""
    text = text.translate({0xFF10 + i: ord("0") + i for i in range(10)})
    return re.sub(r"(?<=\d)[-－ 　]+(?=\d)", "", text)


def test_personal_numbers_in_unit_names_and_agent_ids_never_reach_the_canonical_tables(root, tmp_path):
    folder = tmp_path / "exports"
    shutil.copytree(root / EXAMPLE, folder)
    plant(folder)
    out = tmp_path / "out"
    ingest(root, discover(root, folder, ["example-12345"], "demo"), out, ["demo"], base_dir=folder)

    tickets = pd.read_parquet(out / "data" / "tickets.parquet").set_index("ticket_id")
    calls = pd.read_parquet(out / "data" / "calls.parquet").set_index("call_id")
    stored = "\n".join(
        [frame.astype(str).to_csv() for frame in (tickets, calls)]
        + [p.read_text(encoding="utf-8-sig") for p in (out / "rejects").glob("*.csv")]
    )
    assert [v for v in PLANTED if v in plain(stored)] == []
    assert find_personal_numbers(stored) == []

    units = tickets["unit_id"]
    assert units["GD0002"].startswith("U-住建局（联系人#") and units["GD0003"].startswith("U-住建局（身份证#")
    assert units["GD0004"].startswith("U-城管局（座机#") and units["GD0004"].endswith("）")
    assert units[["GD0002", "GD0003", "GD0004"]].nunique() == 3, "units stay apart: counting by unit still works"
    assert re.fullmatch(r"#[0-9a-f]{16}", calls.loc["H0001", "agent_id"])
    assert calls.loc["H0002", "agent_id"].startswith("G-#")
    assert calls.loc["H0005", "agent_id"] == "G002", "an id without a personal number stays as it was"

"""The fieldwork kit of an evaluation: outputs/<evaluation>/fieldwork/.

- 抽样方案.xlsx — the sampling design: per city and frame the population, strata, sample size and
  precision; the allocation per stratum; every drawn record (ids only, never personal data);
- samples.csv — the same drawn records, for scripts;
- <city>/<城市名><评审表>.xlsx — the review forms of each city (§7.2);
- 专家评分/<专家评分表>_<expert>.xlsx — one score sheet per expert (§7.3);
- manifest.json — seed, design and data fingerprints, the files written.

A kit whose forms would differ (other records drawn, another seed, design, definition or expert sheets)
does not overwrite the earlier one: that moves to fieldwork/versions/<n>/ first, since its forms may
already be out with reviewers. Listing the returned forms as inputs does not change the draw.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hotline_eval import __version__
from hotline_eval.config.catalogue import load_catalogue
from hotline_eval.config.definitions import load_evaluation
from hotline_eval.config.evaluation import Evaluation
from hotline_eval.config.schema import load_schema
from hotline_eval.config.sql import register_tables
from hotline_eval.config.wording import load_wording
from hotline_eval.core.connection import connect
from hotline_eval.core.paths import Paths
from hotline_eval.core.store import read_json, sha256_file, sha256_text, write_csv, write_json
from hotline_eval.core.xlsx import Sheet, SheetColumn, write_workbook
from hotline_eval.cycle.fieldwork.design import DESIGN_FILE, Frame, active_frames, load_design
from hotline_eval.cycle.fieldwork.forms import FormBuilder
from hotline_eval.cycle.fieldwork.sampling import Draw, draw
from hotline_eval.cycle.fieldwork.workbook import write_form
from hotline_eval.cycle.schedule import timeline

Progress = Callable[[str], None]
KIT = "fieldwork"


@dataclass
class Kit:
    folder: Path
    draw: Draw
    files: list[Path]
    seed: int


def make_kit(
    root: Path,
    evaluation: str,
    paths: Paths,
    *,
    seed: int | None = None,
    experts: int | None = None,
    round_: int = 1,
    cities: list[str] | None = None,
    progress: Progress = lambda _: None,
) -> Kit:
    """Draw the samples from the evaluation's canonical data (ingested under `paths`) and write the kit.

    cities: a kit of these cities only (a city's draw does not depend on the others); it replaces the kit
    of every city like any kit drawn differently (which moves to versions/<n>/).
    """
    ev = load_evaluation(root, evaluation)
    if cities:
        wanted = {ev.check_city(c) for c in cities}
        ev = ev.model_copy(update={"cities": [c for c in ev.cities if c.id in wanted]})
    design = load_design(root)
    catalogue = load_catalogue(root)
    seed = design.seed if seed is None else seed
    frames = active_frames(design, ev, catalogue)
    innovation = [i for i in ev.active_indicators(catalogue) if i.kind == "expert" and i.points > 0]
    folder = paths.out / KIT
    if not frames and not innovation:
        progress("本次评价没有需要抽样评审（§7.2）或专家评分（§7.3）的指标，无需评审工具包")
        return Kit(folder, Draw(pd.DataFrame(), pd.DataFrame(), pd.DataFrame()), [], seed)
    minimum = int(ev.parameter_values(catalogue)["min_sample"])
    progress(f"抽取评审样本（随机种子{seed}）")
    con = connect()
    register_tables(con, root, paths.data)
    result = draw(con, design, frames, ev, seed, minimum)
    # what the forms hold: the drawn records, the design, the definition, the expert sheets
    key = sha256_text(
        __version__,
        str(seed),
        str(experts),
        str(round_),
        sha256_file(root / DESIGN_FILE),
        result.samples.to_csv(index=False),
        ev.model_dump_json(exclude={"data"}),
    )
    _keep_earlier(folder, key, progress)
    times = timeline(root, ev)
    wording = load_wording(root, ev.labels)
    builder = FormBuilder(root, ev, catalogue, load_schema(root), design, wording, times.fieldwork_end)
    files = []
    for city in ev.city_ids():
        for name, frame in frames.items():
            mine = (
                result.samples[(result.samples["city"] == city) & (result.samples["frame"] == name)]
                if len(result.samples)
                else pd.DataFrame()
            )
            summary = result.summary[(result.summary["city"] == city) & (result.summary["frame"] == name)].iloc[0]
            if mine.empty:
                progress(f"{ev.city_name(city)}：{frame.zh}无可抽取的记录")
                continue
            path = folder / city / f"{ev.city_name(city)}{frame.form}.xlsx"
            write_form(path, builder.review_form(name, frame, mine, summary, seed))
            files.append(path)
    if innovation:
        for n in range(1, (experts or ev.expert_panel.min_experts) + 1):
            expert = design.experts.id_format.format(n=n)
            path = folder / "专家评分" / f"{design.experts.form}_{expert}.xlsx"
            write_form(path, builder.expert_form(expert, innovation, round_))
            files.append(path)
    files.append(_write_design(folder, ev, result, frames, wording, builder.footer))
    write_csv(folder / "samples.csv", result.samples)
    write_json(
        folder / "manifest.json",
        {
            "evaluation": ev.id,
            "key": key,
            "seed": seed,
            "package_version": __version__,
            "design": {"file": str(DESIGN_FILE), "sha256": sha256_file(root / DESIGN_FILE)},
            "data_inputs": (read_json(paths.manifest) or {}).get("inputs", []),
            "files": [str(p.relative_to(folder)) for p in files],
        },
    )
    return Kit(folder, result, files, seed)


def _keep_earlier(folder: Path, key: str, progress: Progress) -> None:
    """An earlier kit with other forms moves to versions/<n>/ (they may be out with reviewers); the same
    draw again simply rewrites the same files."""
    manifest = read_json(folder / "manifest.json")
    if manifest is None or manifest.get("key") == key:
        return
    versions = folder / "versions"
    n = 1 + max((int(p.name) for p in versions.glob("*") if p.name.isdigit()), default=0)
    target = versions / str(n)
    target.mkdir(parents=True)
    for item in folder.iterdir():
        if item.name != "versions":
            shutil.move(str(item), target / item.name)
    progress(f"此前抽取的评审工具包（样本或表格不同）已移至 {target}")


def _write_design(
    folder: Path, ev: Evaluation, result: Draw, frames: dict[str, Frame], wording: dict, footer: str
) -> Path:
    """抽样方案.xlsx: summary per city and frame, allocation per stratum, every drawn record (ids only)."""
    city = SheetColumn("城市", lambda r: ev.city_name(r["city"]))
    frame = SheetColumn("抽样对象", lambda r: frames[r["frame"]].zh)
    summary = [
        city,
        frame,
        SheetColumn("记录数", lambda r: r["population"], "int"),
        SheetColumn("分层数", lambda r: r["strata"], "int"),
        SheetColumn("目标样本量", lambda r: r.get("target"), "int"),
        SheetColumn("最小样本量", lambda r: r.get("minimum"), "int"),
        SheetColumn("样本量", lambda r: r["sample"], "int"),
        SheetColumn("抽样误差（±百分点，95%）", lambda r: r.get("half_width", math.nan) * 100, "dec1"),
        SheetColumn("全部评审", lambda r: bool(r.get("census")) if r["sample"] else None),
    ]
    strata = [
        city,
        frame,
        SheetColumn("层", lambda r: r["stratum"]),
        SheetColumn("记录数", lambda r: r["population"], "int"),
        SheetColumn("样本量", lambda r: r["sample"], "int"),
    ]
    samples = [city, frame] + [
        SheetColumn(h, lambda r, c=c: r[c])
        for h, c in (
            ("样本编号", "sample_id"),
            ("对象编号", "object_id"),
            ("样本时间", "sampled_at"),
            ("层", "stratum"),
        )
    ]
    title = wording["fieldwork"]["design_title"]
    sheets = [
        Sheet(name, title.format(evaluation=ev.name_zh, sheet=name), data, cols)
        for name, data, cols in (
            ("抽样概况", result.summary, summary),
            ("分层分配", result.strata, strata),
            ("样本清单", result.samples, samples),
        )
        if len(data)
    ]
    path = folder / "抽样方案.xlsx"
    write_workbook(path, sheets, footer)
    return path

"""The evaluation plan (评价方案, §5.2.3): what the document published before collection says.

Everything here is built from the evaluation definition and params alone (no data): the objects,
every scored item with its clause, formula in words, points and the data it needs, the tables and
columns each object must prepare (the headers are those ingest reads: the province template's
mapping, the canonical schema for system exports), the collection methods (§7.1–§7.3) with the
sampling design of the fieldwork kit, the scoring rules, the milestones and the appeal rules.
The notebooks in notebooks/plan/ display these tables; report/plan.py renders the document.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hotline_eval.config.catalogue import Catalogue, Indicator, load_catalogue
from hotline_eval.config.evaluation import Evaluation, Item
from hotline_eval.config.mapping import load_mapping
from hotline_eval.config.quality import load_quality_spec
from hotline_eval.config.schema import Schema, load_schema
from hotline_eval.core import fmt
from hotline_eval.cycle.fieldwork.design import active_frames, load_design
from hotline_eval.cycle.fieldwork.forms import panel_rules
from hotline_eval.cycle.schedule import appeal_facts, timeline

FIELD = "字段"  # the column of a data requirement naming the field (a template's own header, else the field's name)
CITY_CODE = "编号"  # the column of the objects table holding each city's code
FIGURE = "项目"  # the column of the self-reported figures naming each figure as the template's rows do
ALWAYS = ["self_reports"]  # control totals (§5.2.7 recall) and capability declarations (bot, IVR)


def title(ev: Evaluation, wording: dict) -> str:
    return ev.name_zh + wording["plan"]["title_suffix"]


def total_points(ev: Evaluation, catalogue: Catalogue) -> float:
    """The evaluation's total: the points of every scored item (100 for the demo evaluations)."""
    return sum(item.points for item in ev.items(catalogue))


def item_label(item: Item, ev: Evaluation, wording: dict) -> str:
    words = wording["assessment"]["items"]
    if item.kind == "segment":
        return f"{words['segment']}：{ev.segments[item.segment].zh}"
    return words[item.kind]


def indicator_table(root: Path, ev: Evaluation, wording: dict) -> pd.DataFrame:
    """Every indicator the evaluation scores: clause, formula in words, method, points, data needed.

    For a special evaluation each indicator's sub-items and their points are listed (§5.1.2.2).
    Column 维度 is the table's group; report-only companions (0 points) are shown as 参考.
    """
    catalogue, schema = load_catalogue(root), load_schema(root)
    items = ev.items(catalogue)
    rows = []
    for n, ind in enumerate(ev.active_indicators(catalogue), 1):
        dim = catalogue.dimension(ind.dimension)
        own = [i for i in items if i.indicator.id == ind.id]
        points = sum(i.points for i in own)
        row = {
            "维度": f"{dim.zh}（§{dim.clause}）",
            "序号": str(n),
            "指标（条款）": f"{ind.zh}（§{ind.clause}）",
            "计算方法": ind.formula_zh,
            "评价方式": "、".join(wording["methods"].get(m, m) for m in ind.method) or fmt.DASH,
            "分值": "参考" if ind.report_only else fmt.number(points, 1),
            "所需数据": "、".join(tables_of(ind, schema)) or fmt.DASH,
        }
        if ev.type == "special":
            row["子项及分值"] = "；".join(f"{item_label(i, ev, wording)}{i.points:g}分" for i in own)
        rows.append(row)
    return pd.DataFrame(rows)


def tables_of(ind: Indicator, schema: Schema) -> list[str]:
    """The Chinese names of the tables an indicator reads, in the schema's order."""
    needed = {need.split(".")[0] for need in ind.all_needs}
    return [t.zh for name, t in schema.tables.items() if name in needed]


def dimension_points(ev: Evaluation, catalogue: Catalogue) -> pd.DataFrame:
    """Points per dimension and the total (the evaluation's 100 points)."""
    items = ev.items(catalogue)
    rows = []
    for dim in catalogue.dimensions:
        mine = [i for i in items if i.indicator.dimension == dim.id]
        if mine:
            count = len({i.indicator.id for i in mine})
            rows.append(
                {
                    "维度": f"{dim.zh}（§{dim.clause}）",
                    "指标数": str(count),
                    "分值": fmt.number(sum(i.points for i in mine), 1),
                }
            )
    rows.append(
        {
            "维度": "合计",
            "指标数": str(len({i.indicator.id for i in items})),
            "分值": fmt.number(total_points(ev, catalogue), 1),
        }
    )
    return pd.DataFrame(rows)


def needed_columns(root: Path, ev: Evaluation) -> dict[str, list[str]]:
    """table → the columns the evaluation reads (schema order): its indicators' data_needs and the required ones."""
    catalogue, schema = load_catalogue(root), load_schema(root)
    needs: dict[str, set[str]] = {}
    for ind in ev.active_indicators(catalogue):
        for need in ind.all_needs:
            table, column = need.split(".")
            needs.setdefault(table, set()).add(column)
    extra = [*ALWAYS, *(["units"] if ev.units.evaluate else [])]
    for table in extra:
        needs.setdefault(table, set())
    out = {}
    for name, table in schema.tables.items():
        if name in needs:
            wanted = needs[name] | set(table.required)
            out[name] = [c for c in table.columns if c in wanted]
    return out


@dataclass(frozen=True)
class Requirement:
    source: str  # system | template | review
    source_zh: str
    note: str
    table: str
    table_zh: str
    files: str  # the file name pattern (template and review forms), "" for system exports
    columns: pd.DataFrame  # 字段 (the header ingest reads), 说明, 用途


def data_requirements(root: Path, ev: Evaluation, wording: dict) -> list[Requirement]:
    """The tables and columns each object prepares, grouped by who prepares them (§5.2.3).

    Template tables name the template's own column headers (what ingest reads through the
    province template's mapping); system exports name the canonical fields, which each city maps
    from its platform's export; review tables are filled by the evaluator's forms.
    """
    words = wording["plan"]
    schema, catalogue = load_schema(root), load_catalogue(root)
    needed = needed_columns(root, ev)
    users = _users(ev, catalogue)
    template = load_mapping(root, words["template_mapping"])
    out = []
    for source in words["sources"]:
        for table in source["tables"]:
            if table not in needed:
                continue
            spec = schema.tables[table]
            rows, files = [], ""
            if source["key"] == "template":
                tmap = template.tables[table]
                files = "、".join(tmap.patterns)
                wanted = [c for c in tmap.columns if c in needed[table] or c in spec.required]
            elif source["key"] == "review":  # the evaluator's forms (fieldwork kit) define their columns
                files = "、".join(review_forms(root, ev, table))
                wanted = []
            else:
                wanted = needed[table]
            for col in (c for c in wanted if c != "city"):  # each city reports its own records
                column = spec.columns[col]
                header = template.tables[table].source(col).source if source["key"] == "template" else column.zh
                mapped = template.tables[table].source(col) if source["key"] == "template" else None
                names = users.get(f"{table}.{col}", [])
                rows.append(
                    {
                        FIELD: header or column.zh,
                        "说明": _describe(column, schema, mapped),
                        "必填": "是" if column.required else "",
                        "用途": "、".join(names[:3]) + ("等" if len(names) > 3 else "") if names else "基础信息",
                    }
                )
            out.append(
                Requirement(source["key"], source["zh"], source["note"], table, spec.zh, files, pd.DataFrame(rows))
            )
    return out


def review_forms(root: Path, ev: Evaluation, table: str) -> list[str]:
    """The fieldwork kit's forms that fill a table (qc_samples: the review forms; expert_scores: the score sheet)."""
    design, catalogue = load_design(root), load_catalogue(root)
    if table == "expert_scores":
        return [design.experts.form]
    return [f.form for f in active_frames(design, ev, catalogue).values()] if table == "qc_samples" else []


def expert_rules(ev: Evaluation, wording: dict) -> str:
    return panel_rules(ev, wording)


def self_report_figures(root: Path, ev: Evaluation, wording: dict) -> pd.DataFrame:
    """The figures of 自报数据 (§5.2.4): monthly control totals (§5.2.7) and capability declarations."""
    spec = load_quality_spec(root)
    rows = [
        (fid, fig.zh, "按月填报（期间填YYYY-MM），用于核对数据查全率和一致性")
        for fid, fig in spec.control_totals.items()
    ]
    needed = {r for ind in ev.active_indicators(load_catalogue(root)) for r in ind.requires}
    words = wording["plan"]["capabilities"]
    rows += [(cap, words.get(cap, cap), "期间填“all”，1为是、0为否；为否的相关指标不适用") for cap in sorted(needed)]
    return pd.DataFrame(rows, columns=[FIGURE, "含义", "填报要求"])


def _users(ev: Evaluation, catalogue: Catalogue) -> dict[str, list[str]]:
    users: dict[str, list[str]] = {}
    for ind in ev.active_indicators(catalogue):
        for need in ind.all_needs:
            users.setdefault(need, []).append(ind.zh)
    return users


def _describe(column, schema: Schema, source) -> str:
    """What a field holds: its meaning, unit, or allowed values (as the template writes them)."""
    if source is not None and source.values:
        return "填写：" + "、".join(str(k) for k, v in source.values.items() if v is not None)
    if column.codes:
        return "取值：" + "、".join(schema.codes[column.codes].values.values())
    if column.type == "timestamp":
        return "时间（年-月-日 时:分:秒）"
    if column.type == "boolean":
        return "是或否"
    return {"number": "数值", "integer": "整数", "date": "日期（年-月-日）"}.get(column.type, "文本")


def sampling_table(root: Path, ev: Evaluation) -> pd.DataFrame:
    """The §7.2 samples of the fieldwork kit: what is sampled, for which indicators, strata and size."""
    design, catalogue = load_design(root), load_catalogue(root)
    minimum = int(ev.parameter_values(catalogue)["min_sample"])
    target = max(design.target_n, minimum)
    rows = []
    for frame in active_frames(design, ev, catalogue).values():
        rows.append(
            {
                "抽样对象": frame.population_zh,
                "对应指标": "、".join(catalogue.indicator(i).zh for i in frame.indicators),
                "分层": design.strata_label(frame),
                "每市样本量": f"{target}件（不少于{minimum}件）",
                "评审表": frame.form,
            }
        )
    return pd.DataFrame(rows)


def sampling_note(root: Path, ev: Evaluation, wording: dict) -> str:
    design = load_design(root)
    minimum = int(ev.parameter_values(load_catalogue(root))["min_sample"])
    target = max(design.target_n, minimum)
    return wording["plan"]["sampling_note"].format(
        min_per_stratum=design.min_per_stratum,
        target=target,
        minimum=minimum,
        half=f"{design.half_width(target) * 100:.1f}",
        confidence=f"{design.confidence:.0%}",
    )


def shift_note(root: Path) -> str:
    design = load_design(root)
    parts = [f"{s.zh}{s.hours[0]:%H:%M}—{s.hours[1]:%H:%M}" for s in design.shifts.values()]
    return "班次划分：" + "、".join(parts) + "。"


def schedule_table(root: Path, ev: Evaluation, wording: dict) -> pd.DataFrame:
    """工作安排: the milestones of the evaluation with their dates (§5.2.3, §8.2)."""
    t = timeline(root, ev)
    names, notes = wording["plan"]["milestones"], wording["plan"]["milestone_notes"]
    grace = int(ev.parameter_values(load_catalogue(root))["outcome_grace_days"])
    rows = []
    if t.published:
        rows.append((names["published"], fmt.date(t.published), ""))
    rows += [
        (names["period"], f"{fmt.date(t.start)}—{fmt.date(t.end)}", notes["period"]),
        (names["outcomes"], fmt.date(t.outcomes_until), notes["outcomes"].format(grace=grace)),
        (names["data_due"], fmt.date(t.data_due), notes["data_due"]),
        (names["fieldwork"], f"{fmt.date(t.fieldwork_start)}—{fmt.date(t.fieldwork_end)}", notes["fieldwork"]),
        (names["issued"], fmt.date(t.issued), notes["issued"]),
    ]
    if t.appeal_deadline is not None:
        rows.append((names["appeal"], fmt.date(t.appeal_deadline), notes["appeal"].format(days=ev.appeal_days)))
    return pd.DataFrame(rows, columns=["事项", "时间", "说明"])


def appeal_rules(root: Path, ev: Evaluation, wording: dict) -> list[str]:
    """The appeal procedure (§8.2); for an evaluation without one (appeal_days 0), the sentence saying so."""
    if not ev.appeal_days:
        return [wording["report"]["no_appeal"]]
    facts = appeal_facts(root, ev)
    return [rule.format(**facts) for rule in wording["plan"]["appeal_rules"]]


def objects_text(root: Path, ev: Evaluation, wording: dict) -> str:
    schema = load_schema(root)
    words = wording["plan"]
    text = words["objects"].format(n=len(ev.city_ids()))
    if ev.units.evaluate:
        classes = "、".join(schema.label("unit_class", c) for c in ev.units.classes)
        text += words["objects_units"].format(classes=classes)
    return text


def cities_table(ev: Evaluation) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "序号": [str(i) for i in range(1, len(ev.cities) + 1)],
            "城市": [c.name_zh for c in ev.cities],
            CITY_CODE: [c.id for c in ev.cities],
        }
    )

"""The review forms of the fieldwork kit (§7.2) and the expert score sheets (§7.3), as Form objects.

Every column that ingest reads back takes its header and its allowed values from the mapping that
reads it (params/mappings/review-forms.yaml, review-tickets.yaml), so a form is exactly what ingest
expects: pre-filled codes are written as the mapping's labels (call → 来电录音), drop-downs offer the
mapping's labels (是/否) or the schema's codes (A–D). The instructions and hints are worded in
params/wording/fieldwork.yaml.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from hotline_eval.config.catalogue import Catalogue, Indicator
from hotline_eval.config.evaluation import Evaluation
from hotline_eval.config.mapping import TableMapping, load_mapping
from hotline_eval.config.rule_tables import rule_tables
from hotline_eval.config.schema import Schema
from hotline_eval.core import fmt
from hotline_eval.cycle.fieldwork.design import Design, Frame
from hotline_eval.cycle.fieldwork.workbook import Form, FormColumn, Input

SAMPLE_COLUMNS = ["sample_id", "city", "object_type", "object_id", "sample_frame", "sampled_at"]
FORM_SHEET = "评审记录"  # the sheet the mappings read
EXPERT_SHEET = "评分记录"


def header(tmap: TableMapping, column: str) -> str:
    """The form's header of a canonical column: the source column the mapping reads it from."""
    source = tmap.source(column)
    if source is None or source.source is None:
        raise ValueError(f"映射没有从表格的列读取列 '{column}'")
    return source.source


def label(tmap: TableMapping, column: str, code: str) -> str:
    """The form's text for a code (call → 来电录音): the mapping's value map read backwards."""
    values = tmap.source(column).values or {}
    found = [k for k, v in values.items() if str(v).lower() == str(code).lower()]
    return found[0] if found else code


def choices(tmap: TableMapping, column: str, schema: Schema, table: str = "qc_samples") -> tuple[str, ...]:
    """What a reviewer may pick: the mapping's labels, else the schema's codes of the column."""
    values = tmap.source(column).values
    if values:
        return tuple(k for k, v in values.items() if v is not None)
    codes = schema.tables[table].columns[column].codes
    return tuple(schema.codes[codes].values) if codes else ()


def panel_rules(ev: Evaluation, wording: dict) -> str:
    """The expert panel's rules (Appendix A.3, docs/method/scoring.md#expert-panel) in one sentence."""
    rules = ev.expert_panel
    return wording["fieldwork"]["panel"].format(
        min_experts=rules.min_experts,
        min_external=rules.min_external,
        trim_from=rules.trim_from,
        min_scores=rules.min_scores,
        dispersion=f"{rules.dispersion_share:.0%}",
    )


class FormBuilder:
    """Builds the forms of one evaluation (shared labels, mappings, rules, the return date)."""

    def __init__(
        self,
        root: Path,
        ev: Evaluation,
        catalogue: Catalogue,
        schema: Schema,
        design: Design,
        wording: dict,
        due: dt.date,
    ) -> None:
        self.root, self.ev, self.catalogue, self.schema, self.design = root, ev, catalogue, schema, design
        self.words, self.due = wording["fieldwork"], due
        self.footer = f"{ev.organiser_zh}　{ev.name_zh}"

    # ---- review forms ------------------------------------------------------------------------

    def review_form(self, name: str, frame: Frame, samples: pd.DataFrame, summary: pd.Series, seed: int) -> Form:
        """One city's review form of one frame: pre-filled sample rows, finding columns to fill in."""
        tmap = load_mapping(self.root, frame.mapping).tables["qc_samples"]
        city = str(summary["city"])
        read = [c for c in dict.fromkeys([*frame.strata, *frame.show]) if c in tmap.columns and c != "city"]
        shown = [c for c in frame.show if c not in read]
        columns = [FormColumn(header(tmap, c)) for c in [*SAMPLE_COLUMNS, *read]]
        columns += [FormColumn(frame.show[c]) for c in shown]
        items = self._rule_items(frame)
        if items:
            columns.append(FormColumn(header(tmap, "item")))
        columns += self._finding_columns(frame, tmap, len(columns))
        hints = self.words["hints"]
        columns += [
            FormColumn(frame.evidence, Input(message=hints["evidence"])),
            FormColumn(header(tmap, "assessor_id"), Input(message=hints["assessor"])),
        ]
        rows = []
        for _, s in samples.iterrows():
            fixed = [
                s["sample_id"],
                city,
                label(tmap, "object_type", frame.object_type),
                s["object_id"],
                label(tmap, "sample_frame", frame.sample_frame),
                s["sampled_at"],
                *[s[c] for c in read],
                *[self._shown(c, s[c]) for c in shown],
            ]
            for item in items or [None]:
                row = fixed + ([self.design.rule_items[item].zh] if item else [])
                rows.append(row + [None] * (len(columns) - len(row)))
        title = self.words["title"].format(city=self.ev.city_name(city), form=frame.form, evaluation=self.ev.name_zh)
        notes = self._notes(frame, summary, seed)
        return Form(FORM_SHEET, title, columns, rows, self.footer, notes, self._rules(frame))

    def _rule_items(self, frame: Frame) -> list[str]:
        if "item" not in frame.findings:
            return []
        return [k for k, v in self.design.rule_items.items() if v.indicator in frame.indicators]

    def _finding_columns(self, frame: Frame, tmap: TableMapping, first: int) -> list[FormColumn]:
        """The columns a reviewer fills in; `first` is the position of the first of them."""
        columns = []
        if frame.object_type == "ticket":
            qc = self.design.ticket_qc
            columns += [FormColumn(i.header, Input(number="integer", high=i.max, message=i.zh)) for i in qc.items]
            a, b = _column_letter(first), _column_letter(first + len(qc.items) - 1)
            total = f'=IF(COUNT({a}{{row}}:{b}{{row}})={len(qc.items)},SUM({a}{{row}}:{b}{{row}}),"")'
            columns.append(FormColumn(qc.total_header, formula=total))
        for col in frame.findings:
            if col == "item":
                continue
            hint = self.words["hints"].get(col, self.schema.tables["qc_samples"].columns[col].zh)
            if col == "veto" and frame.object_type == "ticket":
                hint = self.design.ticket_qc.veto_zh
            columns.append(FormColumn(header(tmap, col), Input(choices=choices(tmap, col, self.schema), message=hint)))
        return columns

    def _shown(self, column: str, value: str) -> str:
        if column == "shift":
            return self.design.shifts[value].zh if value in self.design.shifts else value
        for table in ("tickets", "calls"):
            spec = self.schema.tables[table].columns.get(column)
            if spec is not None and spec.codes:
                return self.schema.label(spec.codes, value)
        return value

    def _notes(self, frame: Frame, summary: pd.Series, seed: int) -> list[tuple[str, str]]:
        n, minimum = int(summary["sample"]), int(summary["minimum"])
        values = {
            "evaluation": self.ev.name_zh,
            "frame": frame.zh,
            "indicators": "、".join(f"{i.zh}（§{i.clause}）" for i in map(self.catalogue.indicator, frame.indicators)),
            "city": self.ev.city_name(str(summary["city"])),
            "population": fmt.count(int(summary["population"]), "件"),
            "population_zh": frame.population_zh,
            "strata": self.design.strata_label(frame),
            "n_strata": int(summary["strata"]),
            "min_per_stratum": self.design.min_per_stratum,
            "n": n,
            "seed": seed,
            "census": self.words["census"] if bool(summary["census"]) else "",
            "confidence": f"{self.design.confidence:.0%}",
            "half": f"{summary['half_width'] * 100:.1f}",
            "below": self.words["below_minimum"].format(minimum=minimum) if n < minimum else "",
            "fill": self.words["fill"].get(frame.object_type, self.words["fill"]["default"]),
            "minimum": minimum,
            "due": fmt.date(self.due),
            "organiser": self.ev.organiser_zh,
        }
        return [(item, text.format(**values)) for item, text in self.words["notes"]]

    def _rules(self, frame: Frame) -> list[tuple[str, list[list[str]]]]:
        if frame.object_type == "ticket":
            qc, words = self.design.ticket_qc, self.words
            mark = self.ev.parameter_values(self.catalogue)["ticket_qc_pass_mark"]
            table = [
                list(words["ticket_rules"]),
                *[[i.zh, str(i.max)] for i in qc.items],
                [words["ticket_pass"][0], words["ticket_pass"][1].format(mark=mark)],
            ]
            return [(frame.form, table), (header_of_veto(qc.veto_zh), [[qc.veto_zh]])]
        out = [
            (r.title, [list(r.frame.columns), *r.frame.astype(str).values.tolist()])
            for r in rule_tables(self.root, frame.indicators)
        ]
        for ind in map(self.catalogue.indicator, frame.indicators):
            out.append((f"{ind.zh}（§{ind.clause}）", [[ind.formula_zh]]))
        return out

    # ---- expert score sheets -----------------------------------------------------------------

    def expert_form(self, expert_id: str, indicators: list[Indicator], round_: int) -> Form:
        """One expert's sheet: one row per city × innovation indicator, a score from 0 to its points."""
        tmap = load_mapping(self.root, self.design.experts.mapping).tables["expert_scores"]
        words = self.words
        anchors_list = self.design.experts.anchors
        anchors = "；".join(f"{a.level}（{a.share:.0%}）{a.zh}" for a in anchors_list)
        shown = words["expert_columns"]
        columns = [
            FormColumn(header(tmap, "evaluation_id")),
            FormColumn(header(tmap, "expert_id")),
            FormColumn(
                header(tmap, "affiliation"),
                Input(
                    choices=choices(tmap, "affiliation", self.schema, "expert_scores"),
                    message=words["expert_hints"]["affiliation"],
                ),
            ),
            FormColumn(header(tmap, "city")),
            FormColumn(shown["city"]),
            FormColumn(header(tmap, "indicator")),
            FormColumn(shown["indicator"]),
            FormColumn(shown["points"]),
            FormColumn(header(tmap, "round")),
        ]
        score_at = len(columns)
        columns += [
            FormColumn(header(tmap, "score"), Input(number="decimal", message=anchors)),
            FormColumn(shown["level"], Input(choices=tuple(a.level for a in anchors_list))),
            FormColumn(shown["reason"], Input(message=words["expert_hints"]["reason"])),
        ]
        rows, limits = [], {}
        for city in self.ev.cities:
            for ind in indicators:
                limits[(len(rows), score_at)] = Input(number="decimal", high=ind.points, message=anchors)
                label_ = f"{ind.zh}（§{ind.clause}）"
                rows.append(
                    [self.ev.id, expert_id, None, city.id, city.name_zh, ind.id, label_, ind.points, round_]
                    + [None] * 3
                )
        title = words["expert_title"].format(evaluation=self.ev.name_zh, expert=expert_id, round=round_)
        rules = [list(words["expert_rules"]), *[[a.level, f"{a.share:.0%}", a.zh] for a in anchors_list]]
        notes = self._expert_notes(indicators, anchors)
        form = Form(EXPERT_SHEET, title, columns, rows, self.footer, notes, [(words["expert_rules"][0], rules)])
        form.cell_inputs = limits
        return form

    def _expert_notes(self, indicators: list[Indicator], anchors: str) -> list[tuple[str, str]]:
        values = {
            "evaluation": self.ev.name_zh,
            "indicators": "、".join(f"{i.zh}（§{i.clause}）{i.points:g}分" for i in indicators),
            "anchors": anchors,
            "panel": panel_rules(self.ev, {"fieldwork": self.words}),
            "due": fmt.date(self.due),
            "organiser": self.ev.organiser_zh,
        }
        return [(item, text.format(**values)) for item, text in self.words["expert_notes"]]


def header_of_veto(text: str) -> str:
    """The first words of the veto rule (否决项：… → 否决项) as its title."""
    return text.split("：", 1)[0]


def _column_letter(index: int) -> str:
    """Excel column letters of a 0-based column index (0 → A, 26 → AA)."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out

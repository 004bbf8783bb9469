"""六、计分规则和等级, 七、工作安排 and 八、申诉 of the evaluation plan (notebooks/plan/04-rules.ipynb)."""

from __future__ import annotations

import pandas as pd

from hotline_eval.core import fmt
from hotline_eval.cycle import plan
from hotline_eval.report import tables
from hotline_eval.report.blocks import heading_html, numbered_html, paragraph_html
from hotline_eval.report.context import ReportContext
from hotline_eval.report.table_frames import grading_text, rules_table
from hotline_eval.score.scoresheet import SheetLabels, scoring_notes


class PlanRules:
    def __init__(self, ctx: ReportContext) -> None:
        self.ctx, self.r, self.ev = ctx, ctx.results, ctx.results.evaluation
        self.words, self.wording = ctx.wording["plan"], ctx.wording

    def scoring(self) -> list[str]:
        w, ev, wording = self.words, self.ev, self.wording
        scoring = wording["report"]["scoring"].format(
            reference=wording["reference_strategy"][ev.reference.strategy], coverage=fmt.number(ev.coverage_min, 0)
        )
        report_annex, plan_annex = w["rules_annex"]
        rules = rules_table(self.r, wording).replace(report_annex, plan_annex, regex=True)
        notes = scoring_notes(SheetLabels(ev, self.r.catalogue, self.r.schema, wording))[4:]
        return [
            heading_html(self.ctx.section(w["scoring_title"]), anchor="scoring"),
            paragraph_html(scoring),
            tables.html_table(rules, w["rules_caption"], number=self.ctx.next_table(), widths=[30, 70]),
            tables.html_table(
                pd.DataFrame(notes, columns=w["notes_columns"]),
                w["notes_caption"],
                number=self.ctx.next_table(),
                widths=[22, 78],
            ),
            paragraph_html(
                grading_text(self.r, wording),
                w["veto"].format(grade=ev.veto_grade),
            ),
        ]

    def schedule(self) -> list[str]:
        w = self.words
        table = plan.schedule_table(self.r.root, self.ev, self.wording)
        return [
            heading_html(self.ctx.section(w["schedule_title"]), anchor="schedule"),
            tables.html_table(table, w["schedule_caption"], number=self.ctx.next_table(), widths=[25, 30, 45]),
        ]

    def appeal(self) -> list[str]:
        return [
            heading_html(self.ctx.section(self.words["appeal_title"]), anchor="appeal"),
            numbered_html(plan.appeal_rules(self.r.root, self.ev, self.wording)),
        ]

"""附件 of the evaluation plan (notebooks/plan/09-annex.ipynb): the qualitative rule tables."""

from __future__ import annotations

from hotline_eval.config.rule_tables import rule_tables
from hotline_eval.report import tables
from hotline_eval.report.blocks import heading_html, paragraph_html
from hotline_eval.report.context import ReportContext


class PlanAnnex:
    def __init__(self, ctx: ReportContext) -> None:
        self.ctx, self.r = ctx, ctx.results

    def rule_tables(self) -> list[str]:
        rules = rule_tables(
            self.r.root, [i.id for i in self.r.active if i.kind in ("qualitative", "expert", "sampled")]
        )
        if not rules:
            return []
        out = [heading_html(self.ctx.wording["plan"]["annex_title"], anchor="annex", new_page=True)]
        for rule in rules:
            out += [
                paragraph_html(rule.basis),
                tables.html_table(rule.frame, rule.title, number=self.ctx.next_table(), note=rule.note or None),
            ]
        return out

"""三、评价指标和分值 of the evaluation plan (notebooks/plan/02-indicators.ipynb): the points per dimension and
every indicator with its clause, formula, method, points and the data it needs."""

from __future__ import annotations

from hotline_eval.cycle import plan
from hotline_eval.report import tables
from hotline_eval.report.blocks import heading_html, paragraph_html
from hotline_eval.report.context import ReportContext


class PlanIndicators:
    def __init__(self, ctx: ReportContext) -> None:
        self.ctx, self.r, self.ev = ctx, ctx.results, ctx.results.evaluation
        self.words = ctx.wording["plan"]

    def points(self) -> list[str]:
        w, catalogue = self.words, self.r.catalogue
        active = self.ev.active_indicators(catalogue)
        scored = [i for i in active if not i.report_only]
        reference_only = len(active) - len(scored)
        text = w["indicators_count"].format(n=len(scored), points=f"{plan.total_points(self.ev, catalogue):g}")
        text += w["indicators_reference_only"].format(n=reference_only) if reference_only else "。"
        see = w["indicators_see"].format(table=self.ctx.counters["table"] + 2)  # the indicator table follows
        return [
            heading_html(self.ctx.section(w["indicators_title"]), anchor="indicators"),
            paragraph_html(text, see),
            tables.html_table(
                plan.dimension_points(self.ev, catalogue),
                w["dimensions_caption"],
                number=self.ctx.next_table(),
                widths=[50, 25, 25],
                align_right=w["dimensions_right"],
            ),
        ]

    def indicators(self) -> list[str]:
        w, out = self.words, []
        table = plan.indicator_table(self.r.root, self.ev, self.ctx.wording)
        if self.ev.type == "special":
            out.append(paragraph_html(w["sub_items"]))
            widths = [5, 14, 22, 10, 7, 10, 32]
        else:
            widths = [5, 17, 40, 10, 7, 21]
        out.append(
            tables.html_table(
                table,
                w["indicator_table_caption"],
                number=self.ctx.next_table(),
                group=w["indicator_table_group"],
                widths=widths,
                align_right=w["indicator_table_right"],
                center=w["indicator_table_center"],
                note=w["indicator_table_note"],
            )
        )
        return out

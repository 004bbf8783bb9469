"""附件2 of the province bulletin (notebooks/bulletin/10-comparison.ipynb): rank stability, indicator score
rates, drop-one influence on the ranking, and the significant changes since the previous evaluation."""

from __future__ import annotations

import pandas as pd

from hotline_eval.compare import frames
from hotline_eval.compare.analysis import analysis
from hotline_eval.narrative import comparison as say
from hotline_eval.report import charts, comparison_charts, tables
from hotline_eval.report.blocks import heading_html, note_html, paragraph_html
from hotline_eval.report.context import ReportContext
from hotline_eval.report.table_frames import rank_stability_table


class BulletinComparison:
    def __init__(self, ctx: ReportContext) -> None:
        self.ctx, self.r = ctx, ctx.results
        self.a = analysis(self.r, ctx.previous)
        self.words = ctx.wording["bulletin"]
        self.indicator_names = {i.id: i.zh for i in self.r.active}
        self.names = {c: self.r.city_name(c) for c in self.r.evaluation.city_ids()}

    def ranking(self) -> list[str]:
        if self.ctx.single:  # nothing to compare: no annex (the attachments line names one)
            return []
        w, cols, settings = self.words, self.words["stability_columns"], self.a.settings
        rank = frames.ranking(self.a)
        if rank.empty:  # no evaluated object has a total
            heading = heading_html(w["comparison_title"], anchor="annex-comparison", new_page=True)
            return [heading, paragraph_html(w["cities_none"][self.r.no_total_cause])]
        shown = rank_stability_table(rank, self.names, cols, cols["city"])
        note = w["stability_note"].format(
            draws=settings.bootstrap.draws,
            noise=f"{settings.robustness.weight_noise * 100:g}",
            combinations=settings.robustness.draws,
        )
        fig = comparison_charts.rank_intervals(rank, self.names)
        return [
            heading_html(w["comparison_title"], anchor="annex-comparison", new_page=True),
            paragraph_html(say.province_intro(self.a)),
            tables.html_table(
                shown,
                w["stability_caption"],
                number=self.ctx.next_table(),
                widths=[8, 12, 12, 18, 16, 20, 14],
                center=[cols["rank"], cols["rank_sampling"], cols["rank_robustness"]],
                align_right=[cols["total"], cols["interval"], cols["kept"]],
                note=note,
            ),
            charts.figure_html(fig, w["intervals_caption"], number=self.ctx.next_figure(), alt=w["intervals_alt"]),
        ]

    def indicators(self) -> list[str]:
        if self.ctx.single:
            return []
        w, out = self.words, []
        rates = frames.score_rates(self.r)
        varied = [c for c in rates.columns if (rates[c] < 0.95).any()]
        if varied:
            fig = comparison_charts.heatmap(rates[varied].rename(index=self.names), self.indicator_names)
            out += [
                charts.figure_html(fig, w["heatmap_caption"], number=self.ctx.next_figure(), alt=w["heatmap_alt"]),
                note_html(w["heatmap_note"].format(n=len(varied))),
            ]
        summary = frames.influence_summary(self.a)
        if len(summary):
            out.append(self._influence(summary))
        return out

    def _influence(self, summary: pd.DataFrame) -> str:
        w, cols = self.words, self.words["influence_columns"]
        shown = pd.DataFrame(
            {
                cols["indicator"]: [frames.item_label(self.r, i) for i in summary.index],
                cols["cities"]: [str(int(v)) for v in summary["cities"]],
                cols["largest"]: [w["influence_largest"].format(n=int(v)) for v in summary["largest"]],
            }
        )
        return tables.html_table(
            shown,
            w["influence_caption"],
            number=self.ctx.next_table(),
            widths=[50, 25, 25],
            center=[cols["cities"], cols["largest"]],
            note=w["influence_note"],
        )

    def changes(self) -> list[str]:
        if self.ctx.previous is None or self.ctx.single:
            return []
        table = say.province_changes(self.a)
        if not len(table):
            return []
        w = self.words
        return [
            tables.html_table(
                table, w["changes_caption"], number=self.ctx.next_table(), widths=[12, 44, 44], note=w["changes_note"]
            )
        ]

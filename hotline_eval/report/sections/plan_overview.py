"""一、评价目的和依据 and 二、评价对象、类型和周期 of the evaluation plan (notebooks/plan/01-overview.ipynb)."""

from __future__ import annotations

from hotline_eval.core import fmt
from hotline_eval.cycle import plan
from hotline_eval.report import tables
from hotline_eval.report.blocks import bullets_html, heading_html, paragraph_html
from hotline_eval.report.context import ReportContext


class PlanOverview:
    def __init__(self, ctx: ReportContext) -> None:
        self.ctx, self.r, self.ev = ctx, ctx.results, ctx.results.evaluation
        self.words = ctx.wording["plan"]

    def purpose(self) -> list[str]:
        w = self.words
        return [
            paragraph_html(w["intro"]),
            heading_html(self.ctx.section(w["purpose_title"]), anchor="purpose"),
            paragraph_html(self.ev.purpose_zh or w["purpose"]),
            paragraph_html(w["basis"]),
            bullets_html(self.ctx.wording["basis"]),
        ]

    def scope(self) -> list[str]:
        w, ev = self.words, self.ev
        objects = plan.objects_text(self.r.root, ev, self.ctx.wording)
        out = [
            heading_html(self.ctx.section(w["scope_title"]), anchor="scope"),
            heading_html(w["objects_title"], 3, anchor="scope-objects"),
            paragraph_html(w["objects_sentence"].format(objects=objects)),
            tables.html_table(
                plan.cities_table(ev),
                w["objects_caption"],
                number=self.ctx.next_table(),
                widths=[10, 45, 45],
                center=[w["objects_number"]],
                literal=[plan.CITY_CODE],
                note=w["objects_note"],
            ),
            heading_html(w["type_title"], 3, anchor="scope-type"),
            *self._type(),
            heading_html(w["period_title"], 3, anchor="scope-period"),
        ]
        grace = int(ev.parameter_values(self.r.catalogue)["outcome_grace_days"])
        period = w["period"].format(
            start=fmt.date(ev.period.start), end=fmt.date(ev.period.end), months=ev.period.full_months(), grace=grace
        )
        return [*out, paragraph_html(period)]

    def _type(self) -> list[str]:
        w, ev = self.words, self.ev
        if ev.type == "comprehensive":
            return [paragraph_html(w["comprehensive"])]
        out = [paragraph_html(w["special"])]
        if ev.activity is not None:
            windows = "、".join(
                w["activity_window"].format(date=fmt.date(x.date), start=f"{x.start:%H:%M}", end=f"{x.end:%H:%M}")
                for x in ev.activity.windows
            )
            out.append(paragraph_html(w["activity"].format(activity=ev.activity.zh, windows=windows)))
        out += [paragraph_html(w["segment"].format(segment=seg.zh)) for seg in ev.segments.values()]
        return out

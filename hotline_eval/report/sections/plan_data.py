"""四、数据采集方式 and 五、数据和材料报送要求 of the evaluation plan (notebooks/plan/03-data.ipynb): system
extraction, sampling reviews, expert scoring; the tables and fields each evaluated object reports."""

from __future__ import annotations

import pandas as pd

from hotline_eval.core import fmt
from hotline_eval.cycle import plan
from hotline_eval.quality.summary import QualityLabels, rules_text
from hotline_eval.report import tables
from hotline_eval.report.blocks import heading_html, paragraph_html
from hotline_eval.report.context import ReportContext


class PlanData:
    def __init__(self, ctx: ReportContext) -> None:
        self.ctx, self.r, self.ev = ctx, ctx.results, ctx.results.evaluation
        self.words, self.wording = ctx.wording["plan"], ctx.wording
        self.required = plan.data_requirements(self.r.root, self.ev, self.wording)

    def collection(self) -> list[str]:
        w, root = self.words, self.r.root
        out = [
            heading_html(self.ctx.section(w["collection_title"]), anchor="methods"),
            heading_html(w["system_title"], 3, anchor="methods-system"),
            paragraph_html(w["methods"]["system"]),
            paragraph_html(*rules_text(QualityLabels(root, self.ev), self.ev, self.wording["quality_rules"])),
        ]
        sampling = plan.sampling_table(root, self.ev)
        if len(sampling):
            out += [
                heading_html(w["sampling_title"], 3, anchor="methods-sampling"),
                paragraph_html(w["methods"]["sampling"]),
                tables.html_table(
                    sampling,
                    w["sampling_caption"],
                    number=self.ctx.next_table(),
                    widths=[18, 34, 16, 16, 16],
                    note=plan.shift_note(root),
                ),
                paragraph_html(plan.sampling_note(root, self.ev, self.wording)),
            ]
        if any(i.kind == "expert" for i in self.ev.active_indicators(self.r.catalogue)):
            title = w["expert_title"].format(k=fmt.ordinal(3 if len(sampling) else 2))
            out += [
                heading_html(title, 3, anchor="methods-expert"),
                paragraph_html(w["methods"]["expert"], plan.expert_rules(self.ev, self.wording)),
            ]
        return out

    def overview(self) -> list[str]:
        w, cols = self.words, self.words["data_columns"]
        frame = pd.DataFrame(
            [
                {
                    cols["table"]: r.table_zh,
                    cols["source"]: r.source_zh,
                    cols["files"]: r.files or w["data_files_default"],
                }
                for r in self.required
            ]
        )
        return [
            heading_html(self.ctx.section(w["data_title"]), anchor="data"),
            paragraph_html(w["data_intro"]),
            tables.html_table(frame, w["data_caption"], number=self.ctx.next_table(), widths=[20, 35, 45]),
        ]

    def fields(self) -> list[str]:
        """Per way of reporting, the note and the required fields of each of its tables."""
        w, out, seen = self.words, [], []
        for r in self.required:
            if r.source in seen:
                continue
            seen.append(r.source)
            title = w["source_title"].format(k=fmt.ordinal(len(seen)), source=r.source_zh)
            out += [heading_html(title, 3, anchor=f"data-{r.source}"), paragraph_html(r.note)]
            for x in [x for x in self.required if x.source == r.source and not x.columns.empty]:
                caption = w["fields_caption"].format(table=x.table_zh)
                caption += w["fields_files"].format(files=x.files) if x.files else ""
                out.append(
                    tables.html_table(
                        x.columns,
                        caption,
                        number=self.ctx.next_table(),
                        widths=[18, 40, 8, 34],
                        center=w["fields_center"],
                        literal=[plan.FIELD] if r.source == "template" else [],
                    )
                )
                if x.table == "self_reports":
                    figures = plan.self_report_figures(self.r.root, self.ev, self.wording)
                    out.append(
                        tables.html_table(
                            figures,
                            w["figures_caption"],
                            number=self.ctx.next_table(),
                            widths=[22, 33, 45],
                            literal=[plan.FIGURE],
                        )
                    )
        return out

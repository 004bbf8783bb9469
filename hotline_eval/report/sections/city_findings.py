"""存在的主要问题 and 整改措施 of the city report (notebooks/city/05-findings.ipynb): the problems found, the
measures with who acts and by when, the task list, and the tracking of the previous problems (§8.5)."""

from __future__ import annotations

import pandas as pd

from hotline_eval import narrative
from hotline_eval.core import fmt
from hotline_eval.report import tables
from hotline_eval.report.blocks import headed_html, heading_html, note_html, paragraph_html
from hotline_eval.report.context import ReportContext


class CityFindings:
    def __init__(self, ctx: ReportContext) -> None:
        self.ctx, self.name = ctx, ctx.name
        self.story = narrative.story(ctx.results, ctx.city, ctx.previous)
        self.words = ctx.wording["report"]["findings"]

    def problems(self) -> list[str]:
        s = self.story
        out = [heading_html(self.ctx.section(self.words["problems_title"]), anchor="problems")]
        if not s.problems:
            return [*out, paragraph_html(s.words("problems", "none"))]
        out += [
            paragraph_html(s.words("problems", "intro")),
            headed_html([(f"{p.headline}。", p.text) for p in s.problems]),
        ]
        if self.ctx.n_cities > 1:  # the note explains comparisons with the other objects
            out.append(note_html(s.words("problems", "note")))
        return out

    def measures(self) -> list[str]:
        s, w = self.story, self.words
        if not s.problems:
            return []
        items = [
            (w["measure_headline"].format(problem=p.headline), "".join(m.text for m in s.measures_of(p)))
            for p in s.problems
        ]
        return [
            heading_html(self.ctx.section(w["measures_title"]), anchor="measures"),
            heading_html(w["measures_list_title"], 3, anchor="measures-list"),
            paragraph_html(s.words("measures", "intro")),
            headed_html(items),
            heading_html(w["tasks_title"], 3, anchor="measures-table"),
            self._tasks(),
            *([paragraph_html(s.report_line)] if s.report_line else []),
        ]

    def _tasks(self) -> str:
        w, cols = self.words, self.words["tasks_columns"]
        rows = [
            {
                cols["number"]: str(m.problem),
                cols["problem"]: m.headline,
                cols["actor"]: m.actor,
                cols["deadline"]: m.deadline or fmt.DASH,
                cols["target"]: m.target or fmt.DASH,
            }
            for m in self.story.measures
        ]
        problems_section = fmt.ordinal(self.ctx.counters["section"] - 1)
        return tables.html_table(
            pd.DataFrame(rows),
            w["tasks_caption"].format(name=self.name),
            number=self.ctx.next_table(),
            widths=[6, 28, 26, 16, 24],
            center=[cols["number"]],
            note=w["tasks_note"].format(section=problems_section),
        )

    def tracking(self) -> list[str]:
        s, w = self.story, self.words
        if s.tracking is None:
            return []
        out = [heading_html(w["tracking_title"], 3, anchor="measures-tracking"), paragraph_html(s.tracking_text)]
        frame = s.tracking_table
        if frame is not None and len(frame):
            out.append(
                tables.html_table(
                    frame,
                    w["tracking_caption"].format(name=self.name),
                    number=self.ctx.next_table(),
                    group=w["tracking_group"],
                    widths=[24, 16, 16, 24, 20],
                    align_right=w["tracking_right"],
                    center=w["tracking_center"],
                    note=w["tracking_note"],
                )
            )
        return out

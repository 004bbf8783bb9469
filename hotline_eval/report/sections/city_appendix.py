"""附录 of the city report (notebooks/city/09-appendix.ipynb): indicator definitions, references and rules;
the qualitative rule tables; the appeals decided (§8.2), when there are any; the appeal notice."""

from __future__ import annotations

from hotline_eval.config.rule_tables import rule_tables
from hotline_eval.report import tables
from hotline_eval.report.appeal import appeal_items, appeal_summary, appeal_table, changed_items
from hotline_eval.report.blocks import heading_html, numbered_html, paragraph_html
from hotline_eval.report.context import ReportContext
from hotline_eval.report.table_frames import definitions_table, grading_text, headers, rules_table
from hotline_eval.score.rules import ZERO_REFERENCE


class CityAppendix:
    def __init__(self, ctx: ReportContext) -> None:
        self.ctx, self.r, self.name = ctx, ctx.results, ctx.name
        self.words, self.wording = ctx.wording["report"]["appendix"], ctx.wording
        self.rules = rule_tables(
            self.r.root, [i.id for i in self.r.active if i.kind in ("qualitative", "expert", "sampled")]
        )
        self.annex = 3 if self.rules else 2  # the next annex's number

    def definitions(self) -> list[str]:
        w, col = self.words, headers(self.r, self.wording)
        return [
            heading_html(w["title"], anchor="appendix", new_page=True),
            heading_html(w["definitions_title"], 3, anchor="appendix-definitions"),
            tables.html_table(
                definitions_table(self.r, self.wording),
                w["definitions_caption"],
                number=self.ctx.next_table(),
                group=col["dimension"],
                widths=[6, 17, 33, 11, 6, 15, 12],
                align_right=[col["points"]],
                center=[col["number"]],
                note=w["definitions_note"],
            ),
            *self._zero_references(),
            tables.html_table(
                rules_table(self.r, self.wording), w["rules_caption"], number=self.ctx.next_table(), widths=[30, 70]
            ),
            paragraph_html(grading_text(self.r, self.wording)),
        ]

    def _zero_references(self) -> list[str]:
        """Why the indicators whose reference is 0 score as they do (flag zero_reference in scores.csv)."""
        s = self.r.scores
        zero = s[s["flag"].fillna("").str.split(";").map(lambda f: ZERO_REFERENCE in f)]
        names = {i.id: i.zh for i in self.r.active}
        shown = [names[i] for i in dict.fromkeys(zero["base_indicator"]) if i in names]
        return [paragraph_html(self.words["zero_reference"].format(indicators="、".join(shown)))] if shown else []

    def rule_tables(self) -> list[str]:
        if not self.rules:
            return []
        out = [heading_html(self.words["rule_tables_title"], 3, anchor="appendix-rules")]
        for rule in self.rules:
            out += [
                paragraph_html(rule.basis),
                tables.html_table(rule.frame, rule.title, number=self.ctx.next_table(), note=rule.note or None),
            ]
        return out

    def appeals(self) -> list[str]:
        """The appeals (§8.2) and the scores before and after, when the evaluation has an appeal file."""
        w, city = self.words, self.ctx.city
        log = appeal_table(self.r, self.wording, city)
        if log is None:
            return []
        out = [heading_html(w["appeals_title"].format(n=self.annex), 3, anchor="appendix-appeals")]
        out += [paragraph_html(text) for text in appeal_summary(self.r, self.wording, city)]
        if len(log):
            caption = w["appeals_caption"].format(name=self.name)
            out.append(
                tables.html_table(
                    log,
                    caption,
                    number=self.ctx.next_table(),
                    widths=[13, 13, 32, 12, 10, 20],
                    center=w["appeals_center"],
                )
            )
        else:
            out.append(paragraph_html(self.wording["appeals"]["none"]))
        changed = changed_items(self.r, self.wording, city)
        if len(changed):
            out.append(
                tables.html_table(
                    changed,
                    w["changes_caption"].format(name=self.name),
                    number=self.ctx.next_table(),
                    widths=[28, 24, 24, 24],
                    note=w["changes_note"],
                )
            )
        self.annex += 1
        return out

    def notice(self) -> list[str]:
        heading = heading_html(self.words["notice_title"].format(n=self.annex), 3, anchor="appendix-appeal")
        if self.r.evaluation.appeal_days > 0:
            return [heading, numbered_html(appeal_items(self.r.root, self.r.evaluation, self.wording))]
        # appeal_days: 0 — an evaluation whose result is not used for assessment (e.g. a method test)
        return [heading, paragraph_html(self.wording["report"]["no_appeal"])]

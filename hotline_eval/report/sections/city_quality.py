"""数据质量评估 of the city report (notebooks/city/04-quality.ipynb, §5.2.7): what was checked, what failed
and which indicators it withheld, flags to explain, problems found, and examples of offending records."""

from __future__ import annotations

import pandas as pd

from hotline_eval.quality import load_examples, load_quality
from hotline_eval.quality.gate import blocked_indicators, failures, gates
from hotline_eval.quality.summary import (
    QualityLabels,
    blocked_table,
    examples_table,
    failing_table,
    findings,
    overview_table,
    rules_text,
)
from hotline_eval.report import tables
from hotline_eval.report.blocks import bullets_html, heading_html, paragraph_html
from hotline_eval.report.context import ReportContext


class CityQuality:
    def __init__(self, ctx: ReportContext) -> None:
        self.ctx, self.r, self.city, self.name = ctx, ctx.results, ctx.city, ctx.name
        self.words = ctx.wording["report"]["quality"]
        self.quality, self.examples = load_quality(self.r.paths.out), load_examples(self.r.paths.out)
        self.labels = QualityLabels(self.r.root, self.r.evaluation)
        self.own = self.quality[self.quality["city"] == self.city]
        self.failed = failures(self.own)

    def assessment(self) -> list[str]:
        """What was assessed, the data version, whether every gate passed, and the overview per table."""
        out = [heading_html(self.ctx.section(self.words["title"]), anchor="quality"), self._intro()]
        out.append(paragraph_html(*rules_text(self.labels, self.r.evaluation, self.ctx.wording["quality_rules"])))
        version = self._version()
        if version:
            out.append(version)
        out.append(self._gates())
        overview = overview_table(self.quality, self.city, self.labels)
        if len(overview):
            out.append(
                tables.html_table(
                    overview,
                    self.words["overview_caption"].format(name=self.name),
                    number=self.ctx.next_table(),
                    note=self.words["overview_note"],
                    align_right=list(overview.columns[1:]),  # all but the table's name
                )
            )
        return out

    def _intro(self) -> str:
        w, own = self.words, self.own
        reported = (own["check"] == "record_recall").any()  # self-reported control totals to compare with
        linked = (own["check"] == "linkage").any()  # designed links between tables the sources provide
        data = w["data_given"] if self.r.evaluation.data.source_zh else w["data_reported"].format(name=self.name)
        return paragraph_html(
            w["intro"].format(data=data),
            w["recall_reported"].format(name=self.name) if reported else w["recall_unreported"],
            w["precision"],
            w["consistency"].format(reported=w["consistency_reported"] if reported else ""),
            w["relevance_linked"] if linked else w["relevance_unlinked"],
        )

    def _version(self) -> str | None:
        versions = self.r.manifest.get("versions") or []
        if not versions:
            return None
        last = versions[-1]
        note = self.words["version"].format(version=last["version"], files=last["files"])
        if len(versions) > 1:
            earlier = "、".join(str(v["version"]) for v in versions[:-1])
            note += self.words["earlier_versions"].format(versions=earlier)
        return paragraph_html(note)

    def _gates(self) -> str:
        w, n_gates = self.words, len(gates(self.own))
        if self.failed.empty:
            return paragraph_html(w["all_passed"].format(n=n_gates))
        blocked = blocked_indicators(self.own, self.r.catalogue, self.r.active)
        tables_zh = "、".join(self.labels.table(t) for t in dict.fromkeys(self.failed["table"]))
        names = "、".join(self.r.catalogue.indicator(i).zh for i in blocked["indicator"])
        first, second = w["some_failed"]
        return paragraph_html(
            first.format(n=n_gates, failed=len(self.failed), tables=tables_zh),
            second.format(blocked=len(blocked), indicators=names),
        )

    def problems(self) -> list[str]:
        """The failing checks and the indicators they withhold, flags, problems found, examples."""
        w, out = self.words, []
        if len(self.failed):
            failing = failing_table(self.quality, self.city, self.labels, self.r.catalogue, self.r.evaluation)
            blocked = blocked_table(self.quality, self.city, self.labels, self.r.catalogue, self.r.evaluation)
            out += [
                tables.html_table(
                    failing,
                    w["failing_caption"].format(name=self.name),
                    number=self.ctx.next_table(),
                    note=w["failing_note"],
                    align_right=[failing.columns[3], failing.columns[5]],  # the result and what it rests on
                ),
                tables.html_table(
                    blocked,
                    w["blocked_caption"].format(name=self.name),
                    number=self.ctx.next_table(),
                    align_right=[blocked.columns[1]],  # the points
                ),
            ]
        flagged = self.own[(self.own["severity"] == "flag") & (self.own["passed"] == False)]  # noqa: E712
        if len(flagged):
            out += [
                paragraph_html(w["flagged"]),
                bullets_html([self.labels.row(r) + "。" for _, r in flagged.iterrows()]),
            ]
        found = findings(self.quality, self.city, self.labels)
        if found:
            out.append(paragraph_html(w["found"].format(found="；".join(found))))
        out += self._examples()
        return out

    def _examples(self) -> list[str]:
        sample: pd.DataFrame = examples_table(self.examples, self.city, self.labels)
        if len(sample):
            return [
                tables.html_table(
                    sample,
                    self.words["examples_caption"].format(name=self.name),
                    number=self.ctx.next_table(),
                    note=self.words["examples_note"],
                )
            ]
        return [paragraph_html(self.words["no_examples"])] if self.failed.empty else []

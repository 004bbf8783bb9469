"""一、评价概况 of the city report (notebooks/city/01-overview.ipynb): purpose and basis, objects and
period, method and indicator system, data sources."""

from __future__ import annotations

import pandas as pd

from hotline_eval.compare.aggregates import dimension_points
from hotline_eval.compare.volumes import city_volumes, ticket_channels, unit_classes
from hotline_eval.core import fmt
from hotline_eval.report import sources, tables
from hotline_eval.report.blocks import bullets_html, heading_html, paragraph_html
from hotline_eval.report.city import objects_text
from hotline_eval.report.context import ReportContext
from hotline_eval.report.table_frames import grading_text
from hotline_eval.score.units import ids_only


class Overview:
    def __init__(self, ctx: ReportContext) -> None:
        self.ctx, self.r, self.ev = ctx, ctx.results, ctx.results.evaluation
        self.words = ctx.wording["report"]["overview"]

    def purpose_and_basis(self) -> list[str]:
        w, labels = self.words, self.ev.labels
        purpose = self.ev.purpose_zh or w["purpose"].format(name=self.ctx.name, service=labels.service)
        return [
            heading_html(self.ctx.section(w["title"]), anchor="overview"),
            heading_html(w["purpose_title"], 3, anchor="overview-purpose"),
            paragraph_html(purpose),
            heading_html(w["basis_title"], 3, anchor="overview-basis"),
            bullets_html(self.ctx.wording["basis"]),
        ]

    def objects_and_period(self) -> list[str]:
        w, ev, period = self.words, self.ev, self.ev.period
        months = period.full_months()
        whole = months and months == len(period.months)
        span = w["span_months"].format(n=months) if whole else w["span_days"].format(n=period.days)
        taking_part = ""
        if self.ctx.n_cities > 1:
            taking_part = w["taking_part"].format(scope=ev.labels.scope, n=self.ctx.n_cities, object=ev.labels.object)
        out = [
            heading_html(w["scope_title"], 3, anchor="overview-scope"),
            paragraph_html(
                w["scope"].format(
                    type=self.ctx.wording["evaluation_type"][ev.type], taking_part=taking_part, objects=self._objects()
                ),
                w["period"].format(start=fmt.date(period.start), end=fmt.date(period.end), span=span),
            ),
        ]
        if ev.period_rule.waived:
            out.append(
                paragraph_html(
                    self.ctx.wording["report"]["period_waived"].format(reason=ev.period_rule.reason_zh.strip())
                )
            )
        return out

    def _objects(self) -> str:
        """The evaluated object: the hotline agency and its handling units by class (report.objects)."""
        classes = unit_classes(self.r, self.ctx.city)
        order = list(self.r.schema.codes["unit_class"].values)
        class_text = "、".join(
            self.words["unit_class"].format(label=self.r.schema.label("unit_class", k), n=classes[k])
            for k in sorted(classes, key=order.index)
        )
        if ids_only(classes):  # no units table: the units the work orders name
            class_text = self.words["unit_ids"]
        default = self.ctx.wording["report"]["objects"].replace("{units}", str(sum(classes.values())))
        return objects_text(self.r, self.ctx.city, default.replace("{classes}", class_text))

    def method_and_indicators(self) -> list[str]:
        report, w = self.ctx.wording["report"], self.words
        kinds = [k for k in report["method_parts"] if any(i.kind == k and not i.report_only for i in self.r.active)]
        method = (
            report["method"]
            if len(kinds) == len(report["method_parts"])
            else ("；".join(report["method_parts"][k] for k in kinds) + "。")
        )
        strategy = self.ctx.wording["reference_strategy"][self.ev.reference.strategy]
        return [
            heading_html(w["method_title"], 3, anchor="overview-method"),
            paragraph_html(method),
            tables.html_table(
                self._system(),
                w["system_caption"],
                number=self.ctx.next_table(),
                widths=[30, 12, 10, 48],
                align_right=[w["system_columns"]["count"], w["system_columns"]["points"]],
                note=w["system_note"],
            ),
            paragraph_html(
                report["scoring"].format(
                    reference=strategy.replace("全省", self.ev.labels.scope),
                    coverage=fmt.number(self.ev.coverage_min, 0),
                )
            ),
            paragraph_html(grading_text(self.r, self.ctx.wording)),
        ]

    def _system(self) -> pd.DataFrame:
        """The indicator system: per dimension the number of indicators, the points and the methods."""
        cols, methods_zh = self.words["system_columns"], self.ctx.wording["methods"]
        full = dimension_points(self.r)
        rows = []
        for dim in self.r.catalogue.dimensions:
            members = [i for i in self.r.active if i.dimension == dim.id]
            if not members:
                continue
            methods = list(dict.fromkeys(methods_zh.get(m, m) for ind in members for m in ind.method))
            rows.append(
                {
                    cols["dimension"]: f"{dim.zh}（§{dim.clause}）",
                    cols["count"]: str(sum(not i.report_only for i in members)),
                    cols["points"]: fmt.number(full.get(dim.id, 0), 1),
                    cols["methods"]: "、".join(methods) or fmt.DASH,
                }
            )
        system = pd.DataFrame(rows)
        system.loc[len(system)] = {
            cols["dimension"]: self.words["system_total"],
            cols["count"]: str(sum(int(x) for x in system[cols["count"]])),
            cols["points"]: fmt.number(sum(full.values()), 1),
            cols["methods"]: "",
        }
        return system

    def data_sources(self) -> list[str]:
        w = self.words
        out = [heading_html(w["data_title"], 3, anchor="overview-data"), self._source_paragraph()]
        missing_text = sources.missing_sentences(self.r, self.ctx.wording)
        if missing_text:
            out.append(paragraph_html(*missing_text))
        own = self._own_files()
        if not own and self.r.ingest.get("files"):  # one set of source files shared by every evaluated object
            out.append(self._shared_files())
        if own:
            out.append(self._city_files(own))
        channels = ticket_channels(self.r, self.ctx.city)
        if len(channels):
            out.append(self._channels(channels))
        return out

    def _source_paragraph(self) -> str:
        w, labels, name = self.words, self.ev.labels, self.ctx.name
        volumes = city_volumes(self.r).loc[self.ctx.city]
        have = sources.provided(self.r)
        counted = []
        if have is None or "tickets" in have:
            counted.append(w["counted_tickets"].format(n=fmt.count(volumes["tickets"], "件")))
        if have is None or "calls" in have:
            counted.append(w["counted_calls"].format(n=fmt.count(volumes["calls"], "通")))
        in_period = ""
        if counted:
            in_period = w["in_period"].format(name=name, service_short=labels.service_short, counted="，".join(counted))
        if self.ev.data.source_zh:
            return paragraph_html(w["source_given"].format(source=self.ev.data.source_zh.strip()), in_period)
        first, second = w["source_standard"]
        return paragraph_html(
            first.format(name=name, service_short=labels.service_short), second.format(in_period=in_period)
        )

    def _own_files(self) -> dict[str, dict[str, int]]:
        """Per table, the files of the city's own folder with their accepted and rejected rows."""
        files = [f for f in self.r.ingest.get("files", []) if f["file"].split("/")[0] == self.ctx.city]
        by_table: dict[str, dict[str, int]] = {}
        for f in files:
            row = by_table.setdefault(f["table"], {"files": 0, "accepted": 0, "rejected": 0})
            row["files"] += 1
            row["accepted"] += f["accepted"]
            row["rejected"] += f["rejected"]
        return by_table

    def _shared_files(self) -> str:
        notes = self.words["shared_files_note"]
        note = notes["several"].format(object=self.ev.labels.object) if self.ctx.n_cities > 1 else ""
        note += notes["rejects"]
        if any(f.get("excluded", 0) for f in self.r.ingest.get("files", [])):
            note += notes["excluded"]
        note += notes["personal"]
        shared, _ = sources.files_table(self.r, self.ctx.wording, self.ctx.city)
        return tables.html_table(
            shared,
            self.words["shared_files_caption"],
            number=self.ctx.next_table(),
            widths=[30, 12, 15, 15, 13, 15],
            align_right=list(shared.columns[2:]),
            note=note,
        )

    def _city_files(self, by_table: dict[str, dict[str, int]]) -> str:
        cols = self.words["city_files_columns"]
        frame = pd.DataFrame(
            [
                {
                    cols["table"]: self.r.schema.tables[t].zh,
                    cols["files"]: str(v["files"]),
                    cols["accepted"]: fmt.count(v["accepted"], "条"),
                    cols["rejected"]: fmt.count(v["rejected"], "条"),
                }
                for t, v in by_table.items()
            ]
        )
        return tables.html_table(
            frame,
            self.words["city_files_caption"].format(name=self.ctx.name),
            number=self.ctx.next_table(),
            widths=[34, 16, 25, 25],
            note=self.words["city_files_note"],
            align_right=[cols["files"], cols["accepted"], cols["rejected"]],
        )

    def _channels(self, channels: pd.DataFrame) -> str:
        cols = self.words["channels_columns"]
        shown = pd.DataFrame(
            {
                cols["channel"]: channels["label"],
                cols["n"]: [fmt.count(n, "件") for n in channels["n"]],
                cols["share"]: [fmt.pct(s) for s in channels["share"]],
            }
        )
        return tables.html_table(
            shown,
            self.words["channels_caption"].format(name=self.ctx.name),
            number=self.ctx.next_table(),
            widths=[50, 25, 25],
            align_right=[cols["n"], cols["share"]],
            note=self.words["channels_note"],
        )

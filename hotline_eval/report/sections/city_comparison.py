"""比较分析 of the city report (notebooks/city/03-comparison.ipynb): the evaluated objects with their
rank stability, indicator score rates and drop-one influence; months; intake channels; handling
units; dissatisfaction reasons. Parts without data are left out and the others numbered in order."""

from __future__ import annotations

import pandas as pd

from hotline_eval.compare import frames
from hotline_eval.compare.analysis import analysis
from hotline_eval.core import fmt
from hotline_eval.narrative import comparison as say
from hotline_eval.report import charts, comparison_charts, tables
from hotline_eval.report.blocks import heading_html, note_html, paragraph_html
from hotline_eval.report.context import ReportContext
from hotline_eval.report.table_frames import rank_stability_table
from hotline_eval.score.units import ids_only


class CityComparison:
    def __init__(self, ctx: ReportContext) -> None:
        self.ctx, self.r, self.city, self.name = ctx, ctx.results, ctx.city, ctx.name
        self.a = analysis(self.r, ctx.previous)
        self.words = ctx.wording["report"]["comparison"]
        self.scope, self.object = self.r.evaluation.labels.scope, self.r.evaluation.labels.object
        self.indicator_names = {i.id: i.zh for i in self.r.active}
        self.units = {i.id: i.unit for i in self.r.active}
        self.names = {c: self.r.city_name(c) for c in self.r.evaluation.city_ids()}
        self.many = ctx.n_cities > 1  # comparisons between evaluated objects need at least two
        self.months = len(self.r.evaluation.period.months) > 1 or ctx.previous is not None
        self.channel_table = frames.channels(self.a, self.city)
        self.league = frames.unit_league(self.a, self.city)
        self.reason_table = frames.reasons(self.a, self.city)
        self.parts = 0  # the parts shown, numbered in order

    def _subtitle(self, title: str) -> str:
        self.parts += 1
        return self.words["subsection"].format(k=fmt.ordinal(self.parts)) + title

    @property
    def shown(self) -> bool:
        parts = (self.channel_table, self.league, self.reason_table)
        return self.many or self.months or any(len(p) > 0 for p in parts)

    def objects(self) -> list[str]:
        """The section's opening and the comparison with the other evaluated objects."""
        out = []
        if self.shown:
            out += [
                heading_html(self.ctx.section(self.words["title"]), anchor="comparison"),
                paragraph_html(say.intro(self.a, self.city)),
            ]
        if self.many:
            title = self.words["province_title"].format(scope=self.scope, object=self.object)
            out.append(heading_html(self._subtitle(title), 3, anchor="comparison-province"))
            if self.city not in self.r.ranked:
                out.append(
                    paragraph_html(self.words["province_unranked"][self.r.no_total_cause].format(name=self.name))
                )
            else:
                out += [paragraph_html(say.ranking(self.a, self.city)), *self._stability()]
        return out

    def _stability(self) -> list[str]:
        w, rank = self.words, frames.ranking(self.a)
        cols, settings = w["ranking_columns"], self.a.settings
        shown = rank_stability_table(rank, self.names, cols, self.object)
        note = w["ranking_note"].format(
            draws=settings.bootstrap.draws,
            noise=f"{settings.robustness.weight_noise * 100:g}",
            scope=self.scope,
            combinations=settings.robustness.draws,
        )
        fig = comparison_charts.rank_intervals(rank, self.names, highlight=self.city)
        return [
            tables.html_table(
                shown,
                w["ranking_caption"].format(scope=self.scope, object=self.object),
                number=self.ctx.next_table(),
                highlight_row=list(rank.index).index(self.city),
                widths=[8, 12, 12, 18, 16, 20, 14],
                center=[cols["rank"], cols["rank_sampling"], cols["rank_robustness"]],
                align_right=[cols["total"], cols["interval"], cols["kept"]],
                note=note,
            ),
            charts.figure_html(
                fig,
                w["intervals_caption"].format(scope=self.scope, object=self.object),
                number=self.ctx.next_figure(),
                alt=w["intervals_alt"].format(scope=self.scope, object=self.object, name=self.name),
            ),
        ]

    def indicators(self) -> list[str]:
        """The score rates of every indicator across the objects, and what dropping one would change."""
        if not self.many:
            return []
        w, out = self.words, []
        rates = frames.score_rates(self.r)
        varied = [c for c in rates.columns if (rates[c] < 0.95).any()]
        if varied:
            fig = comparison_charts.heatmap(
                rates[varied].rename(index=self.names), self.indicator_names, highlight=self.name
            )
            out += [
                paragraph_html(say.extremes(self.a, self.city)),
                charts.figure_html(
                    fig,
                    w["heatmap_caption"].format(object=self.object),
                    number=self.ctx.next_figure(),
                    alt=w["heatmap_alt"].format(object=self.object, name=self.name),
                ),
                note_html(w["heatmap_note"].format(object=self.object, n=len(varied))),
            ]
        moves = frames.influence_on(self.a, self.city)
        if len(moves):
            out.append(self._influence(moves))
        return out

    def _influence(self, moves: pd.DataFrame) -> str:
        w, cols = self.words, self.words["influence_columns"]
        shown = pd.DataFrame(
            {
                cols["indicator"]: [frames.item_label(self.r, i) for i in moves["indicator"]],
                cols["total"]: [fmt.number(v) for v in moves["total_without"]],
                cols["rank"]: [str(int(v)) for v in moves["rank_without"]],
                cols["change"]: [
                    fmt.rank_arrow(b, a) for b, a in zip(moves["rank"], moves["rank_without"], strict=True)
                ],
            }
        )
        return tables.html_table(
            shown,
            w["influence_caption"].format(name=self.name),
            number=self.ctx.next_table(),
            widths=[40, 20, 20, 20],
            align_right=[cols["total"]],
            center=[cols["rank"], cols["change"]],
            note=w["influence_note"].format(object=self.object),
        )

    def time(self) -> list[str]:
        """The main indicators month by month (with the previous evaluation's months when there is one)."""
        if not self.months:
            return []
        trend = [i for i in self.a.settings.trend_indicators if i in self.indicator_names]
        if not trend:  # none of the usual main indicators is evaluated: the evaluation's own scored ones
            trend = list(dict.fromkeys(item.indicator.id for item in self.r.evaluation.items(self.r.catalogue)))
        series = frames.monthly(self.a, self.city, trend)
        # only indicators with a monthly value are discussed (none withheld by the quality gate, none without data)
        shown = [i for i in trend if len(series) and series[series["indicator"] == i]["value"].notna().any()]
        heading = heading_html(self._subtitle(self.words["time_title"]), 3, anchor="comparison-time")
        if not shown:
            return [heading, paragraph_html(self.words["monthly_none"].format(name=self.name))]
        return [
            heading,
            paragraph_html(say.months(self.a, self.city, shown)),
            *self._monthly_chart(series, shown),
            self._monthly_table(series, shown),
        ]

    def _monthly_chart(self, series: pd.DataFrame, shown: list[str]) -> list[str]:
        w, m = self.words, self.a.months
        changed = m[(m["city"] == self.city) & m["verdict"].isin(["better", "worse"])]
        marks = set(zip(changed["indicator"], changed["month"], strict=True))
        fig = comparison_charts.monthly_trends(
            series[series["indicator"].isin(shown)],
            self.indicator_names,
            self.units,
            self.name,
            marks,
            scope=self.scope if self.many else None,
        )
        span = w["monthly_span_previous"] if self.ctx.previous is not None else w["monthly_span"]
        alt = w["monthly_alt"].format(name=self.name, span=span)
        if self.many:
            alt += w["monthly_alt_scope"].format(scope=self.scope)
        note = w["monthly_note"] + (w["monthly_note_previous"] if self.ctx.previous is not None else "")
        return [
            charts.figure_html(
                fig, w["monthly_caption"].format(name=self.name), number=self.ctx.next_figure(), alt=alt
            ),
            note_html(note),
        ]

    def _monthly_table(self, series: pd.DataFrame, shown: list[str]) -> str:
        w = self.words
        months = sorted(series["month"].unique())
        rows = []
        for ind in shown:
            part = series[series["indicator"] == ind].set_index("month")
            row = {w["monthly_table_indicator"]: self.indicator_names[ind]}
            for month in months:
                label = w["monthly_table_month"].format(month=fmt.month(month, months))
                row[label] = fmt.value(part["value"].get(month), self.units[ind])
            rows.append(row)
        frame = pd.DataFrame(rows)
        if len(months) > tables.MONTHS_ACROSS:
            frame = tables.months_down(frame, w["monthly_table_indicator"], w["monthly_table_months"])
        return tables.html_table(
            frame,
            w["monthly_table_caption"].format(name=self.name),
            number=self.ctx.next_table(),
            align_right=list(frame.columns[1:]),
            note=w["monthly_table_note"],
        )

    def channels(self) -> list[str]:
        """Tickets and their handling by intake channel (§5.2.2), with the tests of the differences."""
        table, w = self.channel_table, self.words
        if not len(table):
            return []
        cols = w["channels_columns"]
        chosen = [i for i in self.a.settings.channel_indicators if f"value_{i}" in table.columns]
        shown = pd.DataFrame(
            {
                cols["channel"]: table["label"],
                cols["n"]: [fmt.count(n) for n in table["n"]],
                cols["share"]: [fmt.pct(s) for s in table["share"]],
            }
        )
        for ind in chosen:
            shown[self.indicator_names[ind]] = [fmt.pct(v) for v in table[f"value_{ind}"]]
        note = w["channels_note"].format(min=self.a.settings.channel_min_tickets) + self._channel_tests(table)
        out = [
            heading_html(self._subtitle(w["channels_title"]), 3, anchor="comparison-channels"),
            paragraph_html(say.channels(self.a, self.city, table)),
            tables.html_table(
                shown,
                w["channels_caption"].format(name=self.name),
                number=self.ctx.next_table(),
                align_right=[c for c in shown.columns if c != cols["channel"]],
                note=note,
            ),
        ]
        picked = [
            i
            for i in ("ontime_completion_rate", "first_contact_rate")
            if i in chosen and table[f"value_{i}"].notna().any()
        ]
        if picked:
            fig = comparison_charts.channel_rates(table, picked, self.indicator_names)
            indicators = "、".join(self.indicator_names[i] for i in picked)
            out.append(
                charts.figure_html(
                    fig,
                    w["channels_chart_caption"].format(name=self.name),
                    number=self.ctx.next_figure(),
                    alt=w["channels_chart_alt"].format(name=self.name, indicators=indicators),
                )
            )
        return out

    def _channel_tests(self, table: pd.DataFrame) -> str:
        tests = table.attrs.get("tests", pd.DataFrame())
        if not len(tests):
            return ""
        sig = tests[tests["p"].notna()]
        each = [
            self.words["channels_test"].format(indicator=self.indicator_names[i], q=fmt.number(q, 3))
            for i, q in zip(sig["indicator"], sig["q"], strict=True)
        ]
        if not each:  # no indicator could be tested (too few tickets per channel): no test to report
            return ""
        return self.words["channels_tests"].format(tests="；".join(each))

    def units_league(self) -> list[str]:
        """The city's handling units, ranked within their class, with their main indicators."""
        league, w = self.league, self.words
        if not len(league):
            return []
        cols = w["units_columns"]
        inds = [i for i in self.a.settings.unit_indicators if f"value_{i}" in league.columns]
        shown = pd.DataFrame(
            {
                cols["class"]: [self.r.schema.label("unit_class", c) for c in league["class"]],
                cols["rank"]: [str(int(r)) if r == r else fmt.DASH for r in league["rank"]],
                cols["unit"]: league["unit_name"],
                cols["total"]: [fmt.number(v) for v in league["total"]],
            }
        )
        for ind in inds:
            shown[self.indicator_names[ind]] = [fmt.value(v, self.units[ind]) for v in league[f"value_{ind}"]]
        return [
            heading_html(self._subtitle(w["units_title"]), 3, anchor="comparison-units"),
            paragraph_html(say.units(self.a, self.city, league)),
            tables.html_table(
                shown,
                w["units_caption"].format(name=self.name),
                number=self.ctx.next_table(),
                group=cols["class"],
                center=[cols["rank"]],
                align_right=[c for c in shown.columns if c not in (cols["class"], cols["rank"], cols["unit"])],
                widths=[7, 22, 11] + [60 / max(len(inds), 1)] * len(inds),
                note=self.ctx.wording["assessment"][
                    "unit_ids_note" if ids_only(league["class"]) else "unit_classes_note"
                ],
            ),
        ]

    def reasons(self) -> list[str]:
        """Dissatisfaction reasons (§6.5.3) against the other evaluated objects."""
        table, w = self.reason_table, self.words
        if not len(table):
            return []
        others = w["reasons_others"].format(object=self.object)
        fig = comparison_charts.reason_shares(table, others=others)
        return [
            heading_html(self._subtitle(w["reasons_title"]), 3, anchor="comparison-reasons"),
            paragraph_html(say.reasons(self.a, self.city, table)),
            charts.figure_html(
                fig,
                w["reasons_chart_caption"].format(name=self.name, object=self.object),
                number=self.ctx.next_figure(),
                alt=w["reasons_chart_alt"].format(name=self.name, object=self.object),
            ),
            self._reason_table(table),
        ]

    def _reason_table(self, table: pd.DataFrame) -> str:
        w = self.words
        cols = {k: v.format(object=self.object) for k, v in w["reasons_columns"].items()}
        mandatory = set(table.loc[table["mandatory"].astype(bool), "reason"])
        shown = pd.DataFrame(
            {
                cols["reason"]: [
                    z + (w["reasons_mandatory"] if r in mandatory else "")
                    for z, r in zip(table["reason_zh"], table["reason"], strict=True)
                ],
                cols["count"]: [str(int(n)) for n in table["count"]],
                cols["share"]: [fmt.pct(s) for s in table["share"]],
                cols["others"]: [fmt.pct(s) for s in table["rest_share"]],
                cols["difference"]: [
                    fmt.points_change(d) if h else w["reasons_no_difference"] if q == q else fmt.DASH
                    for d, h, q in zip(table["diff"], table["hot"], table["q"], strict=True)
                ],
            }
        )
        return tables.html_table(
            shown,
            w["reasons_caption"].format(name=self.name),
            number=self.ctx.next_table(),
            widths=[36, 12, 14, 18, 20],
            align_right=[cols["count"], cols["share"], cols["others"]],
            center=[cols["difference"]],
            note=w["reasons_note"],
        )

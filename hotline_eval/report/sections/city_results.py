"""二、评价结果 and 三、指标分析 of the city report (notebooks/city/02-results.ipynb): the summary, the
dimensions, the ranking, and each dimension's indicators with their table and charts."""

from __future__ import annotations

import pandas as pd

from hotline_eval import narrative
from hotline_eval.compare.aggregates import dimension_rates, points_lost
from hotline_eval.config.catalogue import Dimension, Indicator
from hotline_eval.core import fmt
from hotline_eval.report import charts, tables
from hotline_eval.report.blocks import heading_html, lead_html, paragraph_html
from hotline_eval.report.context import ReportContext
from hotline_eval.report.table_frames import dimension_table, headers, indicator_table, ranking_table


class CityResults:
    def __init__(self, ctx: ReportContext) -> None:
        self.ctx, self.r = ctx, ctx.results
        self.labels = self.r.evaluation.labels
        self.words = ctx.wording["report"]
        self.col = headers(self.r, ctx.wording)

    def summary(self) -> list[str]:
        story = narrative.story(self.r, self.ctx.city, self.ctx.previous)
        return [
            heading_html(self.ctx.section(self.words["results"]["title"]), anchor="results"),
            lead_html(story.summary),
            *([paragraph_html(story.strengths_text)] if story.strengths_text else []),
        ]

    def dimensions(self) -> list[str]:
        w, col, name = self.words["results"], self.col, self.ctx.name
        dims = dimension_table(self.r, self.ctx.wording, self.ctx.city, self.ctx.previous)
        if dims.empty:  # no dimension has a scored indicator with a score
            heading = heading_html(w["dimensions_title"], 3, anchor="results-dimensions")
            return [heading, paragraph_html(w["dimensions_none"][self.r.no_total_cause])]
        coverage = self.r.totals.loc[self.ctx.city, "coverage"]
        note = w["dimensions_note"].format(name=name, coverage=f"{coverage:.1f}")
        widths = [27, 9, 11, 10, 11, 16, 12] if self.ctx.n_cities > 1 else [40, 15, 15, 15, 15]
        if col["change"] in dims.columns:
            widths = [22, 7, 9, 8, 9, 12, 10, 17]
            note += w["dimensions_previous_note"].format(period=self.ctx.previous.evaluation.period.label_zh)
        right = ["full_points", "available", "score", "rate", "scope_mean_rate", "change"]
        out = [
            heading_html(w["dimensions_title"], 3, anchor="results-dimensions"),
            tables.html_table(
                dims,
                w["dimensions_caption"].format(name=name),
                number=self.ctx.next_table(),
                widths=widths,
                align_right=[col[k] for k in right],
                center=[col["scope_rank"]],
                note=note,
            ),
        ]
        rates = dimension_rates(self.r)
        if rates.shape[1] >= 2 and self.ctx.n_cities > 1:
            out.append(self._profile(rates))
        return out

    def _profile(self, rates: pd.DataFrame) -> str:
        w, name, scope = self.words["results"], self.ctx.name, self.labels.scope
        named = rates.rename(columns={d.id: d.zh for d in self.r.catalogue.dimensions})
        fig = charts.dimension_profile(named.loc[self.ctx.city], named.mean(), named.max(), name, scope=scope)
        return charts.figure_html(
            fig,
            w["profile_caption"].format(name=name, scope=scope),
            number=self.ctx.next_figure(),
            alt=w["profile_alt"].format(name=name, scope=scope),
        )

    def ranking(self) -> list[str]:
        if self.ctx.n_cities <= 1:  # a single evaluated object has no ranking
            return []
        w, col, name, n = self.words["results"], self.col, self.ctx.name, self.ctx.n_cities
        scope, obj = self.labels.scope, self.labels.object
        if not self.r.ranked:  # no evaluated object has a total: nothing to rank
            heading = heading_html(w["ranking_title"].format(scope=scope), 3, anchor="results-ranking")
            return [heading, paragraph_html(w["ranking_none"][self.r.no_total_cause].format(object=obj))]
        ranking, position = ranking_table(self.r, self.ctx.wording, self.ctx.changes, highlight=self.ctx.city)
        note = w["ranking_note"]
        if col["total_change"] in ranking.columns:
            note += w["ranking_previous_note"].format(period=self.ctx.previous.evaluation.period.label_zh)
        totals = self.r.totals["total"].rename(index=self.r.city_name)
        fig = charts.ranked_bars(totals, name, w["totals_axis"], fmt="{:.2f}")
        return [
            heading_html(w["ranking_title"].format(scope=scope), 3, anchor="results-ranking"),
            tables.html_table(
                ranking,
                w["ranking_caption"].format(scope=scope, object=obj, n=n),
                number=self.ctx.next_table(),
                highlight_row=position,
                align_right=[col["total"], col["coverage"], col["total_change"]],
                center=[col["rank"], col["grade"], col["rank_change"]],
                note=note,
            ),
            charts.figure_html(
                fig,
                w["totals_caption"].format(scope=scope, object=obj),
                number=self.ctx.next_figure(),
                alt=w["totals_alt"].format(scope=scope, object=obj, n=n, name=name),
            ),
        ]

    def analysis(self) -> list[str]:
        w = self.words["analysis"]
        pooled = self.r.pooled(self.ctx.city).set_index("indicator")
        out = [heading_html(self.ctx.section(w["title"]), anchor="analysis"), paragraph_html(*w["intro"])]
        dims = [d for d in self.r.catalogue.dimensions if self._members(d, pooled)]
        for k, dim in enumerate(dims, 1):
            out += self._dimension(k, dim, self._members(dim, pooled), pooled)
        return out

    def _members(self, dim: Dimension, pooled: pd.DataFrame) -> list[Indicator]:
        return [i for i in self.r.active if i.dimension == dim.id and i.id in pooled.index]

    def _dimension(self, k: int, dim: Dimension, members: list[Indicator], pooled: pd.DataFrame) -> list[str]:
        w = self.words["analysis"]
        out = [
            heading_html(w["dimension_title"].format(k=fmt.ordinal(k), dimension=dim.zh), 3, anchor=f"dim-{dim.id}"),
            paragraph_html(*self._dimension_sentences(dim, members)),
            self._indicator_table(dim),
        ]
        missing = narrative.not_provided_sentence(self.r, self.ctx.wording, members, pooled)
        if missing:
            out.append(paragraph_html(missing))
        rates_chart = self._rates_chart(dim, members)
        if rates_chart:
            out.append(rates_chart)
        compared = self._compared_chart(members)
        if compared:
            out.append(compared)
        return out

    def _dimension_sentences(self, dim: Dimension, members: list[Indicator]) -> list[str]:
        w, city, rates = self.words["analysis"], self.ctx.city, dimension_rates(self.r)
        if dim.id in rates and not fmt.missing(rates.loc[city, dim.id]):
            rank = int(rates[dim.id].rank(ascending=False, method="min")[city])
            place = w["dimension_place"].format(scope=self.labels.scope, rank=rank) if self.ctx.n_cities > 1 else ""
            score = fmt.score(self.r.totals.loc[city, f"dim_{dim.id}"])
            sentences = [
                w["dimension_scored"].format(
                    dimension=dim.zh, clause=dim.clause, score=score, rate=fmt.pct(rates.loc[city, dim.id]), place=place
                )
            ]
        else:
            sentences = [w["dimension_unscored"].format(dimension=dim.zh, clause=dim.clause)]
        lost = points_lost(self.r, city)
        own = lost[lost["indicator"].isin([i.id for i in members])]
        full_marks = own[own["lost"] <= 1e-9]
        if len(full_marks):
            sentences.append(w["full_marks"].format(indicators="、".join(full_marks["zh"])))
        for _, row in own[own["lost"] > 1e-9].head(2).iterrows():
            sentences.append(
                w["points_lost"].format(
                    indicator=row["zh"],
                    value=fmt.value(row["value"], row["unit"]),
                    reference=fmt.value(row["reference"], row["unit"]),
                    score=fmt.number(row["score"]),
                    points=fmt.number(row["points"], 1),
                )
            )
        return sentences

    def _indicator_table(self, dim: Dimension) -> str:
        w, col, scope = self.words["analysis"], self.col, self.labels.scope
        frame = indicator_table(self.r, self.ctx.wording, self.ctx.city, dim.id)
        note = w["table_note"]
        if self.ctx.n_cities > 1:
            note = w["table_note_scope"].format(scope=scope, object=self.labels.object) + note
        return tables.html_table(
            frame,
            w["table_caption"].format(name=self.ctx.name, dimension=dim.zh),
            number=self.ctx.next_table(),
            widths=[25, 11, 11, 11, 7, 8, 11, 11] if self.ctx.n_cities > 1 else [28, 12, 12, 8, 9, 13, 13],
            align_right=[col["value"], col["reference"], scope, col["points"], col["score"], col["base"]],
            center=[col["status"]],
            note=note,
        )

    def _rates_chart(self, dim: Dimension, members: list[Indicator]) -> str | None:
        """The score rate of each indicator of the dimension, with the scope's mean; three scored at least."""
        w, scores, city = self.words["analysis"], self.r.scores, self.ctx.city
        scored = scores[(scores["indicator"].isin([i.id for i in members])) & scores["score"].notna()]
        if scored["indicator"].nunique() < 3 or not (scored["city"] == city).any():
            return None
        rate = (scored["score"] / scored["points"]).groupby([scored["city"], scored["indicator"]]).first().unstack()
        zh = {i.id: i.zh for i in members}
        order = [i.id for i in members if i.id in rate.columns]
        mean = rate[order].mean().rename(zh) if self.ctx.n_cities > 1 else None
        fig = charts.indicator_rates(rate.loc[city, order].rename(zh), mean, self.ctx.name, scope=self.labels.scope)
        marker = w["rates_marker"].format(scope=self.labels.scope) if mean is not None else ""
        return charts.figure_html(
            fig,
            w["rates_caption"].format(name=self.ctx.name, dimension=dim.zh),
            number=self.ctx.next_figure(),
            alt=w["rates_alt"].format(name=self.ctx.name, dimension=dim.zh, marker=marker),
        )

    def _compared_chart(self, members: list[Indicator]) -> str | None:
        """The heaviest indicator with values to compare, across the evaluated objects, against its reference."""
        w, obj = self.words["analysis"], self.labels.object
        ok_values = self.r.pooled().query("status == 'ok'")
        compared = [i for i in members if not i.report_only and (ok_values["indicator"] == i.id).sum() >= 2]
        main = max(compared, key=lambda i: i.points, default=None)
        if main is None:
            return None
        values = ok_values[ok_values["indicator"] == main.id].set_index("city")["value"]
        scale = 100 if main.unit == "percent" else 1
        unit = self.ctx.wording["units_zh"].get(main.unit, "")
        ref = self.r.scores[self.r.scores["indicator"] == main.id]["reference"].dropna()
        fig = charts.ranked_bars(
            values.rename(index=self.r.city_name) * scale,
            self.ctx.name,
            w["compared_axis"].format(indicator=main.zh, unit=unit),
            fmt="{:.1f}",
            reference=(ref.iloc[0] * scale) if len(ref) else None,
            reference_label=w["compared_reference"],
        )
        return charts.figure_html(
            fig,
            w["compared_caption"].format(object=obj, indicator=main.zh),
            number=self.ctx.next_figure(),
            alt=w["compared_alt"].format(object=obj, indicator=main.zh, unit=unit, name=self.ctx.name),
        )

"""一、总体情况 and 二、各地情况 of the province bulletin (notebooks/bulletin/01-overview.ipynb): the opening,
volumes, scores and grades, key indicators; the ranking, dimension rates, who did well and who lags.

The text is built here from the results so that every number in it is tested; the words are
params/wording/bulletin.yaml (outline: docs/documents/bulletin.md#outline)."""

from __future__ import annotations

import pandas as pd

from hotline_eval.compare.aggregates import dimension_rates, dimensions_scored, points_lost, province_values
from hotline_eval.compare.volumes import city_volumes
from hotline_eval.core import fmt
from hotline_eval.report import charts, sources, tables
from hotline_eval.report.blocks import heading_html, numbered_html, paragraph_html
from hotline_eval.report.context import ReportContext
from hotline_eval.report.table_frames import headers, ranking_table
from hotline_eval.score.rules import NOT_GRADED


class BulletinOverview:
    def __init__(self, ctx: ReportContext) -> None:
        self.ctx, self.r = ctx, ctx.results
        self.words = ctx.wording["bulletin"]
        # one evaluated object: the same sections about it, without ranking or comparison
        self.single = ctx.single
        self.one = self.r.city_name(self.r.evaluation.city_ids()[0])
        self.sw = self.words["single"]

    # ---- 一、总体情况 ---------------------------------------------------------------------------

    def general(self) -> list[str]:
        out = [paragraph_html(self.opening()), heading_html(self.words["overview_title"], anchor="overview")]
        out += [paragraph_html(text) for text in self.overview()]
        text = self.key_indicators()
        if text:
            out.append(paragraph_html(text))
        return out

    def opening(self) -> str:
        ev = self.r.evaluation
        return (self.sw if self.single else self.words)["opening"].format(
            name=self.one,
            service_short=ev.labels.service_short,
            organiser=ev.organiser_zh,
            n=len(ev.city_ids()),
            period=ev.period.label_zh,
            type=self.ctx.wording["evaluation_type"][ev.type],
        )

    def grade_counts(self) -> str:
        """优秀3个、良好4个、合格1个 (grades without cities are left out; 不予定级 last)."""
        counts = self.r.totals["grade"].value_counts()
        grades = [g.grade for g in self.r.evaluation.grades]
        parts = [
            self.words["grade_count"].format(grade=g, n=counts[g]) for g in [*grades, NOT_GRADED] if counts.get(g, 0)
        ]
        return "、".join(parts)

    def overview(self) -> list[str]:
        """Volumes, average score and its change, grades, best and worst; the dimension extremes."""
        w, r, t, previous = self.words, self.r, self.r.totals, self.ctx.previous
        volumes = city_volumes(r)
        tickets = volumes["tickets"].sum()
        have = sources.provided(r)
        counted = [
            w[f"counted_{table}"].format(n=fmt.count(volumes[table].sum(), unit))
            for table, unit in (("tickets", "件"), ("calls", "通"))
            if have is None or table in have
        ]
        first = [
            self.sw["coverage"].format(name=self.one) if self.single else w["coverage"].format(n=self.ctx.n_cities)
        ]
        if counted and self.single:
            first.append(self.sw["counted"].format(name=self.one, counted="，".join(counted)))
        elif counted:
            first.append(w["counted"].format(counted="，".join(counted)))
        if previous is not None:
            first.append(
                w["tickets_change"].format(growth=fmt.growth(city_volumes(previous)["tickets"].sum(), tickets))
            )
        if not r.ranked:  # no evaluated object has a total: no mean, no best or worst
            first.append(w["no_totals"][r.no_total_cause])
            return ["".join(first)]
        if self.single:
            return self._single_overview(first)
        first.append(w["mean_total"].format(score=fmt.score(t["total"].mean())))
        if previous is not None:
            change = t["total"].mean() - previous.totals["total"].mean()
            first.append(w["mean_change"].format(change=fmt.score_change(change)))
        best, worst = t["total"].idxmax(), t["total"].idxmin()
        first.append(
            w["extremes"].format(
                grades=self.grade_counts(),
                best=r.city_name(best),
                best_score=fmt.score(t.loc[best, "total"]),
                worst=r.city_name(worst),
                worst_score=fmt.score(t.loc[worst, "total"]),
                gap=fmt.number(t.loc[best, "total"] - t.loc[worst, "total"]),
            )
        )
        paragraphs = ["".join(first)]
        rates = dimension_rates(r).mean()
        if len(rates) >= 2:
            names = {d.id: d.zh for d in r.catalogue.dimensions}
            hi, lo = rates.idxmax(), rates.idxmin()
            paragraphs.append(
                w["dimensions"].format(
                    high=names[hi], high_rate=fmt.pct(rates[hi]), low=names[lo], low_rate=fmt.pct(rates[lo])
                )
            )
        return paragraphs

    def _single_overview(self, first: list[str]) -> list[str]:
        """The one object's total and grade (its dimensions are in 二、)."""
        t = self.r.totals.iloc[0]
        if t["grade"] == NOT_GRADED:
            first.append(self.sw["ungraded"].format(name=self.one, score=fmt.score(t["total"])))
        else:
            first.append(self.sw["total"].format(name=self.one, score=fmt.score(t["total"]), grade=t["grade"]))
        return ["".join(first)]

    def key_indicators(self) -> str:
        """The province's pooled values of the key indicators and how many cities reach each threshold."""
        w, r = self.words, self.r
        active = {i.id: i for i in r.active}
        province = province_values(r)
        shown = [
            w["key_value"].format(indicator=active[k].zh, value=fmt.value(province.get(k), active[k].unit))
            for k in w["key_indicators"]
            if k in active and not fmt.missing(province.get(k))
        ]
        if not shown:
            return ""
        if self.single:
            text = self.sw["key_indicators_sentence"].format(name=self.one, values="，".join(shown))
        else:
            text = w["key_indicators_sentence"].format(values="，".join(shown))
        pooled = r.pooled().set_index(["indicator", "city"])["value"]
        reached = []
        for ind, rule in (w.get("thresholds") or {}).items():
            if ind in active and ind in pooled.index.get_level_values(0):
                values = pooled.loc[ind]
                better = values >= rule["value"] if active[ind].direction == "higher" else values <= rule["value"]
                if self.single:
                    verdict = self.sw["reached" if bool(better.iloc[0]) else "not_reached"]
                    reached.append(self.sw["key_reached"].format(name=self.one, text=rule["text"], verdict=verdict))
                else:
                    reached.append(w["key_reached"].format(n=int(better.sum()), text=rule["text"]))
        if reached:
            text += w["key_reached_all"].format(reached="，".join(reached))
        return text

    # ---- 二、各地情况 ---------------------------------------------------------------------------

    def cities(self) -> list[str]:
        w, col = self.words, headers(self.r, self.ctx.wording)
        if not self.r.ranked:  # nothing to rank or draw
            return [
                heading_html(w["cities_title"], anchor="cities"),
                paragraph_html(w["cities_none"][self.r.no_total_cause]),
            ]
        if self.single:
            return [
                heading_html(self.sw["cities_title"], anchor="cities"),
                paragraph_html(self.sw["cities"].format(name=self.one)),
                self._dimension_rates(),
            ]
        ranking, _ = ranking_table(self.r, self.ctx.wording, self.ctx.changes)
        note = w["ranking_note"]
        if col["total_change"] in ranking.columns:
            note += w["ranking_previous_note"].format(period=self.ctx.previous.evaluation.period.label_zh)
        return [
            heading_html(w["cities_title"], anchor="cities"),
            tables.html_table(
                ranking,
                w["ranking_caption"].format(n=self.ctx.n_cities),
                number=self.ctx.next_table(),
                align_right=[col["total"], col["coverage"], col["total_change"]],
                center=[col["rank"], col["grade"], col["rank_change"]],
                note=note,
            ),
            self._totals_chart(),
            self._dimension_rates(),
        ]

    def _totals_chart(self) -> str:
        w, t = self.words, self.r.totals
        grade_of = t["grade"].rename(index=self.r.city_name)
        palette = charts.grade_colours([g.grade for g in self.r.evaluation.grades])
        fig = charts.ranked_bars(
            t["total"].rename(index=self.r.city_name),
            None,
            w["totals_axis"],
            fmt="{:.2f}",
            colours={c: palette.get(g, charts.BASE) for c, g in grade_of.items()},
            legend={g: c for g, c in palette.items() if g in set(grade_of)},
        )
        return charts.figure_html(fig, w["totals_caption"], number=self.ctx.next_figure(), alt=w["totals_alt"])

    def _dimension_rates(self) -> str:
        w, r = self.words, self.r
        dims, rates = dimensions_scored(r), dimension_rates(r)
        order = r.totals.sort_values("rank").index
        frame = pd.DataFrame({w["rates_city"]: [r.city_name(c) for c in order]})
        for d in dims:
            frame[d.zh] = [fmt.pct(rates.loc[c, d.id]) for c in order]
        if self.single:  # its rates are the mean: no mean row
            caption, note = self.sw["rates_caption"].format(name=self.one), self.sw["rates_note"]
            return tables.html_table(
                frame, caption, number=self.ctx.next_table(), align_right=[d.zh for d in dims], note=note
            )
        mean = {w["rates_city"]: w["rates_mean"], **{d.zh: fmt.pct(rates[d.id].mean()) for d in dims}}
        frame = pd.concat([frame, pd.DataFrame([mean])], ignore_index=True)
        return tables.html_table(
            frame,
            w["rates_caption"],
            number=self.ctx.next_table(),
            align_right=[d.zh for d in dims],
            highlight_row=len(frame) - 1,
            note=w["rates_note"],
        )

    def good_and_lagging(self) -> list[str]:
        w = self.words
        if not self.r.ranked or self.single:  # nobody to praise or warn against the others
            return []
        good = self.highlights(int(w["top_n"]))
        bad = self.laggards(int(w["bottom_n"]))
        return [
            heading_html(w["good_title"], 3, anchor="cities-good"),
            numbered_html(good),
            paragraph_html(self.movers() + w["praise"].format(n=len(good))),
            heading_html(w["lagging_title"], 3, anchor="cities-lagging"),
            numbered_html(bad),
            paragraph_html(w["warning"].format(n=len(bad))),
        ]

    def _city_score(self, city: str) -> str:
        t = self.r.totals.loc[city]
        return self.words["city_score"].format(
            city=self.r.city_name(city), score=fmt.score(t["total"]), rank=int(t["rank"])
        )

    def highlights(self, n: int) -> list[str]:
        """One sentence per top city: score, rank, change, indicators where it set the reference."""
        w, out = self.words, []
        for city in self.r.ranked[:n]:
            c = self.ctx.changes.loc[city]
            text = self._city_score(city)
            if not fmt.missing(c["total_before"]):
                text += w["rank_change"].format(change=fmt.rank_change(c["rank_before"], c["rank"]))
            out.append(text + "".join(w["reasons"].format(reason=reason) for reason in self.strengths(city)) + "。")
        return out

    def holds_reference(self, city: str) -> list[str]:
        """Indicators for which the city's value is the reference (the province's best)."""
        s = self.r.scores
        own = s[(s["city"] == city) & s["score"].notna()]
        names = {i.id: i.zh for i in self.r.active}
        held = own[[city in str(h).split("、") for h in own["reference_holder"]]]
        return [names[i] for i in held["indicator"] if i in names]

    def strengths(self, city: str) -> list[str]:
        """Why a city did well: indicators where it set the reference, dimensions where it leads or beats the mean."""
        w, reasons = self.words, []
        best = self.holds_reference(city)
        if best:
            more = w["holds_reference_more"] if len(best) > 4 else ""
            reasons.append(w["holds_reference"].format(indicators="、".join(best[:4]), more=more, n=len(best)))
        rates = dimension_rates(self.r)
        names = {d.id: d.zh for d in dimensions_scored(self.r)}
        leading = [names[d] for d in rates.columns if rates[d].notna().any() and rates[d].idxmax() == city]
        if leading:
            reasons.append(w["leading"].format(dimensions="、".join(leading)))
        else:
            margin = (rates.loc[city] - rates.mean()).dropna().sort_values(ascending=False)
            above = [names[d] for d in margin.index[margin > 0][:2]]
            if above:
                reasons.append(w["above_mean"].format(dimensions="、".join(above)))
        return reasons

    def laggards(self, n: int) -> list[str]:
        """One sentence per bottom city: score, rank, change and the two indicators that cost most points."""
        w, out = self.words, []
        ranked = self.r.ranked
        top = set(ranked[: int(self.words["top_n"])])  # a city is praised or warned, not both
        for city in [c for c in ranked[-n:] if c not in top]:
            c = self.ctx.changes.loc[city]
            text = self._city_score(city)
            if not fmt.missing(c["total_before"]):
                text += w["score_change"].format(change=fmt.score_change(c["delta"]))
            lost = points_lost(self.r, city)
            lost = lost[lost["lost"] > 0.005].head(2)
            if len(lost):
                items = [
                    w["lost_item"].format(
                        indicator=row["zh"],
                        value=fmt.value(row["value"], row["unit"]),
                        reference=fmt.value(row["reference"], row["unit"]),
                        lost=fmt.number(row["lost"]),
                    )
                    for _, row in lost.iterrows()
                ]
                text += w["lost"].format(items="、".join(items))
            out.append(text + "。")
        return out

    def movers(self) -> str:
        """Cities that moved up most since the previous evaluation (empty without one)."""
        c = self.ctx.changes.dropna(subset=["places_up"])
        up = c[c["places_up"] > 0].sort_values(["places_up", "delta"], ascending=False)
        if up.empty:
            return ""
        names = [
            self.words["mover"].format(city=self.r.city_name(city), n=int(row["places_up"]))
            for city, row in up.head(3).iterrows()
        ]
        return self.words["movers"].format(cities="、".join(names))

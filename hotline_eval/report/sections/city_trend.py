"""专项评价 of the city report (notebooks/city/03-trend.ipynb): the month-by-month change of the chosen
indicators with its trend test (§5.1.2.4), the scope's verdicts, time-slot sub-items (§5.1.2.2) and
the themed activity against its baseline (§5.1.2.1). Nothing for a comprehensive evaluation."""

from __future__ import annotations

import datetime as dt
import math
from functools import cached_property
from itertools import chain

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import MaxNLocator

from hotline_eval.config.catalogue import Indicator
from hotline_eval.core import fmt
from hotline_eval.report import charts, tables
from hotline_eval.report.blocks import heading_html, paragraph_html
from hotline_eval.report.context import ReportContext
from hotline_eval.score.outputs import read_special


class CityTrend:
    def __init__(self, ctx: ReportContext) -> None:
        self.ctx, self.r, self.city, self.name = ctx, ctx.results, ctx.city, ctx.name
        self.ev = self.r.evaluation
        self.words = ctx.wording["report"]["special"]
        self.verdicts = ctx.wording["assessment"]
        self.special = read_special(self.r.paths.out) if self.ev.type == "special" else {}
        self.own_scores = self.r.scores[self.r.scores["city"] == self.city].set_index("indicator")
        if self.special:
            trend = self.special["trend"]
            self.trend = trend
            self.own_trend = trend[trend["city"] == self.city].set_index("indicator")
            monthly = self.special["monthly"]
            self.own_month = monthly[monthly["city"] == self.city]
            self.focus = [i for i in self.r.active if i.id in self.own_trend.index]
            self.basis = self.own_trend["basis"].iloc[0]
        self.parts = 1  # （一） is the monthly change

    # ---- words -------------------------------------------------------------------------------

    def _month(self, month: str, key: str = "month") -> str:
        return self.words[key].format(month=fmt.month(month, self.ev.period.months))

    def _day(self, day: dt.date) -> str:
        return fmt.day(day, [self.ev.period.start, self.ev.period.end])

    def change_text(self, delta: float, unit: str) -> str:
        """A month-over-month change in the reader's words (rates in 个百分点)."""
        if fmt.missing(delta):
            return fmt.DASH
        shown = fmt.value(abs(delta), unit)
        if shown == fmt.value(0.0, unit):
            return self.words["unchanged"]
        if unit == "percent":
            return fmt.points_change(delta)
        return self.words["increase" if delta > 0 else "decrease"].format(value=shown)

    def verdict_text(self, t: pd.Series, city: str | None = None) -> str:
        """The trend verdict in words; a series too short to test (fewer than 3 values) has none, and one
        without any value says why (withheld by the quality gate, or no data)."""
        if t["n"] == 0:
            blocked = (city or self.city, t.name) in self.blocked
            return self.ctx.wording["status"]["quality_blocked"] if blocked else self.words["no_data"]
        if t["n"] < 3:
            return self.words["too_few_periods"]
        return self.verdicts["verdicts"].get(t["verdict"], t["verdict"])

    @cached_property
    def blocked(self) -> set[tuple[str, str]]:
        """(city, indicator) whose period value the quality gate withholds."""
        ind = self.r.indicators
        rows = ind[(ind["month"] == "all") & (ind["status"] == "quality_blocked") & (ind["unit"].fillna("") == "")]
        return set(zip(rows["city"], rows["indicator"], strict=True))

    def _has_values(self, city: str) -> bool:
        """Whether any chosen indicator of the city has a monthly value (else no table of dashes)."""
        return bool((self.trend[self.trend["city"] == city]["n"] > 0).any())

    def _why_none(self, city: str) -> str:
        """Why no chosen indicator has a value: all withheld by the quality gate, or no data."""
        withheld = all((city, i.id) in self.blocked for i in self.focus)
        return self.ctx.wording["status"]["quality_blocked"] if withheld and self.focus else self.words["no_data"]

    def item_score(self, item_id: str) -> str:
        if item_id not in self.own_scores.index:
            return fmt.DASH
        row = self.own_scores.loc[item_id]
        return self.words["item_score"].format(score=fmt.number(row["score"]), points=fmt.number(row["points"], 1))

    # ---- 逐月变化 ------------------------------------------------------------------------------

    def monthly(self) -> list[str]:
        if not self.special:
            return []
        w, ev = self.words, self.ev
        title = w["title_activity"] if ev.activity else w["title"]
        intro = w["monthly_intro"].format(name=self.name, alpha=f"{ev.trend.alpha:g}", basis=self._basis_text())
        out = [
            heading_html(self.ctx.section(title), anchor="special"),
            heading_html(w["monthly_title"], 3, anchor="special-monthly"),
        ]
        if not self._has_values(self.city):  # nothing to tabulate: say why instead of tables of dashes
            return [*out, paragraph_html(w["monthly_none"].format(name=self.name, why=self._why_none(self.city)))]
        return [*out, paragraph_html(intro), self._monthly_table(), self._fixed_reference_table()]

    def _basis_text(self) -> str:
        """On what the trend was tested: the monthly values, or consecutive short periods (and why)."""
        w, months = self.words, self.ev.period.months
        n, days = int(self.own_trend["n"].iloc[0]), self.ev.trend.short_period_days
        if self.basis == "short" and len(months) >= 3:
            p_min = f"{2 / math.factorial(len(months)):.2f}"
            return w["basis_short_three"].format(months=len(months), p_min=p_min, days=days, n=n)
        if self.basis == "short":
            return w["basis_short"].format(months=len(months), days=days, n=n)
        return w["basis_months"].format(n=n)

    def _series(self, ind: Indicator) -> pd.DataFrame:
        return self.own_month[self.own_month["indicator"] == ind.id].set_index("month")

    def _monthly_table(self) -> str:
        w, cols, months, rules = self.words, self.words["columns"], self.ev.period.months, self.ev.change_scoring
        rows, across = [], len(months) <= tables.MONTHS_ACROSS
        for ind in self.focus:
            series, t = self._series(ind), self.own_trend.loc[ind.id]
            row = {cols["indicator"]: f"{ind.zh}（§{ind.clause}）"}
            values = [(self._month(m), fmt.value(series["value"].get(m), ind.unit)) for m in months]
            change = series["change"]
            changes = [(self._month(m, "month_change"), self.change_text(change.get(m), ind.unit)) for m in months[1:]]
            # across: the values, then the changes; turned: each month's value and change together
            paired = chain.from_iterable(zip(values[1:], changes, strict=True))
            row.update(values + changes if across else [values[0], *paired])
            row[cols["verdict"]] = self.verdict_text(t)
            row[cols["p"]] = fmt.number(t["p_value"], 3)
            row[cols["change_score"]] = self.item_score(f"{ind.id}.change")
            rows.append(row)
        note = w["monthly_note"].format(
            improving=f"{rules.improving:g}",
            stable=f"{rules.stable:g}",
            worsening=f"{rules.worsening:g}",
            full_at=f"{rules.stable_full_at:.0%}",
        )
        frame = pd.DataFrame(rows)
        if not across and rows:
            frame = tables.months_down(frame, cols["indicator"], cols["month"])
        right = [c for c in frame.columns if c not in (cols["indicator"], cols["verdict"], cols["month"])]
        caption = w["monthly_caption"].format(name=self.name)
        return tables.html_table(frame, caption, number=self.ctx.next_table(), note=note, align_right=right)

    def _fixed_reference_table(self) -> str:
        w, cols = self.words, self.words["fixed_columns"]
        rows = []
        for ind in self.focus:
            series = self._series(ind)
            has_reference, has_holder = series["reference"].notna().any(), series["reference_holder"].notna().any()
            row = {
                cols["indicator"]: ind.zh,
                cols["reference"]: fmt.value(series["reference"].dropna().iloc[0], ind.unit)
                if has_reference
                else fmt.DASH,
                cols["holder"]: self.r.holder_names(str(series["reference_holder"].dropna().iloc[0]))
                if has_holder
                else fmt.DASH,
            }
            for m in self.ev.period.months:
                row[self._month(m, "month_rate")] = fmt.pct(series["share"].get(m))
            rows.append(row)
        rate_columns = [self._month(m, "month_rate") for m in self.ev.period.months]
        if len(self.ev.period.months) > tables.MONTHS_ACROSS and rows:
            frame = tables.months_down(pd.DataFrame(rows), cols["indicator"], cols["month"])
            return tables.html_table(
                frame,
                w["fixed_caption"].format(name=self.name),
                number=self.ctx.next_table(),
                note=w["fixed_note"],
                align_right=list(frame.columns[1:]),
            )
        return tables.html_table(
            pd.DataFrame(rows),
            w["fixed_caption"].format(name=self.name),
            number=self.ctx.next_table(),
            note=w["fixed_note"],
            align_right=[c for c in rows[0] if c in rate_columns] if rows else None,
        )

    def chart(self) -> list[str]:
        """Each chosen indicator's series (months or short periods) with its Theil–Sen line."""
        drawn = [i for i in self.focus if self.own_trend.loc[i.id, "n"] > 0] if self.special else []
        if not drawn:  # no data: no series to draw
            return []
        cols = 2 if len(drawn) > 1 else 1
        rows = math.ceil(len(drawn) / cols)
        fig, axes = plt.subplots(rows, cols, figsize=(7.2, 2.6 * rows), squeeze=False)
        for ax, ind in zip(axes.flat, drawn, strict=False):
            self._draw(ax, ind)
        for ax in list(axes.flat)[len(drawn) :]:
            ax.axis("off")
        axes.flat[0].legend(fontsize=7, loc="best")
        fig.tight_layout()
        w = self.words
        return [
            charts.figure_html(
                fig,
                w["chart_caption"].format(name=self.name),
                number=self.ctx.next_figure(),
                alt=w["chart_alt"].format(name=self.name),
            )
        ]

    def _draw(self, ax, ind: Indicator) -> None:
        w, ev = self.words, self.ev
        scale = 100 if ind.unit == "percent" else 1
        t = self.own_trend.loc[ind.id]
        if self.basis == "short":
            short = self.special.get("short")
            s = short[(short["city"] == self.city) & (short["indicator"] == ind.id)].sort_values("period")
            x, y = s["period"].to_numpy(), s["value"].to_numpy() * scale
            label = w["chart_periods_axis"].format(days=ev.trend.short_period_days, start=self._day(ev.period.start))
            ax.set_xlabel(label, fontsize=8)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # periods are numbered
        else:
            s = self.own_month[self.own_month["indicator"] == ind.id].sort_values("month")
            x, y = range(1, len(s) + 1), s["value"].to_numpy() * scale
            charts.month_axis(ax, list(s["month"]), first=1, fontsize=7)
        ax.plot(x, y, marker="o", markersize=3, color=charts.BASE, linewidth=1, label=w["chart_actual"])
        if not fmt.missing(t["slope"]):
            xs = [min(x), max(x)]
            line = [(t["intercept"] + t["slope"] * (v - min(x))) * scale for v in xs]
            ax.plot(xs, line, color=charts.HIGHLIGHT, linestyle="--", linewidth=1.2, label=w["chart_trend"])
        ax.set_title(w["chart_title"].format(indicator=ind.zh, verdict=self.verdict_text(t)), fontsize=10)
        ax.set_ylabel(self.ctx.wording["units_zh"][ind.unit], fontsize=8)
        ax.tick_params(axis="y", labelsize=8)

    # ---- 全省趋势结论、分时段、主题活动 --------------------------------------------------------------

    def province(self) -> list[str]:
        if not (self.special and self.ctx.n_cities > 1):
            return []
        w, scope, obj, trend = self.words, self.ev.labels.scope, self.ev.labels.object, self.trend
        table = []
        for c in self.ev.city_ids():
            part = trend[trend["city"] == c].set_index("indicator")
            row = {obj: self.r.city_name(c)}
            for ind in self.focus:
                row[ind.zh] = self.verdict_text(part.loc[ind.id], c) if ind.id in part.index else fmt.DASH
            table.append(row)
        improving = [self.r.city_name(c) for c in self.ev.city_ids() if self._any(c, "improving")]
        worsening = [self.r.city_name(c) for c in self.ev.city_ids() if self._any(c, "worsening")]
        self.parts += 1
        heading = heading_html(w["province_title"].format(scope=scope, object=obj), 3, anchor="special-province")
        if not any(self._has_values(c) for c in self.ev.city_ids()):
            return [heading, paragraph_html(w["province_none"].format(scope=scope, object=obj))]
        sentence = w["province_opening"].format(scope=scope, n=self.ctx.n_cities, object=obj)
        sentence += (
            w["province_improving"].format(names="、".join(improving))
            if improving
            else w["province_none_improving"].format(object=obj)
        )
        sentence += (
            w["province_worsening"].format(names="、".join(worsening))
            if worsening
            else w["province_none_worsening"].format(object=obj)
        )
        return [
            heading,
            paragraph_html(sentence),
            tables.html_table(
                pd.DataFrame(table),
                w["province_caption"].format(scope=scope, object=obj),
                number=self.ctx.next_table(),
                highlight_row=self.ev.city_ids().index(self.city),
            ),
        ]

    def _any(self, city: str, verdict: str) -> bool:
        return bool((self.trend[self.trend["city"] == city]["verdict"] == verdict).any())

    def segments(self) -> list[str]:
        if not (self.special and "segments" in self.special):
            return []
        w, cols, ev = self.words, self.words["segments_columns"], self.ev
        scores = self.r.scores
        rows = []
        for _, s in scores[(scores["city"] == self.city) & (scores["item"] == "segment")].iterrows():
            ind = self.r.catalogue.indicator(s["base_indicator"])
            rows.append(
                {
                    cols["indicator"]: ind.zh,
                    cols["segment"]: ev.segments[s["segment"]].zh,
                    cols["value"]: fmt.value(s["value"], ind.unit),
                    cols["reference"]: fmt.value(s["reference"], ind.unit),
                    cols["holder"]: self.r.holder_names(s["reference_holder"]) or fmt.DASH,
                    cols["points"]: fmt.number(s["points"], 1),
                    cols["score"]: fmt.number(s["score"]),
                }
            )
        self.parts += 1
        intro = w["segments_intro"].format(scope=ev.labels.scope, object=ev.labels.object)
        return [
            heading_html(w["segments_title"].format(k=fmt.ordinal(self.parts)), 3, anchor="special-segments"),
            paragraph_html(intro),
            tables.html_table(
                pd.DataFrame(rows),
                w["segments_caption"].format(name=self.name),
                number=self.ctx.next_table(),
                align_right=[cols["value"], cols["reference"], cols["points"], cols["score"]],
            ),
        ]

    def activity(self) -> list[str]:
        if not (self.special and "activity" in self.special):
            return []
        w, cols, activity = self.words, self.words["activity_columns"], self.ev.activity
        act = self.special["activity"]
        own = act[act["city"] == self.city].set_index("indicator")
        windows = "、".join(
            w["activity_window"].format(date=self._day(x.date), start=f"{x.start:%H:%M}", end=f"{x.end:%H:%M}")
            for x in activity.windows
        )
        rows = [self._activity_row(ind, own.loc[ind.id]) for ind in self.r.active if ind.id in own.index]
        self.parts += 1
        intro = w["activity_intro"].format(activity=activity.zh, windows=windows, alpha=f"{self.ev.activity_alpha:g}")
        right = ["window", "window_n", "baseline", "baseline_n", "p", "score"]
        return [
            heading_html(
                w["activity_title"].format(k=fmt.ordinal(self.parts), activity=activity.zh),
                3,
                anchor="special-activity",
            ),
            paragraph_html(intro),
            tables.html_table(
                pd.DataFrame(rows),
                w["activity_caption"].format(name=self.name),
                number=self.ctx.next_table(),
                note=w["activity_note"],
                align_right=[cols[k] for k in right],
            ),
        ]

    def _activity_row(self, ind: Indicator, a: pd.Series) -> dict[str, str]:
        cols = self.words["activity_columns"]
        return {
            cols["indicator"]: ind.zh,
            cols["window"]: fmt.value(a["window_value"], ind.unit),
            cols["window_n"]: fmt.count(a["window_denominator"]),
            cols["baseline"]: fmt.value(a["baseline_value"], ind.unit),
            cols["baseline_n"]: fmt.count(a["baseline_denominator"]),
            cols["difference"]: self.change_text(a["difference"], ind.unit),
            cols["p"]: fmt.number(a["p_value"], 3),
            cols["verdict"]: self.verdicts["activity_verdicts"].get(a["verdict"], a["verdict"]),
            cols["score"]: self.item_score(f"{ind.id}.activity"),
        }

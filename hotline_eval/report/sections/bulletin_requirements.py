"""三、存在的主要问题 and 四、工作要求 of the province bulletin (notebooks/bulletin/02-requirements.ipynb): the
indicators weakest across the province and the data gaps; the requirements with their dates, the
attachments line and the signature."""

from __future__ import annotations

import datetime as dt

from hotline_eval.core import fmt
from hotline_eval.cycle.schedule import appeal_facts
from hotline_eval.report.blocks import heading_html, numbered_html, paragraph_html, signature_html
from hotline_eval.report.context import ReportContext
from hotline_eval.score.rules import NOT_GRADED


class BulletinRequirements:
    def __init__(self, ctx: ReportContext) -> None:
        self.ctx, self.r = ctx, ctx.results
        self.words = ctx.wording["bulletin"]
        self.single = ctx.single  # one evaluated object: its own weak indicators, one annex
        self.one = self.r.city_name(self.r.evaluation.city_ids()[0])
        self.sw = self.words["single"]

    def problems(self) -> list[str]:
        w = self.words
        problems, gaps = self.weakest_indicators(), self.data_gaps()
        out = [heading_html(w["problems_title"], anchor="problems")]
        words = {k: self.sw[k].format(name=self.one) for k in ("problems_intro", "no_problems")} if self.single else w
        if problems:
            return [*out, paragraph_html(words["problems_intro"]), numbered_html(problems + ([gaps] if gaps else []))]
        return [*out, paragraph_html(gaps or words["no_problems"])]

    def weakest_indicators(self, n: int = 3) -> list[str]:
        """The indicators with the lowest average score rate across the province (below 95 %)."""
        w, r = self.words, self.r
        s = r.scores[r.scores["score"].notna() & (r.scores["points"] > 0)].copy()
        if s.empty:
            return []
        s["rate"] = s["score"] / s["points"]
        by_indicator = s.groupby("indicator")["rate"].mean().sort_values()
        active = {i.id: i for i in r.active}
        out = []
        for ind in [i for i in by_indicator.index if i in active][:n]:
            if by_indicator[ind] >= 0.95:
                break
            rows = s[s["indicator"] == ind].sort_values("rate")
            low, worst, indicator = rows[rows["rate"] < 0.9], rows.iloc[0], active[ind]
            if self.single:
                out.append(
                    self.sw["weak_indicator"].format(
                        indicator=indicator.zh,
                        clause=indicator.clause,
                        rate=fmt.pct(by_indicator[ind]),
                        name=self.one,
                        value=fmt.value(worst["value"], indicator.unit),
                        reference=fmt.value(worst["reference"], indicator.unit),
                    )
                )
                continue
            text = w["weak_indicator"].format(
                indicator=indicator.zh, clause=indicator.clause, rate=fmt.pct(by_indicator[ind]), n=len(low)
            )
            text += w["weak_example"].format(
                city=r.city_name(worst["city"]),
                indicator=indicator.zh,
                value=fmt.value(worst["value"], indicator.unit),
                reference=fmt.value(worst["reference"], indicator.unit),
            )
            out.append(text)
        return out

    def data_gaps(self) -> str:
        """Cities not graded for lack of data, and indicators without scoreable data (no_data, quality_blocked)."""
        w, r, parts = self.words, self.r, []
        ungraded = [r.city_name(c) for c in r.totals.index[r.totals["grade"] == NOT_GRADED]]
        if ungraded:
            parts.append(w["ungraded"].format(cities="、".join(ungraded)))
        statuses = r.scores[r.scores["status"] != "ok"]
        if len(statuses):
            names, counts = self.ctx.wording["status"], statuses["status"].value_counts()
            detail = "、".join(w["status_count"].format(status=names.get(s, s), n=counts[s]) for s in counts.index)
            parts.append(w["unscored"].format(n=len(statuses), detail=detail))
        return "；".join(parts) + "。" if parts else ""

    def requirements(self) -> list[str]:
        ev, w = self.r.evaluation, self.words
        return [
            heading_html(w["requirements_title"], anchor="requirements"),
            numbered_html(self.requirement_items()),
            paragraph_html(
                self.sw["attachments"].format(name=self.one) if self.single else w["attachments"], cls="plain"
            ),
            signature_html(ev.organiser_zh, fmt.date(ev.issued_on)),
        ]

    def requirement_items(self) -> list[str]:
        """四、工作要求, worded from params with the dates filled in."""
        ev, w = self.r.evaluation, self.words
        days = ev.follow_up.rectify_days
        values = {
            "rectify_by": fmt.date(ev.issued_on + dt.timedelta(days=days)),
            "report_to": ev.follow_up.report_to,
            "objects": self.one if self.single else f"各{ev.labels.object}",
            "service_short": ev.labels.service_short,
        }
        if ev.appeal_days:
            values |= appeal_facts(self.r.root, ev)
        skipped = {"rectify"} if not days else set()
        skipped |= {"appeal", "use"} if not ev.appeal_days else set()
        skipped |= {"units"} if not self.r.names else set()  # no handling unit in the results
        return [item.format(**values) for key, item in w["requirements"].items() if key not in skipped]

"""附件1 of the province bulletin (notebooks/bulletin/09-annex.ipynb): every indicator (rows, grouped by
dimension) of every city (columns, by rank), with the province's pooled value and the reference."""

from __future__ import annotations

import pandas as pd

from hotline_eval.compare.aggregates import province_values
from hotline_eval.core import fmt
from hotline_eval.report import tables
from hotline_eval.report.blocks import heading_html
from hotline_eval.report.context import ReportContext


class BulletinAnnex:
    def __init__(self, ctx: ReportContext) -> None:
        self.ctx, self.r = ctx, ctx.results
        self.words = ctx.wording["bulletin"]

    def indicators(self) -> list[str]:
        w, cols = self.words, self.words["annex_columns"]
        annex = self.indicator_annex()
        if self.ctx.single:  # one object: its values, the reference; no scope column
            name = self.r.city_name(self.r.evaluation.city_ids()[0])
            w = {k: v.format(name=name) for k, v in w["single"].items() if k.startswith("annex")}
            annex = annex.drop(columns=[cols["province"]])
        return [
            heading_html(w["annex_title"], anchor="annex", new_page=True),
            tables.html_table(
                annex,
                w["annex_caption"],
                number=self.ctx.next_table(),
                group=cols["dimension"],
                widths=[24] + [8] * (len(annex.columns) - 2),  # the dimension is a group row
                align_right=[c for c in annex.columns if c not in (cols["dimension"], cols["indicator"])],
                note=w["annex_note"],
            ),
        ]

    def indicator_annex(self) -> pd.DataFrame:
        r, cols = self.r, self.words["annex_columns"]
        pooled = r.pooled().set_index(["indicator", "city"])
        province = province_values(r)
        reference = r.scores.groupby("indicator")["reference"].first()
        cities = r.totals.sort_values("rank").index
        rows = []
        for ind in r.active:
            dim = r.catalogue.dimension(ind.dimension)
            unit = self.ctx.wording["units_zh"].get(ind.unit, "")
            name = self.words["annex_indicator_unit"].format(indicator=ind.zh, unit=unit) if unit else ind.zh
            row = {cols["dimension"]: f"{dim.zh}（§{dim.clause}）", cols["indicator"]: name}
            for city in cities:
                key = (ind.id, city)
                ok = key in pooled.index and pooled.loc[key, "status"] == "ok"
                row[r.city_name(city)] = fmt.bare(pooled.loc[key, "value"], ind.unit) if ok else fmt.DASH
            row[cols["province"]] = fmt.bare(province.get(ind.id), ind.unit)
            row[cols["reference"]] = fmt.bare(reference.get(ind.id), ind.unit)
            rows.append(row)
        return pd.DataFrame(rows)

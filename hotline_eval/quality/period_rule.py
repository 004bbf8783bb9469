"""The period rule checked against the data actually present (§5.1.1.3, §5.1.2.3).

The definition's period already holds enough whole months (evaluation.check_period). Here each
city's records must cover them: a whole month counts when the city's records in the rule's tables
fall on at least `min_day_share` of its days, and the covered months must run continuously for at
least one month (comprehensive) or three (special). A violation is an error naming the gap.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from hotline_eval.config.evaluation import MIN_MONTHS, PERIOD_CLAUSE, TYPE_ZH, Evaluation, month_bounds
from hotline_eval.config.schema import Schema
from hotline_eval.core.errors import PeriodError


def days_with_data(con: duckdb.DuckDBPyConnection, ev: Evaluation, schema: Schema) -> pd.DataFrame:
    """city, day: the Beijing-time days of the period on which any rule table has a record."""
    start, end = ev.period.start, ev.period.end + dt.timedelta(days=1)
    parts = []
    for table in ev.period_rule.tables:
        col = schema.tables[table].month_column
        parts.append(
            f"SELECT DISTINCT city, CAST(CAST({col} AS TIMESTAMP) AS DATE) AS day FROM {table} "
            f"WHERE {col} >= TIMESTAMPTZ '{start} 00:00:00+08:00' AND {col} < TIMESTAMPTZ '{end} 00:00:00+08:00'"
        )
    return con.execute(" UNION ".join(parts)).df()


def month_coverage(days: pd.DataFrame, ev: Evaluation) -> pd.DataFrame:
    """city × month of the period: days, days with data, whole month?, covered?"""
    days = days.assign(month=pd.to_datetime(days["day"]).dt.strftime("%Y-%m"))
    counts = days.groupby(["city", "month"]).size()
    rows = []
    for city in ev.city_ids():
        for month in ev.period.months:
            first, last = month_bounds(month)
            whole = ev.period.start <= first and last <= ev.period.end
            span = (min(last, ev.period.end) - max(first, ev.period.start)).days + 1
            have = int(counts.get((city, month), 0))
            covered = whole and have >= ev.period_rule.min_day_share * span
            rows.append(
                {"city": city, "month": month, "days": span, "days_with_data": have, "whole": whole, "covered": covered}
            )
    return pd.DataFrame(rows)


def longest_run(covered: list[bool]) -> int:
    best = run = 0
    for flag in covered:
        run = run + 1 if flag else 0
        best = max(best, run)
    return best


def check_data_period(coverage: pd.DataFrame, ev: Evaluation) -> None:
    """Raise PeriodError naming every city whose data do not hold the continuous months required."""
    if ev.period_rule.waived:
        return  # stated in the report (period_rule.reason_zh); coverage is still written
    need = MIN_MONTHS[ev.type]
    problems = []
    for city, part in coverage.groupby("city", sort=False):
        if longest_run(part["covered"].tolist()) >= need:
            continue
        gaps = [
            f"{r.month} 有记录的天数为{r.days_with_data}天（共{r.days}天）"
            for r in part.itertuples()
            if r.whole and not r.covered
        ]
        problems.append(f"{ev.city_name(city)}（{city}）：" + "；".join(gaps or ["评价周期内没有完整月份"]))
    if problems:
        raise PeriodError(
            f"评价 '{ev.id}'：{TYPE_ZH[ev.type]}（{ev.type}）须有至少{need}个连续月份的数据"
            f"（{PERIOD_CLAUSE[ev.type]}），某月有记录（{'、'.join(ev.period_rule.tables)}）的天数不少于该月天数的"
            f"{ev.period_rule.min_day_share:.0%}方计入。数据缺口：" + " | ".join(problems),
            fix="请重新采集或补充缺失的数据（§5.2.7），或调整评价周期或城市",
        )

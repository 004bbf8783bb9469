"""Comparison charts with Chinese labels (report/charts.py's colours and CJK font; captions are added by
report.charts.figure_html): indicator heatmap, rank intervals, monthly trends, channels, reasons."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.lines import Line2D

from hotline_eval.report.charts import BASE, BEST, HIGHLIGHT, INK, month_axis

RATE_COLOURS = LinearSegmentedColormap.from_list("rates", ["#b03a48", "#f2d4a9", "#f7f7f7", "#cfe1ef", "#2e6f9e"])
MISSING = "#d5dbe1"


def heatmap(rates: pd.DataFrame, labels: dict[str, str], highlight: str | None = None, vmin: float = 0.6) -> plt.Figure:
    """Score rates (%) of indicators (rows) × cities (columns); missing cells grey, the city's column boxed."""
    data = rates.T * 100
    data.index = [_wrap(labels.get(i, i), 12) for i in data.index]
    height = 0.24 * len(data) + 1.4
    fig, ax = plt.subplots(figsize=(7.0, height))
    ax.set_facecolor(MISSING)
    ax.grid(False)
    sns.heatmap(
        data,
        ax=ax,
        cmap=RATE_COLOURS,
        vmin=vmin * 100,
        vmax=100,
        annot=True,
        fmt=".0f",
        annot_kws={"fontsize": 6.5},
        linewidths=0.4,
        linecolor="white",
        cbar_kws={"label": "得分率（%）", "shrink": 0.5},
    )
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="y", labelsize=7)
    ax.tick_params(axis="x", labelsize=8, labelrotation=0)
    ax.xaxis.tick_top()
    if highlight is not None and highlight in data.columns:
        k = list(data.columns).index(highlight)
        ax.add_patch(plt.Rectangle((k, 0), 1, len(data), fill=False, edgecolor=INK, linewidth=1.6, clip_on=False))
    fig.tight_layout()
    return fig


def rank_intervals(frame: pd.DataFrame, names: dict[str, str], highlight: str | None = None) -> plt.Figure:
    """Each city's rank (dot), its rank interval over weight and reference variants (thick bar) and over
    sampling (thin bar), best rank at the top."""
    frame = frame.sort_values("rank")
    y = np.arange(len(frame))[::-1]
    fig, ax = plt.subplots(figsize=(6.4, 0.36 * len(frame) + 1.0))
    for yy, (city, row) in zip(y, frame.iterrows(), strict=True):
        colour = HIGHLIGHT if city == highlight else BASE
        ax.plot([row["rank_low"], row["rank_high"]], [yy - 0.13] * 2, color=colour, linewidth=1.2, alpha=0.8)
        ax.plot([row["mc_low"], row["mc_high"]], [yy + 0.13] * 2, color=colour, linewidth=4, alpha=0.55)
        ax.plot(row["rank"], yy, "o", color=colour, markersize=6, zorder=3)
    ax.set_yticks(y, [names.get(c, c) for c in frame.index], fontsize=9)
    n = len(frame)
    ax.set_xticks(range(1, n + 1), [f"第{k}位" for k in range(1, n + 1)], fontsize=8)
    ax.set_xlim(n + 0.5, 0.5)  # first place on the right
    ax.grid(axis="y", visible=False)
    handles = [
        Line2D([], [], color=INK, marker="o", linestyle="", label="本次位次"),
        Line2D([], [], color=INK, linewidth=4, alpha=0.55, label="权重和参考值变化下的位次区间"),
        Line2D([], [], color=INK, linewidth=1.2, label="抽样误差下的位次区间"),
    ]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=3, fontsize=7.5, frameon=False)
    fig.tight_layout()
    return fig


def monthly_trends(
    frame: pd.DataFrame,
    labels: dict[str, str],
    units: dict[str, str],
    city_label: str,
    marks: set[tuple[str, str]],
    scope: str | None = "全省",
) -> plt.Figure:
    """One small chart per indicator: the city's monthly values (Wilson band for rates), the province's
    (dashed, labelled `scope`; none when scope is None); a dotted line separates the previous
    evaluation's months; `marks` = (indicator, month) pairs whose change from the month before is
    significant (ringed)."""
    indicators = list(dict.fromkeys(frame["indicator"]))
    cols = 2
    rows = int(np.ceil(len(indicators) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(7.2, 2.3 * rows), squeeze=False)
    for ax, ind in zip(axes.flat, indicators, strict=False):
        part = frame[frame["indicator"] == ind].sort_values("month")
        unit = units.get(ind, "")
        scale = 100 if unit == "percent" else 1
        x = np.arange(len(part))
        if scope is not None:
            ax.plot(x, part["province"] * scale, color=BASE, linestyle="--", linewidth=1, label=scope)
        ax.plot(x, part["value"] * scale, color=HIGHLIGHT, marker="o", markersize=3.5, linewidth=1.4, label=city_label)
        if part["ci_low"].notna().any():
            ax.fill_between(
                x, part["ci_low"] * scale, part["ci_high"] * scale, color=HIGHLIGHT, alpha=0.15, linewidth=0
            )
        for k, month in enumerate(part["month"]):
            if (ind, month) in marks:
                ax.plot(k, part["value"].iloc[k] * scale, "o", markersize=9, markerfacecolor="none", color=INK)
        previous = (part["evaluation"] == "previous").sum()
        if 0 < previous < len(part):
            ax.axvline(previous - 0.5, color=INK, linestyle=":", linewidth=0.8)
        month_axis(ax, list(part["month"]))
        ax.set_title(labels.get(ind, ind), fontsize=9)
        ax.tick_params(axis="y", labelsize=7.5)
        ax.set_ylabel({"percent": "%", "seconds": "秒", "hours": "小时"}.get(unit, ""), fontsize=7.5)
    for ax in list(axes.flat)[len(indicators) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7, loc="best")
    fig.tight_layout()
    return fig


def channel_rates(frame: pd.DataFrame, indicators: list[str], labels: dict[str, str]) -> plt.Figure:
    """Tickets per channel (left) and, per channel, the rates of the channel indicators with their Wilson
    intervals (right); channels without rates show volume only."""
    frame = frame.iloc[::-1]
    y = np.arange(len(frame))
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(7.2, 0.3 * len(frame) + 1.2), sharey=True, gridspec_kw={"width_ratios": [1, 1.6]}
    )
    left.barh(y, frame["n"], color=BASE, height=0.6)
    for yy, n in zip(y, frame["n"], strict=True):
        left.text(n, yy, f" {int(n)}", va="center", fontsize=7, color=INK)
    left.set_yticks(y, list(frame["label"]), fontsize=8)
    left.set_xlabel("工单数（件）", fontsize=8)
    left.set_xlim(0, frame["n"].max() * 1.3)
    colours = [HIGHLIGHT, BEST, "#7d3c98", "#5d6d7e"]
    offsets = np.linspace(-0.2, 0.2, len(indicators)) if len(indicators) > 1 else [0.0]
    for k, ind in enumerate(indicators):
        v = frame[f"value_{ind}"] * 100
        lo, hi = frame[f"low_{ind}"] * 100, frame[f"high_{ind}"] * 100
        ok = v.notna().to_numpy()
        right.errorbar(
            v[ok],
            y[ok] + offsets[k],
            xerr=[(v - lo).clip(lower=0)[ok], (hi - v).clip(lower=0)[ok]],  # an interval rounding past the value
            fmt="o",
            markersize=3.5,
            color=colours[k % len(colours)],
            elinewidth=1,
            capsize=2,
            label=labels.get(ind, ind),
        )
    right.set_xlabel("比率（%），误差线为95%置信区间", fontsize=8)
    right.legend(fontsize=7, loc="lower left", frameon=True)
    right.tick_params(axis="x", labelsize=7.5)
    left.tick_params(axis="x", labelsize=7.5)
    fig.tight_layout()
    return fig


def reason_shares(frame: pd.DataFrame, others: str = "其他设区市") -> plt.Figure:
    """The city's share of each verified dissatisfaction reason (bars) and the other cities' (diamonds)."""
    frame = frame.sort_values("share")
    y = np.arange(len(frame))
    fig, ax = plt.subplots(figsize=(6.4, 0.32 * len(frame) + 1.0))
    colours = [HIGHLIGHT if hot else BASE for hot in frame["hot"]]
    ax.barh(y, frame["share"] * 100, color=colours, height=0.6, label="本市")
    ax.scatter(frame["rest_share"] * 100, y, marker="D", s=20, color=INK, zorder=3, label=others)
    for yy, v in zip(y, frame["share"] * 100, strict=True):
        ax.text(v, yy, f" {v:.1f}", va="center", fontsize=7.5, color=INK)
    ax.set_yticks(y, [_wrap(t, 10) for t in frame["reason_zh"]], fontsize=8)
    ax.set_xlabel("占已核实原因的不满意诉求比例（%）", fontsize=8)
    ax.legend(fontsize=7.5, loc="lower right")
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig


def _wrap(label: str, width: int) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label

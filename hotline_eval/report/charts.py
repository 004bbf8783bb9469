"""Charts with Chinese labels, embedded as PNG with alt text and a caption below (图N …).

As in printed Chinese reports the caption under the chart is its title; axes name their unit.
"""

from __future__ import annotations

import base64
import html
import io
import textwrap

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import PathCollection
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Text

from hotline_eval.core import fmt
from hotline_eval.report.fonts import use_cjk_in_charts

HIGHLIGHT = "#b03a48"
BASE = "#8d99a8"
BEST = "#2e6f9e"
INK = "#2c3e50"
GRADE_PALETTE = ["#2e6f9e", "#5b9bd5", "#a9b7c6", "#b03a48", "#7d3c98", "#5d6d7e"]
NOT_GRADED_COLOUR = "#d5dbe1"


def grade_colours(grades: list[str]) -> dict[str, str]:
    """A colour per grade band, best first (blue) to worst (red); 不予定级 grey."""
    colours = {g: GRADE_PALETTE[min(k, len(GRADE_PALETTE) - 1)] for k, g in enumerate(grades)}
    if len(grades) <= 4 and grades:
        colours[grades[-1]] = GRADE_PALETTE[3]
    colours["不予定级"] = NOT_GRADED_COLOUR
    return colours


def setup() -> None:
    use_cjk_in_charts()


def figure_html(fig: plt.Figure, caption: str, alt: str, number: int | None = None) -> str:
    """The figure as an <img> with alt text, captioned below (图N …).

    A figure that plots no data (`plots_data`) is marked `data-empty`, and the texts the picture shows
    go to `data-text`: the document linter (report/lint.py) reads both, as it cannot read the picture.
    """
    empty = "" if plots_data(fig) else " data-empty"
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})
    # after drawing (the tick labels are set); joined by ｜, which neither continues a list of months
    # nor separates the digit groups of a phone number (two tick values are no landline)
    words = "｜".join(chart_text(fig))
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    label = f"图{number}　" if number else ""
    return (
        f'<figure class="chart"{empty} data-text="{html.escape(words)}">'
        f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}"/>'
        f"<figcaption>{html.escape(label + caption)}</figcaption></figure>"
    )


def chart_text(fig: plt.Figure) -> list[str]:
    """Every text the picture shows, in drawing order: titles, axis labels, tick labels, legends,
    annotations (for the document linter, which cannot read the picture)."""
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    return list(dict.fromkeys(t.get_text().strip() for t in texts))


def plots_data(fig: plt.Figure) -> bool:
    """Whether any axes of the figure plots a finite data point: a line or marker in data coordinates, a
    bar, a filled area, a coloured cell. Reference lines across the axes (axhline), texts, legends and
    colour bars are no data."""
    return any(_axes_plots_data(ax) for ax in fig.axes if ax.get_label() != "<colorbar>")


def _axes_plots_data(ax: plt.Axes) -> bool:
    points = [line.get_xydata() for line in ax.get_lines() if line.get_transform().contains_branch(ax.transData)]
    points += [[[p.get_width(), p.get_height()]] for p in ax.patches if isinstance(p, Rectangle)]
    for c in ax.collections:
        if c.get_array() is not None:  # coloured by value: a heatmap's cells, a scatter's colours
            points.append(np.ma.filled(np.ma.asarray(c.get_array(), dtype=float), np.nan).reshape(-1, 1))
        elif isinstance(c, PathCollection):  # markers: where they sit
            points.append(c.get_offsets())
        else:  # areas and line sets: their outlines
            points += [path.vertices for path in c.get_paths()]
    points += [
        np.ma.filled(np.ma.asarray(image.get_array(), dtype=float), np.nan).reshape(-1, 1) for image in ax.images
    ]
    return any(np.isfinite(np.asarray(p, dtype=float)).all(axis=-1).any() for p in points if np.size(p))


def month_axis(ax: plt.Axes, months: list[str], first: int = 0, fontsize: float = 7.5) -> None:
    """The x axis of a monthly series plotted at first, first + 1, …: at most 12 month labels (fmt.month_ticks),
    set at an angle when they carry years (docs/documents/city-report.md#months)."""
    at, labels = fmt.month_ticks(months)
    turned = 45 if fmt.spans_years(months) else 0
    ha = "right" if turned else "center"
    ax.set_xticks([k + first for k in at], labels, fontsize=fontsize, rotation=turned, ha=ha)


def _wrap(label: str, width: int = 6) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label


def ranked_bars(
    values: pd.Series,
    highlight: str | list[str] | None,
    xlabel: str,
    fmt: str = "{:.2f}",
    reference: float | None = None,
    reference_label: str = "",
    colours: dict[str, str] | None = None,
    legend: dict[str, str] | None = None,
) -> plt.Figure:
    """Horizontal bars of one value per city, best at the top, highlighted cities in red.

    colours: an explicit colour per city (e.g. by grade) instead of the highlight;
    legend: label → colour of the legend that explains them.
    """
    values = values.dropna().sort_values()
    marked = {highlight} if isinstance(highlight, str) else set(highlight or [])
    fig, ax = plt.subplots(figsize=(6.4, 0.3 * len(values) + 0.9))
    if colours:
        bar_colours = [colours.get(name, BASE) for name in values.index]
    else:
        bar_colours = [HIGHLIGHT if name in marked else BASE for name in values.index]
    ax.barh(values.index, values.to_numpy(), color=bar_colours, height=0.62)
    for y, v in enumerate(values.to_numpy()):
        ax.text(v, y, " " + fmt.format(v), va="center", fontsize=8.5, color=INK)
    if reference is not None and not np.isnan(reference):
        ax.axvline(reference, color=INK, linestyle="--", linewidth=1)
        ax.text(reference, len(values) - 0.45, reference_label, fontsize=8, ha="right", color=INK)
    ax.set_xlabel(xlabel)
    ax.set_xlim(0, max(float(values.max()) * 1.15, 1e-9))
    ax.grid(axis="y", visible=False)
    if legend:
        handles = [Patch(color=colour, label=label) for label, colour in legend.items()]
        ax.legend(handles=handles, loc="lower right", fontsize=8, frameon=True)
    fig.tight_layout()
    return fig


def dimension_profile(
    city_rates: pd.Series, mean_rates: pd.Series, best_rates: pd.Series, city_label: str, scope: str = "全省"
) -> plt.Figure:
    """Score rate (得分率) of each dimension: the city against the province (`scope`) mean and the best city."""
    labels = list(city_rates.index)
    x = np.arange(len(labels))
    fig, ax = plt.subplots(figsize=(6.8, 3.0))
    series = [
        (city_rates, HIGHLIGHT, city_label),
        (mean_rates.reindex(labels), BASE, f"{scope}平均"),
        (best_rates.reindex(labels), BEST, f"{scope}最优"),
    ]
    for k, (rates, colour, label) in enumerate(series):
        ax.bar(x + (k - 1) * 0.26, rates.to_numpy() * 100, width=0.26, color=colour, label=label)
    ax.set_xticks(x, [_wrap(lbl, 6) for lbl in labels], fontsize=9)
    ax.set_ylabel("得分率（%）")
    ax.set_ylim(0, 115)
    ax.set_yticks(range(0, 101, 20))
    ax.legend(loc="upper center", fontsize=8, ncols=3, frameon=False, bbox_to_anchor=(0.5, 1.0))
    ax.grid(axis="x", visible=False)
    fig.tight_layout()
    return fig


def indicator_rates(
    city_rates: pd.Series, province_rates: pd.Series | None, city_label: str, scope: str = "全省"
) -> plt.Figure:
    """Score rate of each indicator of one dimension: the city's bars, the province (`scope`) mean as a
    marker (none for a single evaluated object: `province_rates` None)."""
    labels = list(city_rates.index)[::-1]
    y = np.arange(len(labels))
    fig, ax = plt.subplots(figsize=(6.4, 0.34 * len(labels) + 1.0))
    ax.barh(y, city_rates.reindex(labels).to_numpy() * 100, color=HIGHLIGHT, height=0.55, label=city_label)
    if province_rates is not None:
        means = province_rates.reindex(labels).to_numpy() * 100
        ax.scatter(means, y, marker="D", s=22, color=INK, zorder=3, label=f"{scope}平均")
    for k, v in enumerate(city_rates.reindex(labels).to_numpy()):
        if not np.isnan(v):
            ax.text(v * 100, k, f" {v * 100:.1f}", va="center", fontsize=8, color=INK)
    ax.set_yticks(y, [_wrap(lbl, 14) for lbl in labels], fontsize=8.5)
    ax.set_xlim(0, 112)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel("得分率（%）")
    ax.legend(loc="lower right", fontsize=8, frameon=True)
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig

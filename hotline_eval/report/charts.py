"""Charts with Chinese titles and labels, embedded as PNG with alt text and a caption."""

from __future__ import annotations

import base64
import html
import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from hotline_eval.report.fonts import use_cjk_in_charts

HIGHLIGHT = "#c0392b"
BASE = "#7f8c9d"


def setup() -> None:
    use_cjk_in_charts()


def figure_html(fig: plt.Figure, caption: str, alt: str, number: int | None = None) -> str:
    """The figure as an <img> with alt text, captioned below (图N …)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    label = f"图{number} " if number else ""
    return (
        f'<figure class="chart"><img src="data:image/png;base64,{data}" alt="{html.escape(alt)}"/>'
        f"<figcaption>{html.escape(label + caption)}</figcaption></figure>"
    )


def ranked_bars(
    values: pd.Series,
    highlight: str,
    title: str,
    xlabel: str,
    fmt: str = "{:.2f}",
    reference: float | None = None,
    reference_label: str = "",
) -> plt.Figure:
    """Horizontal bars of one value per city (sorted), the report's city highlighted."""
    values = values.dropna().sort_values()
    fig, ax = plt.subplots(figsize=(7.2, 0.42 * len(values) + 1.2))
    colors = [HIGHLIGHT if name == highlight else BASE for name in values.index]
    ax.barh(values.index, values.to_numpy(), color=colors)
    for y, v in enumerate(values.to_numpy()):
        ax.text(v, y, " " + fmt.format(v), va="center", fontsize=9)
    if reference is not None and not np.isnan(reference):
        ax.axvline(reference, color="#2c3e50", linestyle="--", linewidth=1)
        ax.text(reference, len(values) - 0.4, reference_label, fontsize=8, ha="right", color="#2c3e50")
    ax.set_title(title, fontsize=12)
    ax.set_xlabel(xlabel)
    ax.set_xlim(0, max(values.max() * 1.15, 1e-9))
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig


def dimension_profile(
    city_rates: pd.Series, mean_rates: pd.Series, best_rates: pd.Series, city_label: str, title: str
) -> plt.Figure:
    """Score rate (得分率) of each dimension: the city against the province mean and the best city."""
    labels = list(city_rates.index)
    x = np.arange(len(labels))
    fig, ax = plt.subplots(figsize=(7.2, 3.6))
    ax.bar(x - 0.25, city_rates.to_numpy() * 100, width=0.25, color=HIGHLIGHT, label=city_label)
    ax.bar(x, mean_rates.reindex(labels).to_numpy() * 100, width=0.25, color=BASE, label="全省平均")
    ax.bar(x + 0.25, best_rates.reindex(labels).to_numpy() * 100, width=0.25, color="#2e86c1", label="全省最优")
    ax.set_xticks(x, labels)
    ax.set_ylabel("得分率（%）")
    ax.set_ylim(0, 105)
    ax.set_title(title, fontsize=12)
    ax.legend(loc="lower right", fontsize=8, ncols=3)
    fig.tight_layout()
    return fig

"""Monthly trend charts as PNG images (matplotlib, headless), labelled in Chinese (fonts.py: never without)."""

from __future__ import annotations

import io
from functools import lru_cache

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from projections.figures import BY_ID

from .fonts import cjk_font


def trend_png(year: int, series: dict[str, list[int]]) -> bytes:
    """Small multiples: one bar chart of the 12 months per figure (fonts.FontsMissing without a CJK font)."""
    return _render(year, tuple((fid, tuple(values)) for fid, values in series.items()), cjk_font())


# Drawing costs ~0.25 s, more than the rest of a small report's document; the same year's figures (a document
# downloaded again, a package exported after the draft) give the same picture, so recent ones are kept.
@lru_cache(maxsize=16)
def _render(year: int, series: tuple[tuple[str, tuple[int, ...]], ...], font: str) -> bytes:
    rc = {"font.family": [font, "DejaVu Sans"], "axes.unicode_minus": False}
    # A Figure on the Agg canvas, not pyplot: no GUI backend chosen or imported (half a second), no global figures.
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=(7.2, 4.2), dpi=150)
        FigureCanvasAgg(fig)
        axes = fig.subplots(2, 3, sharex=True)
        for ax, (fid, values) in zip(axes.flat, series, strict=False):
            figure = BY_ID[fid]
            ax.bar(range(1, 13), values, color="#9b1c1c")
            ax.set_title(f"{figure.label}（{figure.unit}）", fontsize=9)
            ax.set_xticks(range(1, 13))
            ax.tick_params(labelsize=7)
            ax.spines[["top", "right"]].set_visible(False)
        for ax in list(axes.flat)[len(series) :]:
            ax.set_visible(False)
        fig.suptitle(f"{year}年主要工作月度分布", fontsize=11)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png")
    return out.getvalue()

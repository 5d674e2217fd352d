"""Monthly trend charts as PNG images (matplotlib, headless), labelled in Chinese where a CJK font exists."""

from __future__ import annotations

import io

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from projections.figures import BY_ID

CJK_FONTS = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei")


def _cjk_font() -> str | None:
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in names), None)


def trend_png(year: int, series: dict[str, list[int]]) -> bytes:
    """Small multiples: one bar chart of the 12 months per figure."""
    font = _cjk_font()
    rc = {"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"], "axes.unicode_minus": False}
    # A Figure on the Agg canvas, not pyplot: no GUI backend chosen or imported (half a second), no global figures.
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=(7.2, 4.2), dpi=150)
        FigureCanvasAgg(fig)
        axes = fig.subplots(2, 3, sharex=True)
        for ax, (fid, values) in zip(axes.flat, series.items(), strict=False):
            figure = BY_ID[fid]
            ax.bar(range(1, 13), values, color="#9b1c1c")
            ax.set_title(f"{figure.label}（{figure.unit}）" if font else fid, fontsize=9)
            ax.set_xticks(range(1, 13))
            ax.tick_params(labelsize=7)
            ax.spines[["top", "right"]].set_visible(False)
        for ax in list(axes.flat)[len(series) :]:
            ax.set_visible(False)
        fig.suptitle(f"{year}年主要工作月度分布" if font else f"{year} monthly", fontsize=11)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png")
    return out.getvalue()

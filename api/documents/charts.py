"""Monthly trend charts as PNG images (matplotlib, headless), labelled in Chinese (fonts.py: never without)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from projections.figures import BY_ID

from . import fonts

CACHED_CHARTS = 64  # charts kept in a cache folder (~60 kB each), the least recently drawn dropped first
# The reference path the tests compare with: Figure.savefig, which lays the figure out once more in a draw
# that renders nothing before the one that does (~0.2 s).
SAVEFIG = False


def trend_png(year: int, series: dict[str, list[int]], cache: Path | None = None) -> bytes:
    """Small multiples: one bar chart of the 12 months per figure (fonts.FontsMissing without a CJK font).

    `cache`: a folder of the charts drawn before, by what they are drawn from. A chart depends only on its year,
    its series, the figures' labels, this code and matplotlib's version, so a draft made again for the same
    figures (after its texts were edited, say) reads the PNG instead of importing matplotlib (~0.6 s) and
    drawing (~0.5 s). (The CJK font is the first of fonts.CJK_FONTS installed when a chart is first drawn.)"""
    if cache is None:
        return _draw(year, series)
    path = cache / f"{_key(year, series)}.png"
    try:
        png = path.read_bytes()
    except OSError:
        png = b""
    if png:
        return png
    png = _draw(year, series)
    _keep(cache, path, png)
    return png


def _key(year: int, series: dict[str, list[int]]) -> str:
    drawn_from = {
        "year": year,
        "series": [[fid, BY_ID[fid].label, BY_ID[fid].unit, values] for fid, values in series.items()],
    }
    return hashlib.sha256(_drawing_code() + json.dumps(drawn_from, ensure_ascii=False).encode()).hexdigest()


@cache
def _drawing_code() -> bytes:
    """What draws the chart (this module, the fonts' choice, matplotlib's version): read once per process, not
    once per chart."""
    return Path(__file__).read_bytes() + Path(fonts.__file__).read_bytes() + _matplotlib()


def _matplotlib() -> bytes:
    """Which matplotlib would draw, without importing it (importlib.metadata takes ~0.1 s to find a version)."""
    spec = find_spec("matplotlib")
    if spec is None or spec.origin is None:
        return b""
    origin = Path(spec.origin)
    try:
        return (origin.parent / "_version.py").read_bytes()
    except OSError:
        stat = origin.stat()
        return f"{origin} {stat.st_size} {stat.st_mtime_ns}".encode()


def _keep(cache: Path, path: Path, png: bytes) -> None:
    """Store a chart (whole or not at all: written aside, then renamed), and drop the oldest beyond the limit."""
    try:
        cache.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(png)
        os.replace(tmp, path)
        kept = sorted(cache.glob("*.png"), key=lambda p: p.stat().st_mtime)
        for old in kept[: max(0, len(kept) - CACHED_CHARTS)]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a cache that cannot be written only means drawing the chart again next time


def _draw(year: int, series: dict[str, list[int]]) -> bytes:
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    font = fonts.cjk_font()
    rc = {"font.family": [font, "DejaVu Sans"], "axes.unicode_minus": False}
    # A Figure on the Agg canvas, not pyplot: no GUI backend chosen or imported (half a second), no global figures.
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=(7.2, 4.2), dpi=150)
        canvas = FigureCanvasAgg(fig)
        axes = fig.subplots(2, 3, sharex=True)
        for ax, (fid, values) in zip(axes.flat, series.items(), strict=False):
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
        if SAVEFIG:
            fig.savefig(out, format="png")
        else:
            # The canvas's own PNG: the figure laid out above and drawn once (savefig would draw it twice, the
            # first time for a layout already done), at the figure's dpi, with savefig's default colours.
            canvas.print_png(out)
    return out.getvalue()

"""The fonts the machine writing a document needs: a CJK font for the chart's Chinese labels.

The report's text names the official fonts (仿宋_GB2312, 方正小标宋简体 …) and is rendered with them on the
reader's machine; the chart is drawn here, so its Chinese must be drawn with a font installed here. matplotlib
reads fonts from a cache made when it was first used: fonts installed later are not in it, so before giving up
the system's font files are looked through once. A chart is never drawn with a font lacking Chinese (it would
come out as boxes or in English): a missing font stops the document with one line saying what to install.
"""

from __future__ import annotations

CJK_FONTS = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei")
INSTALL = (
    "缺少中文字体，无法绘制报告中的图表：请安装 Noto CJK 字体"
    "（Debian/Ubuntu：sudo apt-get install fonts-noto-cjk；Fedora：sudo dnf install google-noto-sans-cjk-fonts）后重试"
)


class FontsMissing(Exception):
    """No CJK font for the chart; the message is INSTALL."""

    def __init__(self) -> None:
        super().__init__(INSTALL)


def cjk_font() -> str:
    """The name of an installed CJK font matplotlib can draw with (FontsMissing if none)."""
    from matplotlib import font_manager

    manager = font_manager.fontManager
    found = _first(manager)
    if found is None:  # a cache made before the fonts were installed: add the system's font files it lacks
        known = {f.fname for f in manager.ttflist}
        for path in font_manager.findSystemFonts():
            if path not in known:
                try:
                    manager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue  # a file matplotlib cannot read is not a font it could draw with either
        found = _first(manager)
    if found is None:
        raise FontsMissing
    return found


def _first(manager: object) -> str | None:
    names = {f.name for f in manager.ttflist}  # type: ignore[attr-defined]
    return next((name for name in CJK_FONTS if name in names), None)

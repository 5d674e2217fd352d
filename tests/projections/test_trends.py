"""Monthly trends: they add up to the year's figures, and the DOCX carries them as a chart."""

from __future__ import annotations

from pathlib import Path

import docx

from api.documents import write_report
from api.infra.settings import Settings
from projections.trends import THEMES, monthly


def test_monthly_trends_add_up_to_the_figures_and_print_as_a_chart(tmp_path: Path) -> None:
    settings = Settings(tmp_path, None, "Asia/Shanghai", "王芳")
    ledger = settings.ledger()
    lines = [{"id": "u", "op": "unit", "unit": "ctr", "data": {"name": "某城市更新中心"}}]
    for i, day in enumerate(["2025-01-05", "2025-01-20", "2025-03-02", "2025-12-31", "2024-12-31"]):
        lines.append(
            {
                "id": f"s{i}",
                "op": "record",
                "unit": "ctr",
                "kind": "study_session",
                "ref": f"XX-{i}",
                "date": day,
                "data": {"form": "party_group", "topic": "学法", "attendees": 9},
            }
        )
    lines.append(
        {
            "id": "d1",
            "op": "record",
            "unit": "ctr",
            "kind": "disclosure",
            "ref": "GK-1",
            "date": "2025-03-09",
            "data": {"channel": "网站", "title": "征收公告", "items": 4},
        }
    )
    assert ledger.apply(list(enumerate(lines, 1)), "王芳").ok
    with settings.read_model() as model:
        model.catch_up(ledger.recorder)
        report = model.report("ctr", 2025).to_json()
        trends = monthly(model.con, report["units"], 2025, None, model.tz)
        assert trends["study.sessions"] == [2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1]
        assert trends["disclosure.proactive"][2] == 4
        assert all(sum(trends[f]) == report["figures"][f]["value"] for f in THEMES)
        write_report(model, report, "docx", tmp_path / "r.docx", None, False)
    assert len(docx.Document(str(tmp_path / "r.docx")).inline_shapes) == 1


SERIES = {
    "study.sessions": [1, 1, 1, 0, 3, 5, 1, 0, 0, 3, 3, 1],
    "petition.received": [7, 0, 8, 3, 9, 7, 2, 3, 4, 2, 4, 0],
    "disclosure.proactive": [2, 2, 9, 3, 0, 0, 0, 0, 2, 3, 4, 0],
}


def test_the_chart_drawn_once_is_the_chart_savefig_draws(monkeypatch) -> None:
    from api.documents import charts

    once = charts.trend_png(2025, SERIES)
    monkeypatch.setattr(charts, "SAVEFIG", True)
    assert once == charts.trend_png(2025, SERIES)  # byte for byte


def test_a_chart_drawn_before_is_read_from_the_cache_and_only_for_the_same_figures(tmp_path: Path, monkeypatch) -> None:
    from api.documents import charts

    cache = tmp_path / "charts"
    drawn = charts.trend_png(2025, SERIES, cache)
    assert drawn == charts.trend_png(2025, SERIES) and len(list(cache.glob("*.png"))) == 1
    draws = []
    real = charts._draw
    monkeypatch.setattr(charts, "_draw", lambda year, series: draws.append(year) or real(year, series))
    assert charts.trend_png(2025, SERIES, cache) == drawn and draws == []  # read, not drawn
    other = {**SERIES, "petition.received": [0] * 12}
    assert charts.trend_png(2025, other, cache) == charts.trend_png(2025, other) != drawn
    assert charts.trend_png(2024, SERIES, cache) != drawn
    assert draws == [2025, 2025, 2024] and len(list(cache.glob("*.png"))) == 3
    monkeypatch.setattr(charts, "CACHED_CHARTS", 2)
    charts.trend_png(2023, SERIES, cache)
    assert len(list(cache.glob("*.png"))) == 2  # the oldest dropped
    (cache / f"{charts._key(2023, SERIES)}.png").write_bytes(b"")  # an empty file is no chart: drawn again
    assert charts.trend_png(2023, SERIES, cache) == charts.trend_png(2023, SERIES)

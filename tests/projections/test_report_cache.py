"""A current report is served again while the folded log and the report's day are the same, never after."""

from __future__ import annotations

from datetime import UTC, datetime

from conftest import study

from projections import report as reports


def test_a_repeated_report_is_the_same_with_its_own_instant_and_a_write_shows_at_once(env, monkeypatch):
    env.ok(study("S-1", "2025-03-01"))
    with env.read_model() as model:
        first = model.report("u1", 2025).to_json()
        first["figures"]["study.sessions"]["value"] = 99  # a caller changing its copy changes no one else's
        again = model.report("u1", 2025).to_json()
        assert again["figures"]["study.sessions"]["value"] == 1
        assert again["as_of"] >= first["as_of"]
        env.ok(study("S-2", "2025-03-02"))
        model.catch_up(env.ledger.recorder)
        assert model.report("u1", 2025).to_json()["figures"]["study.sessions"]["value"] == 2


def test_the_report_of_another_day_is_computed_again(env, monkeypatch):
    """Due-based rates and overdue checks depend on the report's day (DOMAIN.md §7.3)."""
    env.ok(study("S-1", "2025-03-01"))
    days = []
    real = reports.compute

    def counted(*args, **kw):
        days.append(args)
        return real(*args, **kw)

    monkeypatch.setattr(reports, "compute", counted)
    with env.read_model() as model:
        model.report("u1", 2025).to_json()
        model.report("u1", 2025).to_json()
        assert len(days) == 1
        monkeypatch.setattr(reports, "day_of", lambda stamp, tz: datetime(2031, 1, 1, tzinfo=UTC).date())
        model.report("u1", 2025).to_json()
        assert len(days) == 2

"""The lock of an approved year is atomic with the write's commit: a write whose checks ran before an approval
landed, and whose commit comes after it, is checked again (domain/ledger.py `checked_insert`) and so refused
without a 报后更正 reason, or recorded as a late correction with one. On both stores."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TZ, services_context, study, unit

from api.infra.settings import Settings
from api.services import filing, users, writes
from api.services.context import Context, Unrestricted
from api.services.refusals import Refused
from domain import ledger as ledger_module


@pytest.fixture
def ctx(tmp_path: Path, store_url: str | None) -> Iterator[Context]:
    settings = Settings(home=tmp_path, database_url=store_url, tz=TZ, user="tester")
    ledger = settings.ledger()
    lines = [unit("qu", "光华区"), unit("dui", "执法队", parent="qu"), study("D-1", "2025-03-01", unit="dui")]
    assert ledger.apply(list(enumerate(lines, 1)), "t").ok
    c = services_context(settings, ledger)
    setup = Unrestricted("setup")
    users.create_user(c, setup, "boss", "", "admin", ["qu"])
    users.create_user(c, setup, "qu-audit", "", "auditor", ["qu"])
    users.create_user(c, setup, "clerk", "", "recorder", ["dui"])
    filing.submit(c, c.ledger.user("boss"), "dui", 2025)
    yield c
    ledger.close()


class Held:
    """Holds the first write's session between its checks and its commit until released."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.checked = threading.Event()
        self.release = threading.Event()
        self.runs = 0
        plain = ledger_module._Session.run
        held = self

        def run(session: Any, *args: Any, **kw: Any) -> Any:
            outcome = plain(session, *args, **kw)
            held.runs += 1
            if held.runs == 1:
                held.checked.set()
                assert held.release.wait(30), "the test never released the write"
            return outcome

        monkeypatch.setattr(ledger_module._Session, "run", run)


def race(ctx: Context, held: Held, late_reason: str | None) -> Any:
    """The clerk's write checked, then the approval, then the write's commit; what the write came to."""
    result: dict[str, Any] = {}

    def writer() -> None:
        line = study("D-2", "2025-06-01", unit="dui")
        try:
            result["ok"] = asyncio.run(
                writes.import_lines(ctx, ctx.ledger.user("clerk"), [(1, line)], late_reason=late_reason)
            )
        except Refused as e:
            result["refused"] = e

    thread = threading.Thread(target=writer)
    thread.start()
    assert held.checked.wait(30)
    assert ctx.ledger.activity("dui", "D-2") is None  # checked, not committed
    filing.approve(ctx, ctx.ledger.user("qu-audit"), "dui", 2025, "同意")
    held.release.set()
    thread.join(30)
    assert not thread.is_alive()
    return result


def test_a_write_checked_before_an_approval_and_committed_after_it_needs_a_late_reason(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = Held(monkeypatch)
    result = race(ctx, held, None)
    assert "refused" in result, "the write slipped into the approved year without a 报后更正 reason"
    assert result["refused"].errors[0]["field"] == "late_reason"
    assert ctx.ledger.activity("dui", "D-2") is None
    assert held.runs >= 2  # checked again after the approval
    assert ctx.ledger.filing("dui", 2025).late_corrections() == []


def test_with_a_reason_the_write_that_raced_the_approval_is_a_late_correction(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = Held(monkeypatch)
    result = race(ctx, held, "补录漏报的学法活动")
    assert result["ok"].applied == 1
    assert ctx.ledger.activity("dui", "D-2") is not None
    late = ctx.ledger.filing("dui", 2025).late_corrections()
    assert [(e.by, e.text, [x["ref"] for x in e.lines]) for e in late] == [("clerk", "补录漏报的学法活动", ["D-2"])]


def test_a_write_to_another_year_is_not_held_up_by_the_approval(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    held = Held(monkeypatch)
    result: dict[str, Any] = {}

    def writer() -> None:
        line = study("D-9", "2026-02-01", unit="dui")
        result["ok"] = asyncio.run(writes.import_lines(ctx, ctx.ledger.user("clerk"), [(1, line)]))

    thread = threading.Thread(target=writer)
    thread.start()
    assert held.checked.wait(30)
    filing.approve(ctx, ctx.ledger.user("qu-audit"), "dui", 2025)
    held.release.set()
    thread.join(30)
    assert result["ok"].applied == 1 and held.runs == 1  # 2026's index did not move: committed at once


def test_a_package_checked_before_an_approval_and_saved_after_it_needs_a_late_reason(
    tmp_path: Path, store_url: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other write path to an approved year outside the ledger's session: a report package rolled into a
    unit whose year is approved meanwhile (api/services/packages.py confirms the lock in its commit too)."""
    from conftest import exam

    from api.services import audit, packages

    me = Unrestricted("镇管理员")
    town_settings = Settings(home=tmp_path / "town", database_url=None, tz=TZ, user="t")
    town = services_context(town_settings, town_settings.ledger())
    lines = [unit("town", "华西镇"), exam("EX-1", "2025-03-01", 40, 30, 27, unit="town")]
    asyncio.run(writes.import_lines(town, me, list(enumerate(lines, 1))))
    data = packages.export(town, me, audit.seal(town, me, "town", 2025)["seal"])
    town.ledger.close()

    settings = Settings(home=tmp_path / "district", database_url=store_url, tz=TZ, user="d")
    district = services_context(settings, settings.ledger())
    try:
        lines = [unit("district", "光华区"), unit("county", "光华县", parent="district")]
        asyncio.run(writes.import_lines(district, me, list(enumerate(lines, 1))))
        filing.submit(district, me, "county", 2025)
        checked, release = threading.Event(), threading.Event()
        plain = packages._locked

        def held(*args: Any) -> Any:
            found = plain(*args)
            if not checked.is_set():
                checked.set()
                assert release.wait(30)
            return found

        monkeypatch.setattr(packages, "_locked", held)
        result: dict[str, Any] = {}

        def importer() -> None:
            try:
                result["ok"] = packages.import_package(district, me, data, parent="county")
            except Refused as e:
                result["refused"] = e

        thread = threading.Thread(target=importer)
        thread.start()
        assert checked.wait(30)
        filing.approve(district, Unrestricted("区审核员"), "county", 2025)
        release.set()
        thread.join(30)
        assert "refused" in result, "the package slipped into the approved year without a 报后更正 reason"
        assert [x["field"] for x in result["refused"].errors] == ["late_reason"]
        assert packages.remote_units(district, me) == []
    finally:
        district.ledger.close()

"""Old ledgers keep working (issue 11 item 7): a store written by main before DOMAIN.md §7 opens, reports and
verifies identically. The store and its expected reports were written once by tests/data/make_legacy_store.py."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

from conftest import make, services_context

from api.services.audit import verify_log

LEGACY = Path(__file__).parents[1] / "data" / "legacy-2025"


def test_a_store_written_before_section_7_reports_and_verifies_as_it_did(tmp_path: Path) -> None:
    shutil.copyfile(LEGACY / "events.db", tmp_path / "events.db")
    shutil.copytree(LEGACY / "keys", tmp_path / "keys")  # the public half of the old seal's key, as a home holds
    expected = json.loads((LEGACY / "expected.json").read_text())
    as_of = datetime.fromisoformat(expected["as_of"])
    env = make(tmp_path, user="legacy")
    with env.read_model() as model:
        assert model.log() == expected["log"]
        for key, old in expected["reports"].items():
            unit, year = key.rsplit("-", 1)
            new = model.report(unit, int(year), as_of).to_json()
            # Every figure and check the old version reported is reported the same; later versions may add
            # figures and checks of their own (DOMAIN.md §7.5), nothing else.
            assert {fid: new["figures"][fid] for fid in old["figures"]} == old["figures"], key
            assert [c for c in new["checks"] if c["id"] in {c["id"] for c in old["checks"]}] == old["checks"], key
            assert {k: v for k, v in new.items() if k not in ("figures", "checks")} == {
                k: v for k, v in old.items() if k not in ("figures", "checks")
            }, key
        result = verify_log(services_context(env.settings, env.ledger), model)
    assert result.ok, result.problems
    assert result.seals == 1  # the seal made by the old version still reproduces its report
    assert (result.size, result.root) == (expected["log"]["size"], expected["log"]["root"])
    # Stored events are never rewritten (an event whose shape changes is upcast when read, not migrated).
    assert _stored(tmp_path / "events.db") == _stored(LEGACY / "events.db")


def _stored(path: Path) -> list[tuple]:
    con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        return con.execute("SELECT * FROM stored_events ORDER BY rowid").fetchall()
    finally:
        con.close()

"""Issue 13.10: tampering that plain `verify` used to miss, each on a copy of a sealed SQLite data directory.

Before: the witness lived only in the deletable read model (an empty witness meant "nothing to compare"),
nothing recorded the largest log seen, seals were checked with the key they carry, a missing keys/ skipped
the key check, recording times were not checked, and the read model was never compared with the store.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from test_audit import LINES, position_of, rows, taizhang

from domain.seal import seal_payload

LINES_TEXT = "\n".join(json.dumps(x, ensure_ascii=False) for x in LINES)
LATE = {
    "id": "late-1",
    "op": "record",
    "unit": "ctr",
    "kind": "study_session",
    "ref": "XX-late",
    "date": "2025-11-03",
    "data": {"form": "party_group", "topic": "学法", "attendees": 7},
}


@pytest.fixture(scope="module")
def sealed_then_more(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ledger sealed once, with an activity recorded after the seal."""
    home = tmp_path_factory.mktemp("sealed-more")
    assert taizhang(home, "import", "-", stdin=LINES_TEXT).returncode == 0
    assert taizhang(home, "seal", "--unit", "ctr", "--year", "2025").returncode == 0
    assert taizhang(home, "import", "-", stdin=json.dumps(LATE, ensure_ascii=False)).returncode == 0
    return home


@pytest.fixture
def home(sealed_then_more: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(sealed_then_more, copy)
    return copy


def drop_read_models(home: Path) -> None:
    for p in home.glob("readmodel*"):
        p.unlink()


def edit_late_event(home: Path) -> None:
    pos = position_of(home, "XX-late")
    with rows(home) as db:
        state = db.execute("SELECT state FROM stored_events WHERE rowid = ?", (pos,)).fetchone()[0]
        db.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (state.replace(b":7}", b":70}"), pos))


def verify(home: Path) -> tuple[int, str]:
    result = taizhang(home, "verify")
    return result.returncode, result.stdout + result.stderr


def test_the_untouched_ledger_verifies_also_after_its_read_model_is_deleted_or_rebuilt(home: Path) -> None:
    assert verify(home)[0] == 0
    drop_read_models(home)
    assert verify(home)[0] == 0
    assert taizhang(home, "rebuild").returncode == 0
    assert verify(home)[0] == 0


@pytest.mark.parametrize("then", ["delete the read model", "rebuild"])
def test_an_event_after_the_last_seal_edited_then_the_witness_removed(home: Path, then: str) -> None:
    edit_late_event(home)
    if then == "rebuild":
        assert taizhang(home, "rebuild").returncode == 0
    else:
        drop_read_models(home)
    code, out = verify(home)
    assert code == 1 and "no longer have the root" in out, out


def test_truncating_the_log_to_the_seal_is_caught(home: Path) -> None:
    seal = json.loads(taizhang(home, "report", "--seal", _seal_id(home)).stdout)
    with rows(home) as db:
        db.execute("DELETE FROM stored_events WHERE rowid > ?", (seal["log"]["size"],))
    drop_read_models(home)
    code, out = verify(home)
    assert code == 1 and "fewer than the" in out, out


def test_an_older_copy_of_the_store_put_in_place_is_caught(home: Path, tmp_path: Path) -> None:
    older = tmp_path / "older"
    older.mkdir()
    assert taizhang(older, "import", "-", stdin=LINES_TEXT).returncode == 0
    shutil.copy2(older / "events.db", home / "events.db")
    drop_read_models(home)
    code, out = verify(home)
    assert code == 1 and "fewer than the" in out, out


def test_an_explicit_restore_of_an_older_backup_says_what_is_lost_and_then_verifies(home: Path, tmp_path: Path) -> None:
    older = tmp_path / "older"
    assert taizhang(older, "import", "-", stdin=LINES_TEXT).returncode == 0
    assert taizhang(older, "backup", str(tmp_path / "bk")).returncode == 0
    restored = taizhang(home, "restore", "--force", str(tmp_path / "bk"))
    assert restored.returncode == 0 and "are gone" in restored.stderr
    assert verify(home)[0] == 0


def test_recorded_at_moved_back_is_caught(home: Path) -> None:
    pos = position_of(home, "XX-late")
    with rows(home) as db:
        state = db.execute("SELECT state FROM stored_events WHERE rowid = ?", (pos,)).fetchone()[0]
        doc = json.loads(state)
        doc["timestamp"]["_data_"] = "2025-01-01T00:00:00+00:00"  # a late entry made to look timely
        db.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (json.dumps(doc).encode(), pos))
    drop_read_models(home)
    (home / "log.anchor").unlink()  # even with every other witness gone
    code, out = verify(home)
    assert code == 1 and f"position {pos}: recorded_at 2025-01-01" in out, out


def _seal_id(home: Path) -> str:
    with rows(home) as db:
        return db.execute(
            "SELECT originator_id FROM stored_events WHERE topic LIKE '%Seal.Sealed'"
        ).fetchone()[0]


def test_a_seal_re_signed_with_a_replaced_key_is_caught(home: Path) -> None:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
    (home / "keys" / "ctr.pem").write_bytes(pem)
    (home / "keys" / "ctr.pub").write_text(public + "\n")
    with rows(home) as db:
        rowid, state = db.execute("SELECT rowid, state FROM stored_events WHERE topic LIKE '%Seal.Sealed'").fetchone()
        doc = json.loads(state)
        payload = seal_payload(doc["unit"], doc["year"], doc["as_of"], doc["size"], doc["root"], doc["report"])
        doc["signature"], doc["public_key"] = key.sign(payload).hex(), public
        db.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (json.dumps(doc).encode(), rowid))
    code, out = verify(home)
    assert code == 1 and "signed with a key that is not the unit's key" in out, out
    assert "is not the key registered in the log" in out
    refused = taizhang(home, "seal", "--unit", "ctr", "--year", "2025")
    assert refused.returncode != 0 and "密钥" in refused.stderr  # and no new seal is made with the swapped key


def test_deleting_the_keys_is_a_finding(home: Path) -> None:
    shutil.rmtree(home / "keys")
    code, out = verify(home)
    assert code == 1 and "signing key is missing" in out, out


@pytest.mark.parametrize("table", ["contrib", "act", "events"])
def test_an_edited_read_model_is_caught_and_does_not_fake_a_sealed_report(home: Path, table: str) -> None:
    import duckdb

    edits = {
        "contrib": "UPDATE contrib SET num = num + 5 WHERE fid = 'study.attendance'",
        "act": "UPDATE act SET attendees = attendees + 5 WHERE ref = 'XX-1'",
        "events": "DELETE FROM events WHERE ref = 'XX-2'",
    }
    con = duckdb.connect(str(home / "readmodel.duckdb"))
    con.execute(edits[table])
    con.close()
    code, out = verify(home)
    assert code == 1 and f"read model table {table} differs from the event store" in out, out

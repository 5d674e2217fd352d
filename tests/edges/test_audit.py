"""Audit trail: seals, verify against tampering in the SQLite event table, proofs, backup and restore."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_kit import Ran
from cli_kit import taizhang as run_taizhang
from hypothesis import given, settings
from hypothesis import strategies as st

from projections import merkle

KIT = Path(__file__).resolve().parents[3] / "shared" / "acceptance" / "weibin-2025.jsonl"
LINES = [
    {"id": "u1", "op": "unit", "unit": "dist", "data": {"name": "某区"}},
    {"id": "u2", "op": "unit", "unit": "ctr", "data": {"name": "某区城市更新中心", "parent": "dist"}},
    *[
        {
            "id": f"s{i}",
            "op": "record",
            "unit": "ctr",
            "kind": "study_session",
            "ref": f"XX-{i}",
            "date": f"2025-0{1 + i % 9}-1{i % 9}",
            "data": {"form": "party_group", "topic": "学法", "attendees": 10 + i},
        }
        for i in range(12)
    ],
    {
        "id": "p1",
        "op": "record",
        "unit": "ctr",
        "kind": "petition",
        "ref": "XF-1",
        "date": "2025-03-01",
        "data": {"channel": "visit", "persons": 3, "category": "claim", "subject": "补偿"},
    },
    {"id": "p2", "op": "step", "unit": "ctr", "ref": "XF-1", "step": "replied", "date": "2025-03-20"},
    {"id": "c1", "op": "correct", "unit": "ctr", "ref": "XX-3", "reason": "人数有误", "data": {"attendees": 30}},
]


def taizhang(home: Path, *args: str, stdin: str | None = None) -> Ran:
    return run_taizhang(home, *args, stdin=stdin, user=None)


@pytest.fixture(scope="module")
def sealed_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    home = tmp_path_factory.mktemp("sealed")
    assert (
        taizhang(home, "import", "-", stdin="\n".join(json.dumps(x, ensure_ascii=False) for x in LINES)).returncode == 0
    )
    out = taizhang(home, "seal", "--unit", "ctr", "--year", "2025")
    assert out.returncode == 0, out.stderr
    return home, json.loads(out.stdout)


@pytest.fixture
def home(sealed_home: tuple[Path, dict], tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(sealed_home[0], copy)
    return copy


def rows(home: Path) -> sqlite3.Connection:
    return sqlite3.connect(home / "events.db")


def position_of(home: Path, ref: str, version: int = 1) -> int:
    from domain.ids import activity_id

    with rows(home) as db:
        return db.execute(
            "SELECT rowid FROM stored_events WHERE originator_id = ? AND originator_version = ?",
            (activity_id("ctr", ref).hex, version),
        ).fetchone()[0]


def test_an_untouched_ledger_verifies(home: Path) -> None:
    result = taizhang(home, "verify")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "intact" in result.stdout


def test_report_by_seal_returns_the_sealed_report_exactly(home: Path, sealed_home: tuple[Path, dict]) -> None:
    seal = sealed_home[1]
    result = taizhang(home, "report", "--seal", seal["seal"])
    assert result.returncode == 0, result.stderr
    sealed = json.loads(result.stdout)
    assert sealed["log"] == {"size": seal["size"], "root": seal["root"]}
    assert sealed["figures"]["study.attendance"]["value"] == sum(10 + i for i in range(12)) - 13 + 30


def test_editing_an_event_in_place_is_caught_with_its_position_and_activity(home: Path) -> None:
    pos = position_of(home, "XX-5")
    with rows(home) as db:
        state = db.execute("SELECT state FROM stored_events WHERE rowid = ?", (pos,)).fetchone()[0]
        db.execute(
            "UPDATE stored_events SET state = ? WHERE rowid = ?",
            (state.replace(b'"attendees":15', b'"attendees":95'), pos),
        )
    result = taizhang(home, "verify")
    assert result.returncode == 1
    assert f"position {pos}: event changed in place (activity ctr/XX-5)" in result.stdout


def test_deleting_a_row_is_caught(home: Path) -> None:
    pos = position_of(home, "XF-1")
    with rows(home) as db:
        db.execute("DELETE FROM stored_events WHERE rowid = ?", (pos,))
    result = taizhang(home, "verify")
    assert result.returncode == 1
    assert f"position {pos}: event deleted from the store (activity ctr/XF-1)" in result.stdout


def test_inserting_a_row_into_the_middle_is_caught(home: Path) -> None:
    pos = position_of(home, "XX-2")
    with rows(home) as db:
        last = db.execute("SELECT max(rowid) FROM stored_events").fetchone()[0]
        for rowid in range(last, pos - 1, -1):  # make room by renumbering, then slip a forged event in
            db.execute("UPDATE stored_events SET rowid = rowid + 1 WHERE rowid = ?", (rowid,))
        db.execute(
            "INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) "
            "SELECT ?, originator_id, 9, topic, state FROM stored_events WHERE rowid = ?",
            (pos, pos + 1),
        )
    result = taizhang(home, "verify")
    assert result.returncode == 1
    assert f"position {pos}: event changed in place" in result.stdout
    assert "no longer have the sealed root" in result.stdout


def test_swapping_two_rows_is_caught(home: Path) -> None:
    a, b = position_of(home, "XX-1"), position_of(home, "XX-7")
    with rows(home) as db:
        ra = db.execute(
            "SELECT originator_id, originator_version, topic, state FROM stored_events WHERE rowid = ?", (a,)
        ).fetchone()
        rb = db.execute(
            "SELECT originator_id, originator_version, topic, state FROM stored_events WHERE rowid = ?", (b,)
        ).fetchone()
        db.execute("DELETE FROM stored_events WHERE rowid IN (?, ?)", (a, b))
        db.execute(
            "INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?, ?)",
            (a, *rb),
        )
        db.execute(
            "INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?, ?)",
            (b, *ra),
        )
    out = taizhang(home, "verify").stdout
    assert f"position {a}: event changed in place" in out and f"position {b}: event changed in place" in out


def rewrite_seal(home: Path, change: Callable[[dict], None]) -> None:
    """Edit the stored seal event's JSON in place, as someone with the database file could."""
    with rows(home) as db:
        pos, state = db.execute("SELECT rowid, state FROM stored_events WHERE topic LIKE '%Seal.Sealed'").fetchone()
        doc = json.loads(state)
        change(doc)
        db.execute(
            "UPDATE stored_events SET state = ? WHERE rowid = ?", (json.dumps(doc, ensure_ascii=False).encode(), pos)
        )


def test_altering_a_seal_breaks_its_signature(home: Path) -> None:
    rewrite_seal(home, lambda doc: doc["report"]["figures"]["study.sessions"].update(value=99))
    result = taizhang(home, "verify")
    assert result.returncode == 1
    assert "signature does not match its contents" in result.stdout


def test_a_seal_signed_with_another_key_is_caught(home: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from api.infra.keys import Keys
    from domain.seal import seal_payload

    forger = Ed25519PrivateKey.generate()

    def resign(doc: dict) -> None:
        payload = seal_payload(doc["unit"], doc["year"], doc["as_of"], doc["size"], doc["root"], doc["report"])
        doc["signature"] = forger.sign(payload).hex()
        doc["public_key"] = Keys.public_hex(forger)

    rewrite_seal(home, resign)
    result = taizhang(home, "verify")
    assert result.returncode == 1
    assert "not the unit's key" in result.stdout


def test_tampering_then_rebuilding_is_still_caught_by_the_seal(home: Path) -> None:
    pos = position_of(home, "XX-4")
    with rows(home) as db:
        state = db.execute("SELECT state FROM stored_events WHERE rowid = ?", (pos,)).fetchone()[0]
        db.execute(
            "UPDATE stored_events SET state = ? WHERE rowid = ?",
            (state.replace(b'"attendees":14', b'"attendees":41'), pos),
        )
    assert taizhang(home, "rebuild").returncode == 0  # the read model's witness is gone; the seal is not
    out = taizhang(home, "verify").stdout
    assert "no longer have the sealed root" in out
    assert "no longer reproduces: study.attendance" in out


def test_seal_and_verify_survive_a_rebuild(home: Path) -> None:
    assert taizhang(home, "rebuild").returncode == 0
    assert taizhang(home, "verify").returncode == 0


def test_verify_against_a_published_root(home: Path, sealed_home: tuple[Path, dict]) -> None:
    seal = sealed_home[1]
    assert taizhang(home, "verify", "--root", seal["root"], "--size", str(seal["size"])).returncode == 0
    wrong = taizhang(home, "verify", "--root", "00" * 32, "--size", str(seal["size"]))
    assert wrong.returncode == 1 and "not the published" in wrong.stdout


def test_as_of_report_shows_the_ledger_as_it_stood(home: Path, sealed_home: tuple[Path, dict]) -> None:
    seal = sealed_home[1]
    late = {
        "id": "late-1",
        "op": "record",
        "unit": "ctr",
        "kind": "study_session",
        "ref": "XX-late",
        "date": "2025-12-30",
        "data": {"form": "central_group", "topic": "补录", "attendees": 5},
    }
    assert taizhang(home, "import", "-", stdin=json.dumps(late, ensure_ascii=False)).returncode == 0
    then = json.loads(taizhang(home, "report", "--unit", "ctr", "--year", "2025", "--as-of", seal["as_of"]).stdout)
    sealed = json.loads(taizhang(home, "report", "--seal", seal["seal"]).stdout)
    assert then["figures"] == sealed["figures"]
    now = json.loads(taizhang(home, "report", "--unit", "ctr", "--year", "2025").stdout)
    assert now["figures"]["study.sessions"]["value"] == sealed["figures"]["study.sessions"]["value"] + 1
    diff = taizhang(home, "diff", "--seal", seal["seal"]).stdout
    assert "XX-late" in diff and "study.sessions" in diff


def test_proof_checks_without_the_database(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "proof.json"
    assert taizhang(home, "proof", "--unit", "ctr", "XX-3", "--output", str(out)).returncode == 0
    doc = json.loads(out.read_text())
    assert [e["version"] for e in doc["events"]] == [1, 2]  # the record and its correction
    check = [sys.executable, "-m", "projections.merkle", "check"]
    assert subprocess.run([*check, str(out)], capture_output=True, cwd=Path(__file__).parents[2]).returncode == 0
    doc["events"][1]["state_hex"] = doc["events"][1]["state_hex"].replace("3330", "3331")  # attendees 30 -> 31
    out.write_text(json.dumps(doc))
    assert subprocess.run([*check, str(out)], capture_output=True, cwd=Path(__file__).parents[2]).returncode == 1


def test_backup_and_restore_give_an_identical_verified_ledger(home: Path, tmp_path: Path) -> None:
    before = json.loads(taizhang(home, "report", "--unit", "dist", "--year", "2025").stdout)
    assert taizhang(home, "backup", str(tmp_path / "bk")).returncode == 0
    fresh = tmp_path / "restored"
    assert taizhang(fresh, "restore", str(tmp_path / "bk")).returncode == 0
    assert taizhang(fresh, "verify").returncode == 0
    after = json.loads(taizhang(fresh, "report", "--unit", "dist", "--year", "2025").stdout)
    assert (after["figures"], after["checks"], after["log"]) == (before["figures"], before["checks"], before["log"])


def test_key_export_gives_the_public_key(home: Path) -> None:
    result = taizhang(home, "key", "export", "--unit", "ctr")
    assert result.returncode == 0 and result.stdout.startswith("-----BEGIN PUBLIC KEY-----")


# ---- the Merkle tree against a reference implementation of RFC 9162 ----


def reference_root(leaves: list[bytes]) -> bytes:
    if not leaves:
        return merkle.EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return merkle.node_hash(reference_root(leaves[:k]), reference_root(leaves[k:]))


leaf_lists = st.lists(st.binary(min_size=0, max_size=8), min_size=1, max_size=70).map(
    lambda xs: [merkle.leaf_hash(x) for x in xs]
)


@settings(max_examples=60, deadline=None)
@given(leaves=leaf_lists, data=st.data())
def test_inclusion_proofs_verify_against_the_reference_root(leaves: list[bytes], data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(leaves) - 1))
    expected = reference_root(leaves)
    assert merkle.root(leaves) == expected
    path = merkle.inclusion_proof(leaves, i)
    assert merkle.verify_inclusion(leaves[i], i, len(leaves), path, expected)
    assert not merkle.verify_inclusion(merkle.leaf_hash(b"forged"), i, len(leaves), path, expected)


@settings(max_examples=60, deadline=None)
@given(leaves=leaf_lists, data=st.data())
def test_consistency_proofs_verify_against_the_reference_roots(leaves: list[bytes], data: st.DataObject) -> None:
    m = data.draw(st.integers(1, len(leaves)))
    first, second = reference_root(leaves[:m]), reference_root(leaves)
    path = merkle.consistency_proof(leaves, m)
    assert merkle.verify_consistency(m, len(leaves), path, first, second)
    if m < len(leaves):
        assert not merkle.verify_consistency(m, len(leaves), path, merkle.leaf_hash(b"x"), second)


def test_frontier_appends_match_a_full_recomputation() -> None:
    leaves = [merkle.leaf_hash(bytes([i])) for i in range(200)]
    f = merkle.Frontier()
    for n, leaf in enumerate(leaves, 1):
        f.append(leaf)
        assert f.root() == reference_root(leaves[:n])
    g = merkle.Frontier.load(f.size, f.dump())
    assert g.root() == f.root()


# ---- evidence (佐证材料) ----


def test_evidence_is_stored_by_hash_and_verify_notices_a_missing_or_altered_file(home: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "签到表.pdf"
    sheet.write_bytes(b"%PDF-1.4 sign-in sheet")
    attached = taizhang(home, "attach", "--unit", "ctr", "XX-1", str(sheet))
    assert attached.returncode == 0, attached.stderr
    stored = list((home / "evidence").rglob("*"))
    files = [p for p in stored if p.is_file()]
    assert len(files) == 1 and files[0].read_bytes() == sheet.read_bytes()
    assert taizhang(home, "verify").returncode == 0
    assert "签到表.pdf" in taizhang(home, "history", "--unit", "ctr", "XX-1").stdout
    files[0].write_bytes(b"%PDF-1.4 forged")
    altered = taizhang(home, "verify")
    assert altered.returncode == 1 and "签到表.pdf" in altered.stdout and "was altered" in altered.stdout
    files[0].unlink()
    assert "is missing from the evidence store" in taizhang(home, "verify").stdout


def test_evidence_is_voided_with_a_reason_never_deleted(home: Path, tmp_path: Path) -> None:
    photo = tmp_path / "现场.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n....")
    assert taizhang(home, "attach", "--unit", "ctr", "XX-2", str(photo)).returncode == 0
    sha = next(p.name for p in (home / "evidence").rglob("*") if p.is_file())
    assert taizhang(home, "detach", "--unit", "ctr", "XX-2", sha, "--reason", "传错文件").returncode == 0
    history = taizhang(home, "history", "--unit", "ctr", "XX-2").stdout
    assert "作废附件" in history and "传错文件" in history
    assert (home / "evidence" / sha[:2] / sha).exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [("notes.txt", b"hello", "只接受"), ("fake.pdf", b"not a pdf", "不是 .pdf 格式")],
)
def test_evidence_of_the_wrong_type_is_refused(
    home: Path, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = taizhang(home, "attach", "--unit", "ctr", "XX-1", str(path))
    assert result.returncode == 2 and "file" in result.stderr and message in result.stderr


def test_the_docx_of_a_sealed_report_names_the_seal_and_the_root(home: Path, sealed_home: tuple[Path, dict]) -> None:
    import docx

    seal = sealed_home[1]
    out = home / "sealed.docx"
    assert taizhang(home, "report", "--seal", seal["seal"], "--format", "docx", "--output", str(out)).returncode == 0
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert seal["seal"] in text and seal["root"] not in text  # the proof is for auditors: the workbook's sheet
    import openpyxl

    book = home / "sealed.xlsx"
    assert taizhang(home, "report", "--seal", seal["seal"], "--format", "xlsx", "--output", str(book)).returncode == 0
    proof = [str(v) for row in openpyxl.load_workbook(book)["核验凭据"].iter_rows(values_only=True) for v in row]
    assert seal["seal"] in proof and seal["root"] in proof


def test_the_log_read_in_parallel_equals_the_log_read_in_order(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.infra.settings import Settings
    from projections import audit

    ledger = Settings(home, None, "Asia/Shanghai", "t").ledger()
    serial = audit.StoreLog(ledger.recorder)
    monkeypatch.setattr(audit, "PARALLEL_FROM", 1)
    parallel = audit.StoreLog(ledger.recorder)
    assert (parallel.positions, parallel.oids, parallel.leaves) == (serial.positions, serial.oids, serial.leaves)
    assert len(serial.leaves) > 20

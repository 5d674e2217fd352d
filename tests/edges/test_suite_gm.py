"""The 国密 suite from the command line: choosing it when a ledger is created (and only then), a seal that
OpenSSL verifies on its own, tampering with the suite itself, and `taizhang security report`."""

from __future__ import annotations

import json
import shutil
import sqlite3
import stat
import subprocess
from pathlib import Path

import pgstore
import pytest
from cli_kit import taizhang
from conftest import settings_for

from domain.seal import seal_payload

LINES = [
    {"id": "u1", "op": "unit", "unit": "ctr", "data": {"name": "某区城市更新中心"}},
    *[
        {
            "id": f"s{i}",
            "op": "record",
            "unit": "ctr",
            "kind": "study_session",
            "ref": f"XX-{i}",
            "date": f"2025-0{1 + i}-10",
            "data": {"form": "party_group", "topic": "学法", "attendees": 10 + i},
        }
        for i in range(4)
    ],
]
IMPORT = "\n".join(json.dumps(x, ensure_ascii=False) for x in LINES)


def run(home: Path, *args: str, stdin: str | None = None):  # noqa: ANN201
    return taizhang(home, *args, stdin=stdin, user=None)


def _gm_sealed(home: Path) -> dict:
    made = run(home, "init", "--suite", "gm")
    assert made.returncode == 0 and "gm" in made.stdout
    assert run(home, "import", "-", stdin=IMPORT).returncode == 0
    sealed = run(home, "seal", "--unit", "ctr", "--year", "2025")
    assert sealed.returncode == 0, sealed.stderr
    return json.loads(sealed.stdout)


@pytest.fixture(scope="module")
def gm_sealed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    home = tmp_path_factory.mktemp("gm")
    return home, _gm_sealed(home)


@pytest.fixture
def gm_home(gm_sealed: tuple[Path, dict], tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    if pgstore.STORE == "postgres":  # the store is not in the folder: a copy of it would hold no ledger
        _gm_sealed(copy)
    else:
        shutil.copytree(gm_sealed[0], copy)
    return copy


def _seal_event(home: Path) -> dict:
    ledger = settings_for(home).ledger()  # the store under test, SQLite or PostgreSQL
    try:
        return next(json.loads(s) for t, s in pgstore.stored_events(ledger) if t.endswith("Seal.Sealed"))
    finally:
        ledger.close()


def test_a_gm_ledger_names_its_suite_and_a_default_one_keeps_the_contracts_log_block(
    gm_sealed: tuple[Path, dict], tmp_path: Path
) -> None:
    home, seal = gm_sealed
    assert seal["suite"] == "gm" and len(bytes.fromhex(seal["public_key"])) == 65  # SM2: 04 ‖ x ‖ y
    log = json.loads(run(home, "report", "--seal", seal["seal"]).stdout)["log"]
    assert log == {"size": seal["size"], "root": seal["root"], "suite": "gm"}
    plain = tmp_path / "plain"
    assert run(plain, "import", "-", stdin=IMPORT).returncode == 0
    default = json.loads(run(plain, "report", "--unit", "ctr", "--year", "2025").stdout)["log"]
    assert set(default) == {"size", "root"}  # DOMAIN.md §5, byte for byte
    assert default["size"] == log["size"] - 1 and default["root"] != log["root"]  # the same events but the suite


def test_the_suite_is_chosen_at_creation_only(gm_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    again = run(gm_home, "init", "--suite", "default")
    assert again.returncode == 2 and "suite" in again.stderr and "只能在新建台账时选择" in again.stderr
    assert run(gm_home, "init", "--suite", "gm").returncode == 0  # the same suite: nothing to do
    plain = tmp_path / "plain"
    assert run(plain, "import", "-", stdin=IMPORT).returncode == 0
    assert run(plain, "init", "--suite", "gm").returncode == 2
    monkeypatch.setenv("TAIZHANG_SUITE", "gm")
    refused = run(plain, "report", "--unit", "ctr", "--year", "2025")
    assert refused.returncode == 2 and "只能在新建台账时选择" in refused.stderr
    fresh = tmp_path / "fresh"
    assert run(fresh, "import", "-", stdin=IMPORT).returncode == 0  # TAIZHANG_SUITE=gm creates a gm ledger
    monkeypatch.delenv("TAIZHANG_SUITE")
    assert json.loads(run(fresh, "report", "--unit", "ctr", "--year", "2025").stdout)["log"]["suite"] == "gm"
    monkeypatch.setenv("TAIZHANG_SUITE", "sm9")
    assert run(fresh, "verify").returncode != 0


def test_a_gm_seal_signature_verifies_with_openssl(gm_home: Path, tmp_path: Path) -> None:
    """An outsider with only OpenSSL checks the seal: the exported SM2 key, the payload, SM3, the standard id."""
    if shutil.which("openssl") is None:
        pytest.skip("no openssl command")
    doc = _seal_event(gm_home)
    payload = seal_payload(doc["unit"], doc["year"], doc["as_of"], doc["size"], doc["root"], doc["report"], "gm")
    signature = bytes.fromhex(doc["signature"])

    def der_int(b: bytes) -> bytes:
        b = b.lstrip(b"\0")
        b = b"\0" + b if b[0] & 0x80 else b
        return b"\x02" + bytes([len(b)]) + b

    body = der_int(signature[:32]) + der_int(signature[32:])
    (tmp_path / "sig.der").write_bytes(b"\x30" + bytes([len(body)]) + body)
    (tmp_path / "payload").write_bytes(payload)
    exported = run(gm_home, "key", "export", "--unit", "ctr")
    assert exported.returncode == 0
    (tmp_path / "key.pem").write_text(exported.stdout)
    check = [
        "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(tmp_path / "key.pem"), "-rawin", "-digest", "sm3",
        "-pkeyopt", "distid:1234567812345678", "-sigfile", str(tmp_path / "sig.der"), "-in",
    ]  # fmt: skip
    done = subprocess.run([*check, str(tmp_path / "payload")], capture_output=True, text=True, check=False)
    if "Unknown" in done.stderr or "unsupported" in done.stderr.lower():
        pytest.skip(f"this OpenSSL has no SM2: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    (tmp_path / "payload").write_bytes(payload.replace(b'"year":2025', b'"year":2024'))
    forged = subprocess.run([*check, str(tmp_path / "payload")], capture_output=True, text=True, check=False)
    assert forged.returncode != 0
    key = gm_home / "keys" / "ctr.sm2.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    text = subprocess.run(["openssl", "pkey", "-in", str(key), "-noout", "-text"], capture_output=True, text=True)
    assert text.returncode == 0 and "SM2" in text.stdout


def test_removing_the_suite_event_or_relabelling_a_seal_is_caught(gm_home: Path, tmp_path: Path) -> None:
    relabelled = tmp_path / "relabelled"
    shutil.copytree(gm_home, relabelled)
    with sqlite3.connect(relabelled / "events.db") as db:
        pos, state = db.execute("SELECT rowid, state FROM stored_events WHERE topic LIKE '%Seal.Sealed'").fetchone()
        doc = json.loads(state)
        doc["suite"] = "default"
        db.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (json.dumps(doc).encode(), pos))
    out = run(relabelled, "verify")
    assert out.returncode == 1 and "made under the default suite, but the log is hashed under gm" in out.stdout
    with sqlite3.connect(gm_home / "events.db") as db:
        db.execute("DELETE FROM stored_events WHERE topic LIKE '%LedgerSuite.Chosen'")
    assert run(gm_home, "rebuild").returncode == 0
    out = run(gm_home, "verify")
    assert out.returncode == 1
    assert "made under the gm suite, but the log is hashed under default" in out.stdout
    assert "events were removed" in out.stdout  # the anchor: the log seen before


def test_security_report_gives_an_evaluator_the_facts(gm_home: Path, tmp_path: Path) -> None:
    text = run(gm_home, "security", "report")
    assert text.returncode == 0, text.stderr
    out = text.stdout
    assert "gm — 国密算法（SM3 + SM2）" in out and "哈希 SM3" in out and "1234567812345678" in out
    assert f"{gm_home / 'keys' / 'ctr.sm2.pem'}（权限 0600，仅属主可读）" in out
    assert "已登记于事件日志，与公钥文件一致" in out
    assert "argon2id" in out and "三员分立" in out and "事件日志" in out
    doc = json.loads(run(gm_home, "security", "report", "--format", "json").stdout)
    assert doc["suite"]["name"] == "gm" and doc["keys"][0]["unit"] == "ctr" and doc["keys"][0]["registered"]
    assert doc["events"] >= len(LINES) + 2
    (gm_home / "keys" / "ctr.sm2.pem").chmod(0o644)
    assert "其他用户可读：应改为 0600" in run(gm_home, "security", "report").stdout
    plain = tmp_path / "plain"
    assert run(plain, "import", "-", stdin=IMPORT).returncode == 0
    default = run(plain, "security", "report").stdout
    assert "default — 通用算法（SHA-256 + Ed25519）" in default and "TAIZHANG_SUITE=gm" in default


def test_security_report_is_for_auditors_and_admins(tmp_path: Path) -> None:
    assert run(tmp_path, "import", "-", stdin=IMPORT).returncode == 0
    assert taizhang(tmp_path, "user", "add", "boss", "--role", "admin", user=None).returncode == 0
    added = taizhang(tmp_path, "user", "add", "li", "--role", "recorder", "--unit", "ctr", user="boss")
    assert added.returncode == 0
    assert taizhang(tmp_path, "security", "report", user="li").returncode == 4
    report = taizhang(tmp_path, "security", "report", user="boss")
    assert report.returncode == 0 and "管理员（admin）：1 名在用" in report.stdout
    assert "录入员（recorder）：1 名在用" in report.stdout


def test_an_sm2_signature_with_a_short_part_is_written_at_full_length_and_verifies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # gmalg returns r and s in their shortest form: a part below 2^248 (one signature in ~64) is 31 bytes. Real
    # signatures are drawn until one has a short part, and that one goes through the seal's signer.
    import gmalg

    from api.infra.keys import Keys
    from domain.suite import verify_signature

    real = gmalg.SM2.sign

    def until_short(self, message: bytes) -> tuple[bytes, bytes]:
        for _ in range(5000):
            r, s = real(self, message)
            if len(r) < 32 or len(s) < 32:
                return r, s
        raise AssertionError("no short part in 5000 signatures")

    monkeypatch.setattr(gmalg.SM2, "sign", until_short)
    signer = Keys(tmp_path).signer("u1", "gm")
    signature = signer.sign(b"payload")
    assert len(signature) == 128
    assert verify_signature("gm", signer.public_hex, signature, b"payload")
    assert not verify_signature("gm", signer.public_hex, signature, b"another payload")


def test_an_sm2_key_with_a_short_secret_is_stored_at_full_length_and_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gmalg

    from api.infra.keys import Keys
    from domain.suite import verify_signature

    real = gmalg.SM2.generate_keypair

    def until_short(self) -> tuple[bytes, bytes]:
        for _ in range(20000):
            secret, public = real(self)
            if len(secret) < 32:
                return secret, public
        raise AssertionError("no short secret in 20000 keys")

    monkeypatch.setattr(gmalg.SM2, "generate_keypair", until_short)
    made = Keys(tmp_path).signer("u1", "gm")
    monkeypatch.undo()
    again = Keys(tmp_path).signer("u1", "gm")  # read from the file
    assert again.public_hex == made.public_hex
    assert verify_signature("gm", made.public_hex, again.sign(b"payload"), b"payload")

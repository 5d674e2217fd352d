"""Personal data at rest (issue 15, item 2): a petitioner's name, ID number and telephone are in no file of the
data directory in clear, are shown only to the unit's recorders and admins (each showing recorded), and erasing
the unit's key leaves every figure, root and seal valid. On both suites (SM4-GCM under gm, AES-256-GCM else)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_kit import taizhang
from conftest import settings_for
from cryptography.exceptions import InvalidTag
from pgstore import stored_events

from api.infra.keys import decrypt, encrypt

NAME, ID_NUMBER, PHONE = "欧阳明月", "11010519491231002X", "13800138000"  # GB 11643 sample: valid check digit
LINES = [
    {"id": "u1", "op": "unit", "unit": "ctr", "data": {"name": "某区城市更新中心"}},
    {"id": "u2", "op": "unit", "unit": "far", "data": {"name": "另一中心"}},
    {
        "id": "p1",
        "op": "record",
        "unit": "ctr",
        "kind": "petition",
        "ref": "XF-1",
        "date": "2025-03-01",
        "data": {"channel": "visit", "persons": 3, "category": "claim", "subject": "补偿"},
    },
    {
        "id": "s1",
        "op": "record",
        "unit": "ctr",
        "kind": "study_session",
        "ref": "XX-1",
        "date": "2025-03-02",
        "data": {"form": "party_group", "topic": "学法", "attendees": 12},
    },
]


@pytest.fixture(params=["default", "gm"])
def home(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "gm":
        assert taizhang(tmp_path, "init", "--suite", "gm", user=None).returncode == 0
    stdin = "\n".join(json.dumps(x, ensure_ascii=False) for x in LINES)
    assert taizhang(tmp_path, "import", "-", stdin=stdin, user=None).returncode == 0
    for name, role, unit in (("boss", "admin", None), ("li", "recorder", "ctr"), ("au", "auditor", "ctr")):
        args = ["user", "add", name, "--role", role] + (["--unit", unit] if unit else [])
        assert taizhang(tmp_path, *args, user=None if name == "boss" else "boss").returncode == 0
    assert taizhang(tmp_path, "user", "add", "wu", "--role", "recorder", "--unit", "far", user="boss").returncode == 0
    return tmp_path


def put(home: Path, *args: str, user: str = "li"):  # noqa: ANN201
    return taizhang(home, "personal", "set", "--unit", "ctr", "XF-1", *args, user=user)


def events(home: Path) -> list[tuple[str, bytes]]:
    ledger = settings_for(home).ledger()  # the store under test, SQLite or PostgreSQL
    try:
        return stored_events(ledger)
    finally:
        ledger.close()


def personal_events(home: Path) -> list[tuple[str, dict]]:
    return [(t.split(".")[-1], json.loads(s)) for t, s in events(home) if t.startswith("domain.personal:")]


def test_personal_data_is_in_no_file_in_clear_and_shown_only_to_those_handling_it(home: Path) -> None:
    done = put(home, "--name", NAME, "--id-number", ID_NUMBER.lower(), "--phone", PHONE)
    assert done.returncode == 0, done.stderr
    taizhang(home, "report", "--unit", "ctr", "--year", "2025", user="li")  # the read model has seen it too
    for path in home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for secret in (NAME.encode(), ID_NUMBER.encode(), PHONE.encode()):
                assert secret not in data, f"{secret!r} in clear in {path}"
    for topic, state in events(home):  # and the log, wherever the store is (not in the folder on PostgreSQL)
        for secret in (NAME, ID_NUMBER, PHONE):
            assert secret.encode() not in state and json.dumps(secret)[1:-1].encode() not in state, topic
    recorded = personal_events(home)[-1][1]["sealed"]
    assert set(recorded) == {"name", "id_number", "phone"} and all(len(v["value"]) > 20 for v in recorded.values())
    shown = taizhang(home, "personal", "show", "--unit", "ctr", "XF-1", "--format", "json", user="li")
    assert shown.returncode == 0, shown.stderr
    values = {v["name"]: v["value"] for v in json.loads(shown.stdout)["values"]}
    assert values == {"name": NAME, "id_number": ID_NUMBER, "phone": PHONE}  # the ID number's x upper-cased
    assert taizhang(home, "personal", "show", "--unit", "ctr", "XF-1", user="boss").returncode == 0
    assert taizhang(home, "personal", "show", "--unit", "ctr", "XF-1", user="au").returncode == 4  # auditors: no
    assert taizhang(home, "personal", "show", "--unit", "ctr", "XF-1", user="wu").returncode == 4  # other unit
    assert put(home, "--phone", "13900000000", user="wu").returncode == 4
    revealed = [(kind, e["recorded_by"]) for kind, e in personal_events(home) if kind == "Revealed"]
    assert revealed == [("Revealed", "li"), ("Revealed", "boss")]  # every showing is in the log, by whom


def test_the_cipher_follows_the_suite(tmp_path: Path) -> None:
    for suite, cipher in (("gm", "SM4-GCM"), ("default", "AES-256-GCM")):
        home = tmp_path / suite
        assert taizhang(home, "init", "--suite", suite, user=None).returncode == 0
        stdin = "\n".join(json.dumps(x, ensure_ascii=False) for x in LINES)
        assert taizhang(home, "import", "-", stdin=stdin, user=None).returncode == 0
        assert put(home, "--name", NAME, user=None).returncode == 0  # a ledger without users: whoever runs it
        assert personal_events(home)[0] == ("Issued", personal_events(home)[0][1])
        assert personal_events(home)[0][1]["cipher"] == cipher
        assert personal_events(home)[-1][1]["sealed"]["name"]["cipher"] == cipher


def test_bad_personal_values_are_all_named_and_nothing_is_recorded(home: Path) -> None:
    bad = put(home, "--name", NAME, "--id-number", "110105194912310021", "--phone", "call me")
    assert bad.returncode == 2
    assert "id_number: 公民身份号码：校验位不符" in bad.stderr and "phone: 联系电话" in bad.stderr
    assert personal_events(home) == []
    other = taizhang(home, "personal", "set", "--unit", "ctr", "XX-1", "--name", NAME, user="li")
    assert other.returncode == 2 and "没有个人信息字段" in other.stderr
    missing = taizhang(home, "personal", "set", "--unit", "ctr", "XF-404", "--name", NAME, user="li")
    assert missing.returncode == 2


def test_erasing_the_key_keeps_figures_roots_and_seals(home: Path) -> None:
    assert put(home, "--name", NAME, "--id-number", ID_NUMBER, "--phone", PHONE).returncode == 0
    seal = json.loads(taizhang(home, "seal", "--unit", "ctr", "--year", "2025", user="boss").stdout)
    before = json.loads(taizhang(home, "report", "--unit", "ctr", "--year", "2025", user="boss").stdout)
    assert taizhang(home, "personal", "shred", "--unit", "ctr", "--reason", "", user="boss").returncode == 2
    assert taizhang(home, "personal", "shred", "--unit", "ctr", "--reason", "期满", user="li").returncode == 4
    shredded = taizhang(home, "personal", "shred", "--unit", "ctr", "--reason", "保存期限届满", user="boss")
    assert shredded.returncode == 0, shredded.stderr
    assert list((home / "keys" / "personal").iterdir()) == []
    shown = taizhang(home, "personal", "show", "--unit", "ctr", "XF-1", "--format", "json", user="li")
    assert {v["state"] for v in json.loads(shown.stdout)["values"]} == {"shredded"}
    after = json.loads(taizhang(home, "report", "--unit", "ctr", "--year", "2025", user="boss").stdout)
    assert after["figures"] == before["figures"]
    verified = taizhang(home, "verify", "--root", seal["root"], "--size", str(seal["size"]), user="boss")
    assert verified.returncode == 0, verified.stdout  # every seal and the sealed root still check
    assert taizhang(home, "rebuild", user="boss").returncode == 0
    assert taizhang(home, "verify", user="boss").returncode == 0
    assert put(home, "--name", "李四").returncode == 0  # a new key for what is recorded next
    shown = taizhang(home, "personal", "show", "--unit", "ctr", "XF-1", "--format", "json", user="li")
    states = {v["name"]: v["state"] for v in json.loads(shown.stdout)["values"]}
    assert states == {"name": "clear", "id_number": "shredded", "phone": "shredded"}
    report = taizhang(home, "security", "report", user="boss").stdout
    assert "已销毁 1 把" in report and "信访人姓名" in report


def test_a_ciphertext_only_opens_in_its_own_place() -> None:
    for cipher, size in (("SM4-GCM", 16), ("AES-256-GCM", 32)):
        key = bytes(range(size))
        sealed = encrypt(cipher, key, NAME, b"ctr/XF-1/name/k1")
        assert decrypt(cipher, key, sealed, b"ctr/XF-1/name/k1") == NAME
        with pytest.raises(InvalidTag):
            decrypt(cipher, key, sealed, b"ctr/XF-2/name/k1")  # moved to another petition: refused

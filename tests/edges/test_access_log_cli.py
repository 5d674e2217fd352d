"""`taizhang access-log search|export|verify|prune` and `taizhang sign-in` from the command line (r15)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from cli_kit import taizhang
from conftest import unit

from api.infra.access_log import access_log_db


def _ledger(home: Path) -> None:
    assert taizhang(home, "import", "-", stdin=json.dumps(unit("u1", "北区中心")) + "\n").returncode == 0
    assert taizhang(home, "user", "add", "boss", "--role", "admin").returncode == 0
    for name, role in (("aa", "auditadmin"), ("sa", "sysadmin"), ("sec", "secadmin")):
        assert taizhang(home, "user", "add", name, "--role", role, user="boss").returncode == 0, name
    assert taizhang(home, "user", "add", "li", "--role", "recorder", "--unit", "u1", user="sa").returncode == 0


def test_the_audit_administrator_searches_exports_and_verifies_from_the_command_line(tmp_path: Path) -> None:
    _ledger(tmp_path)
    found = taizhang(tmp_path, "access-log", "search", "--action", "user_created", "--format", "json", user="aa")
    assert found.returncode == 0, found.stderr
    created = json.loads(found.stdout)
    assert [(e["actor"], e["target"]) for e in created] == [("cli-tester", "boss"), ("boss", "aa"), ("boss", "sa"),
                                                             ("boss", "sec"), ("sa", "li")]  # fmt: skip
    assert created[0]["client"].startswith("命令行@")
    out = tmp_path / "log.xlsx"
    assert taizhang(tmp_path, "access-log", "export", "--format", "xlsx", "-o", str(out), user="aa").returncode == 0
    assert out.read_bytes()[:2] == b"PK"
    ok = taizhang(tmp_path, "access-log", "verify", user="aa")
    assert ok.returncode == 0 and "访问日志完整" in ok.stdout
    for name in ("sa", "sec", "li"):  # never the others (exit 4: forbidden)
        assert taizhang(tmp_path, "access-log", "search", user=name).returncode == 4
    with sqlite3.connect(access_log_db(tmp_path)) as db:
        db.execute("UPDATE entries SET target = 'x' WHERE seq = 1")
    broken = taizhang(tmp_path, "access-log", "verify", user="aa")
    assert broken.returncode == 1 and "被修改" in broken.stderr


def test_the_security_administrator_sets_the_policy_and_enrols_users(tmp_path: Path) -> None:
    _ledger(tmp_path)
    assert taizhang(tmp_path, "sign-in", "policy", "--second-factor", "recorder", user="sa").returncode == 4
    set_ = taizhang(tmp_path, "sign-in", "policy", "--second-factor", "recorder", user="sec")
    assert set_.returncode == 0 and json.loads(set_.stdout)["second_factor_roles"] == ["recorder"]
    got = json.loads(taizhang(tmp_path, "sign-in", "enroll", "li", user="sec").stdout)
    assert got["uri"].startswith("otpauth://totp/") and len(got["recovery_codes"]) == 10
    assert taizhang(tmp_path, "sign-in", "unlock", "li", user="sa").returncode == 0
    report = taizhang(tmp_path, "security", "report", user="sec")
    assert report.returncode == 0 and "必须使用的角色：录入员" in report.stdout and "访问日志保存" in report.stdout


def test_a_backup_carries_the_access_log_and_a_restore_never_rolls_it_back(tmp_path: Path) -> None:
    home, fresh = tmp_path / "home", tmp_path / "fresh"
    _ledger(home)
    assert taizhang(home, "backup", str(tmp_path / "bk"), user="boss").returncode == 0
    backed = json.loads(taizhang(tmp_path / "bk", "access-log", "search", "--format", "json", user="aa").stdout)
    assert [e["target"] for e in backed if e["action"] == "user_created"][-1] == "li"
    assert taizhang(home, "user", "add", "wang", "--role", "recorder", "--unit", "u1", user="sa").returncode == 0
    assert taizhang(home, "restore", "--force", str(tmp_path / "bk"), user="boss").returncode == 0
    kept = json.loads(taizhang(home, "access-log", "search", "--action", "user_created", "--format", "json",
                               user="aa").stdout)  # fmt: skip
    assert kept[-1]["target"] == "wang"  # the newer trail stays: the restore took the ledger back, not the log
    assert taizhang(fresh, "restore", str(tmp_path / "bk")).returncode == 0
    restored = json.loads(taizhang(fresh, "access-log", "search", "--format", "json", user="aa").stdout)
    assert restored[: len(backed)] == backed  # a new home gets the backup's trail (and the search after it)

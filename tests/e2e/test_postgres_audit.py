"""Seals, verify, proofs and rebuild with the event store on PostgreSQL, tampered with in SQL as a database
administrator could: the same findings as on the SQLite file (tests/test_audit.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from api.infra.settings import HOME_SCHEMA, home_schema
from domain.ids import activity_id

ROOT = Path(__file__).resolve().parents[2]
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
        for i in range(8)
    ],
    {"id": "c1", "op": "correct", "unit": "ctr", "ref": "XX-3", "reason": "人数有误", "data": {"attendees": 30}},
]


class PgHome:
    def __init__(self, home: Path, url: str) -> None:
        self.home = home
        self.url = url
        self.table = sql.SQL("{}.taizhang_events").format(sql.Identifier(home_schema(home)))

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "TAIZHANG_HOME": str(self.home),
            "TAIZHANG_DATABASE_URL": f"{self.url}?schema={HOME_SCHEMA}",
        }
        command = str(Path(sys.executable).parent / "taizhang")
        return subprocess.run([command, *args], env=env, input=stdin, capture_output=True, text=True, timeout=300)

    def sql(self, statement: str, *params: Any) -> list[tuple]:
        with psycopg.connect(self.url, autocommit=True) as con:
            cur = con.execute(sql.SQL(statement).format(table=self.table), params)
            return cur.fetchall() if cur.description else []

    def position_of(self, ref: str, version: int = 1) -> int:
        found = self.sql(
            "SELECT notification_id FROM {table} WHERE originator_id = %s AND originator_version = %s",
            activity_id("ctr", ref),
            version,
        )
        return int(found[0][0])


@pytest.fixture(params=["default", "gm"])
def sealed(request: pytest.FixtureRequest, postgres_url: str, tmp_path: Path) -> tuple[PgHome, dict]:
    h = PgHome(tmp_path / "home", postgres_url)
    if request.param != "default":  # the same findings on the 国密 suite (SM3 log, SM2 seals)
        assert h.run("init", "--suite", request.param).returncode == 0
    imported = h.run("import", "-", stdin="\n".join(json.dumps(x, ensure_ascii=False) for x in LINES))
    assert imported.returncode == 0, imported.stderr
    out = h.run("seal", "--unit", "ctr", "--year", "2025")
    assert out.returncode == 0, out.stderr
    assert not (h.home / "events.db").exists(), "the events are in PostgreSQL, not in a file"
    return h, json.loads(out.stdout)


def test_an_untouched_postgres_ledger_verifies_also_against_its_published_root(sealed: tuple[PgHome, dict]) -> None:
    h, seal = sealed
    result = h.run("verify")
    assert result.returncode == 0, result.stdout + result.stderr
    # + the unit's signing key, registered in the log at its first seal, and the seal itself
    assert f"intact: {seal['size'] + 2} events" in result.stdout and "1 seal(s) checked" in result.stdout
    assert h.run("verify", "--root", seal["root"], "--size", str(seal["size"])).returncode == 0
    assert h.run("verify", "--root", "00" * 32, "--size", str(seal["size"])).returncode == 1


def test_an_event_edited_in_place_in_postgres_is_caught(sealed: tuple[PgHome, dict]) -> None:
    h, _ = sealed
    pos = h.position_of("XX-5")
    h.sql(
        "UPDATE {table} SET state = convert_to(replace(convert_from(state, 'UTF8'), %s, %s), 'UTF8')"
        " WHERE notification_id = %s",
        '"attendees":15',
        '"attendees":95',
        pos,
    )
    result = h.run("verify")
    assert result.returncode == 1
    assert f"position {pos}: event changed in place (activity ctr/XX-5)" in result.stdout
    assert "no longer have the sealed root" in result.stdout


def test_a_row_deleted_in_postgres_is_caught(sealed: tuple[PgHome, dict]) -> None:
    h, _ = sealed
    pos = h.position_of("XX-3", 2)
    h.sql("DELETE FROM {table} WHERE notification_id = %s", pos)
    result = h.run("verify")
    assert result.returncode == 1
    assert f"position {pos}: event deleted from the store (activity ctr/XX-3)" in result.stdout


def test_seal_reproduces_after_a_rebuild_and_proofs_check_on_their_own(
    sealed: tuple[PgHome, dict], tmp_path: Path
) -> None:
    h, seal = sealed
    rebuilt = h.run("rebuild")
    assert rebuilt.returncode == 0 and f"rebuilt from {h.sql('SELECT max(notification_id) FROM {table}')[0][0]}" in (
        rebuilt.stdout
    )
    assert h.run("verify").returncode == 0
    by_seal = json.loads(h.run("report", "--seal", seal["seal"]).stdout)
    named = {} if seal["suite"] == "default" else {"suite": seal["suite"]}
    assert by_seal["log"] == {"size": seal["size"], "root": seal["root"], **named}
    out = tmp_path / "proof.json"
    assert h.run("proof", "--unit", "ctr", "XX-3", "--output", str(out)).returncode == 0
    assert [e["version"] for e in json.loads(out.read_text())["events"]] == [1, 2]
    check = subprocess.run([sys.executable, "-m", "projections.merkle", "check", str(out)], cwd=ROOT, check=False)
    assert check.returncode == 0

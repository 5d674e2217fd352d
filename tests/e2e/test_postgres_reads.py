"""A read on a PostgreSQL store that holds no ledger says so in one sentence naming where it looked, and creates
nothing: no schema, no table, no database, no data directory (as the embedded store does for a folder without
events.db, tests/edges/test_cli_records.py). A write still creates the ledger, and reads then find it."""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
from cli_kit import taizhang

from api.infra.settings import HOME_SCHEMA, home_schema


def schema_exists(url: str, schema: str) -> bool:
    with psycopg.connect(url) as con:
        return con.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema]).fetchone() is not None


def tables_in(url: str, schema: str) -> list[str]:
    with psycopg.connect(url) as con:
        rows = con.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema]).fetchall()
    return [r[0] for r in rows]


def where(url: str) -> str:
    parts = urlparse(url)
    return f"{parts.hostname}:{parts.port or 5432}{parts.path}"


def test_a_read_of_a_home_schema_that_does_not_exist_creates_nothing(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAIZHANG_DATABASE_URL", f"{postgres_url}?schema={HOME_SCHEMA}")
    home = tmp_path / "wrong-folder"
    schema = home_schema(home)
    for args in (("report", "--unit", "ctr", "--year", "2025"), ("history", "--unit", "ctr", "S-1"), ("unit", "list")):
        r = taizhang(home, *args)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        message = r.stderr.strip()
        assert "\n" not in message and "没有找到台账" in message, message
        assert where(postgres_url) in message and schema in message and str(home) in message
        assert "不存在" in message and "Traceback" not in message
    assert not schema_exists(postgres_url, schema)
    assert not home.exists()

    # A write creates the ledger there; the same reads then find it.
    assert taizhang(home, "unit", "add", "ctr", "城市更新中心").returncode == 0
    assert schema_exists(postgres_url, schema)
    listed = taizhang(home, "unit", "list")
    assert listed.returncode == 0 and "城市更新中心" in listed.stdout, listed.stderr


def test_a_read_of_a_schema_without_the_ledger_table_creates_no_table(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = f"empty_{secrets.token_hex(4)}"
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f'CREATE SCHEMA "{schema}"')  # made by someone else, for something else
    monkeypatch.setenv("TAIZHANG_DATABASE_URL", f"{postgres_url}?schema={schema}")
    r = taizhang(tmp_path / "home", "report", "--unit", "ctr", "--year", "2025")
    assert r.returncode == 2 and "没有找到台账" in r.stderr and "事件表" in r.stderr, r.stderr
    assert f"模式「{schema}」" in r.stderr and where(postgres_url) in r.stderr
    assert tables_in(postgres_url, schema) == []


def test_a_read_of_a_database_that_does_not_exist_names_it(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"taizhang_absent_{secrets.token_hex(4)}"
    missing = urlparse(postgres_url)._replace(path="/" + name).geturl()
    monkeypatch.setenv("TAIZHANG_DATABASE_URL", missing)
    home = tmp_path / "home"
    r = taizhang(home, "verify")
    assert r.returncode == 2, r.stderr
    assert f"数据库「{name}」不存在" in r.stderr and where(missing) in r.stderr and "Traceback" not in r.stderr
    with psycopg.connect(postgres_url) as con:
        assert con.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None
    assert not home.exists()

"""Settings from the environment: where data lives, which event store, whose clock and name."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from domain.ledger import DEFAULT_TZ, Ledger
from projections.readmodel import ReadModel


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str | None
    tz: str
    user: str

    @classmethod
    def from_env(cls, user: str | None = None) -> Settings:
        return cls(
            home=Path(os.environ.get("TAIZHANG_HOME") or "taizhang-data"),
            database_url=os.environ.get("TAIZHANG_DATABASE_URL") or None,
            tz=os.environ.get("TAIZHANG_TZ") or DEFAULT_TZ,
            user=user or os.environ.get("TAIZHANG_USER") or _login(),
        )

    def event_store_env(self) -> dict[str, str]:
        """The eventsourcing library's own configuration: SQLite file by default, PostgreSQL by URL."""
        if not self.database_url:
            self.home.mkdir(parents=True, exist_ok=True)
            return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(self.home / "events.db")}
        url = urlparse(self.database_url)
        if url.scheme not in ("postgres", "postgresql"):
            raise ValueError(f"TAIZHANG_DATABASE_URL: unsupported scheme {url.scheme!r} (use postgresql://)")
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": url.path.lstrip("/") or "postgres",
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
        }

    def ledger(self) -> Ledger:
        return Ledger(env=self.event_store_env(), tz=self.tz)

    def read_model(self) -> ReadModel:
        self.home.mkdir(parents=True, exist_ok=True)
        return ReadModel(self.home / "readmodel.duckdb", self.tz)

    def fresh_read_model(self) -> ReadModel:
        self.home.mkdir(parents=True, exist_ok=True)
        return ReadModel.fresh(self.home / "readmodel.duckdb", self.tz)


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"

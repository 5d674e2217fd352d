"""Settings from the environment (where data lives, which event store, whose clock and name), and the
composition root: the ledger and read models a process works with are made here."""

from __future__ import annotations

import getpass
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from domain.ledger import DEFAULT_TZ, Ledger
from projections import slots
from projections.readmodel import ReadModel

from .layout import events_db

HOME_SCHEMA = "@home"  # ?schema=@home: one schema per data directory (several ledgers in one database)


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str | None
    tz: str
    user: str
    # Addresses of reverse proxies whose X-Forwarded-For/-Proto are believed (TAIZHANG_TRUSTED_PROXIES,
    # comma-separated); none by default, so a client cannot choose the address it is throttled under.
    trusted_proxies: tuple[str, ...] = ()
    # How long a bearer token works after it is issued (TAIZHANG_TOKEN_DAYS).
    token_days: int = 90
    # The cryptographic suite a new ledger is created with (TAIZHANG_SUITE: default or gm, domain/suite.py).
    # A ledger keeps the suite it was created with; naming another for a ledger with events is refused.
    suite: str | None = None
    # Where reminders are delivered (`taizhang remind`, api/services/reminders.py): an SMTP server
    # (TAIZHANG_SMTP_HOST, _PORT default 25, _USER, _PASSWORD, _STARTTLS=1, TAIZHANG_MAIL_FROM), each user's
    # address being the user's own or else <username>@TAIZHANG_MAIL_DOMAIN; and a webhook
    # (TAIZHANG_WEBHOOK_URL), its JSON body signed with HMAC-SHA256 under TAIZHANG_WEBHOOK_SECRET.
    # Unset: that channel is not used.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "taizhang@localhost"
    mail_domain: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    # How long the access log (api/services/access_log.py) keeps entries before `taizhang access-log prune` may
    # remove them (TAIZHANG_ACCESS_LOG_DAYS, days): at least 180, the six months GB/T 22239-2019 asks.
    access_log_days: int = 180
    # Sign-in policy settings (api/services/sign_in.py): failed sign-ins before an account is locked
    # (TAIZHANG_LOCKOUT_FAILURES, 0 = never), for how long (TAIZHANG_LOCKOUT_MINUTES), and the minutes of
    # inactivity after which a web session ends (TAIZHANG_IDLE_MINUTES).
    lockout_failures: int = 5
    lockout_minutes: int = 30
    idle_minutes: int = 30
    # The work factors of new password hashes (api/infra/passwords.py COSTS; TAIZHANG_PASSWORD_COST): standard, or
    # test, the cheapest the algorithms allow, which only the test suite sets (it hashes hundreds of passwords).
    password_cost: str = "standard"

    @classmethod
    def from_env(cls, user: str | None = None) -> Settings:
        return cls(
            home=Path(os.environ.get("TAIZHANG_HOME") or "taizhang-data"),
            database_url=os.environ.get("TAIZHANG_DATABASE_URL") or None,
            tz=os.environ.get("TAIZHANG_TZ") or DEFAULT_TZ,
            user=user or os.environ.get("TAIZHANG_USER") or _login(),
            trusted_proxies=tuple(
                p.strip() for p in os.environ.get("TAIZHANG_TRUSTED_PROXIES", "").split(",") if p.strip()
            ),
            token_days=_days(os.environ.get("TAIZHANG_TOKEN_DAYS") or "90"),
            suite=_suite(os.environ.get("TAIZHANG_SUITE") or None),
            smtp_host=os.environ.get("TAIZHANG_SMTP_HOST") or None,
            smtp_port=int(os.environ.get("TAIZHANG_SMTP_PORT") or "25"),
            smtp_user=os.environ.get("TAIZHANG_SMTP_USER") or None,
            smtp_password=os.environ.get("TAIZHANG_SMTP_PASSWORD") or None,
            smtp_starttls=os.environ.get("TAIZHANG_SMTP_STARTTLS", "") in ("1", "true", "yes"),
            mail_from=os.environ.get("TAIZHANG_MAIL_FROM") or "taizhang@localhost",
            mail_domain=os.environ.get("TAIZHANG_MAIL_DOMAIN") or None,
            webhook_url=os.environ.get("TAIZHANG_WEBHOOK_URL") or None,
            webhook_secret=os.environ.get("TAIZHANG_WEBHOOK_SECRET") or None,
            access_log_days=_number("TAIZHANG_ACCESS_LOG_DAYS", 180, 180, 36500),
            lockout_failures=_number("TAIZHANG_LOCKOUT_FAILURES", 5, 0, 100),
            lockout_minutes=_number("TAIZHANG_LOCKOUT_MINUTES", 30, 1, 1440),
            idle_minutes=_number("TAIZHANG_IDLE_MINUTES", 30, 1, 1440),
            password_cost=_password_cost(os.environ.get("TAIZHANG_PASSWORD_COST") or "standard"),
        )

    def event_store_env(self) -> dict[str, str]:
        """The eventsourcing library's own configuration: SQLite file by default, PostgreSQL by URL."""
        if not self.database_url:
            self.home.mkdir(parents=True, exist_ok=True)
            return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(events_db(self.home))}
        from . import postgres  # psycopg only when the store is PostgreSQL

        url = urlparse(self.database_url)
        if url.scheme not in ("postgres", "postgresql"):
            raise ValueError(f"TAIZHANG_DATABASE_URL: unsupported scheme {url.scheme!r} (use postgresql://)")
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": url.path.lstrip("/") or "postgres",
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
            "APPLICATION_RECORDER_TOPIC": postgres.RECORDER_TOPIC,
        }
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        # ?notify=0: a server without LISTEN/NOTIFY (openGauss; README "Domestic databases").
        if query.get("notify") == "0":
            env["APPLICATION_RECORDER_TOPIC"] = postgres.QUIET_RECORDER_TOPIC
        # Small pools: every process (web worker, command, projection worker) has its own; the library's
        # default (5, up to 15) would take PostgreSQL's 100 connections with a few workers.
        env["POSTGRES_POOL_SIZE"] = query.get("pool_size", "2")
        env["POSTGRES_MAX_OVERFLOW"] = query.get("max_overflow", "6")
        schema = query.get("schema", "")
        if schema == HOME_SCHEMA:
            schema = home_schema(self.home)
        if schema:
            env["POSTGRES_SCHEMA"] = schema
        return env

    def ledger(self, create: bool = True) -> Ledger:
        """The ledger; a new one is created under TAIZHANG_SUITE when that is set (raises DomainError when the
        ledger exists under another suite). With `create` false (a read) nothing is created, not even the data
        directory: where the settings point holds no ledger, NoLedger says where it looked."""
        if not create and not self.database_url and not events_db(self.home).exists():
            raise NoLedger(str(self.home.resolve()), "file")
        env = self.event_store_env()
        if env["PERSISTENCE_MODULE"] != "eventsourcing.postgres":
            ledger = Ledger(env=env, tz=self.tz)
        else:
            from . import postgres

            try:
                with postgres.ready(env, f"{Ledger.name.lower()}_events", create) as ready_env:
                    ledger = Ledger(env=ready_env, tz=self.tz)
            except postgres.Missing as e:
                where = f"{env['POSTGRES_HOST']}:{env['POSTGRES_PORT']}/{env['POSTGRES_DBNAME']}"
                raise NoLedger(where, e.what, env.get("POSTGRES_SCHEMA") or "public") from None
        if self.suite is not None:
            try:
                ledger.choose_suite(self.suite, self.user)
            except BaseException:
                ledger.close()
                raise
        return ledger

    def read_model(self) -> ReadModel:
        """A read model this process alone uses (the first free slot, see projections/slots.py)."""
        return slots.open_slot(self.home, self.tz)

    def fresh_read_model(self) -> ReadModel:
        """An empty read model to rebuild from the log; every other read model of the home is renewed too."""
        return slots.open_fresh(self.home, self.tz)


class NoLedger(Exception):
    """A read found no ledger where the settings point, and created none. `where`: the data directory
    (embedded store) or host:port/database (PostgreSQL); `missing`: "file" (no events.db in the directory),
    "database", "schema" or "table"; `schema`: the PostgreSQL schema looked in."""

    def __init__(self, where: str, missing: str, schema: str = "") -> None:
        super().__init__(f"no ledger at {where} ({missing})")
        self.where = where
        self.missing = missing
        self.schema = schema


def home_schema(home: Path) -> str:
    """The schema a data directory's ledger lives in under ?schema=@home: named after its absolute path."""
    return "taizhang_" + hashlib.sha256(str(home.resolve()).encode()).hexdigest()[:20]


def _days(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 3650:
        raise ValueError(f"TAIZHANG_TOKEN_DAYS: a number of days from 1 to 3650, not {text!r}")
    return int(text)


def _number(name: str, default: int, low: int, high: int) -> int:
    text = os.environ.get(name) or str(default)
    if not text.isdigit() or not low <= int(text) <= high:
        raise ValueError(f"{name}: a whole number from {low} to {high}, not {text!r}")
    return int(text)


def _suite(name: str | None) -> str | None:
    if name is not None:
        from domain.suite import SUITES

        if name not in SUITES:
            raise ValueError(f"TAIZHANG_SUITE: one of {', '.join(SUITES)}, not {name!r}")
    return name


def _password_cost(name: str) -> str:
    from .passwords import COSTS

    if name not in COSTS:
        raise ValueError(f"TAIZHANG_PASSWORD_COST: one of {', '.join(COSTS)}, not {name!r}")
    return name


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"

"""Shared fixtures and line builders for the taizhang tests.

Everything runs on the real APIs: the eventsourcing ledger over a SQLite file in a temporary
home, and the DuckDB read model beside it. Nothing is mocked.

TAIZHANG_TEST_STORE=postgres runs the same tests with the event store on PostgreSQL (see `pgstore.py`):
every ledger home gets its own schema in a database made for the session and dropped after it.

Line builders (`unit`, `rec`, `step`, `correct`, `void`) return interchange-format dicts
(DOMAIN.md §4) with a fresh, store-wide unique `id`, so tests read like the files staff import.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pgstore as pg
import pytest

from api.infra.settings import Settings
from domain.ledger import Ledger, Outcome
from projections.readmodel import ReadModel

TZ = "Asia/Shanghai"
DEFAULT_UNIT = "u1"
# Password hashes at the cheapest work factors (api/infra/passwords.py COSTS): the suite hashes and checks
# hundreds of passwords, ~30 ms each at the standard argon2id cost and ~0.3 s under the gm suite. What is hashed
# and how it is checked stay the same; test_sign_in.py checks the standard factors themselves. Set in the
# environment too, for the commands run through click's runner or as processes (Settings.from_env).
PASSWORD_COST = "test"
os.environ["TAIZHANG_PASSWORD_COST"] = PASSWORD_COST

_ids = itertools.count(1)


def next_id(prefix: str = "L") -> str:
    return f"{prefix}{next(_ids):05d}"


# ---- line builders (DOMAIN.md §4) ----


def unit(code: str = DEFAULT_UNIT, name: str | None = None, parent: str | None = None, **extra: Any) -> dict:
    data: dict[str, Any] = {"name": name or f"单位{code}"}
    if parent is not None:
        data["parent"] = parent
    return {"id": next_id("U"), "op": "unit", "unit": code, "data": data, **extra}


def rec(kind: str, ref: str, date: str, *, unit: str = DEFAULT_UNIT, **data: Any) -> dict:
    return {"id": next_id("R"), "op": "record", "unit": unit, "kind": kind, "ref": ref, "date": date, "data": data}


def step(ref: str, name: str, date: str, *, unit: str = DEFAULT_UNIT, **data: Any) -> dict:
    line = {"id": next_id("S"), "op": "step", "unit": unit, "ref": ref, "step": name, "date": date}
    if data:
        line["data"] = data
    return line


def correct(
    ref: str, *, date: str | None = None, unit: str = DEFAULT_UNIT, reason: str = "更正录入错误", **data: Any
) -> dict:
    line: dict[str, Any] = {"id": next_id("C"), "op": "correct", "unit": unit, "ref": ref, "reason": reason}
    if date is not None:
        line["date"] = date
    if data:
        line["data"] = data
    return line


def void(ref: str, *, target: str | dict | None = None, unit: str = DEFAULT_UNIT, reason: str = "重复录入") -> dict:
    line: dict[str, Any] = {"id": next_id("V"), "op": "void", "unit": unit, "ref": ref, "reason": reason}
    if target is not None:
        line["target"] = target["id"] if isinstance(target, dict) else target
    return line


# ---- kind shorthands with every required field filled in ----


def study(ref: str, date: str, *, form: str = "central_group", attendees: int = 10, **data: Any) -> dict:
    return rec("study_session", ref, date, form=form, topic="学习习近平法治思想", attendees=attendees, **data)


def exam(ref: str, date: str, eligible: int, participants: int, passed: int, **kw: Any) -> dict:
    return rec("exam", ref, date, title="学法考试", eligible=eligible, participants=participants, passed=passed, **kw)


def petition(ref: str, date: str, *, channel: str = "visit", persons: int = 1, category: str = "claim", **kw: Any):
    return rec("petition", ref, date, channel=channel, persons=persons, category=category, subject="补偿", **kw)


def case(ref: str, date: str, case_type: str = "admin_litigation", *, role: str = "defendant", **kw: Any) -> dict:
    return rec("case", ref, date, case_type=case_type, role=role, **kw)


def request(ref: str, date: str, **kw: Any) -> dict:
    return rec("disclosure_request", ref, date, subject="征收补偿方案", **kw)


def proposal(ref: str, date: str, source: str = "npc", *, role: str = "lead", **kw: Any) -> dict:
    return rec("proposal", ref, date, source=source, title="关于加快老旧小区改造的建议", role=role, **kw)


# ---- the environment ----


def instant() -> datetime:
    """Now, strictly between what was recorded before and what is recorded after."""
    time.sleep(0.002)
    stamp = datetime.now(UTC)
    time.sleep(0.002)
    return stamp


def services_context(settings: Settings, ledger: Ledger) -> Any:
    """The use-cases' Context (api/services/context.py) over a ledger: each read on a read-model slot of its own,
    caught up first; writes applied directly (no group committer)."""
    from api.infra.evidence import EvidenceStore
    from api.infra.keys import Keys
    from api.services.context import Context, unit_parent

    def read(query):
        with settings.read_model() as model:
            model.catch_up(ledger.recorder)
            return query(model)

    async def submit(submission):
        return ledger.apply_each([submission])[0]

    home = settings.home
    return Context(settings, ledger, EvidenceStore(home), Keys(home), read, submit, unit_parent(ledger))


def settings_for(home: Path, user: str = "tester") -> Settings:
    """The settings of a ledger home on the store under test (TAIZHANG_DATABASE_URL in the PostgreSQL run)."""
    return Settings(
        home=home,
        database_url=os.environ.get("TAIZHANG_DATABASE_URL") or None,
        tz=TZ,
        user=user,
        password_cost=PASSWORD_COST,
    )


class LedgerEnv:
    """One ledger home: apply lines, then ask the read model for reports (cached until the next apply)."""

    def __init__(self, home: Path, user: str = "tester") -> None:
        self.settings = settings_for(home, user)
        self.ledger: Ledger = self.settings.ledger()
        self._reports: dict[tuple, dict] = {}

    def apply(self, lines: list[dict], caller: str | None = None) -> Outcome:
        self._reports.clear()
        return self.ledger.apply(list(enumerate(lines, start=1)), caller or self.settings.user)

    def ok(self, *lines: dict) -> Outcome:
        """Apply lines that must be valid (test setup)."""
        outcome = self.apply(list(lines))
        assert outcome.errors == [], [str(e) for e in outcome.errors]
        return outcome

    def errors(self, *lines: dict) -> list[str]:
        """Apply lines expected to be rejected; return the `line N: field: message` strings."""
        return [str(e) for e in self.apply(list(lines)).errors]

    def fields(self, *lines: dict) -> list[tuple[int, str]]:
        """(line, field) of every error of a rejected file."""
        return [(e.line, e.field) for e in self.apply(list(lines)).errors]

    def read_model(self) -> ReadModel:
        """The read model, caught up with everything applied so far (close it before asking again)."""
        model = self.settings.read_model()
        try:
            model.catch_up(self.ledger.recorder)
        except BaseException:
            model.close()
            raise
        return model

    def report(self, unit: str = DEFAULT_UNIT, year: int = 2025, as_of: datetime | None = None) -> dict:
        key = (unit, year, as_of)
        if key not in self._reports:
            with self.read_model() as model:
                self._reports[key] = model.report(unit, year, as_of).to_json()
        return self._reports[key]

    def figure(self, fid: str, unit: str = DEFAULT_UNIT, year: int = 2025, as_of: datetime | None = None) -> dict:
        return self.report(unit, year, as_of)["figures"][fid]

    def value(self, fid: str, unit: str = DEFAULT_UNIT, year: int = 2025, as_of: datetime | None = None) -> Any:
        return self.figure(fid, unit, year, as_of)["value"]

    def explain(self, fig: str, unit: str = DEFAULT_UNIT, year: int = 2025, as_of: datetime | None = None) -> list:
        with self.read_model() as model:
            return model.explain(fig, unit, year, as_of)

    def history(self, unit: str, ref: str) -> list[Any]:
        return self.ledger.history(unit, ref)

    @staticmethod
    def instant() -> datetime:
        return instant()


def make(tmp_path: Path, user: str = "tester") -> LedgerEnv:
    return LedgerEnv(tmp_path, user)


@pytest.fixture
def ledger_env(tmp_path: Path) -> Settings:
    """A Settings for an empty ledger home in tmp_path."""
    return settings_for(tmp_path)


@pytest.fixture
def env(tmp_path: Path) -> LedgerEnv:
    """An empty ledger with unit `u1` registered."""
    e = make(tmp_path)
    e.ok(unit(DEFAULT_UNIT, "测试中心"))
    return e


@pytest.fixture
def bare(tmp_path: Path) -> LedgerEnv:
    """An empty ledger, no units."""
    return make(tmp_path)


# ---- the store under test ----


def _xdist_controller(config: pytest.Config) -> bool:
    """Whether this process only hands tests out to xdist workers (it runs none itself)."""
    return not hasattr(config, "workerinput") and bool(getattr(config.option, "numprocesses", None))


def pytest_configure(config: pytest.Config) -> None:
    # Every process that runs tests makes its own PostgreSQL database (named after its pid): xdist's workers
    # never share one; the controller, which runs none, makes none.
    if pg.STORE == "postgres" and not _xdist_controller(config):
        pg.use_for_every_ledger()


def pytest_unconfigure(config: pytest.Config) -> None:
    pg.drop_session_database()


def pytest_report_header(config: pytest.Config) -> str:
    return f"event store under test: {pg.STORE}" + (f" ({pg.ADMIN_URL})" if pg.STORE == "postgres" else "")


E2E = Path(__file__).parent / "e2e"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        # tests/e2e/ holds the end-to-end tests (acceptance kit, browser, PostgreSQL, several processes): slow,
        # left out of the fast lane `pytest -m "not slow"`. Elsewhere a test is marked slow where it stands.
        if E2E in item.path.parents:
            item.add_marker(pytest.mark.slow)
        if pg.STORE == "postgres":
            reason = pg.sqlite_only(item)
            if reason:
                item.add_marker(pytest.mark.skip(reason=f"SQLite store only: {reason}"))


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A PostgreSQL database for this session (append ?schema=@home per ledger home); skips when no server
    answers, except where TAIZHANG_REQUIRE_POSTGRES=1 (CI), which fails instead."""
    return pg.session_database()


@pytest.fixture(params=["sqlite", "postgres"] if pg.STORE == "sqlite" else ["postgres"])
def store_url(request: pytest.FixtureRequest) -> str | None:
    """Each store in turn: None (the embedded SQLite file) or a PostgreSQL URL with a schema per home
    (only the latter in the PostgreSQL run)."""
    if request.param == "sqlite":
        return None
    return request.getfixturevalue("postgres_url") + "?schema=" + pg.HOME_SCHEMA


@pytest.fixture
def web(tmp_path: Path) -> Iterator[Any]:
    """The web application on a temporary ledger with units and one user per role (see webkit.py)."""
    from webkit import make_web  # webkit imports this module's line builders: import it only when used

    site, server = make_web(tmp_path / "home")
    yield site
    server.close()

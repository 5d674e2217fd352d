"""The use-cases without HTTP or click: who may do what, how refusals are kinded, who a command-line user is."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import settings_for, study, unit

from api.infra.evidence import EvidenceStore
from api.infra.keys import Keys
from api.services import reads, users, writes
from api.services.context import Context, Unrestricted, command_line_actor, unit_parent
from api.services.refusals import Refused
from domain.ledger import Submission


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[Context]:
    settings = settings_for(tmp_path)
    ledger = settings.ledger()
    model = settings.read_model()

    def read(query):
        model.catch_up(ledger.recorder)
        return query(model)

    async def submit(submission: Submission):
        return ledger.apply_each([submission])[0]

    assert ledger.apply(list(enumerate([unit("top"), unit("a", parent="top"), unit("b", parent="top")], 1)), "t").ok
    yield Context(settings, ledger, EvidenceStore(tmp_path), Keys(tmp_path), read, submit, unit_parent(ledger))
    model.close()


def refusal(call) -> Refused:
    with pytest.raises(Refused) as e:
        call()
    return e.value


def add_user(ctx: Context, name: str, role: str, units: list[str]) -> None:
    users.create_user(ctx, Unrestricted("setup"), name, "", role, units)


def test_a_ledger_without_users_is_used_as_before_by_whoever_runs_the_command(ctx: Context) -> None:
    actor = command_line_actor(ctx.ledger, "张敏")
    assert isinstance(actor, Unrestricted) and actor.username == "张敏"
    line = {**study("SS-1", "2025-03-01", unit="a"), "by": "王五"}  # the interchange format's own `by`
    assert asyncio.run(writes.import_lines(ctx, actor, [(1, line)])).applied == 1


def test_once_users_exist_the_command_line_user_must_be_one_of_them(ctx: Context) -> None:
    add_user(ctx, "li", "recorder", ["a"])
    assert command_line_actor(ctx.ledger, "li").username == "li"
    assert refusal(lambda: command_line_actor(ctx.ledger, "nobody")).kind == "forbidden"
    users.change_user(ctx, Unrestricted("setup"), "li", {"disabled": True})
    assert refusal(lambda: command_line_actor(ctx.ledger, "li")).kind == "forbidden"


def test_by_must_be_the_actor_and_units_must_be_theirs(ctx: Context) -> None:
    add_user(ctx, "li", "recorder", ["a"])
    li = ctx.ledger.user("li")
    other = refusal(
        lambda: asyncio.run(writes.import_lines(ctx, li, [(1, {**study("S-1", "2025-03-01", unit="a"), "by": "wang"})]))
    )
    assert other.kind == "invalid" and [e["field"] for e in other.errors] == ["by"]
    elsewhere = refusal(lambda: asyncio.run(writes.import_lines(ctx, li, [(1, study("S-2", "2025-03-01", unit="b"))])))
    assert elsewhere.kind == "forbidden" and elsewhere.errors[0]["field"] == "unit"
    done = asyncio.run(writes.import_lines(ctx, li, [(1, study("S-3", "2025-03-01", unit="a"))]))
    assert done.applied == 1
    assert [row["recorded_by"] for row in reads.history(ctx, li, "a", "S-3")] == ["li"]


def test_reads_are_refused_by_kind(ctx: Context) -> None:
    add_user(ctx, "li", "recorder", ["a"])
    li = ctx.ledger.user("li")
    assert reads.report(ctx, li, "a", 2025, None).unit == "a"
    assert refusal(lambda: reads.report(ctx, li, "b", 2025, None)).kind == "forbidden"
    missing = refusal(lambda: reads.report(ctx, li, "mars", 2025, None))
    assert missing.kind == "not_found" and missing.field == "unit"
    assert refusal(lambda: reads.explain(ctx, li, "no.such", "a", 2025, None)).kind == "not_found"
    assert refusal(lambda: users.create_user(ctx, li, "wu", "", "admin", [])).kind == "forbidden"


def test_a_stale_version_is_a_conflict(ctx: Context) -> None:
    admin = Unrestricted("setup")
    asyncio.run(writes.write(ctx, admin, "record", study("S-9", "2025-03-01", unit="a"), None, None))
    body = {"unit": "a", "ref": "S-9", "reason": "人数有误", "data": {"attendees": 12}}
    conflict = refusal(lambda: asyncio.run(writes.write(ctx, admin, "correct", dict(body), None, 7)))
    assert conflict.kind == "conflict" and conflict.current_version == 1

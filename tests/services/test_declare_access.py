"""Who declares a figure of a unit's own (DOMAIN §8; issue 11: "a unit's admin"): admins, through the form, the
JSON API and an imported file alike; a recorder's file with a `figure` line is refused whole, naming the line."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import services_context, settings_for, study, unit

from api.services import figures, users, writes
from api.services.context import Context, Unrestricted
from api.services.refusals import Refused

DATA = {"code": "local.study.any", "label": "学法", "unit_word": "次", "kind": "study_session",
        "measure": {"type": "count"}}  # fmt: skip


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[Context]:
    settings = settings_for(tmp_path)
    ledger = settings.ledger()
    assert ledger.apply([(1, unit("qu", "光华区")), (2, unit("dui", "执法队", parent="qu"))], "t").ok
    c = services_context(settings, ledger)
    users.create_user(c, Unrestricted("setup"), "boss", "", "admin", [])
    users.create_user(c, Unrestricted("setup"), "clerk", "", "recorder", ["dui"])
    yield c
    ledger.close()


def refused(call) -> Refused:
    with pytest.raises(Refused) as e:
        call()
    return e.value


def test_only_an_admin_declares_redeclares_or_retires_a_figure(ctx: Context) -> None:
    clerk, boss = ctx.ledger.user("clerk"), ctx.ledger.user("boss")
    e = refused(lambda: asyncio.run(figures.declare(ctx, clerk, "dui", DATA)))
    assert e.kind == "forbidden" and "只有管理员" in e.detail
    assert ctx.ledger.declaration("dui", "local.study.any") is None
    asyncio.run(figures.declare(ctx, boss, "dui", DATA))
    assert refused(lambda: asyncio.run(figures.retire(ctx, clerk, "dui", "local.study.any"))).kind == "forbidden"
    assert ctx.ledger.declaration("dui", "local.study.any").live


def test_a_recorders_file_with_a_figure_line_is_refused_whole_and_an_admins_is_applied(ctx: Context) -> None:
    lines = [
        (1, study("S-1", "2026-01-05", unit="dui")),
        (2, {"id": "F-1", "op": "figure", "unit": "dui", "data": DATA}),
    ]
    e = refused(lambda: asyncio.run(writes.import_lines(ctx, ctx.ledger.user("clerk"), lines)))
    assert e.kind == "forbidden" and [(x["line"], x["field"]) for x in e.errors] == [(2, "op")]
    assert ctx.ledger.activity("dui", "S-1") is None  # all or nothing
    assert asyncio.run(writes.import_lines(ctx, ctx.ledger.user("boss"), lines)).applied == 2

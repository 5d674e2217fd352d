"""Units as admins manage them (api/services/units.py): every change an attributed event, a tree without cycles,
changes that change nothing refused, and the first start's setup all or nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import services_context, settings_for

from api.services import units
from api.services.context import Context, Unrestricted
from api.services.refusals import Refused

ADMIN = Unrestricted("chen")


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[Context]:
    settings = settings_for(tmp_path)
    ledger = settings.ledger()
    yield services_context(settings, ledger)
    ledger.close()


def run(coro):  # noqa: ANN001, ANN201
    return asyncio.run(coro)


def test_units_form_a_tree_and_each_change_is_in_the_history_with_its_author(ctx: Context) -> None:
    run(units.add_unit(ctx, ADMIN, "qu", "区法治办"))
    run(units.add_unit(ctx, ADMIN, "a", "甲中心", "qu"))
    run(units.add_unit(ctx, ADMIN, "b", "乙中心"))
    run(units.move_unit(ctx, Unrestricted("li"), "b", "a"))
    run(units.rename_unit(ctx, ADMIN, "b", "乙城市更新中心"))
    assert [(r.code, r.depth) for r in units.units(ctx, ADMIN)] == [("qu", 0), ("a", 1), ("b", 2)]
    history = units.unit_history(ctx, ADMIN, "b")
    assert [(h.label, h.recorded_by) for h in history] == [("登记", "chen"), ("调整上级", "li"), ("改名", "chen")]
    assert history[-1].was_name == "乙中心" and history[-1].parent == "a"


def test_cycles_duplicates_and_changes_that_change_nothing_are_refused(ctx: Context) -> None:
    run(units.add_unit(ctx, ADMIN, "qu", "区法治办"))
    run(units.add_unit(ctx, ADMIN, "a", "甲中心", "qu"))
    cases = [
        (units.move_unit(ctx, ADMIN, "qu", "a"), "循环"),
        (units.add_unit(ctx, ADMIN, "a", "又一个"), "已登记"),
        (units.rename_unit(ctx, ADMIN, "a", "甲中心"), "没有修改"),
        (units.move_unit(ctx, ADMIN, "a", "qu"), "没有修改"),
        (units.add_unit(ctx, ADMIN, "甲", "甲"), "单位代码"),
        (units.rename_unit(ctx, ADMIN, "nowhere", "x"), "不存在"),
    ]
    for coro, said in cases:
        with pytest.raises(Refused) as e:
            run(coro)
        assert said in e.value.detail or any(said in x["message"] for x in e.value.errors), (said, e.value.detail)
    assert len(units.unit_history(ctx, ADMIN, "a")) == 1


def test_only_admins_manage_units(ctx: Context) -> None:
    recorder = Unrestricted("wang", role="recorder", units=["a"])
    with pytest.raises(Refused) as e:
        run(units.add_unit(ctx, recorder, "x", "某单位"))
    assert e.value.kind == "forbidden"


def test_the_setup_writes_nothing_when_any_part_is_wrong(ctx: Context) -> None:
    people = [units.SetupUser("zhangmin", "张敏", "recorder"), units.SetupUser("zhangmin", "张敏", "auditor")]
    with pytest.raises(Refused) as e:
        run(units.first_setup(ctx, ADMIN, ("weibin", "渭滨区"), ("weibin-ur", ""), people))
    assert {x["field"] for x in e.value.errors} == {"unit_name", "user1_username"}
    assert ctx.ledger.unit("weibin") is None and ctx.ledger.users() == []
    done = run(units.first_setup(ctx, ADMIN, ("weibin", "渭滨区"), ("weibin-ur", "更新中心"), people[:1]))
    assert done.unit == "weibin-ur" and [n for n, _ in done.passwords] == ["zhangmin"]
    assert ctx.ledger.unit("weibin-ur").parent == "weibin"  # type: ignore[union-attr]
    with pytest.raises(Refused) as again:
        run(units.first_setup(ctx, ADMIN, None, ("other", "别的"), []))
    assert again.value.kind == "conflict"

"""Units (单位) for admins: list, create, rename, move under another parent, and each unit's history; and the
first start's guided setup (a ledger with no unit yet: the unit, its parent, the first users).

Every change is an interchange line `op: unit` (DOMAIN.md §4: a `unit` line creates a unit or replaces its name
and parent), written through `writes.write` like any other line: attributed to the admin, checked by the
ledger (the parent must exist, no cycles), kept as an event in the unit's history."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.errors import unknown_unit
from domain.ids import unit_id
from domain.validation import UNIT_CODE as _UNIT_CODE

from .access import require_admin, require_duty
from .context import Actor, Context
from .refusals import Refused, field_problem
from .users import create_user
from .writes import import_lines, line_id, write

UNIT_CODE = re.compile(_UNIT_CODE)


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    parent: str | None
    depth: int  # 0 for a top-level unit, 1 for its children …


@dataclass(frozen=True)
class UnitChange:
    """One event of a unit: registered or changed, when, by whom, and its name and parent after it."""

    version: int
    recorded_at: datetime
    recorded_by: str
    event: str  # "Registered" | "Changed"
    name: str
    parent: str | None
    was_name: str | None
    was_parent: str | None

    @property
    def label(self) -> str:
        if self.event == "Registered":
            return "登记"
        parts = []
        if self.was_name != self.name:
            parts.append("改名")
        if self.was_parent != self.parent:
            parts.append("调整上级")
        return "、".join(parts) or "重新登记（未改变）"


def unit_rows(ctx: Context) -> list[UnitRow]:
    """Every unit of the ledger in tree order (a parent before its children, by code within a level)."""
    units = [
        _Row(c, n, p)
        for c, n, p in ctx.read(lambda m: m.con.execute("SELECT code, name, parent FROM units").fetchall())
    ]
    children: dict[str | None, list[Any]] = {}
    for u in units:
        children.setdefault(u.parent, []).append(u)
    known = {u.code for u in units}
    rows: list[UnitRow] = []

    def walk(parent: str | None, depth: int) -> None:
        for u in sorted(children.get(parent, []), key=lambda x: x.code):
            rows.append(UnitRow(u.code, u.name, u.parent, depth))
            walk(u.code, depth + 1)

    walk(None, 0)
    # A unit whose parent is unknown cannot happen (the ledger checks), but never hide one if it did.
    orphans = [u for u in units if u.parent is not None and u.parent not in known]
    for u in orphans:
        rows.append(UnitRow(u.code, u.name, u.parent, 0))
        walk(u.code, 1)
    return rows


@dataclass(frozen=True)
class _Row:
    code: str
    name: str
    parent: str | None


def units(ctx: Context, actor: Actor) -> list[UnitRow]:
    require_duty(actor, "units")
    return unit_rows(ctx)


def has_units(ctx: Context) -> bool:
    return bool(ctx.read(lambda m: m.con.execute("SELECT count(*) FROM units").fetchone()[0]))


def _code_problem(code: str) -> Refused | None:
    if not UNIT_CODE.match(code):
        return field_problem("unit", "单位代码：1–64 位小写字母、数字或 -，以字母或数字开头（例如 weibin-ur）")
    return None


async def _line(ctx: Context, actor: Actor, code: str, name: str, parent: str | None, key: str | None) -> None:
    data: dict[str, Any] = {"name": name.strip()}
    if parent:
        data["parent"] = parent
    await write(ctx, actor, "unit", {"unit": code, "data": data}, key, None)


async def add_unit(
    ctx: Context, actor: Actor, code: str, name: str, parent: str | None = None, key: str | None = None
) -> UnitRow:
    """Register a new unit (admins). A code already in use is refused: renaming and moving are their own acts."""
    require_duty(actor, "units")
    code = code.strip().lower()
    if problem := _code_problem(code):
        raise problem
    if ctx.ledger.unit(code) is not None:
        raise field_problem("unit", f"单位代码：「{code}」已登记，如需改名或调整上级，请用改名、调整上级")
    await _line(ctx, actor, code, name, (parent or "").strip() or None, key)
    return UnitRow(code, name.strip(), parent or None, 0)


def _existing(ctx: Context, code: str) -> Any:
    found = ctx.ledger.unit(code)
    if found is None:
        raise Refused("not_found", unknown_unit(code), field="unit")
    return found


async def rename_unit(ctx: Context, actor: Actor, code: str, name: str, key: str | None = None) -> None:
    """A new name for a unit; its parent stays. A name that is the same is refused (it would change nothing)."""
    require_duty(actor, "units")
    found = _existing(ctx, code)
    if name.strip() == found.name:
        raise field_problem("data.name", f"名称：与现在的名称「{found.name}」相同，没有修改")
    await _line(ctx, actor, code, name, found.parent, key)


async def move_unit(ctx: Context, actor: Actor, code: str, parent: str | None, key: str | None = None) -> None:
    """Put a unit under another parent (None: top level); its name stays. The ledger refuses a cycle."""
    require_duty(actor, "units")
    found = _existing(ctx, code)
    parent = (parent or "").strip() or None
    if parent == found.parent:
        where = f"「{parent}」" if parent else "顶级"
        raise field_problem("data.parent", f"上级单位：已经是{where}，没有修改")
    await _line(ctx, actor, code, found.name, parent, key)


def unit_history(ctx: Context, actor: Actor, code: str) -> list[UnitChange]:
    """Every event of a unit, oldest first: who registered it, each rename and move, when and by whom."""
    require_duty(actor, "units")
    _existing(ctx, code)
    out: list[UnitChange] = []
    was_name: str | None = None
    was_parent: str | None = None
    for e in ctx.ledger.events.get(unit_id(code)):
        event = type(e).__name__
        out.append(
            UnitChange(e.originator_version, e.timestamp, e.recorded_by, event, e.name, e.parent, was_name, was_parent)
        )
        was_name, was_parent = e.name, e.parent
    return out


# ---- the first start ----


@dataclass(frozen=True)
class SetupUser:
    username: str
    display_name: str
    role: str
    row: int | None = None  # the form's row (user{row}_…) the problems are shown beside; default: its place in the list


@dataclass(frozen=True)
class SetupResult:
    unit: str
    name: str  # the unit's name, as staff know it (the code is for files and the command line)
    passwords: list[tuple[str, str]]  # (username, one-time password) to hand over


async def first_setup(
    ctx: Context,
    actor: Actor,
    parent: tuple[str, str] | None,
    unit: tuple[str, str],
    people: list[SetupUser],
) -> SetupResult:
    """The first start's guided setup: the parent unit (optional), the unit, and the first users of the unit.
    Every problem of the form is reported at once; nothing is written until all of it is valid."""
    require_admin(actor)
    if has_units(ctx):
        raise Refused("conflict", "台账已经有单位了：请在「单位」页面管理单位")
    from domain.user import ROLES, USERNAME

    errors: list[dict[str, Any]] = []

    def problem(field: str, message: str) -> None:
        errors.append({"line": None, "field": field, "message": message})

    codes = []
    for prefix, pair in (("parent", parent), ("unit", unit)):
        if pair is None:
            continue
        code, name = pair[0].strip().lower(), pair[1].strip()
        if not UNIT_CODE.match(code):
            problem(f"{prefix}_code", "单位代码：1–64 位小写字母、数字或 -，以字母或数字开头（例如 weibin-ur）")
        if not name:
            problem(f"{prefix}_name", "单位名称：不能为空")
        codes.append(code)
    if len(codes) == 2 and codes[0] == codes[1]:
        problem("unit_code", "单位代码：不能与上级单位相同")
    for place, p in enumerate(people):
        i = place if p.row is None else p.row
        if not USERNAME.match(p.username):
            problem(f"user{i}_username", "用户名：2–32 位小写字母、数字或 _ . -，以字母或数字开头")
        elif ctx.ledger.user(p.username) is not None:
            problem(f"user{i}_username", f"用户名：「{p.username}」已存在")
        if p.role not in ROLES:
            problem(f"user{i}_role", "角色：请选择")
    seen: set[str] = set()
    for place, p in enumerate(people):
        if p.username in seen:
            problem(f"user{place if p.row is None else p.row}_username", "用户名：两位用户的用户名相同")
        seen.add(p.username)
    if errors:
        raise Refused("invalid", "；".join(e["message"] for e in errors), errors)
    unit_code = unit[0].strip().lower()
    parent_code = parent[0].strip().lower() if parent else None
    # The parent and the unit in one submission: both are registered or neither.
    pairs = [("parent", parent_code, parent[1], None)] if parent is not None and parent_code else []
    pairs.append(("unit", unit_code, unit[1], parent_code))
    lines = []
    for number, (_, code, name, above) in enumerate(pairs, start=1):
        data = {"name": name.strip(), **({"parent": above} if above else {})}
        lines.append((number, {"id": line_id(actor, None, None), "op": "unit", "unit": code, "data": data}))
    try:
        await import_lines(ctx, actor, lines)
    except Refused as e:  # the ledger's fields (unit, data.name) as the setup form's
        for err in e.errors:
            prefix = pairs[err["line"] - 1][0] if isinstance(err.get("line"), int) else "unit"
            names = {"unit": f"{prefix}_code", "data.name": f"{prefix}_name", "data.parent": "parent_code"}
            err["field"] = names.get(str(err.get("field")), f"{prefix}_code")
            err["line"] = None
        raise Refused("invalid", "；".join(x["message"] for x in e.errors), e.errors) from None
    passwords = [(p.username, create_user(ctx, actor, p.username, p.display_name, p.role, [unit_code])) for p in people]
    return SetupResult(unit_code, unit[1].strip(), passwords)

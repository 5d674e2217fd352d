"""What every page shares: templates, who is asking (session cookie), CSRF on forms, the unit picker."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from domain.access import DUTIES, WRITER_ROLES, may, may_audit
from domain.deadlines import LATE_ENTRY_DAYS
from domain.user import ROLES
from domain.validation import EARLIEST

from ..infra.evidence import MAX_BYTES, MAX_MB
from ..services.refusals import Refused, no_unit
from .auth import CSRF_FIELD, Caller, check_csrf, identify
from .server import Server

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
# The facts the pages print or check in the browser, from their one home (tests/domain/test_one_home.py).
templates.env.globals.update(
    evidence_mb=MAX_MB, evidence_bytes=MAX_BYTES, earliest=EARLIEST.isoformat(), late_days=LATE_ENTRY_DAYS
)

# What a redirect after a successful form says on the next page (?done=…): fixed texts, never user input.
NOTICES = {
    "recorded": "已记录。",
    "replayed": "此表单已提交过，未重复记录。",
    "step": "已记录步骤。",
    "corrected": "已更正。",
    "voided": "已作废。",
    "attached": "附件已上传。",
    "evidence_voided": "附件已作废。",
    "narrative": "已保存报告文字。",
    "letterhead": "已保存报告版头与附件。",
    "sealed": "已封存。",
    "password": "密码已修改。",
    "user": "已保存用户。",
    "unit_added": "已登记单位。",
    "unit_changed": "已保存单位的修改。",
    "token_revoked": "令牌已撤销。",
    "declared": "已保存指标声明。",
    "retired": "已撤销指标声明。",
}


def server_of(request: Request) -> Server:
    return request.app.state.server  # type: ignore[no-any-return]


def viewer(request: Request) -> Caller:
    """The signed-in user; not signed in (or a password still to change) → the login flow (see pages.to_login)."""
    caller = identify(server_of(request), request)
    if caller is None:
        raise Refused("unauthenticated", "未登录或登录已过期")
    if caller.user.must_change_password and request.url.path != "/password":
        raise Refused("unauthenticated", "请先修改初始密码")
    return caller


async def posted(request: Request) -> tuple[Caller, FormData]:
    """The caller of a form post, its CSRF token checked, and the form."""
    caller = viewer(request)
    form = await request.form()
    token = form.get(CSRF_FIELD)
    check_csrf(caller, request, token if isinstance(token, str) else None)
    return caller, form


def texts(form: FormData) -> dict[str, str]:
    """The text values of a form (first value of each name; files left out)."""
    return {k: v for k, v in form.items() if isinstance(v, str)}


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def local_time(value: Any, tz: str) -> str:
    """An instant (ISO text or datetime) as the ledger's local time, to the minute."""
    if not value:
        return "—"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime):
        return str(value)
    return moment.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def unit_labeller(server: Server) -> Any:
    """code → the unit's name for one page (each unit read once): staff read names, not codes."""

    @lru_cache(maxsize=256)
    def label(code: str) -> str:
        found = server.ledger.unit(code) if code else None
        return found.name if found is not None else code

    return label


def render(request: Request, caller: Caller | None, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    server = server_of(request)
    tz = server.settings.tz
    user = caller.user if caller else None
    done = request.query_params.get("done", "")
    base = {
        "me": user,
        "role_label": ROLES.get(user.role, user.role) if user else "",
        "csrf": caller.csrf if caller else "",
        "csrf_field": CSRF_FIELD,
        "is_admin": bool(user and user.role == "admin"),
        "is_auditor": bool(user and may_audit(user)),
        "duties": [d for d in DUTIES if may(user, d)] if user else [],  # r15: 三员分立 (domain/access.py)
        "may_enter": bool(user and user.role in WRITER_ROLES),
        "notice": NOTICES.get(done, ""),
        "when": lambda v: local_time(v, tz),
        "unit_label": unit_labeller(server),
        "path": request.url.path,
    }
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status)


Units = list[tuple[str, str, str | None]]


def pick_unit(server: Server, caller: Caller, requested: str | None, writable: bool = False) -> tuple[str, Units]:
    """The unit a page shows: the one asked for if the user may see it, else the user's own (first) unit."""
    units = server.units_for(caller.user)
    if writable:
        units = [u for u in units if server.may_write(caller.user, u[0])]
    codes = [u[0] for u in units]
    if requested:
        if requested in codes:
            return requested, units
        if server.ledger.unit(requested) is None:
            raise no_unit(requested)
        raise Refused("forbidden", f"无权{'录入' if writable else '查看'}单位「{requested}」的台账")
    if not codes:
        raise Refused("forbidden", "您没有可录入的单位" if writable else "您没有可查看的单位")
    own = next((c for c in caller.user.units if c in codes), None)
    roots = [c for c, _, parent in units if parent not in codes]
    return own or roots[0], units


def today(server: Server) -> Any:
    return server.ledger.today()

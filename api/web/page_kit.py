"""What every page shares: templates, who is asking (session cookie), CSRF on forms, the unit picker, the login
redirect and the error page, form keys and upload names, years, instants and figures as the pages show them."""

from __future__ import annotations

import secrets
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from domain.access import DUTIES, WRITER_ROLES, may, may_audit
from domain.catalogue import FIRST_YEAR, LAST_YEAR, YEARS_MESSAGE
from domain.deadlines import LATE_ENTRY_DAYS
from domain.user import ROLES
from domain.validation import EARLIEST, text_problem

from ..infra.evidence import MAX_BYTES, MAX_MB
from ..render import as_of_problem
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
    "policy": "已保存登录策略。",
    "second_factor_removed": "已取消该用户的两步验证。",
    "unlocked": "已解除该账号的锁定。",
    "personal": "已加密保存个人信息。",
}


def server_of(request: Request) -> Server:
    return request.app.state.server  # type: ignore[no-any-return]


def viewer(request: Request) -> Caller:
    """The signed-in user; not signed in (or a password still to change) → the login flow (see to_login)."""
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


# ---- the application's pages: static files, the login flow, the error page ----


def mount_static(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")


def to_login(request: Request) -> Response:
    """Where a page sends someone not (fully) signed in: the login page, or the password page first."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    caller = identify(server_of(request), request)
    if caller is not None and caller.user.must_change_password:
        return redirect(f"/password?next={quote(target)}")
    return redirect(f"/login?next={quote(target)}")


def error_page(request: Request, status: int, detail: str) -> Response:
    caller = identify(server_of(request), request)
    return render(request, caller, "error.html", status, status_code=status, detail=detail)


# ---- forms and uploads ----


def form_key() -> str:
    """A random key per form shown: a resubmission of the same form is the same line, recorded once."""
    return secrets.token_hex(12)


MAX_NAME_BYTES = 240  # the file is written under its name first (NAME_MAX is 255 bytes) and kept for downloads


def file_name_problem(name: str) -> str | None:
    """Why an uploaded file's name cannot be stored, or None (it names the temporary file and the download)."""
    if name in (".", ".."):
        return "文件：文件名无效，请改名后再上传"
    if problem := text_problem(name):
        return f"文件：文件名{problem}"
    if len(name.encode()) > MAX_NAME_BYTES:
        return f"文件：文件名过长（{len(name.encode())} 字节，最多 {MAX_NAME_BYTES} 字节），请改名后再上传"
    return None


# ---- years, instants and figures as the pages show them ----


def years(server: Any) -> list[int]:
    this = server.ledger.today().year
    return list(range(this, max(this - 10, FIRST_YEAR) - 1, -1))


def parse_as_of(text: str | None, tz: str) -> tuple[datetime | None, str]:
    """A datetime-local value (ledger time) as an instant, or an error message."""
    if not text:
        return None, ""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None, f"时点：无法识别「{text[:30]}」，请用日期时间选择器"
    if problem := as_of_problem(moment):
        return None, problem
    return (moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(tz))), ""


def check_year(year: int) -> None:
    """Every page that takes a year: the years a report covers (a year beyond them overflows the queries)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        message = YEARS_MESSAGE
        raise Refused("invalid", message, [{"line": None, "field": "year", "message": message}])


def fmt(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):  # money (DOMAIN.md §7.1): an exact 2-decimal string
        whole, _, cents = value.partition(".")
        return f"{int(whole):,}.{cents}"
    return f"{value:.2f}%" if unit == "%" else f"{value:,}"

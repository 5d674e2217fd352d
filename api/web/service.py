"""What the JSON API and the web pages both do, with the access checks: write lines, read reports, manage users.

Routes and pages stay thin: they turn HTTP into these calls and a `Refused` into a response.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from domain.access import may_audit
from domain.catalogue import KINDS
from domain.errors import DomainError
from domain.ledger import Submission, Written
from domain.user import USERNAME, User
from domain.validation import text_problem
from projections.deadlines import open_deadlines
from projections.listing import Page, search
from projections.report import UnknownUnit

from ..audit_service import Verification, make_seal, verify_log
from ..render import EVENT_LABELS, history_rows
from .auth import Caller, check_password, hash_password, new_password, new_token, password_problem
from .server import Server

IDEMPOTENCY_KEY = r"^[\x21-\x7e]{1,80}$"


class Refused(Exception):
    """A request that cannot be done, and why: rendered as a Problem (API) or a message (pages)."""

    def __init__(
        self, status: int, detail: str, errors: list[dict[str, Any]] | None = None, current_version: int | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.current_version = current_version

    def body(self) -> dict[str, Any]:
        return {"detail": self.detail, "errors": self.errors, "current_version": self.current_version}


def invalid(e: DomainError) -> Refused:
    errors = [{"line": None, "field": fe.field, "message": fe.message} for fe in e.errors]
    return Refused(422, "；".join(fe.message for fe in e.errors), errors)


# ---- sign-in ----


async def sign_in(server: Server, client: str, username: str, password: str) -> User:
    """Check a password; repeated failures for a name or an address make the next try wait longer."""
    name = username.strip().lower()
    keys = (f"user:{name}", f"addr:{client}")
    wait = server.throttle.wait(*keys)
    if wait > 0:
        raise Refused(429, f"登录失败次数过多，请 {int(wait) + 1} 秒后再试")
    user = server.ledger.user(name) if name else None
    ok = await asyncio.to_thread(check_password, user, password)
    if not ok or user is None or user.disabled:
        server.throttle.failed(*keys)
        raise Refused(401, "用户名或密码不正确")
    server.throttle.succeeded(*keys)
    return user


def change_own_password(server: Server, caller: Caller, current: str, new: str) -> None:
    if not check_password(caller.user, current):
        raise Refused(422, "当前密码不正确", [{"line": None, "field": "current", "message": "当前密码：不正确"}])
    problem = password_problem(new, caller.name)
    if problem:
        raise Refused(422, problem, [{"line": None, "field": "new", "message": problem}])
    server.ledger.set_password(caller.name, hash_password(new), False, caller.name)
    server.forget()


# ---- access ----


def require_read(server: Server, caller: Caller, unit: str) -> None:
    if server.ledger.unit(unit) is None:
        raise Refused(404, f"单位「{unit}」不存在")
    if not server.may_read(caller.user, unit):
        raise Refused(403, f"无权查看单位「{unit}」的台账")


def require_write(server: Server, caller: Caller, unit: str) -> None:
    if not server.may_write(caller.user, unit):
        raise Refused(403, f"无权在单位「{unit}」的台账中录入")


def require_admin(caller: Caller) -> None:
    if caller.user.role != "admin":
        raise Refused(403, "只有管理员可以这样做")


def require_auditor(caller: Caller) -> None:
    if not may_audit(caller.user):
        raise Refused(403, "只有审计人员和管理员可以查看核验结果")


# ---- writes ----


def reserved_id(server: Server, caller: Caller, lid: Any) -> str | None:
    """`name:key` is the id of user `name`'s write with Idempotency-Key `key`: nobody else may take it (their
    line would make that user's write a clash, or answer it as a replay of someone else's)."""
    if not isinstance(lid, str) or ":" not in lid:
        return None
    owner = lid.split(":", 1)[0]
    if owner == caller.name or not USERNAME.match(owner) or server.user(owner) is None:
        return None
    return f"行编号：「{owner}:」开头的编号留给该用户的幂等键（Idempotency-Key）使用，请换一个编号"


def line_id(caller: Caller, given: str | None, idempotency_key: str | None) -> str:
    """The line's id: the one given, else one derived from the caller's Idempotency-Key (so a retry is the
    same line and is never applied twice), else a new one."""
    if given:
        return given
    if idempotency_key:
        return f"{caller.name}:{idempotency_key}"
    return f"web-{uuid4().hex}"


async def write(
    server: Server, caller: Caller, op: str, body: dict[str, Any], idempotency_key: str | None, if_match: int | None
) -> tuple[dict[str, Any], bool]:
    """Write one line; returns what was written and whether this was a replay of an earlier identical request."""
    unit = body.get("unit", "")
    if op == "unit":
        require_admin(caller)
    else:
        require_write(server, caller, unit)
    lid = line_id(caller, body.pop("id", None), idempotency_key)
    if problem := reserved_id(server, caller, lid):
        raise Refused(422, problem, [{"line": None, "field": "id", "message": problem}])
    raw = {"id": lid, "op": op, **body}
    expected = {lid: if_match} if if_match is not None and op in ("step", "correct", "void") else {}
    outcome = await server.committer.submit(Submission([(1, raw)], caller.name, expected, refuse_unchanged=True))
    if op == "unit":
        server.forget()
    if outcome.errors:
        errors = [{"line": None, "field": e.field, "message": e.message} for e in outcome.errors]
        detail = "；".join(e.message for e in outcome.errors)
        raise Refused(409 if outcome.conflict is not None else 422, detail, errors, outcome.conflict)
    ref = body.get("ref") if op != "unit" else None
    written: Written | None = outcome.written.get(lid) or server.ledger.written(lid, unit, ref)
    assert written is not None, "an applied or skipped line has an event"
    result = {
        "id": lid,
        "unit": unit,
        "ref": ref,
        "version": written.version,
        "recorded_at": written.recorded_at,
        "recorded_by": caller.name,
    }
    return result, outcome.skipped > 0


async def import_lines(server: Server, caller: Caller, lines: list[tuple[int, Any]]) -> dict[str, int]:
    """A whole JSON Lines file, all-or-nothing, every line checked against the caller's access first."""
    errors = []
    for number, raw in lines:
        if not isinstance(raw, dict):
            continue  # the ledger names the problem
        if raw.get("by") not in (None, caller.name):
            errors.append({"line": number, "field": "by", "message": "录入人：由登录用户决定，不能代他人录入"})
        if problem := reserved_id(server, caller, raw.get("id")):
            errors.append({"line": number, "field": "id", "message": problem})
        unit = raw.get("unit")
        if not isinstance(unit, str) or text_problem(unit):
            continue  # the ledger names the problem (a lone surrogate could not even be sent back in a message)
        if raw.get("op") == "unit" and caller.user.role != "admin":
            errors.append({"line": number, "field": "op", "message": "操作：只有管理员可以登记单位"})
        elif raw.get("op") != "unit" and not server.may_write(caller.user, unit):
            errors.append({"line": number, "field": "unit", "message": f"单位：无权在「{unit}」的台账中录入"})
    if errors:
        status = 422 if all(e["field"] in ("by", "id") for e in errors) else 403
        raise Refused(status, "导入被拒绝，未导入任何内容", errors)
    outcome = await server.committer.submit(Submission(lines, caller.name))
    server.forget()
    if outcome.errors:
        problems = [{"line": e.line, "field": e.field, "message": e.message} for e in outcome.errors]
        raise Refused(422, f"共 {len(problems)} 处错误，未导入任何内容", problems)
    return {"applied": outcome.applied, "skipped": outcome.skipped}


# ---- reads ----


def activity(server: Server, caller: Caller, unit: str, ref: str) -> dict[str, Any]:
    require_read(server, caller, unit)
    found = server.ledger.activity(unit, ref)
    if found is None:
        raise Refused(404, f"单位「{unit}」没有编号为「{ref}」的活动")
    return {
        "unit": found.unit,
        "ref": found.ref,
        "kind": found.kind,
        "kind_label": KINDS[found.kind].label,
        "date": found.date.isoformat(),
        "data": found.data,
        "voided": found.voided,
        "version": found.version,
        "steps": [
            {"id": s.id, "step": s.name, "date": s.date.isoformat(), "data": s.data, "voided": s.voided}
            for s in found.steps.values()
        ],
        "evidence": [dict(v, sha256=k) for k, v in found.evidence.items()],
    }


def history(server: Server, caller: Caller, unit: str, ref: str) -> list[dict[str, Any]]:
    require_read(server, caller, unit)
    events = server.ledger.history(unit, ref)
    if not events:
        raise Refused(404, f"单位「{unit}」没有编号为「{ref}」的活动")
    rows = history_rows(events)
    for row in rows:
        row["event_label"] = EVENT_LABELS.get(row["event"], row["event"])
        if row.get("date") is not None:
            row["date"] = str(row["date"])
    return rows


def report(server: Server, caller: Caller, unit: str, year: int, as_of: datetime | None) -> dict[str, Any]:
    require_read(server, caller, unit)
    try:
        return server.read(lambda m: m.report(unit, year, as_of))
    except UnknownUnit:
        raise Refused(404, f"单位「{unit}」不存在") from None


def explain(
    server: Server, caller: Caller, figure: str, unit: str, year: int, as_of: datetime | None
) -> list[dict[str, Any]]:
    from projections.figures import BY_ID

    require_read(server, caller, unit)
    if figure not in BY_ID:
        raise Refused(404, f"没有指标「{figure}」")
    try:
        return server.read(lambda m: m.explain(figure, unit, year, as_of))
    except UnknownUnit:
        raise Refused(404, f"单位「{unit}」不存在") from None


def listing(
    server: Server,
    caller: Caller,
    unit: str,
    year: int | None,
    kind: str | None,
    text: str | None,
    page: int,
    size: int,
) -> Page:
    require_read(server, caller, unit)
    if kind and kind not in KINDS:
        raise Refused(422, f"类别：没有「{kind}」这一类", [{"line": None, "field": "kind", "message": "类别：未知"}])
    return server.read(lambda m: search(m.con, unit, year, kind, text, page, size))


def deadlines(server: Server, caller: Caller, unit: str, within: int = 14) -> list[dict[str, Any]]:
    require_read(server, caller, unit)
    _, found = server.read(lambda m: open_deadlines(m.con, unit, None, server.settings.tz, within))
    return [d.to_json() for d in found]


# ---- audit ----


def seals(server: Server, caller: Caller) -> list[dict[str, Any]]:
    require_auditor(caller)
    return [
        {
            "seal": str(s.id),
            "unit": s.unit,
            "year": s.year,
            "as_of": s.as_of,
            "size": s.size,
            "root": s.root,
            "signature": s.signature,
            "public_key": s.public_key,
            "recorded_by": getattr(s, "recorded_by", None),
        }
        for s in server.ledger.seals()
        if server.may_read(caller.user, s.unit)
    ]


def seal(server: Server, caller: Caller, unit: str, year: int) -> dict[str, Any]:
    require_admin(caller)
    require_read(server, caller, unit)
    try:
        return server.read(lambda m: make_seal(server.settings, server.ledger, m, unit, year, caller.name))
    except DomainError as e:
        raise invalid(e) from None


def verify(server: Server, caller: Caller) -> Verification:
    require_auditor(caller)
    return server.read(lambda m: verify_log(server.settings, server.ledger, m, project=False))


# ---- users ----


def user_json(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "units": user.units,
        "disabled": user.disabled,
    }


def create_user(server: Server, caller: Caller, username: str, display_name: str, role: str, units: list[str]) -> str:
    """Register a user with a one-time password (returned, to hand over; it must be changed at first login)."""
    require_admin(caller)
    password = new_password()
    try:
        server.ledger.register_user(username, display_name, role, units, hash_password(password), caller.name)
    except DomainError as e:
        raise invalid(e) from None
    server.forget()
    return password


def change_user(server: Server, caller: Caller, username: str, changes: dict[str, Any]) -> User:
    require_admin(caller)
    user = server.ledger.user(username)
    if user is None:
        raise Refused(404, f"没有用户「{username}」")
    try:
        changed = server.ledger.change_access(
            username,
            changes.get("role") or user.role,
            changes["units"] if changes.get("units") is not None else user.units,
            changes.get("display_name") or user.display_name,
            changes["disabled"] if changes.get("disabled") is not None else user.disabled,
            caller.name,
        )
    except DomainError as e:
        raise invalid(e) from None
    server.forget()
    return changed


def reset_password(server: Server, caller: Caller, username: str) -> str:
    require_admin(caller)
    if server.ledger.user(username) is None:
        raise Refused(404, f"没有用户「{username}」")
    password = new_password()
    server.ledger.set_password(username, hash_password(password), True, caller.name)
    server.forget()
    return password


def issue_token(server: Server, caller: Caller, label: str) -> tuple[str, str]:
    """A new bearer token and when it expires (TAIZHANG_TOKEN_DAYS from now)."""
    token, digest = new_token(caller.name)
    expires_at = token_expiry(server.settings.token_days)
    server.ledger.issue_token(caller.name, digest, label, caller.name, expires_at)
    server.forget()
    return token, expires_at


def token_expiry(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


# ---- for the web pages ----


def narratives(server: Server, caller: Caller, unit: str, year: int) -> dict[str, str]:
    require_read(server, caller, unit)
    return server.ledger.narratives(unit, year)


def write_narrative(server: Server, caller: Caller, unit: str, year: int, section: str, text: str) -> None:
    """Record (or rewrite, keeping the old text in its history) one section of the year's report text."""
    require_read(server, caller, unit)
    require_write(server, caller, unit)
    try:
        server.ledger.write_narrative(unit, year, section, text, caller.name)
    except DomainError as e:
        raise invalid(e) from None


def attach_evidence(
    server: Server, caller: Caller, unit: str, ref: str, path: Path, step_id: str | None
) -> dict[str, Any]:
    """Store an uploaded file (type and 20 MB limit checked) and attach it to the activity or one of its steps."""
    require_read(server, caller, unit)
    require_write(server, caller, unit)
    try:
        evidence = server.evidence.put(path)
        server.ledger.attach(unit, ref, evidence, step_id or None, caller.name)
    except DomainError as e:
        raise invalid(e) from None
    return {"sha256": evidence.sha256, "name": evidence.name, "size": evidence.size}


def evidence_file(server: Server, caller: Caller, unit: str, ref: str, sha256: str) -> tuple[Path, str, str]:
    """The stored file of one of the activity's attachments: (path, file name, media type)."""
    found = activity(server, caller, unit, ref)
    item = next((e for e in found["evidence"] if e["sha256"] == sha256), None)
    path = server.evidence.path(sha256)
    if item is None or not path.exists():
        raise Refused(404, "没有这个附件")
    return path, str(item.get("name") or sha256), str(item.get("media_type") or "application/octet-stream")


def trends(server: Server, caller: Caller, unit: str, year: int, as_of: datetime | None) -> dict[str, list[int]]:
    """figure id -> its 12 monthly values for the unit and its descendants."""
    from projections.report import scope
    from projections.trends import monthly

    require_read(server, caller, unit)
    tz = server.settings.tz
    return server.read(lambda m: monthly(m.con, scope(m.con, unit, as_of).units, year, as_of, tz))


def recent(server: Server, caller: Caller, unit: str, limit: int = 10) -> list[dict[str, Any]]:
    from projections.trail import recent as recent_rows

    require_read(server, caller, unit)
    return server.read(lambda m: recent_rows(m.con, unit, limit))


def audit_trail(server: Server, caller: Caller, unit: str, year: int | None) -> dict[str, list[dict[str, Any]]]:
    """Late entries and corrections/voids of the unit and its descendants (auditors and admins)."""
    from projections.trail import amendments, late_entries

    require_auditor(caller)
    require_read(server, caller, unit)
    tz = server.settings.tz
    return server.read(
        lambda m: {"late": late_entries(m.con, unit, year, tz), "amendments": amendments(m.con, unit, year)}
    )


def document(server: Server, caller: Caller, unit: str, year: int, as_of: datetime | None, fmt: str, out: Path) -> None:
    """The year's report draft (.docx) or ledger workbook (.xlsx), written to `out`."""
    from ..documents import write_report

    data = report(server, caller, unit, year, as_of)
    texts = server.ledger.narratives(unit, year)
    server.read(lambda m: write_report(m, data, fmt, out, as_of, False, texts))


# ---- imports from the web page (a JSON Lines file or a filled-in template workbook) ----

IMPORT_SUFFIXES = (".jsonl", ".xlsx")


def _where_lines(lines: list[tuple[int, Any]]) -> dict[int, str]:
    return {n: f"第 {n} 行" for n, _ in lines}


def jsonl_file_lines(path: Path) -> tuple[list[tuple[int, Any]], dict[int, str]]:
    """A JSON Lines file as numbered lines (the command line's reader), and where each came from."""
    from ..cli import read_lines

    try:
        with path.open(encoding="utf-8-sig") as stream:
            lines, errors = read_lines(stream)
    except UnicodeDecodeError:
        message = "文件：不是 UTF-8 编码的文本"
        raise Refused(422, message, [{"line": None, "field": "file", "message": message}]) from None
    if errors:
        problems = [{"line": e.line, "field": e.field, "message": e.message} for e in errors]
        raise Refused(422, f"共 {len(problems)} 处错误，未导入任何内容", problems)
    return lines, _where_lines(lines)


def workbook_lines(server: Server, caller: Caller, path: Path) -> tuple[list[tuple[int, Any]], dict[int, str]]:
    """A filled-in import template as interchange lines and the `sheet!row` of each (as `taizhang import`)."""
    from zipfile import BadZipFile

    from openpyxl.utils.exceptions import InvalidFileException

    from ..documents.xlsx_import import read_workbook

    def kind_of(unit: str, ref: str) -> str | None:
        """The kind of an existing activity (a step row's fields depend on it), only in units the caller reads."""
        if server.ledger.unit(unit) is None or not server.may_read(caller.user, unit):
            return None
        found = server.ledger.activity(unit, ref)
        return found.kind if found is not None else None

    try:
        return read_workbook(path, kind_of)
    except (OSError, ValueError, KeyError, BadZipFile, InvalidFileException) as e:
        message = f"文件：无法读取 Excel 工作簿（{type(e).__name__}）"
        raise Refused(422, message, [{"line": None, "field": "file", "message": message}]) from None


async def import_file(server: Server, caller: Caller, path: Path, filename: str) -> dict[str, int]:
    """An uploaded .jsonl or .xlsx, all-or-nothing through `import_lines`; every error carries `where`
    (第 N 行 for JSON Lines, `sheet!row` for a workbook)."""
    suffix = Path(filename).suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        message = f"文件：只接受 JSON Lines（.jsonl）或导入模板（.xlsx），收到「{filename[:60]}」"
        raise Refused(422, message, [{"line": None, "field": "file", "message": message}])
    where: dict[int, str] = {}
    try:
        if suffix == ".xlsx":
            lines, where = await asyncio.to_thread(workbook_lines, server, caller, path)
        else:
            lines, where = await asyncio.to_thread(jsonl_file_lines, path)
        if not lines:
            message = "文件：没有任何一行" if suffix == ".jsonl" else "文件：工作簿里没有填写任何一行"
            raise Refused(422, "文件是空的", [{"line": None, "field": "file", "message": message}])
        return await import_lines(server, caller, lines)
    except Refused as e:
        for err in e.errors:
            line = err.get("line")
            err["where"] = where.get(line, f"第 {line} 行") if isinstance(line, int) else "文件"
        raise


def import_template(out: Path) -> None:
    """The import template workbook (as `taizhang template`), written to `out`."""
    from ..documents.xlsx_import import template

    template().save(str(out))


# ---- the caller's own bearer tokens ----


def my_tokens(server: Server, caller: Caller) -> list[tuple[str, str, datetime]]:
    """(sha256, label, expiry) of each of the caller's tokens, by label."""
    user = server.ledger.user(caller.name)
    if user is None:
        return []
    found = [(d, label, datetime.fromisoformat(user.token_expiry[d])) for d, label in user.tokens.items()]
    return sorted(found, key=lambda t: (t[1], t[0]))


def revoke_own_token(server: Server, caller: Caller, token_sha256: str) -> None:
    """Revoke one of the caller's own tokens (never another user's): scripts using it are refused at once."""
    user = server.ledger.user(caller.name)
    if user is None or token_sha256 not in user.tokens:
        raise Refused(404, "没有这个令牌（可能已被撤销）")
    try:
        server.ledger.revoke_token(caller.name, token_sha256, caller.name)
    except DomainError as e:
        raise invalid(e) from None
    server.forget()


# ---- voiding evidence ----


def remove_evidence(server: Server, caller: Caller, unit: str, ref: str, sha256: str, reason: str) -> None:
    """Void one of an activity's attachments with a reason: it leaves the list and stays in the history."""
    require_read(server, caller, unit)
    require_write(server, caller, unit)
    try:
        server.ledger.remove_evidence(unit, ref, sha256, reason.strip(), caller.name)
    except DomainError as e:
        raise invalid(e) from None

"""The JSON API under /api: one POST per interchange op, JSON Lines import, reports, history, audit, users."""

# No `from __future__ import annotations` here: the op routes are built in a loop, and FastAPI must see
# their body model as an object, not as the name of a local variable.

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query, Request, Response
from fastapi import Path as FPath
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from domain.catalogue import FIRST_YEAR, LAST_YEAR
from domain.errors import DomainError
from domain.validation import raw_problems

from ..render import as_of_problem
from ..services import access, audit, reads, writes
from ..services import users as users_service
from ..services.refusals import Refused, invalid
from ..services.verification import VerificationJob
from . import schemas
from .auth import Caller, check_csrf, end_session, identify, session_cookie, set_session
from .context import context
from .server import Server

PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"model": schemas.Problem, "description": text}
    for status, text in {
        401: "Not signed in",
        403: "Not allowed for this user or unit",
        404: "No such unit, activity or figure",
        409: "Version conflict (If-Match)",
        413: "Body too large",
        422: "Invalid input: every field at fault",
        429: "Too many failed sign-ins",
    }.items()
}

router = APIRouter(prefix="/api", responses=PROBLEMS)


# Dependencies are `async def`: FastAPI would run plain functions in its thread pool, a cost on every request.
async def get_server(request: Request) -> Server:
    return request.app.state.server  # type: ignore[no-any-return]


# What a session signed in with a one-time password may do: see who it is, change the password, sign out.
ONE_TIME_ALLOWED = ("/api/me", "/api/me/password")


async def get_caller(request: Request) -> Caller:
    caller = identify(request.app.state.server, request)
    if caller is None:
        raise Refused("unauthenticated", "未登录或登录已过期")
    if caller.via == "session" and caller.user.must_change_password and request.url.path not in ONE_TIME_ALLOWED:
        # The password an admin handed over is known to two people until it is changed (as the pages do).
        raise Refused("forbidden", "须先修改一次性密码（POST /api/me/password），然后才能使用其他功能")
    return caller


async def writer(request: Request, caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
    check_csrf(caller, request)
    return caller


ServerDep = Annotated[Server, Depends(get_server)]
CallerDep = Annotated[Caller, Depends(get_caller)]
WriterDep = Annotated[Caller, Depends(writer)]
AsOf = Annotated[datetime | None, Query(description="ISO-8601 instant: only events recorded by then count.")]
IdemKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=writes.IDEMPOTENCY_KEY,
        description="A retried POST with the same key returns the first response and never writes twice.",
    ),
]
IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", pattern=r'^(W/)?"?\d{1,9}"?$', description="The activity version you saw."),
]


def _version(if_match: str | None) -> int | None:
    return int(if_match.removeprefix("W/").strip('"')) if if_match else None


def _as_of(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if problem := as_of_problem(value):
        raise Refused("invalid", problem, [{"line": None, "field": "as_of", "message": problem}])
    return value if value.tzinfo else value.astimezone()


# ---- sign-in ----


@router.post("/session", response_model=schemas.Me, tags=["session"])
async def login(request: Request, body: schemas.LoginRequest, server: ServerDep) -> JSONResponse:
    """Sign in with a password: sets the session cookie and returns the CSRF token to send as X-CSRF-Token."""
    client = request.client.host if request.client else "-"
    # (r15: the second factor, when the user has one or the policy requires it)
    caller = await users_service.sign_in(
        context(server), server.throttle, client, body.username, body.password, body.code
    )
    value, csrf = session_cookie(server, caller)
    response = JSONResponse(me_json(caller, csrf))
    set_session(response, request, value)
    return response


def me_json(user: Any, csrf: str | None) -> dict[str, Any]:
    return {
        **users_service.user_json(user),
        "csrf_token": csrf,
        "must_change_password": user.must_change_password,
    }


@router.delete("/session", status_code=204, tags=["session"])
def logout(request: Request, server: ServerDep) -> Response:
    """Sign out: this session's cookie stops working everywhere, not only in this browser."""
    end_session(server, request)
    response = Response(status_code=204)
    response.delete_cookie("taizhang_session", path="/")
    return response


@router.get("/me", response_model=schemas.Me, tags=["session"])
def me(caller: CallerDep) -> dict[str, Any]:
    return me_json(caller.user, caller.csrf)


@router.post("/me/tokens", response_model=schemas.TokenOut, status_code=201, tags=["session"])
def create_token(body: schemas.TokenRequest, caller: WriterDep, server: ServerDep) -> dict[str, Any]:
    """A bearer token for scripts, shown once: `Authorization: Bearer <token>`; it stops working at `expires_at`."""
    token, expires_at = users_service.issue_token(context(server), caller.user, body.label)
    return {"token": token, "label": body.label, "expires_at": expires_at}


@router.post("/me/password", status_code=204, tags=["session"])
def change_password(body: schemas.PasswordChange, caller: WriterDep, server: ServerDep) -> Response:
    """Change your own password (required after a one-time password); other sessions end."""
    users_service.change_own_password(context(server), caller.user, body.current, body.new)
    return Response(status_code=204)


# ---- writes: one POST per interchange op ----


def _op_route(path: str, op: str, model: type[BaseModel]) -> None:
    async def post(
        request: Request,
        response: Response,
        caller: WriterDep,
        server: ServerDep,
        body: Annotated[model, Body()],  # type: ignore[valid-type]
        idempotency_key: IdemKey = None,
        if_match: IfMatch = None,
    ) -> dict[str, Any]:
        # The JSON encoding of the body turns NaN and Infinity into null (which in a correction clears a stored
        # value): the domain's rule on numbers is checked on the body as parsed, before that can happen.
        parsed = body.model_dump(exclude_unset=True, warnings=False)  # type: ignore[attr-defined]
        if problems := raw_problems(parsed):
            raise invalid(DomainError(*problems))
        raw = body.model_dump(mode="json", exclude_unset=True, warnings=False)  # type: ignore[attr-defined]
        late_reason = raw.pop("late_reason", None)  # a parameter of the write, not a field of the line (§4)
        written, replayed = await writes.write(
            context(server), caller.user, op, raw, idempotency_key, _version(if_match), late_reason
        )
        response.headers["ETag"] = f'"{written["version"]}"'
        if replayed:
            response.headers["Idempotent-Replayed"] = "true"
        return written

    post.__name__ = f"post_{path}"
    post.__doc__ = model.__doc__
    router.add_api_route(
        f"/{path}", post, methods=["POST"], status_code=201, response_model=schemas.Written, tags=["write"]
    )


for _path, (_op, _model) in schemas.OPS.items():
    _op_route(_path, _op, _model)


@router.post(
    "/import",
    response_model=schemas.ImportResult,
    tags=["write"],
    openapi_extra={
        "requestBody": {"content": {"application/x-ndjson": {"schema": {"type": "string"}}}, "required": True}
    },
)
async def import_jsonl(
    request: Request,
    caller: WriterDep,
    server: ServerDep,
    late_reason: Annotated[
        str | None, Query(max_length=2000, description="报后更正: why lines change a year whose report is approved.")
    ] = None,
) -> dict[str, int]:
    """A JSON Lines file (DOMAIN.md §4), applied all-or-nothing; every error listed as line, field, message."""
    # UTF-8 (with or without BOM), UTF-16 with BOM or GB18030/GBK; other bytes are kept as lone surrogates (not
    # replaced by U+FFFD and stored): the ledger refuses them naming the line and field, as on the command line.
    found = writes.jsonl_read(await request.body())
    if not found.lines and not found.broken:
        raise Refused("invalid", "文件是空的", [{"line": None, "field": "body", "message": "内容：没有任何一行"}])
    ctx = context(server)
    return (await writes.import_lines(ctx, caller.user, found.lines, found.broken, late_reason=late_reason)).to_json()


# ---- reads ----


@router.get("/units", response_model=list[schemas.UnitOut], tags=["read"])
def units(caller: CallerDep, server: ServerDep) -> list[dict[str, Any]]:
    return [{"code": c, "name": n, "parent": p} for c, n, p in server.units_for(caller.user)]


@router.get("/activity", response_model=schemas.ActivityOut, tags=["read"])
def activity(unit: str, ref: str, response: Response, caller: CallerDep, server: ServerDep) -> dict[str, Any]:
    """One activity as it stands now; its ETag is the version to send as If-Match."""
    found = reads.activity(context(server), caller.user, unit, ref)
    response.headers["ETag"] = f'"{found["version"]}"'
    return found


@router.get("/history", response_model=list[schemas.HistoryEntry], tags=["read"])
def history(unit: str, ref: str, caller: CallerDep, server: ServerDep) -> list[dict[str, Any]]:
    """Every event of one activity: when, by whom, what changed (old → new), why."""
    return reads.labelled_history(context(server), caller.user, unit, ref)


@router.get("/activities", tags=["read"])
def activities(
    unit: str,
    caller: CallerDep,
    server: ServerDep,
    year: Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)] = None,
    kind: str | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """The ledger list: the unit's and its descendants' activities, newest first."""
    found = reads.listing(context(server), caller.user, unit, year, kind, q, page, size)
    return {"total": found.total, "page": found.page, "size": found.size, "pages": found.pages, "rows": found.rows}


@router.get("/reports/{unit}/{year}", response_model=schemas.ReportOut, tags=["read"])
def report(
    unit: str,
    year: Annotated[int, FPath(ge=FIRST_YEAR, le=LAST_YEAR)],
    caller: CallerDep,
    server: ServerDep,
    as_of: AsOf = None,
) -> dict[str, Any]:
    """The year's figures (DOMAIN.md §5), with the previous year, sources, checks and the log's root."""
    return reads.report(context(server), caller.user, unit, year, _as_of(as_of)).to_json()


@router.get("/reports/{unit}/{year}/figures/{figure}", response_model=list[schemas.SourceOut], tags=["read"])
def explain(
    unit: str,
    year: Annotated[int, FPath(ge=FIRST_YEAR, le=LAST_YEAR)],
    figure: str,
    caller: CallerDep,
    server: ServerDep,
    as_of: AsOf = None,
) -> list[dict[str, Any]]:
    """The activities behind one figure, with what each contributes."""
    return reads.explain(context(server), caller.user, figure, unit, year, _as_of(as_of))


@router.get("/deadlines/{unit}", tags=["read"])
def deadlines(
    unit: str, caller: CallerDep, server: ServerDep, within: Annotated[int, Query(ge=0, le=365)] = 14
) -> list[dict[str, Any]]:
    """Statutory duties not yet discharged, with their due dates on the official calendar."""
    return [d.to_json() for d in reads.deadlines(context(server), caller.user, unit, within=within).items]


# ---- audit ----


@router.get("/seals", response_model=list[schemas.SealOut], tags=["audit"])
def seals(caller: CallerDep, server: ServerDep) -> list[dict[str, Any]]:
    return audit.seals(context(server), caller.user)


@router.post("/seals", response_model=schemas.SealOut, status_code=201, tags=["audit"])
def seal(body: schemas.SealRequest, caller: WriterDep, server: ServerDep) -> dict[str, Any]:
    """Freeze a year's figures with the log's Merkle root, signed with the unit's key (admins)."""
    return audit.seal(context(server), caller.user, body.unit, body.year)


@router.get("/verify", response_model=schemas.VerifyOut, tags=["audit"])
def verify(caller: CallerDep, server: ServerDep) -> dict[str, Any]:
    """Recompute the Merkle log from the event store and check it, the seals and the evidence files."""
    found = audit.verify(context(server), caller.user)
    return _verification(found)


def _verification(found: audit.Verification) -> dict[str, Any]:
    return {
        "ok": found.ok,
        "size": found.size,
        "root": found.root,
        "seals": found.seals,
        "problems": found.problems,
        "suite": found.suite,
    }


def _job(job: VerificationJob) -> dict[str, Any]:
    state = "running" if job.running else ("failed" if job.error else "done")
    result = _verification(job.result) if job.result is not None else None
    return {
        "id": job.id,
        "state": state,
        "stage": job.stage,
        "percent": job.percent,
        "started_by": job.started_by,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "result": result,
        "error": job.error,
    }


@router.post("/verify/jobs", response_model=schemas.VerifyJobOut, status_code=202, tags=["audit"])
def start_verification(caller: WriterDep, server: ServerDep) -> dict[str, Any]:
    """Verify in the background (as GET /api/verify does), returning at once; follow it at its `id`. While one
    runs, starting another returns the running one."""
    return _job(server.verifications.start(context(server), caller.user))


@router.get("/verify/jobs/{job_id}", response_model=schemas.VerifyJobOut, tags=["audit"])
def verification(job_id: str, caller: CallerDep, server: ServerDep) -> dict[str, Any]:
    """A background verification's stage and progress, and its result once done."""
    return _job(server.verifications.get(context(server), caller.user, job_id))


# ---- users (admins) ----


@router.get("/users", response_model=list[schemas.UserOut], tags=["users"])
def users(caller: CallerDep, server: ServerDep) -> list[dict[str, Any]]:
    access.require_any_duty(caller.user, "users", "roles")  # r15: 三员分立 (domain/access.py DUTIES)
    return [users_service.user_json(u) for u in server.ledger.users()]


@router.post("/users", response_model=schemas.NewPassword, status_code=201, tags=["users"])
def create_user(body: schemas.UserCreate, caller: WriterDep, server: ServerDep) -> dict[str, Any]:
    """Register a user; the response carries a one-time password to hand over."""
    password = users_service.create_user(
        context(server), caller.user, body.username, body.display_name, body.role, body.units
    )
    return {"username": body.username, "password": password}


@router.patch("/users/{username}", response_model=schemas.UserOut, tags=["users"])
def change_user(username: str, body: schemas.UserChange, caller: WriterDep, server: ServerDep) -> dict[str, Any]:
    user = users_service.change_user(context(server), caller.user, username, body.model_dump(exclude_unset=True))
    return users_service.user_json(user)


@router.post("/users/{username}/password", response_model=schemas.NewPassword, status_code=201, tags=["users"])
def reset_password(username: str, caller: WriterDep, server: ServerDep) -> dict[str, Any]:
    """A new one-time password (the old one and every open session stop working)."""
    return {"username": username, "password": users_service.reset_password(context(server), caller.user, username)}

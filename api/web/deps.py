"""What every JSON route shares: the server and the caller as FastAPI dependencies, the write guard (CSRF for
sessions), the problem responses, and the query and header parameters several resources take (as-of, keys)."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request

from ..render import as_of_problem
from ..services import writes
from ..services.refusals import Refused
from . import schemas
from .auth import Caller, check_csrf, identify
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

"""The FastAPI application: the routers listed in routers.py (the JSON API by resource, the pages by URL family),
security headers, body limits and error shapes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.catalogue import LINE_LABELS
from domain.validation import text_problem
from projections.readmodel import ReadModelStale

from ..infra.settings import Settings
from ..services.refusals import Refused
from .page_kit import error_page, mount_static, to_login
from .refusals import status_of
from .server import Server

MAX_BODY = 25 * 1024 * 1024  # imports and evidence files (20 MB each) fit; nothing else comes close
MAX_JSON = 1024 * 1024

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
# Pages use only their own scripts and styles. /docs is Swagger UI served from the installed swagger-ui-bundle
# (no CDN: it works offline); Swagger UI sets inline styles on its elements, so its page allows those.
PAGE_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'"
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "frame-ancestors 'none'"
)


class BodyLimit:
    """413 before reading a body that says it is too large, or as soon as one turns out to be."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        is_json = headers.get(b"content-type", b"").startswith(b"application/json")
        limit = MAX_JSON if is_json else MAX_BODY
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(limit)(scope, receive, send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge(limit)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except _TooLarge as e:
            if not started:
                await _too_large(e.limit)(scope, receive, send)


class SecurityHeaders:
    """Headers every response carries (a plain ASGI middleware: Starlette's BaseHTTPMiddleware costs ~10%)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.common = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        csp = DOCS_CSP if path == "/docs" else PAGE_CSP
        api = path.startswith("/api")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                extra = [*self.common, (b"content-security-policy", csp.encode())]
                if api or b"set-cookie" in present:
                    extra.append((b"cache-control", b"no-store"))
                headers += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


class _TooLarge(Exception):
    def __init__(self, limit: int) -> None:
        self.limit = limit


def _too_large(limit: int) -> JSONResponse:
    detail = f"请求内容超过 {limit // (1024 * 1024)} MB 上限"
    return JSONResponse({"detail": detail, "errors": [], "current_version": None}, status_code=413)


def _validation_problem(exc: RequestValidationError) -> dict[str, Any]:
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body",)]
        where = ".".join(loc) or "body"
        message = f"{where}：{err.get('msg', '无效')}"
        if err.get("type") == "value_error" and loc:
            # The domain's own checks (dates, text that cannot be stored): its message, as on every other path.
            message = f"{LINE_LABELS.get(loc[-1], loc[-1])}：{(err.get('ctx') or {}).get('error', err.get('msg'))}"
        elif err.get("type") == "string_unicode" and loc and isinstance(err.get("input"), str):
            # A lone surrogate, refused by pydantic before the domain's rule sees it: the domain's words.
            message = f"{LINE_LABELS.get(loc[-1], loc[-1])}：{text_problem(err['input'])}"
        errors.append({"line": None, "field": where, "message": message})
    return {"detail": "；".join(e["message"] for e in errors) or "请求无效", "errors": errors, "current_version": None}


def _allowed(app: FastAPI, path: str) -> set[str]:
    """Every method some route serves at this path (Starlette names only the first matching route's)."""
    methods: set[str] = set()
    for route in app.router.routes:
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(path):
            methods |= set(getattr(route, "methods", None) or ())
    return methods


def create_app(settings: Settings | None = None, server: Server | None = None) -> FastAPI:
    """The application; tests pass their own server, `taizhang serve` builds one from the environment."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = server is None
        app.state.server = server or Server(settings or Settings.from_env())
        yield
        if own:
            app.state.server.close()

    app = FastAPI(
        title="台账 taizhang",
        summary="法治建设工作台账 — the rule-of-law work ledger",
        description="Record activities as immutable events; read the year's figures, their sources and the audit log.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served by api_docs.py from the installed assets, not a CDN
        redoc_url=None,
    )
    if server is not None:
        app.state.server = server

    from . import api_docs, consistency, page_access_log, routers, session_idle

    for router, in_schema in routers.ROUTERS:
        app.include_router(router, include_in_schema=in_schema)
    api_docs.mount(app)
    mount_static(app)

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> Response:
        if not request.url.path.startswith("/api") and status_of(exc) in (401,):
            return to_login(request)
        headers = {"WWW-Authenticate": "Bearer"} if status_of(exc) == 401 else None
        if status_of(exc) == 429:
            headers = {"Retry-After": "".join(c for c in exc.detail if c.isdigit()) or "1"}
        if not request.url.path.startswith("/api"):
            return error_page(request, status_of(exc), exc.detail)
        return JSONResponse(exc.body(), status_code=status_of(exc), headers=headers)

    @app.exception_handler(ReadModelStale)
    async def stale(request: Request, exc: ReadModelStale) -> Response:
        # Never old figures as if current: 503 until the fold succeeds (each read retries it).
        if not request.url.path.startswith("/api"):
            return error_page(request, 503, str(exc))
        body = {"detail": str(exc), "errors": [], "current_version": None}
        return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return JSONResponse(_validation_problem(exc), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        body = {"detail": str(exc.detail), "errors": [], "current_version": None}
        headers = getattr(exc, "headers", None)
        if exc.status_code == 400:  # a body that is not JSON at all: bad input like any other
            message = "请求内容：不是有效的 JSON"
            body = {"detail": message, "errors": [{"line": None, "field": "body", "message": message}]}
            return JSONResponse({**body, "current_version": None}, status_code=422)
        if exc.status_code == 405:
            headers = {"Allow": ", ".join(sorted(_allowed(app, request.url.path)))}
        elif not request.url.path.startswith("/api"):
            return error_page(request, exc.status_code, str(exc.detail))
        return JSONResponse(body, status_code=exc.status_code, headers=headers)

    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(page_access_log.ClientAddress)  # who is recorded where, for the access log
    app.add_middleware(session_idle.IdleSessions)  # the idle-session timeout (TAIZHANG_IDLE_MINUTES)
    app.add_middleware(consistency.ReadYourWrites)  # outermost: every request's caller, for its reads and writes
    return app

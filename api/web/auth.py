"""Who is asking: browser sessions (signed cookies + CSRF token) and bearer tokens for scripts.

Passwords, token minting and the session secret are in `api/infra/passwords.py`."""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import HTTPException, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from domain.user import User

from ..infra.passwords import token_digest, token_username
from .server import Server, asked_by

SESSION_COOKIE = "taizhang_session"
SESSION_SECONDS = 12 * 3600
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class Caller:
    user: User
    csrf: str | None  # the session's CSRF token; None for bearer tokens (no cookie, so no cross-site forgery)
    via: str  # "session" | "token"
    session: str | None = None  # the session's id (what sign-out ends)

    @property
    def name(self) -> str:
        return self.user.username


def _serializer(server: Server) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(server.secret, salt="taizhang.session")


def session_cookie(server: Server, user: User) -> tuple[str, str]:
    """The signed cookie value and its CSRF token."""
    csrf = secrets.token_urlsafe(24)
    session = secrets.token_urlsafe(12)
    value = _serializer(server).dumps(
        {"u": user.username, "v": user.password_version, "c": csrf, "s": session, "t": int(time.time())}
    )
    return value, csrf


def idle_seconds(server: Server) -> int:
    """r15: a session unused this long is over (TAIZHANG_IDLE_MINUTES; the cookie's signature time is its last
    use, renewed by api/web/session_idle.py), and none lasts past SESSION_SECONDS from sign-in ("t")."""
    return min(SESSION_SECONDS, server.settings.idle_minutes * 60)


def set_session(response: Any, request: Request, value: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def identify(server: Server, request: Request) -> Caller | None:
    """The caller from a bearer token or a session cookie, or None (no or invalid credentials)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
        username = token_username(token)
        if username is None:
            return None
        user = server.user(username)
        digest = token_digest(token)
        if user is None or user.disabled:
            return None
        found = next((t for t in user.tokens if hmac.compare_digest(digest, t)), None)
        if found is None or _expired(user.token_expiry.get(found)):
            return None
        asked_by("t:" + found)  # (its digest: the token itself is not kept, even in memory)
        return Caller(user, None, "token")
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        data = _serializer(server).loads(cookie, max_age=idle_seconds(server))
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("t"), int) and data["t"] + SESSION_SECONDS <= time.time():  # r15: absolute limit
        return None
    user = server.user(str(data.get("u")))
    if user is None or user.disabled or data.get("v") != user.password_version:
        return None  # password changed or account disabled since: the session is over
    session = data.get("s")
    if not isinstance(session, str):
        return None  # a cookie from before sessions had ids: sign-out could not end it, so it is not taken
    if session in user.ended_sessions:
        return None  # signed out
    asked_by("s:" + session)
    return Caller(user, str(data.get("c")), "session", session)


def _expired(expires_at: str | None) -> bool:
    return expires_at is None or datetime.fromisoformat(expires_at) <= datetime.now(UTC)


def end_session(server: Server, request: Request) -> None:
    """Sign-out ends the session on the server, not only in this browser: a copy of the cookie is refused
    from now on."""
    cookie = request.cookies.get(SESSION_COOKIE)
    caller = identify(server, request) if cookie else None
    if caller is None or caller.via != "session" or caller.session is None:  # (every session has an id)
        return
    _, signed = _serializer(server).loads(cookie, max_age=SESSION_SECONDS, return_timestamp=True)
    server.ledger.end_session(caller.name, caller.session, signed.timestamp() + SESSION_SECONDS, time.time())
    server.forget()
    # r15: the sign-out in the access log (api/services/access_log.py)
    from ..services import access_log
    from .context import context

    access_log.record(context(server), caller.user, "sign_out")


def check_csrf(caller: Caller, request: Request, form_token: str | None = None) -> None:
    """Unsafe requests authenticated by cookie must carry the session's CSRF token (header or form field)."""
    if caller.via != "session":
        return
    sent = request.headers.get(CSRF_HEADER) or form_token or ""
    if not caller.csrf or not hmac.compare_digest(sent, caller.csrf):
        raise HTTPException(403, "CSRF 校验失败：请刷新页面后重试")
